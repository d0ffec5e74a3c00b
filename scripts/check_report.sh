#!/usr/bin/env bash
# Render a pactwatch report.html in headless Chromium (Debian's `chromium`), fail on any
# console message (script errors, failed resource loads, console.* calls: the page has no
# script, so any message is a fault), and write a screenshot.
#
#   scripts/check_report.sh RUN_DIR [SCREENSHOT.png]
#
# RUN_DIR is an `annotate --out` directory; the script runs `pactwatch report RUN_DIR` first.
# Without chromium it installs Debian's package when it runs as root, else says how.
# It checks itself first: a page with a script error must fail the same check.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
run_dir="${1:?usage: scripts/check_report.sh RUN_DIR [SCREENSHOT.png]}"
shot="${2:-$run_dir/report.png}"
bin="${PACTWATCH_BIN:-$here/target/release/pactwatch}"

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends chromium >/dev/null
  else
    echo "check_report: chromium not found; install it with: sudo apt-get install chromium" >&2
    exit 2
  fi
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# render FILE PNG LOG: headless Chromium, console messages logged to LOG; prints their count.
render() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --enable-logging=stderr --v=0 --window-size=1280,2400 \
    --screenshot="$2" "file://$(realpath "$1")" >"$3" 2>&1 || { echo "check_report: chromium failed on $1" >&2; cat "$3" >&2; exit 1; }
  grep -c ':CONSOLE' "$3" || true
}

printf '<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>' >"$tmp/bad.html"
n=$(render "$tmp/bad.html" "$tmp/bad.png" "$tmp/bad.log")
if [ "$n" -lt 1 ]; then
  echo "check_report: the self-check page with a script error logged no console message; the check cannot see errors" >&2
  exit 1
fi

"$bin" report "$run_dir"
html="$run_dir/report.html"
if grep -Eq '(src|href)="(https?:)?//' "$html"; then
  echo "check_report: $html loads something from the network:" >&2
  grep -Eo '(src|href)="(https?:)?//[^"]*"' "$html" | head >&2
  exit 1
fi
n=$(render "$html" "$shot" "$tmp/report.log")
if [ "$n" -gt 0 ]; then
  echo "check_report: $n console message(s) rendering $html:" >&2
  grep ':CONSOLE' "$tmp/report.log" >&2
  exit 1
fi
echo "check_report: $html rendered in $(chromium --version 2>/dev/null | head -1) with no console message (the self-check page logged $(grep -c ':CONSOLE' "$tmp/bad.log")); screenshot $shot ($(stat -c %s "$shot") bytes)"
