"""docs/benchmarks.md is what the benchmarks' record says: rendered from it, never edited by hand,
with the targets' verdicts taken from the figures."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from benchmarks.report import RECORD, REPORT, render


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def test_the_report_is_the_record_rendered(record: dict[str, Any]) -> None:
    # Fails when docs/benchmarks.md is edited by hand, or report.py changes without
    # `python -m benchmarks.report` being run.
    assert REPORT.read_text(encoding="utf-8") == render(record)


def test_verdicts_follow_the_figures(record: dict[str, Any]) -> None:
    changed = copy.deepcopy(record)
    for row in changed["speed"].values():
        row["storyweave"]["articles_per_s"] = 2100.0
    changed["speed"]["1000000"]["storyweave"]["peak_rss_mb"] = 2100
    changed["quality"]["storyweave"]["bcubed_f1_cv"] = 0.951
    text = render(changed)
    assert "Target B-cubed F1 >= 0.95: **reached**" in text
    assert ">= 2,000 articles/s on this 2-core machine: **reached** (best 2,100/s)" in text
    assert "<= 2,048 MB at 1M articles: **not reached** (2,100 MB)" in text
    assert "linearly with the stream: **reached** (time per article at 1,000,000 articles 1.00 times" in text
    changed["speed"]["1000000"]["storyweave"]["articles_per_s"] = 1400.0
    assert "linearly with the stream: **not reached** (time per article at 1,000,000 articles 1.50 times" in render(
        changed
    )
    del changed["speed"]["1000000"]
    text = render(changed)
    assert "<= 2,048 MB at 1M articles: **not measured**" in text
    assert "time per article at 100,000 articles 1.00 times that at 10,000" in text
    dense = {"articles_per_s": 520.0, "peak_rss_mb": 1336, "n_clusters": 25193}
    changed["density"] = {"articles": 200_000, "by_per_day": {"10000": dense, "500": {"error": "failed"}}}
    text = render(changed)
    assert "storyweave on 200,000 articles published at several rates a day" in text
    assert "| 10,000 | 520/s, 1,336 MB | 25,193 |" in text and "| 500 | — (failed) | — |" in text
    del changed["density"]  # a run with --densities ''
    assert "The cost of density" not in render(changed)
