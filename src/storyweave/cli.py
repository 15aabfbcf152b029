"""The `storyweave` command: each subcommand a few lines over the Python API.

Exit codes: 0 success; 1 an error stopped the command (message on stderr); 2 a usage error;
3 `ingest` finished but refused some inputs (each named on stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from storyweave import pipeline
from storyweave.errors import StoryweaveError
from storyweave.ingest import FORMATS, expand_paths
from storyweave.store import DB_ENV, DEFAULT_DB, Store, open_store
from storyweave.types import Article

F = TypeVar("F", bound=Callable[..., Any])
EXIT_ERROR, EXIT_PARTIAL = 1, 3
_PROGRESS_MIN_INPUTS = 20


def db_option(command: F) -> F:
    """--db PATH, shared by every command that reads or writes the store."""
    return click.option(
        "--db", "db", envvar=DB_ENV, default=DEFAULT_DB, show_default=True, show_envvar=True,
        help="Store: an SQLite file path or sqlite:///PATH.",
    )(command)  # fmt: skip


def json_option(command: F) -> F:
    """--json, shared by every command that prints results."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(command)


@contextmanager
def opened_store(db: str) -> Iterator[Store]:
    """The store for one command; storyweave errors become one-line messages."""
    with reported_errors():
        store = open_store(db)
        try:
            yield store
        finally:
            store.close()


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn library errors into `Error: ...` and exit code 1, never a traceback."""
    try:
        yield
    except StoryweaveError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


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
        storyweave ingest sample/ --metadata sample/metadata.jsonl --db news.db
        storyweave articles --db news.db
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Reader to use (default: by file suffix).")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), help="JSONL manifest of per-file fields.")
@db_option
@json_option
def ingest(paths: tuple[str, ...], fmt: str | None, metadata: str | None, db: str, as_json: bool) -> None:
    """Read articles from files, folders, feed URLs or - (JSONL on stdin) into the store.

    \b
    Example:
        storyweave ingest sample/ --metadata sample/metadata.jsonl --db news.db
    """
    with opened_store(db) as store, _progress(paths, metadata) as advance:
        report = pipeline.ingest(paths, store=store, format=fmt, metadata=metadata, on_input_done=advance)
    for problem in report.rejected:
        click.echo(f"rejected: {problem}", err=True)
    if as_json:
        print_json(report.to_dict())
    else:
        click.echo(f"added {len(report.added)}, already present {len(report.present)}, rejected {len(report.rejected)}")
    if report.rejected:
        sys.exit(EXIT_PARTIAL)


@contextmanager
def _progress(paths: tuple[str, ...], metadata: str | None) -> Iterator[Callable[[object], None]]:
    """A progress bar on stderr, for many inputs on a terminal; a no-op otherwise."""
    inputs = list(expand_paths(paths, {Path(metadata).resolve()} if metadata else set()))
    if len(inputs) < _PROGRESS_MIN_INPUTS or not sys.stderr.isatty():
        yield lambda _input: None
        return
    with click.progressbar(length=len(inputs), label="ingesting", file=sys.stderr) as bar:
        yield lambda _input: bar.update(1)


@main.command()
@click.option("--source", help="Only articles from this outlet.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many.")
@db_option
@json_option
def articles(source: str | None, limit: int | None, db: str, as_json: bool) -> None:
    """List stored articles, in ingest order.

    \b
    Example:
        storyweave articles --db news.db --json
    """
    with opened_store(db) as store:
        found = list(store.articles(source=source, limit=limit))
    if as_json:
        print_json([article_summary(a) for a in found])
        return
    for article in found:
        click.echo(_article_line(article))


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
        click.echo(f"Error: no article {article_id!r}", err=True)
        sys.exit(EXIT_ERROR)
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


if __name__ == "__main__":
    main()
