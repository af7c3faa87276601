#!/usr/bin/env bash
# Checks that every C++ file follows .clang-format (Debian's clang-format 14, as installed by
# scripts/setup.sh). Run by scripts/test.sh; `scripts/check-format.sh --fix` rewrites the files.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
command -v clang-format > /dev/null || { echo "check-format: clang-format is not installed (run scripts/setup.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2> /dev/null || find spatial layers cli tests -name '*.[ch]pp')
if [ "${1:-}" = --fix ]; then
  clang-format -i --style=file "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror --style=file "${files[@]}" 2> /tmp/check-format.$$; then
  grep -o '^[^:]*\.[ch]pp' /tmp/check-format.$$ | sort -u | sed 's/^/  not formatted: /' >&2
  rm -f /tmp/check-format.$$
  echo "check-format: FAIL: run scripts/check-format.sh --fix (clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -1))" >&2
  exit 1
fi
rm -f /tmp/check-format.$$
echo "check-format: ${#files[@]} files follow .clang-format"
