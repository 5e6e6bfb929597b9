#!/bin/sh
# Build step: asks the JDK whether it starts with each collector's options
# (collectors.table) and writes "strategy | ok" or "strategy | why" per line,
# which the launcher and the worker read (a JDK built without a collector
# makes that strategy unsupported, exit 6, with the JVM's reason).
# Usage: probe_collectors.sh JAVA TABLE OUT
java=$1 table=$2 out=$3
tmp=$out.tmp
: >"$tmp"
grep -v '^[[:space:]]*#' "$table" | while IFS='|' read -r name options _rest; do
  name=$(echo "$name" | tr -d ' \t')
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086
  if msg=$("$java" $options -Xshare:auto -version 2>&1); then
    echo "$name | ok" >>"$tmp"
  else
    echo "$name | $(echo "$msg" | grep -v '^\s*$' | head -n 2 | tr '\n|' '  ')" >>"$tmp"
  fi
done
mv "$tmp" "$out"
