"""The SQLite store: idempotent writes, atomic batches, migrations, full-text search."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pytest

import storyweave
from conftest import SAMPLE, SEED_PRESS_TV, SEED_TEHRAN_TIMES, damage_all_but_the_first_page
from storyweave.errors import ConfigError, StoreError
from storyweave.store import Store, open_store
from storyweave.store.sqlite import MIGRATIONS, SQLiteStore
from storyweave.types import Article, Assignment


def test_reingesting_the_seeds_adds_nothing(seeds_store: Store) -> None:
    again = storyweave.ingest(
        [str(SEED_PRESS_TV), str(SEED_TEHRAN_TIMES)], store=seeds_store, metadata=SAMPLE / "metadata.jsonl"
    )
    assert (len(again.added), len(again.present)) == (0, 2)
    assert seeds_store.count_articles() == 2


def test_same_url_with_tracking_parameters_is_the_same_article(store: Store) -> None:
    first = Article(id=storyweave.types.article_id("http://a.example/x?utm_source=rss", None, "t"), text="t")
    second = Article(id=storyweave.types.article_id("http://A.example/x/#top", None, "other text"), text="other text")
    assert store.add_articles([first, second]) == [True, False]


def test_article_round_trips_through_the_store(seeds_store: Store) -> None:
    stored = next(seeds_store.articles(source="Press TV"))
    assert stored.removed == (("read-more", "Read more"), ("read-more", "Read more"))
    assert stored.truncated and stored.published_at is not None and stored.published_at.isoformat() == "2017-01-26"
    assert seeds_store.article(stored.id) == stored


def test_a_body_that_arrived_clean_is_stored_once_and_read_back_whole(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    clean = Article(id="clean", text="Quake hits Qeshm.", raw_text="Quake hits Qeshm.")
    cleaned = Article(id="cleaned", text="Quake hits Qeshm.", raw_text="Quake hits Qeshm.\nRead more")
    store.add_articles([clean, cleaned])
    assert store.article("clean") == clean and store.article("cleaned") == cleaned
    stored = dict(store._db.execute("SELECT id, length(raw_text) FROM articles"))
    assert stored == {"clean": 0, "cleaned": len(cleaned.raw_text)}


def test_full_text_search_ranks_the_article_that_has_the_words(seeds_store: Store) -> None:
    hits = seeds_store.search("Aleppo congratulated")
    assert [a.source for a, _ in hits] == ["Tehran Times"]
    assert seeds_store.search('unbalanced "quote') == []  # not FTS5 syntax: words are quoted, no error
    # A dangling operator is dropped, not searched for as the word "or".
    assert [a.source for a, _ in seeds_store.search("Aleppo OR")] == ["Tehran Times"]
    # Nothing but operators or spaces is no word to look for: no hits, not an SQLite error.
    assert seeds_store.search("NOT OR") == [] == seeds_store.search("   ")
    assert list(seeds_store.stories(query="AND")) == []


def test_search_ranks_the_best_matches_and_breaks_ties_by_arrival(store: Store) -> None:
    store.add_articles([Article(id="copy-2", text="Flood waters rise in Dhaka."),
                        Article(id="copy-1", text="Flood waters rise in Dhaka."),
                        Article(id="other", text="Dhaka flood: the flood waters rise, flood warnings spread."),
                        Article(id="unrelated", text="Markets closed higher.")])  # fmt: skip
    hits = store.search("flood", limit=3)
    assert [a.id for a, _ in hits] == ["other", "copy-2", "copy-1"]  # equal ranks: the earlier stored first
    assert hits[0][1] > hits[1][1] == hits[2][1] > 0
    assert [a.id for a, _ in store.search("flood", limit=1)] == ["other"]


def test_a_store_from_an_older_version_is_migrated_and_stays_searchable(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:  # a store at schema version 2, with an article in it
        raw.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "PRAGMA user_version = 2;")
        raw.execute(
            "INSERT INTO articles (id, text, raw_text, removed, meta, ingested_at) "
            "VALUES ('old', 'Quake hits Qeshm', 'Quake hits Qeshm', '[]', '{}', 'then')"
        )
    store = SQLiteStore(path)
    added = store.add_articles([Article(id="new", text="Qeshm quake toll rises"), Article(id="new", text="again")])
    assert added == [True, False]  # a batch holding one id twice adds its first copy
    assert sorted(a.id for a, _ in store.search("qeshm")) == ["new", "old"]
    assert [a.id for a, _ in store.search("toll")] == ["new"]
    # ... and its search index merges segments as a new store's does.
    assert store._db.execute("SELECT v FROM articles_fts_config WHERE k = 'automerge'").fetchone()[0] == 8
    # ... and lists stories through the index that migration 6 adds (SQLite refuses a missing one).
    assert list(store.stories()) == []


EVIDENCE = (
    {"story_id": 3, "probability": 0.93, "signals": {"body_cos": 0.54, "name_conflict": 0.0}, "gap_days": 0.0007},
    {"story_id": 1, "probability": 0.02, "signals": {"body_cos": 0.13, "name_conflict": 1.0}, "gap_days": None},
)


def test_evidence_written_before_version_7_reads_as_evidence_written_now(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as raw:  # a store at schema version 6, evidence as it was then written
        raw.executescript("".join(MIGRATIONS[:6]) + "PRAGMA user_version = 6;")
        raw.executemany(
            "INSERT INTO articles (id, text, raw_text, removed, meta, ingested_at) VALUES (?, 't', '', '[]', '{}', '')",
            [("scored",), ("copy",)],
        )
        unrounded = [{**EVIDENCE[0], "gap_days": 0.000654421875000001}, EVIDENCE[1]]
        raw.execute("INSERT INTO assignments VALUES ('scored', 3, 1, 0, 0.93, NULL, NULL, ?)", (json.dumps(unrounded),))
        raw.execute("INSERT INTO assignments VALUES ('copy', 3, 2, 0, 0.0, 'scored', 0.9, '[]')")
    store = SQLiteStore(path)
    store.add_articles([Article(id="new", text="t")])
    store.save_assignments(
        [Assignment(article_id="new", story_id=3, opened=False, probability=0.93, evidence=EVIDENCE)]
    )
    assert store.assignment("scored").evidence == EVIDENCE == store.assignment("new").evidence  # type: ignore[union-attr]
    assert store.assignment("copy").evidence == ()  # type: ignore[union-attr]


def test_failed_batch_leaves_nothing_behind(store: Store) -> None:
    def crash_mid_batch() -> None:
        with store.transaction():
            store.add_articles([Article(id="a", text="fine")])
            raise RuntimeError("the process failed mid-batch")

    with pytest.raises(RuntimeError):
        crash_mid_batch()
    assert store.count_articles() == 0


def test_locked_database_is_a_store_error_and_writes_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store._db.execute("PRAGMA busy_timeout=0")
    blocker = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StoreError, match="database is locked"):
        store.add_articles([Article(id="a", text="fine")])
    blocker.execute("ROLLBACK")
    assert store.count_articles() == 0


def test_a_full_disk_is_a_store_error_and_keeps_the_batches_before(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    store.add_articles([Article(id="first", text="kept")])
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite reports this as a full disk
    big = [Article(id=f"big{i}", text=f"story {i} " * 2000) for i in range(20)]
    with pytest.raises(StoreError, match=r"write failed, nothing from this batch was kept.*full"):
        store.add_articles(big)
    store.close()
    assert [a.id for a in SQLiteStore(tmp_path / "s.db").articles()] == ["first"]


def test_a_damaged_store_raises_store_errors_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    store.add_articles([Article(id=f"a{i}", text=f"Flood waters rise in Dhaka, day {i}. " * 60) for i in range(40)])
    store.close()
    damage_all_but_the_first_page(path)
    damaged = SQLiteStore(path)
    reads = [
        damaged.count_articles,
        lambda: list(damaged.articles()),
        lambda: damaged.search("flood"),
        lambda: list(damaged.stories()),
    ]
    for read in reads:
        with pytest.raises(StoreError, match=rf"^{re.escape(str(path))}: the store cannot be read or written \("):
            read()


def test_a_callers_mistake_is_not_taken_for_a_damaged_store(store: Store) -> None:
    unknown = Assignment(article_id="never stored", story_id=1, opened=True, probability=0.0)
    with pytest.raises(sqlite3.IntegrityError):
        store.save_assignments([unknown])


def test_schema_is_versioned_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer than this storyweave understands"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not sqlite " * 100)
    with pytest.raises(StoreError, match="cannot open as a storyweave store"):
        open_store(path)


def test_store_location_from_env_and_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYWEAVE_DB", str(tmp_path / "env.db"))
    open_store().close()
    assert (tmp_path / "env.db").exists()
    open_store(f"sqlite:///{tmp_path / 'url.db'}").close()
    assert (tmp_path / "url.db").exists()
    with pytest.raises(ConfigError, match="unsupported store URL scheme 'mysql'"):
        open_store("mysql://localhost/news")


def test_unclustered_articles_come_in_publication_order_across_reads(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storyweave.store.sqlite._READ_BATCH", 2)  # several reads for five articles
    days = {"e": dt.date(2020, 1, 5), "u1": None, "c": dt.date(2020, 1, 3), "u2": None, "a": dt.date(2020, 1, 1)}
    store.add_articles([Article(id=i, text=f"text {i}", published_at=d) for i, d in days.items()])
    # Dated ones sorted into the places dated ones hold, undated ones where they were stored.
    assert [a.id for a in store.unclustered()] == ["a", "u1", "c", "u2", "e"]


def test_a_story_is_titled_by_its_first_headline_else_by_its_first_article_lead(store: Store) -> None:
    dated = {"dateline": dt.date(2020, 1, 1), "headline": dt.date(2020, 1, 2), "later": dt.date(2020, 1, 3)}
    titles = {"dateline": "11 / 28 / 05", "headline": "Quake hits southern Iran", "later": "Quake toll rises in Iran"}
    leads = {"banner": "IRAN NEWS.\nA quake struck Qeshm island on Sunday. Ten died.", "short": "Quake. Ten died."}
    store.add_articles([Article(id=i, title=titles[i], text=f"text {i}", published_at=d) for i, d in dated.items()])
    store.add_articles([Article(id=i, title="WORLD", text=text) for i, text in leads.items()])
    story_of = {"dateline": 1, "headline": 1, "later": 1, "banner": 2, "short": 3}
    store.save_assignments(
        [Assignment(i, story, i in ("dateline", "banner", "short"), 0.9) for i, story in story_of.items()]
    )
    assert {s.id: s.title for s in store.stories()} == {
        1: "Quake hits southern Iran",  # the earliest title that reads as a headline
        2: "A quake struck Qeshm island on Sunday.",  # no headline: the lead's first sentence that reads as one
        3: "Quake.",  # nothing reads as a headline: the lead's first sentence
    }


def test_a_listing_read_inside_reading_is_one_state_of_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "news.db"
    store, other = open_store(path), open_store(path)  # `other` as another process would
    store.add_articles([Article(id=f"a{i}", text=f"text {i}", published_at=dt.date(2020, 1, i)) for i in (1, 2, 3)])
    store.save_assignments([Assignment(f"a{i}", i, True, 1.0) for i in (1, 2, 3)])
    monkeypatch.setattr("storyweave.store.sqlite._READ_BATCH", 1)  # a query for each story

    def renumber() -> None:  # what a `recluster` does to the stories
        with other.transaction():
            other.clear_assignments()
            other.save_assignments([Assignment(f"a{i}", 10 + i, True, 1.0) for i in (1, 2, 3)])

    with store.reading():
        listing = store.stories()
        first = next(listing)
        renumber()
        assert [first.id, *(s.id for s in listing)] == [3, 2, 1]
    assert [s.id for s in store.stories()] == [13, 12, 11]  # the new state, once outside
    listing = store.stories()
    next(listing)
    with other.transaction():
        other.clear_assignments()
    assert list(listing) == []  # outside `reading`, each batch reads the store as it is then
    with store.reading(), pytest.raises(StoreError, match="cannot write inside reading"), store.transaction():
        pass
