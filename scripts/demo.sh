#!/usr/bin/env bash
# Sets everything up, then runs storyweave on the bundled sample corpus (sample/) into sample.db:
# ingest and cluster, list the stories, and show the consolidated view of the seed story.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -f sample.db sample.db-wal sample.db-shm
sw=.venv/bin/storyweave
$sw ingest sample/articles --metadata sample/metadata.jsonl --db sample.db
echo; echo "Stories:"
$sw stories --db sample.db
story=$($sw stories --db sample.db --source "Press TV" --json | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)[0]["id"])')
echo; echo "The story Press TV and Tehran Times both report (storyweave story $story --format text):"; echo
$sw story "$story" --db sample.db --format text
