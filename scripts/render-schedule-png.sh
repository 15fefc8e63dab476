#!/bin/sh
# Regenerates docs/schedule-1f1b.png, the picture docs/schedules.md shows:
# pp-schedule's SVG of 1f1b at p=4, m=8, rasterised with rsvg-convert
# (Debian package librsvg2-bin).
#
# usage: scripts/render-schedule-png.sh [BUILD_DIR]   (default: build)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
tool=$build/bin/pp-schedule

if [ ! -x "$tool" ]; then
  echo "render-schedule-png.sh: $tool not found; run 'make build' first" >&2
  exit 1
fi
if ! command -v rsvg-convert > /dev/null; then
  echo "render-schedule-png.sh: rsvg-convert not found; apt-get install librsvg2-bin" >&2
  exit 1
fi

svg=$(mktemp --suffix=.svg)
trap 'rm -f "$svg"' EXIT
"$tool" --schedule=1f1b --pp=4 --microbatches=8 --svg "$svg" > /dev/null
rsvg-convert --zoom=2 --background-color=white -o "$root/docs/schedule-1f1b.png" "$svg"
echo "wrote docs/schedule-1f1b.png"
