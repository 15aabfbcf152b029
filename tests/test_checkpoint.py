"""Checkpoints: a later ingest takes up the state where the last one left it, as a full replay would;
and one writer at a time."""

from __future__ import annotations

import dataclasses
import itertools
import json
import pickle
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from filelock import FileLock

import storyweave
from conftest import SAMPLE
from storyweave import checkpoint
from storyweave.checkpoint import CheckpointError
from storyweave.cluster import ClusterParams, OnlineStoryClusterer
from storyweave.cluster.online import STATISTICS
from storyweave.errors import StoreError
from storyweave.ingest import read_articles
from storyweave.pipeline import (
    IngestReport,
    Progress,
    StoryPipeline,
    _checkpoint_key,
    _weighing_clusterer,
    explain,
    recluster,
    store_stream,
)
from storyweave.store import Store, sqlite
from storyweave.types import Article, Assignment

ECB_SAMPLE = SAMPLE / "articles" / "ecbplus-sample.jsonl"


def split_sample(folder: Path) -> tuple[Path, Path]:
    """The sample in two files; the second also holds an exact copy of an article of the first."""
    lines = ECB_SAMPLE.read_text(encoding="utf-8").splitlines()
    copy = {**json.loads(lines[3]), "id": "republished", "url": "https://example.org/republished"}
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    first.write_text("\n".join(lines[:50]) + "\n", encoding="utf-8")
    second.write_text("\n".join([*lines[50:], json.dumps(copy)]) + "\n", encoding="utf-8")
    return first, second


def count_replayed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the articles pipelines replay from now on."""
    replayed: list[str] = []
    original = StoryPipeline._replay

    def replay(self: StoryPipeline, clustered: list[tuple[Article, Assignment]], *told: Any) -> None:
        pairs = list(clustered)
        replayed.extend(article.id for article, _ in pairs)
        original(self, pairs, *told)

    monkeypatch.setattr(StoryPipeline, "_replay", replay)
    return replayed


def assignments(path: Path) -> dict[str, Assignment]:
    store = storyweave.open_store(path)
    try:
        return {article.id: assignment for article, assignment in store.clustered()}
    finally:
        store.close()


def test_second_ingest_takes_up_the_checkpoint_and_decides_as_a_full_replay_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = split_sample(tmp_path)
    store = storyweave.open_store(tmp_path / "checkpointed.db")
    storyweave.ingest([str(first)], store=store)
    store.close()
    shutil.copy(tmp_path / "checkpointed.db", tmp_path / "replayed.db")
    with sqlite3.connect(tmp_path / "replayed.db") as db:
        db.execute("DELETE FROM checkpoint")
    replayed = count_replayed(monkeypatch)
    for name in ("checkpointed", "replayed"):
        store = storyweave.open_store(tmp_path / f"{name}.db")
        storyweave.ingest([str(second)], store=store)
        store.close()
    assert len(replayed) == 50  # all of the first file for the store without a checkpoint; none for the other
    checkpointed, full = assignments(tmp_path / "checkpointed.db"), assignments(tmp_path / "replayed.db")
    assert len(checkpointed) == 98 and checkpointed == full
    assert checkpointed["republished"].copy_of == json.loads(first.read_text().splitlines()[3])["id"]


def test_a_stale_checkpoint_is_taken_up_and_only_what_followed_it_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = split_sample(tmp_path)
    store = storyweave.open_store(tmp_path / "x.db")
    storyweave.ingest([str(first)], store=store)
    later = [a for a in read_articles([str(second)]) if isinstance(a, Article)]
    with store.transaction():  # as if an ingest had stopped before saving its checkpoint
        store.add_articles(later)
        StoryPipeline(store).add(later)
    replayed = count_replayed(monkeypatch)
    stories = StoryPipeline(store).clusterer.assignments
    assert replayed == [a.id for a in later] and set(stories) >= {a.id for a in later}
    store.close()


def test_explaining_takes_up_only_the_term_statistics_while_the_checkpoint_covers_every_article(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    full = StoryPipeline(store).clusterer
    saved = store.checkpoint(_checkpoint_key(full.params))
    assert saved is not None and list(checkpoint.loads(saved[1]))[:2] == list(STATISTICS)  # they come first
    replayed = count_replayed(monkeypatch)
    weighing = _weighing_clusterer(store, None)
    assert weighing.stories == {} and weighing.learned == 0  # the rest of the state was never read
    assert (weighing.df.counts, weighing.name_df.counts) == (full.df.counts, full.name_df.counts)
    assert weighing.df.n_docs == full.df.n_docs == 97
    article_id = next(store.articles()).id
    assert explain(store, article_id).to_dict() == explain_with(full, store, article_id, monkeypatch)
    assert replayed == []
    # An article clustered after the checkpoint: its terms count only in a pipeline's statistics.
    later = Article(id="later", text="A second quake struck Qeshm island on Monday.")
    with store.transaction():
        store.add_articles([later])
        StoryPipeline(store).add([later])
    assert _weighing_clusterer(store, None).df.n_docs == 98 and replayed == ["later"]


def test_an_ingest_of_a_few_articles_keeps_the_checkpoint_and_the_next_replays_them(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storyweave.pipeline._CHECKPOINT_LAG", 24)  # of 97 to 119 articles, up to 4 may follow it
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    saved = store.checkpoint(_checkpoint_key(ClusterParams.load()))
    few = [Article(id=f"later{i}", text=f"A second quake struck Qeshm island on day {i}.") for i in range(4)]
    (tmp_path / "few.jsonl").write_text("".join(json.dumps(a.to_dict()) + "\n" for a in few), encoding="utf-8")
    storyweave.ingest([str(tmp_path / "few.jsonl")], store=store)
    assert saved is not None and store.checkpoint(_checkpoint_key(ClusterParams.load())) == saved  # not rewritten
    assert (store.count_clustered(), store.count_clustered(after_seq=saved[0])) == (101, 4)
    replayed = count_replayed(monkeypatch)
    weighing = _weighing_clusterer(store, None)
    assert weighing.stories == {} and weighing.df.n_docs == 97 and replayed == []  # explain: as it is
    pipeline = StoryPipeline(store)
    assert replayed == [a.id for a in few] and pipeline.clusterer.learned == 101  # the next ingest: replayed
    store.add_articles([Article(id="fifth", text="Aftershocks rattle Qeshm.")])
    StoryPipeline(store).save_checkpoint()  # 5 of 102 lacking: now rewritten
    assert store.checkpoint(_checkpoint_key(ClusterParams.load())) != saved


def test_a_long_ingest_saves_on_the_way_so_that_a_stopped_one_leaves_little_to_replay(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storyweave.pipeline.BATCH_SIZE", 20)
    monkeypatch.setattr("storyweave.pipeline._MIDWAY_LAG", 40)  # saved at 40 of them, then not before 80

    def stopped_after_70(_: object) -> Iterator[Article]:
        yield from itertools.islice(read_articles([str(ECB_SAMPLE)]), 70)  # type: ignore[misc]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store_stream(stopped_after_70, store, IngestReport(), parallel=False)
    assert store.count_articles() == 60  # three batches stored, the fourth stopped
    replayed = count_replayed(monkeypatch)
    StoryPipeline(store)
    assert len(replayed) == 20  # those after the checkpoint saved at 40


def test_explaining_without_a_usable_checkpoint_replays_once_and_saves_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = storyweave.open_store(tmp_path / "x.db")
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    with sqlite3.connect(tmp_path / "x.db") as db:  # as an older version's checkpoint is, for this one
        db.execute("DELETE FROM checkpoint")
    replayed = count_replayed(monkeypatch)
    article_id = next(store.articles()).id
    strict = dataclasses.replace(ClusterParams.load(), threshold=0.7)
    explain(store, article_id, strict)  # not the store's parameters: their checkpoint is not kept
    assert len(replayed) == 97 and store.checkpoint(_checkpoint_key(strict)) is None
    writer = storyweave.open_store(tmp_path / "x.db")  # as another process
    with writer.writing():  # ... which is writing: explain neither waits nor saves
        first = explain(store, article_id).to_dict()
    assert len(replayed) == 2 * 97 and store.checkpoint(_checkpoint_key(ClusterParams.load())) is None
    assert explain(store, article_id).to_dict() == first and len(replayed) == 3 * 97
    assert explain(store, article_id).to_dict() == first and len(replayed) == 3 * 97  # saved: no replay
    writer.close()
    store.close()


def test_recluster_reports_how_many_it_has_clustered_after_each_batch(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    before = sorted(sorted(s.article_ids) for s in store.stories())
    monkeypatch.setattr("storyweave.pipeline.BATCH_SIZE", 40)
    progress = Recorded()
    assert recluster(store, progress=progress) == len(before)
    assert progress.seen == [("clustered", 40), ("clustered", 80), ("clustered", 97)]
    assert sorted(sorted(s.article_ids) for s in store.stories()) == before


def test_a_pipeline_without_a_usable_checkpoint_reports_its_replay(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    with sqlite3.connect(tmp_path / "test.db") as db:
        db.execute("DELETE FROM checkpoint")
    monkeypatch.setattr("storyweave.pipeline.BATCH_SIZE", 40)
    progress = Recorded()
    StoryPipeline(store, progress=progress)
    assert progress.seen == [("replayed", 40, 97), ("replayed", 80, 97), ("replayed", 97, 97)]


class Recorded(Progress):
    """Every report of progress, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[object, ...]] = []

    def replayed(self, done: int, total: int) -> None:
        self.seen.append(("replayed", done, total))

    def clustered(self, done: int) -> None:
        self.seen.append(("clustered", done))


def test_a_store_goes_on_with_the_parameters_of_its_last_ingest_or_recluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = split_sample(tmp_path)
    strict = dataclasses.replace(ClusterParams.load(), threshold=0.7)
    store = storyweave.open_store(tmp_path / "x.db")
    storyweave.ingest([str(first)], store=store, params=strict)
    replayed = count_replayed(monkeypatch)
    assert _weighing_clusterer(store, None).params == strict  # from the checkpoint: nothing replayed
    storyweave.ingest([str(second)], store=store)  # no parameters given: the store's
    assert StoryPipeline(store).clusterer.params == strict and replayed == []
    recluster(store, ClusterParams.load())  # given: the whole store takes them on
    assert StoryPipeline(store).clusterer.params == ClusterParams.load()
    # An ingest given them that adds nothing still makes them the store's, with their checkpoint.
    storyweave.ingest([str(first)], store=store, params=strict)
    assert len(replayed) == 98  # under other parameters, once
    assert StoryPipeline(store).clusterer.params == strict and len(replayed) == 98
    # Recorded by a version with other signals: passed over for the shipped ones, not refused.
    other_version = {**dataclasses.asdict(strict), "weights": {"body_cos": 1.0, "new_signal": 2.0}}
    store.save_setting("cluster_params", json.dumps(other_version))
    assert _weighing_clusterer(store, None).params == ClusterParams.load()
    store.close()


def explain_with(
    clusterer: OnlineStoryClusterer, store: Store, article_id: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    """What `explain` says when weighing with `clusterer`."""
    with monkeypatch.context() as patched:
        patched.setattr("storyweave.pipeline._weighing_clusterer", lambda store, params: clusterer)
        return explain(store, article_id).to_dict()


def last_seq(store: Store) -> int:
    return max(assignment.seq or 0 for _, assignment in store.clustered())


def test_a_damaged_or_hostile_checkpoint_is_passed_over(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    key, seq, learned = _checkpoint_key(ClusterParams.load()), last_seq(store), 97
    hostile = pickle.dumps(("df", print))
    for data in (b"not a checkpoint", hostile):
        assert store.save_checkpoint(key, seq, learned, data)
        replayed = count_replayed(monkeypatch)
        assert len(StoryPipeline(store).clusterer.assignments) == learned
        assert len(replayed) == learned  # rebuilt from the stored assignments
    with pytest.raises(CheckpointError, match=r"builtins\.print"):
        checkpoint.loads(hostile)


def test_a_taken_up_checkpoint_leaves_the_stories_pickled_until_an_article_touches_them(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    pipeline = StoryPipeline(store)
    stories = pipeline.clusterer.stories
    assert len(stories) > 10 and all(isinstance(story, checkpoint.Pickled) for story in stories.values())
    later = Article(id="later", text="A second quake struck Qeshm island on Monday, killing two people.")
    with store.transaction():
        store.add_articles([later])
        pipeline.add([later])
    touched = [i for i, story in stories.items() if not isinstance(story, checkpoint.Pickled)]
    assert 1 <= len(touched) < len(stories) // 2  # its candidates and its own story, not the rest
    # A checkpoint whose stories were saved whole (before this version) is taken up all the same.
    state = {**pipeline.clusterer.state(), "syndication": pipeline.syndication.state()}
    state["stories"] = {i: story.load() for i, story in state["stories"].items()}
    key = _checkpoint_key(pipeline.clusterer.params)
    assert store.save_checkpoint(key, last_seq(store), 98, checkpoint.dumps(state))
    replayed = count_replayed(monkeypatch)
    assert StoryPipeline(store).clusterer.learned == 98 and replayed == []


def test_a_hostile_story_in_a_checkpoint_stops_the_ingest_that_touches_it_and_recluster_repairs(
    store: Store, tmp_path: Path
) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    pipeline = StoryPipeline(store)
    state = {**pipeline.clusterer.state(), "syndication": pipeline.syndication.state()}
    state["stories"] = dict.fromkeys(state["stories"], checkpoint.Pickled(pickle.dumps(print)))
    assert store.save_checkpoint(
        _checkpoint_key(pipeline.clusterer.params), last_seq(store), 97, checkpoint.dumps(state)
    )
    again = ECB_SAMPLE.read_text(encoding="utf-8").splitlines()[0].replace('"id": "', '"id": "again-')
    (tmp_path / "again.jsonl").write_text(again + "\n", encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"story \d+ of the checkpoint: .*builtins\.print; recluster"):
        storyweave.ingest([str(tmp_path / "again.jsonl")], store=store)
    assert store.count_articles() == 97  # the batch was rolled back
    recluster(store)
    assert len(storyweave.ingest([str(tmp_path / "again.jsonl")], store=store).added) == 1


def test_checkpoint_is_refused_when_another_writer_got_in_between(store: Store) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    seq = last_seq(store)
    assert store.checkpoint("other settings") is None
    assert not store.save_checkpoint("k", seq, 10, b"state")  # the store holds 97 assignments up to seq
    assert store.save_checkpoint("k", seq, 97, b"state") and store.checkpoint("k") == (seq, b"state")
    store.clear_assignments()
    assert store.checkpoint("k") is None


def test_a_second_writer_is_refused_while_the_first_writes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite, "WRITER_WAIT_S", 0.2)
    other = storyweave.open_store(tmp_path / "test.db")  # the same file, as another process would open it
    with store.writing(), pytest.raises(StoreError, match="another storyweave process is writing"):
        storyweave.ingest([str(ECB_SAMPLE)], store=other)
    assert other.count_articles() == 0
    assert len(storyweave.ingest([str(ECB_SAMPLE)], store=other).added) == 97  # once the first has finished
    other.close()


def test_a_store_whose_folder_cannot_be_written_is_refused_to_writers_and_explained_all_the_same(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storyweave.ingest([str(ECB_SAMPLE)], store=store)
    with sqlite3.connect(tmp_path / "test.db") as db:
        db.execute("DELETE FROM checkpoint")  # explain then opens a pipeline, and would save one

    class UnwritableFolder(FileLock):
        def acquire(self, *args: object, **kwargs: object) -> NoReturn:
            raise PermissionError(13, "Permission denied", self.lock_file)

    monkeypatch.setattr(sqlite, "FileLock", UnwritableFolder)
    with pytest.raises(StoreError, match=r"test\.db: cannot make the writer's lock file \(Permission denied\)"):
        storyweave.ingest([str(ECB_SAMPLE)], store=store)
    joined = next(article.id for article, assignment in store.clustered() if not assignment.opened)
    assert explain(store, joined).candidates
