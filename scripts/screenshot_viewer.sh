#!/usr/bin/env bash
# Screenshot every page kind of `gazebench view` in headless Chromium into docs/img/viewer_*.png.
# Usage: scripts/screenshot_viewer.sh RUN_DIR [RUN_DIR ...]      (install: apt-get install -y chromium)
set -euo pipefail
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n "$browser" ]] || { echo "error: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
port=${PORT:-8799}
gazebench view "$@" --port "$port" > /dev/null 2>&1 &
server=$!
profile=$(mktemp -d)
trap 'kill "$server"; rm -rf "$profile"' EXIT
base="http://127.0.0.1:$port"
until curl -sf "$base/" -o /dev/null; do sleep 1; done
task=${TASK:-mimic-eye}
sample=$(curl -sf "$base/samples/0/$task" | grep -m1 -o "/sample/0/$task/[^']*")
mkdir -p docs/img
for pair in "index /" "task /task/0/$task" "samples /samples/0/$task" "sample $sample"; do
  read -r name path <<< "$pair"
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile" --window-size=1300,1500 \
    --screenshot="docs/img/viewer_$name.png" "$base$path" > /dev/null 2>&1
  echo "docs/img/viewer_$name.png"
done
