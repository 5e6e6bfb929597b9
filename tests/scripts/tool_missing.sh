#!/bin/sh
# Stands in for a test whose tool is not installed: says so and exits 77,
# which the test's SKIP_RETURN_CODE turns into "skipped" in ctest's summary.
# Usage: tool_missing.sh TOOL
echo "SKIPPED: $1 is not installed; this test needs it (see scripts/common.sh)"
exit 77
