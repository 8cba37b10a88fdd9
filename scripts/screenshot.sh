#!/usr/bin/env bash
# Takes the README's screenshot of the console with demo data: starts the
# built server on a temporary database, lets headless Chromium render the
# list, and writes docs/screenshot.png. Run through `make screenshot`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshot.png}
view=${2:-/}
width=${WIDTH:-1280}
height=${HEIGHT:-900}
# SCHEME=dark asks for the dark palette (prefers-color-scheme: dark).
scheme_flag=()
[ "${SCHEME:-light}" = dark ] && scheme_flag=(--force-dark-mode)
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/release/leads-server --addr "127.0.0.1:$port" --db "$tmp/leads.db" --dist dist >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/config.json" >/dev/null 2>&1 && break
  sleep 0.1
done
chromium --headless=new --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$tmp/profile" --window-size="$width,$height" --virtual-time-budget=5000 \
  "${scheme_flag[@]}" \
  --screenshot="$out" "http://127.0.0.1:$port$view" 2>/dev/null
echo "wrote $out"
