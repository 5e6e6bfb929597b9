#!/bin/sh
# The repo's one Python dialect (setup.cfg): flake8 clean; what
# `pyupgrade --py311-plus` writes (builtin generics, X | None, no legacy
# forms); f-strings only, no '%' or .format() formatting (pylint C0209).
# Usage: lint_python.sh REPO_ROOT. Exit 77 (skipped) when a tool is missing.
set -eu
root=$1
cd "$root"
for tool in flake8 pyupgrade pylint; do
  command -v $tool >/dev/null 2>&1 || exec sh tests/scripts/tool_missing.sh $tool
done
files=$(find benchmarks plot scripts tests -name '*.py' -not -path '*/build*' | sort)
status=0
echo "flake8 (setup.cfg):"
flake8 $files || status=1
echo "pyupgrade --py311-plus (on a copy):"
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
for f in $files; do mkdir -p "$copy/$(dirname "$f")"; cp "$f" "$copy/$f"; done
(cd "$copy" && pyupgrade --py311-plus $files) || true
for f in $files; do
  if ! cmp -s "$f" "$copy/$f"; then
    echo "$f: not in the py311 dialect; pyupgrade --py311-plus would change:"
    diff -u "$f" "$copy/$f" | head -20
    status=1
  fi
done
echo "f-strings only (pylint consider-using-f-string):"
pylint --rcfile=/dev/null --disable=all --enable=consider-using-f-string --score=n $files \
  || status=1
[ $status -eq 0 ] && echo "lint: $(echo $files | wc -w) files clean"
exit $status
