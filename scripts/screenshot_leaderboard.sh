#!/usr/bin/env bash
# Screenshot a leaderboard HTML page with headless Chromium (proves it renders offline, as a person sees it).
# Usage: scripts/screenshot_leaderboard.sh PAGE.html [OUT.png]      (install: apt-get install -y chromium)
set -euo pipefail
page=$(realpath "$1")
out=$(realpath -m "${2:-leaderboard.png}")
browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
  echo "error: chromium not found (apt-get install -y chromium)" >&2
  exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --screenshot="$out" \
  --window-size=1400,1800 "file://$page" >/dev/null 2>&1
test -s "$out"
echo "$out"
