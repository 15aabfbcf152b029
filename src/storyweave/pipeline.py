"""The Python API: the pipeline's stages put together. The CLI is a thin layer over this.

>>> from storyweave import open_store, ingest
>>> store = open_store(":memory:")
>>> report = ingest(["sample/articles"], store=store, metadata="sample/metadata.jsonl")
>>> len(report.added), len(report.rejected)
(99, 0)
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import itertools
import json
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from storyweave import checkpoint
from storyweave.checkpoint import CheckpointError
from storyweave.clean import words
from storyweave.cluster import ArticleInputs, ClusterParams, Decision, Evidence, OnlineStoryClusterer, article_inputs
from storyweave.cluster.features import PackedFeatures
from storyweave.cluster.online import STATISTICS
from storyweave.consolidate import code_version
from storyweave.dedup import Copy, SyndicationDetector, TextSignature
from storyweave.errors import ConfigError, InputError, StoreError, StoryweaveError
from storyweave.ingest import read_articles
from storyweave.store import Store
from storyweave.types import Article, Assignment, Story, digest, publication_order

if TYPE_CHECKING:
    from storyweave.consolidate.view import StoryView

BATCH_SIZE = 500
T = TypeVar("T")


@dataclasses.dataclass
class IngestReport:
    """What one `ingest` call did: ids added, ids already present, inputs refused."""

    added: list[str] = dataclasses.field(default_factory=list)
    present: list[str] = dataclasses.field(default_factory=list)
    rejected: list[InputError] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: counts, ids, and each rejection's location and reason."""
        return {
            "added": len(self.added),
            "present": len(self.present),
            "rejected": len(self.rejected),
            "added_ids": self.added,
            "present_ids": self.present,
            "rejections": [{"location": e.location, "reason": e.reason} for e in self.rejected],
        }


class Progress:
    """What a long call (`ingest`, `recluster`) reports as it goes, for display. Each method does
    nothing here: a caller overrides those it shows (the CLI draws a status line from them)."""

    def input_read(self, source: str | Path) -> None:
        """An input (file, feed, "-") has been read to its end."""

    def batch_stored(self, report: IngestReport) -> None:
        """A batch of the stream has been stored and clustered; `report` holds the run so far."""

    def replayed(self, done: int, total: int) -> None:
        """`done` of the `total` articles clustered after the checkpoint (all of them, without
        one) have been learned again: a long wait on a large store with no usable checkpoint."""

    def clustered(self, done: int) -> None:
        """`done` stored articles without a story (every one, in `recluster`) have been clustered."""


@dataclasses.dataclass(frozen=True, slots=True)
class Prepared:
    """What the pipeline computes of an article from the article alone, ahead of the stream."""

    inputs: ArticleInputs
    signature: TextSignature


@dataclasses.dataclass(frozen=True, slots=True)
class _PackedBatch:
    """A batch's `Prepared` on its way from the reader process: features packed (see
    `PackedFeatures`) and embeddings in one matrix, which pickle in a fraction of the time."""

    ids: list[str]
    features: PackedFeatures
    embeddings: np.ndarray
    signatures: list[TextSignature]

    @classmethod
    def pack(cls, prepared: Mapping[str, Prepared]) -> _PackedBatch:
        inputs = [p.inputs for p in prepared.values()]
        return cls(
            ids=list(prepared),
            features=PackedFeatures.pack([i.features for i in inputs]),
            embeddings=np.stack([i.embedding for i in inputs]) if inputs else np.zeros((0, 0), dtype=np.float32),
            signatures=[p.signature for p in prepared.values()],
        )

    def unpack(self) -> dict[str, Prepared]:
        parts = zip(self.ids, self.features.unpack(), self.embeddings, self.signatures, strict=True)
        return {i: Prepared(ArticleInputs(f, e), s) for i, f, e, s in parts}


Source = Callable[[Callable[[str | Path], None]], Iterable[Article | InputError]]
"""Makes the stream to ingest, given what to call when an input has been read."""
Preparer = Callable[[Sequence[Article]], dict[str, Prepared]]
"""Computes what `StoryPipeline.prepare` does of a batch."""
# The pipe to the reader process holds a batch (about 4 MB) in a few writes rather than the
# default 64 KiB's dozens, each a wake-up of the other side: a tenth of the main process's cost of
# receiving. Linux only; elsewhere the default stays.
_PIPE_BYTES = 1 << 20
_PARAMS_SETTING = "cluster_params"  # the store setting that holds its own parameters (see `_params_for`)


def _read_and_prepare(source: Source, prepare: Preparer, pipe: Connection) -> None:
    """The reader process: read, clean and `prepare` a batch at a time, and send the results.
    Sending waits for the main process to read, so the reader runs at most a batch ahead and the
    memory in flight stays bounded."""
    try:
        results = source(lambda path: pipe.send(("input_done", path)))
        for batch in _batched(_articles(results, lambda error: pipe.send(("rejected", error))), BATCH_SIZE):
            pipe.send(("batch", (batch, _PackedBatch.pack(prepare(batch)))))
        pipe.send(("end", None))
    except BaseException as exc:  # handed to the main process, which raises it
        pipe.send(("failed", _sendable(exc)))


def _sendable(exc: BaseException) -> BaseException:
    """`exc` with the reader's traceback as a note (a traceback does not cross processes), or,
    if it would not survive the pipe's pickling, a RuntimeError carrying its text: the main process
    would otherwise raise a pickling error (or only "the reader process stopped") instead of it."""
    where = "".join(traceback.format_exception(exc))
    try:
        exc.add_note(f"Raised in the reader process:\n{where}")
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"the reader process failed:\n{where}")
    return exc


@contextlib.contextmanager
def _prepared_batches(
    source: Source, prepare: Preparer, report: IngestReport, on_input_done: Callable[[str | Path], None], parallel: bool
) -> Iterator[Iterator[tuple[list[Article], dict[str, Prepared] | None]]]:
    """The stream in batches, refusals filed in `report`. With `parallel`, a second process,
    started on entry, reads, cleans and `prepare`s the batches while this one stores and
    clusters them; it is stopped on exit."""
    if not parallel:
        articles = _articles(source(on_input_done), report.rejected.append)
        yield ((batch, None) for batch in _batched(articles, BATCH_SIZE))
        return
    # Forked, so that the source needs no pickling and the process starts at once. Told before
    # the fork, the tokenizer stays single-threaded in it rather than warning.
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    reader = context.Process(target=_read_and_prepare, args=(source, prepare, sender), daemon=True)
    reader.start()
    sender.close()  # the reader's copy is then the only one: its end, however it comes, ends the pipe
    try:
        yield _received_batches(receiver, reader, report, on_input_done)
    finally:
        reader.kill()
        reader.join()
        receiver.close()


def _received_batches(
    receiver: Connection, reader: BaseProcess, report: IngestReport, on_input_done: Callable[[str | Path], None]
) -> Iterator[tuple[list[Article], dict[str, Prepared]]]:
    while (message := _next_message(receiver, reader))[0] != "end":
        kind, payload = message
        if kind == "batch":
            batch, packed = payload
            yield batch, packed.unpack()
        elif kind == "rejected":
            report.rejected.append(payload)
        elif kind == "input_done":
            on_input_done(payload)
        else:
            raise payload


def _next_message(receiver: Connection, reader: BaseProcess) -> tuple[str, Any]:
    try:
        return receiver.recv()  # type: ignore[no-any-return]
    except EOFError:
        reader.join()
        raise StoryweaveError(f"the reader process stopped (exit code {reader.exitcode})") from None


def parallel_by_default() -> bool:
    """Whether `ingest` reads and prepares in a second process: with a second core, where
    processes can fork (the reader runs the caller's source without pickling it)."""
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


def prepare_articles(
    articles: Sequence[Article], embedder: str, syndication: SyndicationDetector
) -> dict[str, Prepared]:
    """Features, lead embeddings (by the embedder called `embedder`) and shingle signatures (by
    `syndication`'s settings), by article id. Pure, and needing no stream state, so that `ingest`
    can run it in a reader process, a batch ahead."""
    body_words = [words(a.text) for a in articles]  # tokenized once for both
    inputs = article_inputs(articles, embedder, body_words)
    signature = syndication.signature
    return {a.id: Prepared(i, signature(w)) for a, i, w in zip(articles, inputs, body_words, strict=True)}


class StoryPipeline:
    """Syndication detection and online clustering over a store's articles.

    Opening it takes up the store's checkpoint (see `storyweave.checkpoint`) and replays the
    articles clustered after it, or, without a checkpoint saved under the same parameters, every
    clustered article, in the order they were clustered; then it clusters any stored article that
    has no story yet.

    Parameters:
        store: where articles and their stories live.
        params: clusterer parameters; default: those of the store's last ingest or recluster,
            else the fitted ones shipped with storyweave.
        progress: told of the replay and of the clustering, batch by batch.
    """

    def __init__(self, store: Store, params: ClusterParams | None = None, progress: Progress | None = None) -> None:
        progress = progress or Progress()
        self.store = store
        self.clusterer = OnlineStoryClusterer(_params_for(store, params))
        self.syndication = SyndicationDetector()
        self._saved_seq = self._take_up_checkpoint()  # the seq the stored checkpoint was learned up to
        self._seq = self._saved_seq or 0  # the seq of the last assignment learned
        self._replay(store.clustered(after_seq=self._seq), store.count_clustered(after_seq=self._seq), progress)
        # A batch at a time: all of them at once (`recluster`) held every article's features, 4.3 GB
        # and growing at 90,000 articles. The store gives them in publication order over them all.
        clustered = 0
        for batch in _batched(store.unclustered(), BATCH_SIZE):
            self.add(batch)
            clustered += len(batch)
            progress.clustered(clustered)

    def add(self, articles: Sequence[Article], prepared: Mapping[str, Prepared] | None = None) -> list[Assignment]:
        """Cluster new articles in publication order and record their stories in the store.

        Parameters:
            articles: the new articles.
            prepared: what `prepare` computed of them (by article id), if it ran ahead.
        """
        if prepared is None:
            prepared = self.prepare(articles)
        self.clusterer.prefetch(articles, [prepared[a.id].inputs for a in articles])
        assignments = [self._assign(article, prepared[article.id]) for article in publication_order(articles)]
        self._seq = self.store.save_assignments(assignments)
        return assignments

    def prepare(self, articles: Sequence[Article]) -> dict[str, Prepared]:
        """The per-article work that needs no stream state: features, lead embeddings, shingle
        signatures (see `prepare_articles`)."""
        return prepare_articles(articles, self.clusterer.params.embedder, self.syndication)

    def save_checkpoint(self, *, midway: bool = False) -> bool:
        """Keep the state in the store, so that the next pipeline on it starts from here; unless
        the stored checkpoint lacks no more than 1 in `_CHECKPOINT_LAG` of the articles learned,
        which the next pipeline then replays.

        Parameters:
            midway: while more articles are to come: only if the stored checkpoint lacks much of
                what was learned (`_lags_much`), so that an interrupted ingest leaves little to
                replay at little cost to a whole one.

        Returns:
            False, and nothing kept, when another writer clustered articles into the store
            meanwhile: the next pipeline then replays them all.
        """
        later = self._seq - (self._saved_seq or 0)
        if self._saved_seq is not None and _lags_little(later, self.clusterer.learned):
            return True
        if midway and not _lags_much(later, self.clusterer.learned):
            return True
        data = checkpoint.dumps({**self.clusterer.state(), _SYNDICATION: self.syndication.state()})
        key = _checkpoint_key(self.clusterer.params)
        saved = self.store.save_checkpoint(key, self._seq, self.clusterer.learned, data)
        if saved:
            self._saved_seq = self._seq
        return saved

    def _take_up_checkpoint(self) -> int | None:
        """Restore the state saved under these settings, if any, and give the seq it was learned up
        to. A checkpoint that cannot be read is passed over: the replay then rebuilds the state."""
        saved = self.store.checkpoint(_checkpoint_key(self.clusterer.params))
        if saved is None:
            return None
        seq, data = saved
        clusterer, syndication = OnlineStoryClusterer(self.clusterer.params), SyndicationDetector()
        try:
            state = checkpoint.loads(data)
            syndication.restore(state.pop(_SYNDICATION))
            clusterer.restore(state)
        except (CheckpointError, KeyError, TypeError, ValueError):
            return None
        self.clusterer, self.syndication = clusterer, syndication
        return seq

    def _replay(self, clustered: Iterable[tuple[Article, Assignment]], total: int, progress: Progress) -> None:
        """Learn the `total` articles already clustered, in their order, each into its recorded
        story (embedding leads a batch at a time)."""
        done = 0
        for batch in _batched(clustered, BATCH_SIZE):
            self.clusterer.prefetch([article for article, _ in batch])
            for article, assignment in batch:
                self.syndication.add(article)
                self.clusterer.learn_one(article, story_id=assignment.story_id)
            self._seq = batch[-1][1].seq or 0  # the store gives every assignment its seq
            done += len(batch)
            progress.replayed(done, total)

    def _assign(self, article: Article, prepared: Prepared) -> Assignment:
        # The original's story, if still open: a copy of an article whose story has closed is scored anew.
        copy = self.syndication.add(article, prepared.signature)
        story_id = self.clusterer.assignments.get(copy.original_id) if copy else None
        decision = self.clusterer.learn_one(article, story_id=story_id)
        return _assignment(decision, copy if story_id is not None else None)


_SYNDICATION = "syndication"  # the checkpoint's part after the clusterer's
# A checkpoint may lag the store by up to 1 in this many of its clustered articles: an ingest that
# adds fewer keeps the one there. Rewriting it took 2.4 of the 4.4 s that adding 10 articles to a
# store of 60,000 took, and wrote its 52 MB twice (log, then file); the next ingest replays the
# few it lacks instead, at about 1.5 ms each.
_CHECKPOINT_LAG = 1000
_MIDWAY_LAG = 50_000  # articles an ingest learns before it saves a checkpoint on the way (`_lags_much`)


def _params_for(store: Store, params: ClusterParams | None) -> ClusterParams:
    """`params`, else the store's own, those of its last ingest or recluster (a store made with
    `--params accurate` goes on in accurate mode, and its checkpoint serves the next command),
    else the shipped ones."""
    if params is not None:
        return params
    recorded = store.setting(_PARAMS_SETTING)
    if recorded is not None:
        # Parameters this version cannot use (another version's signals) are passed over, as an
        # unreadable checkpoint is: the command is not refused for what it was not asked to use.
        with contextlib.suppress(ConfigError, ValueError):
            return ClusterParams.from_dict(json.loads(recorded), origin="the store's parameters")
    return ClusterParams.load()


def _record_params(store: Store, params: ClusterParams) -> None:
    """Make `params` the store's own, as an ingest or recluster given them does (see `_params_for`):
    the next command goes on with them, and finds the checkpoint saved under them."""
    store.save_setting(_PARAMS_SETTING, json.dumps(dataclasses.asdict(params)))


def _lags_little(later: int, learned: int) -> bool:
    """Whether a checkpoint that lacks `later` of `learned` articles is still worth taking up as it is."""
    return later <= learned // _CHECKPOINT_LAG


def _lags_much(later: int, learned: int) -> bool:
    """Whether a checkpoint that lacks `later` of `learned` articles is worth replacing while an
    ingest goes on: when it lacks a quarter of them and at least `_MIDWAY_LAG`. An ingest of a
    million articles then saves nine times on the way, at about three times the cost of its final
    save (8 s or so), and one stopped on the way leaves at most a quarter of its articles to
    replay (some six minutes, not the 23 of all of them)."""
    return later >= max(learned // 4, _MIDWAY_LAG)


def _checkpoint_key(params: ClusterParams) -> str:
    """What a pipeline's checkpoint depends on (see `checkpoint.key`): the clusterer's parameters
    and the syndication detector's settings."""
    return checkpoint.key(dataclasses.asdict(params), SyndicationDetector().settings)


def _weighing_clusterer(store: Store, params: ClusterParams | None) -> OnlineStoryClusterer:
    """A clusterer that knows the store's term statistics, all that `compare` weighs evidence by:
    read from the checkpoint alone when it lacks no more articles than a later ingest may leave
    it lacking (`_lags_little`), else from a pipeline opened on the store. (Taking up the whole
    state was 2.8 s of the 3.5 s that explaining an article of a 60,000-article store took.)

    A pipeline opened for want of such a checkpoint saves one, unless another process is writing
    (an ingest saves its own; this one does not wait), the store cannot be written, or `params`
    are not the store's own (their checkpoint would take the place of the one the next ingest
    needs): else every later `explain` would replay as long, until the next ingest (after an
    upgrade that changed the checkpoint's format, 3 minutes each at 90,000 articles)."""
    own = _params_for(store, None)
    clusterer = OnlineStoryClusterer(params or own)
    saved = store.checkpoint(_checkpoint_key(clusterer.params))
    if saved is not None:
        with contextlib.suppress(CheckpointError, ValueError):
            clusterer.restore(checkpoint.loads(saved[1], names=STATISTICS))
            if _lags_little(store.count_clustered(after_seq=saved[0]), clusterer.df.n_docs):
                return clusterer
    pipeline = StoryPipeline(store, clusterer.params)
    if clusterer.params == own:
        with contextlib.suppress(StoreError), store.writing(wait_s=0):
            pipeline.save_checkpoint()
    return pipeline.clusterer


def _assignment(decision: Decision, copy: Copy | None) -> Assignment:
    return Assignment(
        article_id=decision.article_id,
        story_id=decision.story_id,
        opened=decision.opened,
        probability=round(decision.probability, 4),
        copy_of=copy.original_id if copy else None,
        copy_similarity=copy.similarity if copy else None,
        evidence=tuple(
            {"story_id": c.story_id, "probability": round(c.probability, 4),
             "signals": {k: round(v, 4) for k, v in c.signals.items()},
             "gap_days": None if c.gap_days is None else round(c.gap_days, 4)}
            for c in decision.candidates[:5]
        ),
    )  # fmt: skip


def ingest(
    paths: Iterable[str],
    *,
    store: Store,
    format: str | None = None,
    metadata: str | Path | None = None,
    params: ClusterParams | None = None,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> IngestReport:
    """Read, clean, store and cluster articles; each batch is written in one transaction.

    Parameters:
        paths: files, folders, feed URLs, or "-" for JSONL on standard input.
        store: where to keep them (see `open_store`).
        format: force a reader (see `storyweave.ingest.FORMATS`); default: by file suffix.
        metadata: JSONL manifest of per-file fields for plain-text inputs.
        params: clusterer parameters; default: those of the store's last ingest or recluster,
            else the shipped ones.
        progress: told of each input read, each batch stored and any replay, for display.
        parallel: read, clean and `prepare` articles in a second process while this one stores
            and clusters them (about 2 times the throughput on two cores); default: when there
            is a second core.

    Returns:
        An `IngestReport`; refused inputs are listed there, not raised.

    Raises:
        StoreError: another process is writing to the store, or a write failed.
    """
    report = IngestReport()
    with store.writing():
        pipeline = store_stream(
            lambda done: read_articles(paths, format=format, metadata=metadata, on_input_done=done),
            store,
            report,
            params=params,
            progress=progress,
            parallel=parallel,
        )
        pipeline.save_checkpoint()
    return report


def store_stream(
    source: Source,
    store: Store,
    report: IngestReport,
    *,
    params: ClusterParams | None = None,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> StoryPipeline:
    """Open a `StoryPipeline` on `store` and store and cluster a stream into it, a batch at a
    time, each batch in one transaction, saving a checkpoint on the way when the stored one lacks
    much (`StoryPipeline.save_checkpoint`). With a reader process, it starts first: it reads and
    prepares while this one takes up the store's checkpoint, which on a large store takes seconds.

    Parameters:
        source: makes the stream, given what to call when an input has been read.
        store: where the articles go.
        report: collects what was added, present or refused.
        params: clusterer parameters; default: those of the store's last ingest or recluster,
            else the shipped ones.
        progress: told of each input read, each batch stored and any replay, for display.
        parallel: read and prepare in a second process; default: `parallel_by_default()`.

    Returns:
        The pipeline, holding what it learned.
    """
    parallel = parallel_by_default() if parallel is None else parallel
    progress = progress or Progress()
    params = _params_for(store, params)
    _record_params(store, params)
    # A signature depends on the detector's settings alone, so the reader needs no pipeline.
    prepare = functools.partial(prepare_articles, embedder=params.embedder, syndication=SyndicationDetector())
    with (
        _rare_garbage_collection(),
        _prepared_batches(source, prepare, report, progress.input_read, parallel) as batches,
    ):
        pipeline = StoryPipeline(store, params, progress)
        for batch, prepared in batches:
            _store_batch(batch, pipeline, report, prepared)
            pipeline.save_checkpoint(midway=True)
            progress.batch_stored(report)
    return pipeline


@contextlib.contextmanager
def _rare_garbage_collection() -> Iterator[None]:
    """Python's cycle collector scans young objects after every 700 new containers by default;
    a stream makes dicts and lists by the thousand per batch (none of them in cycles), and those
    scans took about 8% of ingest time. Rarer while the stream runs; restored after."""
    default = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*default)


def _store_batch(
    batch: list[Article],
    pipeline: StoryPipeline,
    report: IngestReport,
    prepared: Mapping[str, Prepared] | None = None,
) -> None:
    """Add a batch's new articles and their stories in one transaction (`prepared`: see `StoryPipeline.add`)."""
    unique: dict[str, Article] = {}
    for article in batch:
        if article.id in unique:
            report.present.append(article.id)  # a second copy within this run
        else:
            unique[article.id] = article
    with pipeline.store.transaction():
        is_new = pipeline.store.add_articles(list(unique.values()))
        pipeline.add([a for a, new in zip(unique.values(), is_new, strict=True) if new], prepared)
    for article_id, new in zip(unique, is_new, strict=True):
        (report.added if new else report.present).append(article_id)


def recluster(store: Store, params: ClusterParams | None = None, progress: Progress | None = None) -> int:
    """Cluster every stored article again, in publication order, from a clean slate.

    This repairs what ingesting in pieces does: articles ingested after newer ones (a late feed,
    an archive added to a live store) were clustered without the stories they came before. With
    other `params` (from `storyweave train`), it applies them to the whole store, which then goes
    on with them; without, it keeps the store's own. It does not revisit a decision with
    hindsight: in one publication order, the replay decides each article as the first run did.
    Story ids are renumbered.

    Parameters:
        progress: told how many articles it has clustered, after each batch.

    Returns:
        The number of stories.
    """
    with store.writing(), store.transaction():
        store.clear_assignments()
        # The pipeline finds every article unclustered, and clusters them in order.
        pipeline = StoryPipeline(store, params, progress)
        pipeline.save_checkpoint()
        _record_params(store, pipeline.clusterer.params)
    return store.count_stories()


@dataclasses.dataclass(frozen=True)
class Explanation:
    """Why an article is in its story: the decision and the evidence against the best candidates.

    Attributes:
        scored: whether the decision scored candidates. A syndicated copy joins its original's
            story unscored; the evidence with that story is then computed when asked.
    """

    article_id: str
    story_id: int
    opened: bool
    copy_of: str | None
    scored: bool
    candidates: list[tuple[int, Evidence]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "story_id": self.story_id,
            "opened": self.opened,
            "copy_of": self.copy_of,
            "scored": self.scored,
            "candidates": [{"story_id": sid, **ev.to_dict()} for sid, ev in self.candidates],
        }


def explain(store: Store, article_id: str, params: ClusterParams | None = None, top: int = 3) -> Explanation:
    """The evidence an article's decision rested on, against its best candidate stories.

    Probabilities, signals and time gaps are those recorded when the article was clustered. The
    shared names, dates and terms are found now, against each candidate's articles clustered
    before it, weighted by the store's term statistics as its checkpoint holds them, which may
    lack up to 1 in 1,000 of the latest articles (replaying the stream up to the article would
    take minutes on a large store).

    Raises:
        StoryweaveError: the article is unknown or not clustered.
    """
    assignment, article = store.assignment(article_id), store.article(article_id)
    if assignment is None or article is None:
        raise StoryweaveError(f"no clustered article {article_id!r}")
    clusterer = _weighing_clusterer(store, params)
    recorded = {c["story_id"]: c for c in assignment.evidence[:top]}
    scored = bool(recorded) or assignment.opened  # else a copy, which joined its original's story unweighed
    story_ids = list(recorded) if scored else [assignment.story_id]
    candidates = []
    for story_id in story_ids:
        earlier = [a for a, s in store.clustered(story_id=story_id) if s.seq < assignment.seq]  # type: ignore[operator]
        if earlier:
            evidence = clusterer.compare(article, *earlier)
            if story_id in recorded:
                then = recorded[story_id]
                evidence = dataclasses.replace(
                    evidence, probability=then["probability"], signals=then["signals"], gap_days=then["gap_days"]
                )
            candidates.append((story_id, evidence))
    return Explanation(
        article_id=article_id,
        story_id=assignment.story_id,
        opened=assignment.opened,
        copy_of=assignment.copy_of,
        scored=scored,
        candidates=candidates,
    )


def compare(store: Store, first: Article, second: Article, params: ClusterParams | None = None) -> Evidence:
    """Evidence that two articles report the same event, weighted by the store's term statistics."""
    return _weighing_clusterer(store, params).compare(first, second)


def story_view(store: Store, story_id: int) -> StoryView:
    """The consolidated view of one story (see `storyweave.consolidate.view`), built afresh.

    Raises:
        StoryweaveError: no such story.
    """
    return _built_view(store, story(store, story_id))


def story_view_json(store: Store, story_id: int) -> dict[str, Any]:
    """The view of one story in its JSON form (`StoryView.to_dict`), kept in the store once built:
    built again only when the story has gained or lost articles, or storyweave's consolidation
    has changed (see `storyweave.consolidate.code_version`). It is kept unless another process
    is writing to the store, or the store cannot be written.

    Raises:
        StoryweaveError: no such story.
    """
    found = story(store, story_id)
    key = digest(code_version(), found.to_dict())
    kept = store.kept_view(story_id, key)
    if kept is not None:
        return json.loads(kept)  # type: ignore[no-any-return]
    view = _built_view(store, found).to_dict()
    with contextlib.suppress(StoreError), store.writing(wait_s=0):
        store.keep_view(story_id, key, json.dumps(view, ensure_ascii=False))
    return view


def story(store: Store, story_id: int) -> Story:
    """One story, as `Store.story` gives it.

    Raises:
        StoryweaveError: no such story.
    """
    found = store.story(story_id)
    if found is None:
        raise StoryweaveError(f"no story {story_id}")
    return found


def _built_view(store: Store, story: Story) -> StoryView:
    from storyweave.consolidate.view import build_view  # spaCy loads only when a view is built

    return build_view(story, [a for a in (store.article(i) for i in story.article_ids) if a is not None])


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _articles(
    results: Iterable[Article | InputError], on_rejected: Callable[[InputError], object]
) -> Iterator[Article]:
    """Pass articles on; hand each refusal to `on_rejected`."""
    for result in results:
        if isinstance(result, InputError):
            on_rejected(result)
        else:
            yield result
