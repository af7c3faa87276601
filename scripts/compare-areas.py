#!/usr/bin/python3
"""Compare two long area tables (candidate_id,layer,class,area_m2).

Usage: compare-areas.py A.csv B.csv [--rel 1e-6] [--abs 1e-3]

Rows are matched on (candidate_id, layer, class); other columns (e.g. `share`) are ignored
and a row present on one side only counts as area 0 on the other. A pair agrees when
    |a - b| <= max(rel * max(|a|, |b|), abs)
Prints the number of rows compared, the number of disagreements, the worst relative and
absolute difference and the first 10 disagreements.

Exit status: 0 all rows agree, 1 some disagree, 2 bad input (missing file or column,
unparsable number, the same key twice in one file).
"""
import argparse
import csv
import math
import sys

REQUIRED = ("candidate_id", "layer", "class", "area_m2")
LAYER_ORDER = {"wbs": 0, "netcongestie": 1, "novex": 2, "nplv": 3}


class BadInput(Exception):
    pass


def norm_id(s):
    """Candidate ids compare as integers when they are integers ('7' == '7.0'), else as text."""
    s = s.strip()
    try:
        f = float(s)
        if f.is_integer():
            return int(f)
    except ValueError:
        pass
    return s


def sort_key(key):
    cid, layer, klass = key
    # ints before text ids, known layers in their fixed order, then class in byte order
    return ((0, cid, "") if isinstance(cid, int) else (1, 0, cid),
            LAYER_ORDER.get(layer, len(LAYER_ORDER)), layer, klass)


def read_table(path):
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror}")
    with f:
        r = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (r.fieldnames or [])]
        if missing:
            raise BadInput(f"{path}: missing column(s) {', '.join(missing)} "
                           f"(header: {','.join(r.fieldnames or [])})")
        rows = {}
        for n, row in enumerate(r, start=2):
            key = (norm_id(row["candidate_id"]), row["layer"], row["class"])
            try:
                area = float(row["area_m2"])
            except (TypeError, ValueError):
                raise BadInput(f"{path}:{n}: area_m2 {row['area_m2']!r} is not a number")
            if key in rows:
                raise BadInput(f"{path}:{n}: candidate {key[0]}, layer {key[1]}, class {key[2]} "
                               f"appears twice (first on line {rows[key][1]})")
            rows[key] = (area, n)
    return {k: v[0] for k, v in rows.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", metavar="A.csv")
    ap.add_argument("b", metavar="B.csv")
    ap.add_argument("--rel", type=float, default=1e-6, help="relative tolerance (default 1e-6)")
    ap.add_argument("--abs", type=float, default=1e-3, help="absolute tolerance in m2 (default 1e-3)")
    args = ap.parse_args()

    try:
        ta, tb = read_table(args.a), read_table(args.b)
    except BadInput as e:
        print(f"compare-areas: {e}", file=sys.stderr)
        return 2

    keys = sorted(set(ta) | set(tb), key=sort_key)
    bad = []
    worst_rel = (0.0, None)
    worst_abs = (0.0, None)
    only_a = only_b = 0
    for k in keys:
        a, b = ta.get(k), tb.get(k)
        only_a += b is None
        only_b += a is None
        a = 0.0 if a is None else a
        b = 0.0 if b is None else b
        d = abs(a - b)
        m = max(abs(a), abs(b))
        rel = d / m if m > 0 else 0.0
        if math.isnan(d):
            d = rel = math.inf
        if rel > worst_rel[0]:
            worst_rel = (rel, k)
        if d > worst_abs[0]:
            worst_abs = (d, k)
        if not d <= max(args.rel * m, args.abs):
            bad.append((k, ta.get(k), tb.get(k), d, rel))

    def where(k):
        return f" (candidate {k[0]}, {k[1]}, {k[2]})" if k else ""

    def fmt(v):
        return "missing" if v is None else f"{v:.6f}"

    print(f"A: {args.a} ({len(ta)} rows)")
    print(f"B: {args.b} ({len(tb)} rows)")
    print(f"rows compared: {len(keys)} (only in A: {only_a}, only in B: {only_b})")
    print(f"tolerance: |a-b| <= max({args.rel:g} * max(|a|,|b|), {args.abs:g} m2)")
    print(f"disagreements: {len(bad)}")
    print(f"worst relative difference: {worst_rel[0]:.3e}{where(worst_rel[1])}")
    print(f"worst absolute difference: {worst_abs[0]:.6f} m2{where(worst_abs[1])}")
    if bad:
        print(f"first {min(10, len(bad))} disagreements:")
        print("  candidate_id,layer,class,area_a,area_b,abs_diff,rel_diff")
        for k, a, b, d, rel in bad[:10]:
            print(f"  {k[0]},{k[1]},{k[2]},{fmt(a)},{fmt(b)},{d:.6f},{rel:.3e}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
