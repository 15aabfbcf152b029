"""The `storyweave` command: each subcommand a few lines over the Python API.

Exit codes: 0 success; 1 an error stopped the command (message on stderr); 2 a usage error;
3 `ingest` finished but refused some inputs (each named on stderr).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from storyweave import pipeline
from storyweave.cluster import ClusterParams, Evidence
from storyweave.consolidate.render import FORMATS as VIEW_FORMATS
from storyweave.consolidate.render import render as render_view
from storyweave.errors import StoryweaveError
from storyweave.ingest import FORMATS, expand_paths, read_articles
from storyweave.store import DB_ENV, DEFAULT_DB, Store, open_store, store_exists
from storyweave.types import Article, Story, as_datetime, parse_publication_time

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
EXIT_ERROR, EXIT_PARTIAL = 1, 3
_PROGRESS_AFTER_S, _PROGRESS_EVERY_S = 1.0, 0.25  # see `_StatusLine`
_CLEAR_LINE = "\r\x1b[K"  # back to the start of the line, and erase it (ANSI)


def db_option(command: F) -> F:
    """--db PATH, shared by every command that reads or writes the store."""
    return click.option(
        "--db", "db", envvar=DB_ENV, default=DEFAULT_DB, show_default=True, show_envvar=True,
        help="Store: an SQLite file path or sqlite:///PATH.",
    )(command)  # fmt: skip


def json_option(command: F) -> F:
    """--json, shared by every command that prints results."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(command)


def metadata_option(command: F) -> F:
    """--metadata FILE, shared by the commands that read plain-text files."""
    return click.option(
        "--metadata", type=click.Path(exists=True, dir_okay=False),
        help="JSONL manifest of per-file fields (title, source, published_at, ...) for plain-text files.",
    )(command)  # fmt: skip


def _params_option(default: str = "") -> Callable[[F], F]:
    """--params NAME|FILE: a shipped parameter set or one made by `storyweave train`; `default`
    says what holds without it, where that is not the shipped set."""
    return click.option(
        "--params", "params_path", envvar="STORYWEAVE_PARAMS",
        help="Clusterer parameters: 'default', 'accurate' (transformer embeddings, needs the accurate extra), "
        f"or a JSON file from `storyweave train`.{default}",
    )  # fmt: skip


params_option = _params_option()
store_params_option = _params_option(" Default: those of the store's last ingest or recluster.")


def since_option(subject: str) -> Callable[[F], F]:
    """--since, shared by the listings (read by `_since`); `subject` says what was published since."""
    return click.option(
        "--since",
        help=f"Only {subject} published since: a date (ISO 8601), 'today', 'yesterday' (from midnight UTC) "
        "or a time back from now ('6 hours ago', '2 weeks ago').",
    )


def load_params(path: str | None) -> ClusterParams | None:
    if path is None:
        return None
    with reported_errors():
        return ClusterParams.load(path)


@contextmanager
def opened_store(db: str, *, create: bool = False) -> Iterator[Store]:
    """The store for one command; storyweave errors become one-line messages. Only `create`
    makes one where there is none: a command that reads refuses a mistyped path."""
    with reported_errors():
        store = open_store(db, create=create, on_upgrade=functools.partial(_say_upgrading, db))
        try:
            yield store
        finally:
            store.close()


def _say_upgrading(db: str, old: int, new: int) -> None:
    click.echo(f"Upgrading {db} from schema version {old} to {new}, once; a large store takes a while", err=True)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn library errors into `Error: ...` and exit code 1, never a traceback."""
    try:
        yield
    except StoryweaveError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _json_text(data: Any) -> str:
    """The CLI's JSON: non-ASCII text as it is, indented by two."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def print_json(data: Any) -> None:
    click.echo(_json_text(data))


def print_listing(items: Iterable[T], as_json: bool, to_json: Callable[[T], Any], line: Callable[[T], str]) -> None:
    """Print a listing item by item as the store reads it, so that a long one starts at once and
    is never held whole: a line per item, or a JSON array as `print_json` prints the whole list."""
    # sys.stdout.write rather than click.echo, which looks for colour codes to strip in every
    # message and flushes it: per item, that showed in a listing's time.
    if not as_json:
        for item in items:
            sys.stdout.write(line(item) + "\n")
        return
    separator = "[\n"
    for item in items:
        # A one-element array without its brackets is the element as the whole array indents it
        # (and costs less than textwrap.indent on every line).
        sys.stdout.write(separator + _json_text([to_json(item)])[2:-2])
        separator = ",\n"
    sys.stdout.write("[]\n" if separator == "[\n" else "\n]\n")


def article_summary(article: Article) -> dict[str, Any]:
    """The JSON shape of an article in listings (everything but the raw text)."""
    data = article.to_dict()
    del data["raw_text"]
    return data


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="storyweave")
def main() -> None:
    """storyweave: one story per real-world event, from many outlets' articles.

    \b
    Example:
        storyweave ingest sample/articles --metadata sample/metadata.jsonl --db news.db
        storyweave stories --db news.db
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Reader to use (default: by file suffix).")
@metadata_option
@db_option
@store_params_option
@json_option
def ingest(
    paths: tuple[str, ...], fmt: str | None, metadata: str | None, db: str, params_path: str | None, as_json: bool
) -> None:
    """Read articles from files, folders, feed URLs or - (JSONL on stdin) into the store,
    and put each new article into its story.

    \b
    Example:
        storyweave ingest sample/articles --metadata sample/metadata.jsonl --db news.db
    """
    params = load_params(params_path)
    n_inputs = sum(1 for _ in expand_paths(paths, {Path(metadata).resolve()} if metadata else set()))
    with opened_store(db, create=True) as store, _status_line() as status:
        progress = _IngestProgress(n_inputs, status)
        report = pipeline.ingest(paths, store=store, format=fmt, metadata=metadata, params=params, progress=progress)
    for problem in report.rejected:
        click.echo(f"rejected: {problem}", err=True)
    if as_json:
        print_json(report.to_dict())
    else:
        click.echo(f"added {len(report.added)}, already present {len(report.present)}, rejected {len(report.rejected)}")
    if report.rejected:
        sys.exit(EXIT_PARTIAL)


class _StatusLine:
    """A line on `stream` (if any) that a long command redraws in place to show its progress.

    Drawn from `_PROGRESS_AFTER_S` on (a quick command shows none), at most every
    `_PROGRESS_EVERY_S`, and wiped at the end, so that only the command's own output stays.
    """

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self._drawn_at: float | None = None

    def show(self, text: str) -> None:
        now = time.monotonic()
        if not self.stream or now - self.started < _PROGRESS_AFTER_S:
            return
        if self._drawn_at is not None and now - self._drawn_at < _PROGRESS_EVERY_S:
            return
        self.stream.write(_CLEAR_LINE + text)
        self.stream.flush()
        self._drawn_at = now

    def wipe(self) -> None:
        if self.stream and self._drawn_at is not None:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()


@contextmanager
def _status_line() -> Iterator[_StatusLine]:
    """A `_StatusLine` on stderr if it is a terminal; else one that draws nothing."""
    line = _StatusLine(sys.stderr if sys.stderr.isatty() else None)
    try:
        yield line
    finally:
        line.wipe()


def _per_second(done: int, since: float) -> str:
    return f"{done / max(time.monotonic() - since, 1e-9):,.0f} articles/s"


class _IngestProgress(pipeline.Progress):
    """What an ingest has done so far, on a `_StatusLine`: any replay of the store's stories, then
    inputs read, articles stored and the rate."""

    def __init__(self, n_inputs: int, status: _StatusLine) -> None:
        self.n_inputs, self.status = n_inputs, status
        self.inputs_read = 0
        self.report = pipeline.IngestReport()
        self.started = self.replay_started = time.monotonic()

    def replayed(self, done: int, total: int) -> None:
        rate = _per_second(done, self.replay_started)
        self.status.show(f"taking up the stored stories: {done:,} of {total:,} clustered articles replayed ({rate})")
        self.started = time.monotonic()  # the ingest's own rate counts from the replay's end

    def input_read(self, source: str | Path) -> None:
        self.inputs_read += 1
        self.status.show(self.line())

    def batch_stored(self, report: pipeline.IngestReport) -> None:
        self.report = report
        self.status.show(self.line())

    def line(self) -> str:
        added, present, refused = len(self.report.added), len(self.report.present), len(self.report.rejected)
        counts = [f"{added:,} added", f"{present:,} already present"]
        if self.n_inputs > 1:  # of one, none is read until the end
            counts.insert(0, f"{self.inputs_read:,} of {self.n_inputs:,} inputs read")
        if refused:
            counts.append(f"{refused:,} refused")
        return f"ingesting: {', '.join(counts)} ({_per_second(added + present, self.started)})"


class _ReclusterProgress(pipeline.Progress):
    """How far a recluster has got, on a `_StatusLine`."""

    def __init__(self, total: int, status: _StatusLine) -> None:
        self.total, self.status = total, status
        self.started = time.monotonic()

    def clustered(self, done: int) -> None:
        self.status.show(f"reclustering: {done:,} of {self.total:,} articles ({_per_second(done, self.started)})")


@main.command()
@click.option("--source", help="Only articles from this outlet.")
@since_option("articles")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@db_option
@json_option
def articles(source: str | None, since: str | None, limit: int | None, db: str, as_json: bool) -> None:
    """List stored articles, in ingest order.

    \b
    Examples:
        storyweave articles --db news.db --json
        storyweave articles --db news.db --since yesterday --source Reuters
    """
    with opened_store(db) as store:
        found = store.articles(source=source, since=_since(since), limit=limit)
        print_listing(found, as_json, article_summary, _article_line)


def _article_line(article: Article) -> str:
    date = article.published_at.isoformat()[:10] if article.published_at else "????-??-??"
    heading = article.title or article.text[:80]
    return f"{article.id}  {date}  {article.source or '-'}  {heading}"


@main.command()
@click.argument("article_id")
@db_option
@json_option
def article(article_id: str, db: str, as_json: bool) -> None:
    """Show one article in full, with what cleaning removed.

    \b
    Example:
        storyweave article 3f2a9c0d1e4b5a67 --db news.db
    """
    with opened_store(db) as store:
        found = store.article(article_id)
    if found is None:
        raise_one_line(f"no article {article_id!r}")
    if as_json:
        print_json(found.to_dict())
        return
    click.echo(_article_line(found))
    click.echo(f"url: {found.url or '-'}  language: {found.language or '-'}  origin: {found.origin or '-'}")
    if found.truncation_reason:
        click.echo(f"truncated: {found.truncation_reason}")
    click.echo("\n" + found.text + "\n")
    for rule, text in found.removed:
        click.echo(f"removed ({rule}): {text}")


@main.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@db_option
@json_option
def search(query: str, limit: int, db: str, as_json: bool) -> None:
    """Full-text search over titles and texts (SQLite FTS5 syntax, or plain words).

    \b
    Example:
        storyweave search "ceasefire Damascus" --db news.db
    """
    with opened_store(db) as store:
        hits = store.search(query, limit=limit)
    if as_json:
        print_json([{**article_summary(a), "score": round(score, 4)} for a, score in hits])
        return
    for hit, score in hits:
        click.echo(f"{score:7.2f}  {_article_line(hit)}")


def _story_line(story: Story) -> str:
    first = story.first_published.isoformat()[:10] if story.first_published else "????-??-??"
    articles, sources = len(story.article_ids), len(story.sources)
    counts = f"{articles:>3} {_noun(articles, 'article'):<8}  {sources:>2} {_noun(sources, 'source'):<7}"
    return f"{story.id:>5}  {first}  {counts}  {story.title}"


def _noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun to follow the number `n`."""
    return singular if n == 1 else plural or singular + "s"


@main.command()
@since_option("stories with an article")
@click.option("--source", help="Only stories with an article from this outlet.")
@click.option("--query", help="Only stories with an article matching this full-text query.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many stories (the most recent).")
@db_option
@json_option
def stories(
    since: str | None, source: str | None, query: str | None, limit: int | None, db: str, as_json: bool
) -> None:
    """List stories, most recently updated first.

    \b
    Examples:
        storyweave stories --db news.db --query ceasefire --limit 10 --json
        storyweave stories --db news.db --since "6 hours ago"
    """
    with opened_store(db) as store, store.reading():
        found = store.stories(since=_since(since), source=source, query=query, limit=limit)
        print_listing(found, as_json, Story.to_dict, _story_line)


# Written here rather than with dateparser, which reads these too: its "today" and "yesterday"
# are now and now less 24 hours, not midnight, so `--since today` would list nothing.
_TIME_AGO = re.compile(r"(\d+) (minute|hour|day|week)s? ago")


def _since(value: str | None) -> dt.datetime | None:
    """--since: a date or time, "today", "yesterday" (from midnight UTC), or "N minutes|hours|days|weeks ago"."""
    if value is None:
        return None
    text, now = " ".join(value.lower().split()), dt.datetime.now(dt.UTC)
    if text in ("today", "yesterday"):
        return now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=text == "yesterday")
    try:
        if ago := _TIME_AGO.fullmatch(text):
            return now - dt.timedelta(**{f"{ago[2]}s": int(ago[1])})
        return as_datetime(parse_publication_time(value))
    except OverflowError as exc:
        raise StoryweaveError(f"--since: {value!r} is further back than any date") from exc
    except ValueError as exc:
        raise StoryweaveError(f"--since: {exc}; give a date, 'today', 'yesterday' or e.g. '6 hours ago'") from exc


@main.command()
@click.argument("story_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["articles", *VIEW_FORMATS]), default="articles", show_default=True,
    help="articles: the story's articles; text, markdown, json, html: the consolidated view.",
)  # fmt: skip
@db_option
@json_option
def story(story_id: int, fmt: str, db: str, as_json: bool) -> None:
    """Show a story: its articles, or the consolidated view (facts, entities, timeline, events).

    \b
    Examples:
        storyweave story 1 --db news.db
        storyweave story 1 --format markdown --db news.db
    """
    with opened_store(db) as store:
        if fmt != "articles":
            click.echo(render_view(pipeline.story_view_json(store, story_id), fmt))
            return
        found = pipeline.story(store, story_id)
        members = [store.article(article_id) for article_id in found.article_ids]
    if as_json:
        print_json({**found.to_dict(), "articles": [article_summary(a) for a in members if a]})
        return
    click.echo(_story_line(found))
    for member in members:
        if member:
            copy = f"  (copy of {found.copies[member.id]})" if member.id in found.copies else ""
            click.echo(f"  {_article_line(member)}{copy}")


@main.command()
@db_option
@store_params_option
def recluster(db: str, params_path: str | None) -> None:
    """Cluster every stored article again, in publication order: repairs the order effects of
    late-ingested articles, and applies new --params to the whole store.

    \b
    Example:
        storyweave recluster --db news.db
    """
    params = load_params(params_path)
    with opened_store(db) as store, _status_line() as status:
        count = pipeline.recluster(store, params, _ReclusterProgress(store.count_articles(), status))
    click.echo(f"{count} {_noun(count, 'story', 'stories')}")


def _evidence_lines(evidence: Evidence) -> list[str]:
    signals = ", ".join(f"{k}={v:.2f}" for k, v in evidence.signals.items())
    gap = "unknown" if evidence.gap_days is None else f"{evidence.gap_days:.1f} days"
    return [
        f"same-event probability: {evidence.probability:.3f}",
        f"shared names: {', '.join(evidence.shared_names) or '-'}",
        f"shared dates: {', '.join(evidence.shared_dates) or '-'}",
        f"top shared terms: {', '.join(evidence.shared_terms) or '-'}",
        f"publication gap: {gap}",
        f"embedding similarity of the leads: {evidence.signals['embed_cos']:.2f}",
        f"signals: {signals}",
    ]


def _resolve(store: Store, ref: str, metadata: str | None) -> Article:
    """An article by id from the store, or the first article of a file (with its fields from the
    `metadata` manifest, if given)."""
    found = store.article(ref)
    if found is not None:
        return found
    if Path(ref).exists():
        for result in read_articles([ref], metadata=metadata):
            if isinstance(result, Article):
                return result
            raise result
    raise StoryweaveError(f"{ref}: neither a stored article id nor a readable file")


@main.command()
@click.argument("first")
@click.argument("second")
@metadata_option
@db_option
@store_params_option
@json_option
def compare(first: str, second: str, metadata: str | None, db: str, params_path: str | None, as_json: bool) -> None:
    """Say how probably two articles (ids in the store, or files) report the same event, and why.
    A file's publication time, which the time gap needs, comes from --metadata.

    \b
    Example:
        storyweave compare sample/articles/000_6bb945685ed10791.txt sample/articles/001_397affb6b7c75271.txt \\
            --metadata sample/metadata.jsonl
    """
    params = load_params(params_path)
    with reported_errors():
        # Two files need no store: without one, they are weighed by their own term statistics alone.
        target = db if store_exists(db) else ":memory:"
    with opened_store(target) as store:
        evidence = pipeline.compare(store, _resolve(store, first, metadata), _resolve(store, second, metadata), params)
    if as_json:
        print_json(evidence.to_dict())
        return
    click.echo("\n".join(_evidence_lines(evidence)))


@main.command()
@click.argument("article_id")
@db_option
@store_params_option
@json_option
def explain(article_id: str, db: str, params_path: str | None, as_json: bool) -> None:
    """Say why an article joined its story (or opened one), with the evidence against the best candidates.

    \b
    Example:
        storyweave explain 64eb744931b674d2 --db news.db
    """
    params = load_params(params_path)
    with opened_store(db) as store:
        explanation = pipeline.explain(store, article_id, params)
    if as_json:
        print_json(explanation.to_dict())
        return
    action = "opened" if explanation.opened else "joined"
    click.echo(f"{article_id} {action} story {explanation.story_id}")
    if explanation.copy_of:
        click.echo(f"it is a syndicated copy of {explanation.copy_of}, so it joined that article's story")
    if not explanation.scored:
        click.echo("it was not scored; the evidence below is computed now")
    for story_id, evidence in explanation.candidates:
        chosen = " (its story)" if story_id == explanation.story_id else ""
        click.echo(f"\ncandidate story {story_id}{chosen}:")
        click.echo("\n".join("  " + line for line in _evidence_lines(evidence)))
    if not explanation.candidates:
        click.echo("no earlier story shared its salient terms or names")


@main.command(name="eval")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--label-field", default="event", show_default=True, help="Field holding each article's gold event.")
@click.option(
    "--errors",
    type=click.IntRange(min=0),
    default=0,
    help="Also list the N stories that mix gold events most, with the join that mixed each, and the N events "
    "spread over most stories.",
)
@click.option(
    "--keep",
    type=click.Path(dir_okay=False),
    help="Keep the store in this new file, to ask `storyweave explain ARTICLE_ID --db FILE` about its decisions.",
)
@params_option
@json_option
def evaluate(
    path: str, label_field: str, errors: int, keep: str | None, params_path: str | None, as_json: bool
) -> None:
    """Cluster an annotated JSONL file as `ingest` would (in a throwaway store) and score it.

    \b
    Example:
        storyweave eval sample/articles/ecbplus-sample.jsonl --errors 3 --keep eval.db
        storyweave explain ARTICLE_ID --db eval.db
    """
    from storyweave.eval.harness import evaluate as run_evaluation

    params = load_params(params_path)
    with reported_errors():
        scores = run_evaluation(path, label_field=label_field, params=params, errors=errors, keep=keep)
    if as_json:
        print_json(scores)
        return
    for name in ("bcubed", "pairwise"):
        prf = scores[name]
        click.echo(f"{name:9} P {prf['p']:.4f}  R {prf['r']:.4f}  F1 {prf['f1']:.4f}")
    click.echo(f"ARI {scores['ari']:.4f}  NMI {scores['nmi']:.4f}  V-measure {scores['v_measure']:.4f}")
    n_articles, n_gold, n_pred = scores["n_articles"], scores["n_gold"], scores["n_pred"]
    counts = (
        f"{n_articles} {_noun(n_articles, 'article')}, {n_gold} gold {_noun(n_gold, 'event')}, "
        f"{n_pred} predicted {_noun(n_pred, 'story', 'stories')}"
    )
    click.echo(f"{counts}, {scores['articles_per_s']} articles/s")
    if errors:
        click.echo("\n".join(_error_lines(scores["errors"], scores)))
    if keep:
        click.echo(f"\nthe store is kept: storyweave explain ARTICLE_ID --db {keep}")


def _error_lines(errors: dict[str, Any], scores: dict[str, Any]) -> Iterator[str]:
    yield f"\n{errors['n_mixed']} of {scores['n_pred']} stories mix gold events; the worst:"
    for mixed in errors["mixed"]:
        events = ", ".join(f"{n} of {event}" for event, n in mixed["events"].items())
        how = f"as a copy of {mixed['copy_of']}" if mixed["copy_of"] else f"at p {mixed['probability']:.2f}"
        yield f"  story {mixed['story_id']} ({events}): mixed when {mixed['mixed_by']} joined {how}"
        if mixed["mixed_by_title"]:
            yield f"    {mixed['mixed_by_title']}"
    yield f"\n{errors['n_split']} of {scores['n_gold']} gold events are spread over several stories; the worst:"
    for split in errors["split"]:
        yield f"  {split['event']}: " + ", ".join(f"{n} in story {story}" for story, n in split["stories"].items())


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--label-field", default="event", show_default=True, help="Field holding each article's gold event.")
@click.option("--group-field", help="Coarser groups held out together in cross-validation (e.g. topic).")
@click.option("--folds", type=click.IntRange(min=0), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--out", type=click.Path(dir_okay=False), default="storyweave-params.json", show_default=True)
@params_option
def train(path: str, label_field: str, group_field: str | None, folds: int, out: str, params_path: str | None) -> None:
    """Fit the clusterer's weights and threshold on labelled JSONL; use the result with --params.

    The settings that are not fitted (embedder, time window, index sizes) come from --params.

    \b
    Example:
        storyweave train sample/articles/ecbplus-sample.jsonl --group-field topic --out my-params.json
    """
    from storyweave.cluster.training import fit
    from storyweave.eval.harness import labelled_articles

    if not Path(out).parent.is_dir():  # found out before the fit, which can take minutes
        raise_one_line(f"{out}: there is no folder {Path(out).parent} to write the parameters in")
    with reported_errors():
        articles, labels = labelled_articles(path, label_field)
        groups = (
            [str(a.meta.get(group_field, label)) for a, label in zip(articles, labels, strict=True)]
            if group_field
            else None
        )
        report = fit(articles, labels, groups, base=load_params(params_path), folds=folds)
        provenance = {"file": Path(path).name, "articles": len(articles), "label_field": label_field,
                      "group_field": group_field, "cv_bcubed_f1": [round(f, 4) for f in report.cv_bcubed_f1],
                      "train_bcubed_f1": round(report.train_bcubed_f1, 4),
                      "gap_penalty": "fitted" if report.gap_fitted else "prior"}  # fmt: skip
        report.params.save(out, provenance)
    cv = (
        f"cross-validated B-cubed F1 {report.cv_mean:.4f} over {len(report.cv_bcubed_f1)} folds; "
        if report.cv_bcubed_f1
        else ""
    )
    gap = "fitted" if report.gap_fitted else "kept (too few training pairs dated and further apart than the grace)"
    click.echo(f"{cv}training-stream F1 {report.train_bcubed_f1:.4f}; publication-gap penalty {gap}: "
               f"{report.params.gap_penalty:.3f} per day; parameters written to {out}")  # fmt: skip


def raise_one_line(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
