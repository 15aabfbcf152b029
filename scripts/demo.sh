#!/usr/bin/env bash
# Sets everything up, then runs storyweave on the bundled sample corpus (sample/) into sample.db.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -f sample.db sample.db-wal sample.db-shm
.venv/bin/storyweave ingest sample/articles --metadata sample/metadata.jsonl --db sample.db
.venv/bin/storyweave stories --db sample.db
