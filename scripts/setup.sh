#!/usr/bin/env bash
# Creates .venv (Python >= 3.11) and installs storyweave. Safe to re-run.
#   bash scripts/setup.sh          the default install (fast mode, CLI, API)
#   bash scripts/setup.sh full     also the accurate mode's transformer, the benchmark peers and
#                                  the test tools (what the test suite needs)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "storyweave needs Python >= 3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = full ]; then
  # The CPU build of torch first: left to a resolver, torch comes as a multi-gigabyte CUDA build.
  .venv/bin/python -m pip install --quiet torch==2.13.0
  .venv/bin/python -m pip install --quiet -e '.[dev,accurate,bench]'
else
  .venv/bin/python -m pip install --quiet -e .
fi
