#!/bin/sh
# A refusal the worker's listing declares ("refuses" of the entry): the worker
# must exit with exactly CODE (the listing's exit_codes.unsupported), which
# ctest then reports as skipped (SKIP_RETURN_CODE). Any other exit, success
# included, fails the test: a declared refusal that stops refusing is news.
# Usage: expect_refusal.sh CODE -- COMMAND [ARGS...]
code=$1
shift
[ "$1" = "--" ] && shift
"$@"
rc=$?
if [ "$rc" -eq "$code" ]; then
  exit "$code"
fi
echo "expect_refusal: the listing declares a refusal (exit $code), the worker exited $rc" >&2
exit 1
