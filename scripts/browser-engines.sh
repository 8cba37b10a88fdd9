#!/usr/bin/env bash
# Runs the browser tests tests/browser/every-engine.txt names in each
# engine given (firefox, webkit); Chromium runs the whole suite in
# `cargo test`. Fails when a listed name matches no test, so a renamed
# test cannot drop out of the other engines unseen.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t tests < <(grep -v -e '^#' -e '^$' tests/browser/every-engine.txt)
known=$(cargo test -q --workspace --test browser -- --list 2>/dev/null | sed -n 's/: test$//p')
for name in "${tests[@]}"; do
  grep -qxF "$name" <<<"$known" || { echo "every-engine.txt: no browser test named $name" >&2; exit 1; }
done
for engine in "$@"; do
  echo "browser tests in $engine: ${#tests[@]}"
  BROWSER=$engine cargo test -q --workspace --test browser -- --exact --test-threads="${THREADS:-2}" "${tests[@]}"
done
