"""The benchmarks' synthetic streams come at the rate a day they are asked for, whatever their
length: what lets the speed table tell the stream's length from its density."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from benchmarks.synthetic import generate


@pytest.mark.parametrize("per_day", [300, 1200])
def test_a_stream_is_published_at_the_rate_asked_for(per_day: int) -> None:
    times = [dt.datetime.fromisoformat(str(record["published_at"])) for record in generate(3000, per_day=per_day)]
    assert times == sorted(times)
    days = np.array([t.timestamp() for t in times]) / 86400
    # Measured between the 10th and 90th percentiles: the last events' articles trail off at the end.
    first, last = np.quantile(days, [0.1, 0.9])
    assert 0.8 * len(days) / (last - first) == pytest.approx(per_day, rel=0.2)
