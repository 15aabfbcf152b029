"""The benchmarks' synthetic streams come at the rate a day they are asked for, whatever their
length: what lets the speed table tell the stream's length from its density."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest
from benchmarks.synthetic import follow_up, generate, write


def published(records: Iterable[dict[str, object]]) -> list[dt.datetime]:
    return [dt.datetime.fromisoformat(str(record["published_at"])) for record in records]


@pytest.mark.parametrize("per_day", [300, 1200])
def test_a_stream_is_published_at_the_rate_asked_for(per_day: int) -> None:
    times = published(generate(3000, per_day=per_day))
    assert times == sorted(times)
    days = np.array([t.timestamp() for t in times]) / 86400
    # Measured between the 10th and 90th percentiles: the last events' articles trail off at the end.
    first, last = np.quantile(days, [0.1, 0.9])
    assert 0.8 * len(days) / (last - first) == pytest.approx(per_day, rel=0.2)


def test_a_follow_up_is_a_stream_at_the_rate_asked_for_published_after_the_first(tmp_path: Path) -> None:
    stream = write(tmp_path / "stream.jsonl", 200, per_day=300)
    times = published(json.loads(line) for line in follow_up(stream, tmp_path / "more.jsonl", 500, per_day=300).open())
    assert min(times) > max(published(json.loads(line) for line in stream.open()))
    # A small sample's rate is loose (event sizes are heavy-tailed): compare with the generator's
    # stream at that rate, whose rate the test above checks.
    alone = published(generate(500, seed=8, per_day=300))
    assert [t - times[0] for t in times] == [t - alone[0] for t in alone]
