#!/bin/sh
# Runs a command and checks its exact exit code and its output (stdout and
# stderr together). ctest's PASS_REGULAR_EXPRESSION ignores the exit code,
# hence this.
# Usage: expect_run.sh EXPECTED_EXIT REGEX... -- COMMAND [ARGS...]
# Every extended regular expression must match some line of the output.
expected=$1
shift
regexes=""
count=0
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  count=$((count + 1))
  eval "regex_$count=\$1"
  shift
done
if [ "$#" -eq 0 ]; then
  echo "expect_run: missing -- COMMAND" >&2
  exit 2
fi
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
status=0
if [ "$rc" -ne "$expected" ]; then
  echo "expect_run: exit code $rc, expected $expected" >&2
  status=1
fi
i=1
while [ "$i" -le "$count" ]; do
  eval "regex=\$regex_$i"
  if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
    echo "expect_run: no line matches /$regex/" >&2
    status=1
  fi
  i=$((i + 1))
done
exit "$status"
