#!/usr/bin/env bash
# Sets everything up (if needed), then runs the whole test suite and the linter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh full
.venv/bin/ruff check src tests benchmarks tools
.venv/bin/python -m pytest "$@"
