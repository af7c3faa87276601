#!/usr/bin/env bash
# The bad-input corpus (tests/data/bad/, issue 9): every case of tests/data/bad/cases.tsv run
# through the real `ruimte`, checking the exit code, a fragment of the message, that a failed
# run leaves no output file, and that every refusal (exit 3, 4, 5) says what to do ("Fix:")
# and names the file it is about.
#
# cases.tsv: NAME <TAB> EXIT <TAB> FRAGMENT <TAB> ARGUMENTS (shell words after `ruimte`).
# In ARGUMENTS: $B the corpus folder, $C the good candidates, $P the good profile, $O a fresh
# output path for the case, $T the case's scratch folder, $S data-samples/. Leading
# VAR=VALUE words set environment variables (the vertex limits).
set -uo pipefail
ruimte=$1 src=$2
B="$src/tests/data/bad" S="$src/data-samples"
C="$B/candidates.geojson" P="$B/profile.toml"
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fail=0 n=0

# Cases cut from the committed samples at test time (kept out of the corpus: they are large).
head -c 8192 "$S/wbs.gpkg" > "$tmp/truncated.gpkg"
cp "$S/wbs.gpkg" "$tmp/wbs_copy.gpkg"
mkdir -p "$tmp/readonly" && chmod 555 "$tmp/readonly"

while IFS=$'\t' read -r name code fragment args; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    n=$((n + 1))
    T="$tmp/case-$name"; mkdir -p "$T"; O="$T/out.gpkg"
    eval "argv=($args)"
    runner=(env)  # leading VAR=VALUE words set the environment of the case
    while [[ "${argv[0]}" == *=* ]]; do runner+=("${argv[0]}"); argv=("${argv[@]:1}"); done
    if [[ "$name" == output_readonly_folder && $(id -u) == 0 ]]; then
        # root writes anywhere: run this case as nobody (setpriv), or skip it when impossible.
        if command -v setpriv > /dev/null; then
            chmod 755 "$tmp" "$T"; chmod -R a+rX "$tmp"
            runner=(setpriv --reuid=nobody --regid=nogroup --clear-groups "${runner[@]}")
        else
            echo "skip: $name (running as root without setpriv)"; continue
        fi
    fi
    "${runner[@]}" "$ruimte" "${argv[@]}" > "$T/stdout" 2> "$T/stderr"; got=$?
    why=""
    if [ "$got" != "$code" ]; then why="exited $got, want $code"
    elif ! grep -qF -- "$fragment" "$T/stdout" "$T/stderr"; then why="no '$fragment' in the output"
    elif [ "$got" != 0 ] && [ -e "$O" ]; then why="failed but left an output file"
    elif [ "$got" != 0 ] && ls "$T" | grep -q '\.tmp'; then why="failed but left a temporary file"
    elif [[ "$got" =~ ^[345]$ ]] && ! grep -q "Fix: " "$T/stderr"; then why="the message does not say what to do (no 'Fix:')"
    elif [[ "$got" =~ ^[345]$ ]] && ! grep -q "file '" "$T/stderr"; then why="the message names no file"
    fi
    if [ -n "$why" ]; then
        echo "FAIL: $name: $why: ruimte $args"; sed 's/^/    /' "$T/stdout" "$T/stderr"; fail=1
    else
        echo "ok: $name (exit $got)"
    fi
done < "$B/cases.tsv"

if [ "$n" -lt 40 ]; then echo "FAIL: only $n cases in cases.tsv (want at least 40)"; fail=1; fi
[ "$fail" = 0 ] && echo "bad_inputs: all $n cases as expected"
exit $fail
