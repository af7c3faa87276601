#!/usr/bin/env python3
"""Lists the functions of spatial/, layers/ and cli/ longer than a limit (default 120 lines).

A function is a definition that opens at column 0 (the code does not indent namespaces), from
its signature's first line to its closing brace; lambdas count as part of the function that
holds them. Usage: scripts/function-lengths.py [--limit N] [--check]
--check exits 1 when a function over the limit is not listed in docs/DEVELOPING.md's table
of allowed long functions (rows of the form `| file | function | lines | reason |`).
"""
import argparse, pathlib, re, subprocess, sys

top = pathlib.Path(__file__).resolve().parent.parent
SIG = re.compile(r'^[A-Za-z_][\w:<>,\s\*&~\[\]]*?\b([\w:~]+)\s*\([^;]*$')


def functions(path):
    lines = path.read_text(encoding='utf-8').splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = SIG.match(line)
        if m and not line.startswith(('namespace', 'struct', 'class', 'enum', 'using', 'typedef', '#')):
            # find the opening brace of the body (signature may span lines)
            j = i
            while j < len(lines) and '{' not in lines[j] and not lines[j].rstrip().endswith(';'):
                j += 1
            if j < len(lines) and '{' in lines[j]:
                depth, k = 0, j
                while k < len(lines):
                    code = re.sub(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'|//.*', '', lines[k])
                    depth += code.count('{') - code.count('}')
                    if depth <= 0 and k >= j:
                        break
                    k += 1
                yield m.group(1), i + 1, k - i + 1
                i = k + 1
                continue
        i += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--limit', type=int, default=120)
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    files = subprocess.run(['git', 'ls-files', 'spatial/*.cpp', 'layers/*.cpp', 'cli/*.cpp'], cwd=top,
                           capture_output=True, text=True, check=True).stdout.split()
    allowed = set()
    dev = top / 'docs' / 'DEVELOPING.md'
    if dev.exists():
        for row in re.findall(r'^\| `([^`]+)` \| `([^`]+)` \|', dev.read_text(encoding='utf-8'), re.M):
            allowed.add(row)
    over = []
    for f in files:
        for name, line, n in functions(top / f):
            if n > a.limit:
                over.append((n, f, name, line))
    bad = 0
    for n, f, name, line in sorted(over, reverse=True):
        ok = (f, name) in allowed
        bad += not ok
        print(f'{n:5d}  {f}:{line}  {name}' + ('  (allowed: docs/DEVELOPING.md)' if ok else ''))
    if a.check and bad:
        print(f'function-lengths: {bad} functions over {a.limit} lines are not in docs/DEVELOPING.md', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
