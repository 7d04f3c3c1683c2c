#!/usr/bin/env bash
# Time `make setup` on fresh clones of this checkout (README, "Two commands"), and its parts.
#
#   bash benchmarks/setup_time.sh
#
# Clone 1 runs `make setup` as a user would. Clone 2 runs the same work in three timed
# steps: the virtualenv, pip (resolve, download or take from pip's cache, unpack) without
# byte-compiling, and byte-compiling everything installed (what pip does by default), so
# that the report says what dominates. The pip cache is whatever this machine has: warm
# after the first setup; `PIP_NO_CACHE_DIR=1 bash benchmarks/setup_time.sh` measures cold.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

timed() {  # timed LABEL COMMAND...: run it, print wall and CPU seconds
  local label="$1"; shift
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  read -r wall user sys <"$tmp/time"
  printf '%-44s %7.1f s wall %7.1f s CPU\n' "$label" "$wall" "$(echo "$user + $sys" | bc)"
}

echo "cores: $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg), pip cache: ${PIP_NO_CACHE_DIR:+off}${PIP_NO_CACHE_DIR:-warm if used before}"
git clone -q "$repo" "$tmp/whole"
timed "make setup (fresh clone)" make -C "$tmp/whole" setup PYTHON="$python"

git clone -q "$repo" "$tmp/parts"
cd "$tmp/parts"
timed "  venv" "$python" -m venv .venv
timed "  pip install -e .[dev], no byte-compiling" .venv/bin/python -m pip install --quiet \
  --disable-pip-version-check --no-compile -e ".[dev]"
timed "  byte-compiling site-packages (1 process)" .venv/bin/python -m compileall -q -j 1 .venv/lib
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
