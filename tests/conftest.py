"""Shared fixtures: the bundled sample corpus and a fresh store per test; and a way to damage a store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import storyweave
from storyweave.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample"
SEED_PRESS_TV = SAMPLE / "articles" / "000_6bb945685ed10791.txt"
SEED_TEHRAN_TIMES = SAMPLE / "articles" / "001_397affb6b7c75271.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = storyweave.open_store(tmp_path / "test.db")
    yield opened
    opened.close()


@pytest.fixture
def seeds_store(store: Store) -> Store:
    """A store holding the two seed articles with their metadata."""
    report = storyweave.ingest(
        [str(SEED_PRESS_TV), str(SEED_TEHRAN_TIMES)], store=store, metadata=SAMPLE / "metadata.jsonl"
    )
    assert len(report.added) == 2, report.rejected
    return store


def damage_all_but_the_first_page(path: Path) -> None:
    """Overwrite every page of a closed SQLite store but the first, which holds the header and the
    schema: the store still opens, and whatever is read from it then is damaged. (Closing it wrote
    the log's pages into the file.)"""
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")  # in the file's header
    path.write_bytes(data[:page_size] + b"\xff" * (len(data) - page_size))
