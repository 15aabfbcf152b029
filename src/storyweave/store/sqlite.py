"""SQLite backend: one file, WAL mode, versioned schema, FTS5 full-text search."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import itertools
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from filelock import FileLock, Timeout

from storyweave.errors import StoreError
from storyweave.types import Article, Assignment, Story, as_datetime, parse_publication_time, publication_order

# A list of any length bound as one parameter, a JSON array: SQLite caps a statement's parameters.
_ONE_OF = "(SELECT value FROM json_each(?))"
_READ_BATCH = 500  # articles, or stories, read at a time where a whole store may be asked for
_FTS_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})  # FTS5 reads them as operators in capitals only
# Each entry migrates the schema from version i to i + 1; never edit a released entry.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        url TEXT,
        source TEXT,
        title TEXT,
        text TEXT NOT NULL,
        raw_text TEXT NOT NULL,
        removed TEXT NOT NULL,          -- JSON [[rule, text], ...]
        published_at TEXT,              -- ISO 8601 date or datetime, as given
        published_utc TEXT,             -- the same as a UTC datetime, for ordering and filters
        language TEXT,
        truncation_reason TEXT,
        origin TEXT,
        meta TEXT NOT NULL,             -- JSON object
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX articles_source ON articles(source);
    CREATE INDEX articles_published ON articles(published_utc);
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.seq, old.title, old.text);
    END;
    """,
    """
    CREATE TABLE assignments (
        article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,           -- the order in which the clusterer saw the articles
        opened INTEGER NOT NULL,
        probability REAL NOT NULL,
        copy_of TEXT,
        copy_similarity REAL,
        evidence TEXT NOT NULL          -- JSON array of scored candidate stories
    );
    CREATE INDEX assignments_story ON assignments(story_id);
    CREATE INDEX assignments_seq ON assignments(seq);
    """,
    # `add_articles` indexes a batch for search in one statement: a third cheaper than a trigger per row.
    """
    DROP TRIGGER articles_ai;
    """,
    # The pipeline's learned state, so that opening it need not replay every clustered article.
    """
    CREATE TABLE checkpoint (
        key TEXT PRIMARY KEY,           -- what the state depends on: parameters and state format
        seq INTEGER NOT NULL,           -- the state was learned from the assignments up to this seq
        learned INTEGER NOT NULL,       -- ... which numbered this many
        data BLOB NOT NULL,
        saved_at TEXT NOT NULL
    );
    """,
    # Search-index segments are merged once 8 of a size pile up rather than FTS5's default 4: at
    # 100k articles, storing one (three quarters of which is indexing it) costs 156 rather than 172
    # microseconds, and searches take as long as before.
    """
    INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8);
    """,
    # What choosing and ordering stories reads of each article, in an index of its own: read from
    # the table, these columns lie behind the article's text, in its overflow pages. Ordering the
    # 12,715 stories of 100,000 articles took 0.41 s that way and takes 0.14 s this way. Storing an
    # article costs about 5 microseconds more (195 against 190, means of four runs of 20,000).
    """
    CREATE INDEX articles_story_listing ON articles(id, published_utc, source);
    """,
    # Evidence with each signal's name once per row rather than once per candidate (see
    # `_evidence_json`), and time gaps rounded as the other figures are. (The subqueries' JSON is
    # wrapped in json() because a subquery drops the JSON subtype: unwrapped, it would be quoted.)
    """
    UPDATE assignments SET evidence = (
        SELECT json_object(
            'signals', json((SELECT json_group_array(s.key) FROM json_each(evidence, '$[0].signals') AS s)),
            'candidates', json_group_array(json_array(
                json_extract(c.value, '$.story_id'), json_extract(c.value, '$.probability'),
                json((SELECT json_group_array(s.value) FROM json_each(c.value, '$.signals') AS s)),
                round(json_extract(c.value, '$.gap_days'), 4)
            ))
        )
        FROM json_each(evidence) AS c
    )
    WHERE evidence LIKE '[%';
    """,
    # What a store remembers between commands beyond its articles and stories: the parameters it
    # was last ingested or reclustered with, so that later commands go on with them.
    """
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # Story views as built, so that showing a story again need not parse its reports again (a
    # 300-report story took 28 s); `key` says what the view was built from.
    """
    CREATE TABLE story_views (
        story_id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        view TEXT NOT NULL
    );
    """,
)

WRITER_WAIT_S = 10.0  # how long a second writer waits for the first to finish before giving up

_COLUMNS = (
    "id, url, source, title, text, raw_text, removed, published_at, published_utc, language, "
    "truncation_reason, origin, meta, ingested_at"
)

_INSERT_ARTICLE = f"INSERT OR IGNORE INTO articles ({_COLUMNS}) VALUES ({', '.join('?' * (_COLUMNS.count(',') + 1))})"


def _utc_text(moment: dt.datetime) -> str:
    """A time as `published_utc` holds it: filters and orders compare these as text, which sorts
    as the times do only if every one is written the same way."""
    return moment.astimezone(dt.UTC).isoformat()


def _batches(items: Sequence[int]) -> Iterator[Sequence[int]]:
    """`items` in slices of `_READ_BATCH`, for reads a whole store may be asked for (itertools.batched
    is Python 3.12's)."""
    for start in range(0, len(items), _READ_BATCH):
        yield items[start : start + _READ_BATCH]


def _limit(limit: int | None) -> int:
    """A LIMIT parameter: SQLite reads a negative one as no limit."""
    return -1 if limit is None else limit


def _row(article: Article, now: str) -> tuple[Any, ...]:
    published = as_datetime(article.published_at)
    # An empty raw_text stands for the text itself. Most bodies arrive clean (669 of the 772 in
    # the ECB+ dev data), and stored twice they made the articles table a third bigger (synthetic
    # 10k: 56 against 41 MB), every byte of it written twice (the log, then the file).
    raw_text = "" if article.raw_text == article.text else article.raw_text
    return (
        article.id, article.url, article.source, article.title, article.text, raw_text,
        json.dumps(article.removed), article.published_at.isoformat() if article.published_at else None,
        _utc_text(published) if published else None,
        article.language, article.truncation_reason, article.origin, json.dumps(article.meta), now,
    )  # fmt: skip


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        text=row["text"],
        raw_text=row["raw_text"] or row["text"],
        removed=tuple((rule, text) for rule, text in json.loads(row["removed"])),
        published_at=parse_publication_time(row["published_at"]),
        language=row["language"],
        truncated=row["truncation_reason"] is not None,
        truncation_reason=row["truncation_reason"],
        origin=row["origin"],
        meta=json.loads(row["meta"]),
    )


def _evidence_json(evidence: Sequence[dict[str, Any]]) -> str:
    """Candidates as stored: `{"signals": [name, ...], "candidates": [[story_id, probability,
    [value, ...], gap_days], ...]}`. Every candidate of a decision has the same signals: named in
    each candidate, as `Assignment.evidence` holds them, they made an article's evidence about
    1 KB rather than 0.5 (the synthetic 10k stream: 10.5 against 4.7 MB)."""
    names = list(evidence[0]["signals"]) if evidence else []
    candidates = [
        [c["story_id"], c["probability"], [c["signals"][name] for name in names], c["gap_days"]] for c in evidence
    ]
    return json.dumps({"signals": names, "candidates": candidates}, separators=(",", ":"))


def _evidence(text: str) -> tuple[dict[str, Any], ...]:
    stored = json.loads(text)
    names = stored["signals"]
    return tuple(
        {
            "story_id": story_id,
            "probability": probability,
            "signals": dict(zip(names, values, strict=True)),
            "gap_days": gap,
        }
        for story_id, probability, values, gap in stored["candidates"]
    )


def _assignment(row: sqlite3.Row) -> Assignment:
    return Assignment(
        article_id=row["article_id"],
        story_id=row["story_id"],
        opened=bool(row["opened"]),
        probability=row["probability"],
        copy_of=row["copy_of"],
        copy_similarity=row["copy_similarity"],
        evidence=_evidence(row["evidence"]),
        seq=row["seq"],
    )


def _story(story_id: int, rows: list[sqlite3.Row]) -> Story:
    dates = [parse_publication_time(r["published_at"]) for r in rows if r["published_at"]]
    return Story(
        id=story_id,
        title=_story_title(rows),
        article_ids=tuple(r["id"] for r in rows),
        sources=tuple(dict.fromkeys(r["source"] for r in rows if r["source"])),
        first_published=dates[0] if dates else None,
        last_published=max(dates, key=as_datetime) if dates else None,  # type: ignore[arg-type]
        copies={r["id"]: r["copy_of"] for r in rows if r["copy_of"]},
    )


def _story_title(rows: list[sqlite3.Row]) -> str:
    """The first headline-like title among the articles, else the first headline-like sentence
    of the first article's lead, else its first sentence. Looked for lazily: judging every title
    took a quarter of the time to list all the stories of a store."""
    headline = next(filter(_headline_like, (r["title"] for r in rows if r["title"])), None)
    if headline is not None:
        return headline
    leads = [first_sentence(line) for line in rows[0]["lead"].splitlines()]
    return next(itertools.chain(filter(_headline_like, leads), leads), "")


def _headline_like(title: str) -> bool:
    """A title worth showing: a few words, mostly letters, not shouted (scraped titles are often
    a dateline, "11 / 28 / 05", or a site banner, "THE WHITE HOUSE").

    >>> [_headline_like(t) for t in ["Quake hits southern Iran", "11 / 28 / 05", "THE WHITE HOUSE"]]
    [True, False, False]
    """
    words = title.split()
    letters = sum(ch.isalpha() for ch in title)
    return len(words) >= 4 and letters >= 0.6 * len(title.replace(" ", "")) and not title.isupper()


def first_sentence(text: str, limit: int = 120) -> str:
    """The first sentence of `text`, cut at a word boundary to at most `limit` characters."""
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0].split("\n", 1)[0]
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "..."


def _fts_query(query: str) -> str:
    """Every word as a quoted FTS5 term, for queries that are not valid FTS5 syntax. The
    operators are dropped: in "Assad OR" the user meant no word "or", and quoted it would be one."""
    words = [word for word in query.split() if word not in _FTS_OPERATORS]
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


_Method = TypeVar("_Method", bound=Callable[..., Any])
# The caller's mistakes (a story for an unknown article, a closed store), not the file's: left as they are.
_MISUSE = (sqlite3.IntegrityError, sqlite3.ProgrammingError)


def _store_errors(method: _Method) -> _Method:
    """A store method whose SQLite errors come out as `StoreError`s naming the file: a damaged
    file shows only as its pages are read, by whichever method reads them."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def reading(store: SQLiteStore, *args: Any, **kwargs: Any) -> Iterator[Any]:
            with _errors_named(store.path):
                yield from method(store, *args, **kwargs)

        return reading  # type: ignore[return-value]

    @functools.wraps(method)
    def calling(store: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        with _errors_named(store.path):
            return method(store, *args, **kwargs)

    return calling  # type: ignore[return-value]


@contextlib.contextmanager
def _errors_named(path: str) -> Iterator[None]:
    try:
        yield
    except _MISUSE:
        raise
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: the store cannot be read or written ({exc})") from exc


class SQLiteStore:
    """The default store: a single SQLite file (or ":memory:").

    Parameters:
        path: the database file; created, with its schema, when missing.
        on_upgrade: called with the schema versions from and to, before a store from an older
            storyweave is migrated: on a large store that takes a while (migration 7 took 8 s at
            90,000 articles), which a person should be told of.

    Raises:
        StoreError: the file is not a storyweave database, or is from a newer version.
    """

    def __init__(self, path: str | Path, on_upgrade: Callable[[int, int], None] | None = None) -> None:
        self.path = str(path)
        self._on_upgrade = on_upgrade
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL cannot corrupt the file either; a power cut may lose the last
            # batches, which re-ingesting restores. FULL's sync on every commit cost 5% of ingest.
            self._db.execute("PRAGMA synchronous=NORMAL")
            # SQLite's default page cache is 2 MB: inserting into the id index and merging the
            # full-text index touch pages all over a growing file, and 32 MB made that 15% cheaper.
            self._db.execute("PRAGMA cache_size=-32768")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open as a storyweave store ({exc})") from exc
        self._depth = 0
        self._reading = False

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(f"{self.path}: schema version {version} is newer than this storyweave understands")
        if 0 < version < len(MIGRATIONS) and self._on_upgrade:
            self._on_upgrade(version, len(MIGRATIONS))
        for number in range(version, len(MIGRATIONS)):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(MIGRATIONS[number]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def writing(self, wait_s: float | None = None) -> Iterator[None]:
        """Be the only process that clusters into this store while inside (a lock file beside it,
        released when the process ends, however it ends). Two pipelines writing at once would each
        number stories from their own state, and their ids would collide."""
        if self.path == ":memory:":
            yield
            return
        wait_s = WRITER_WAIT_S if wait_s is None else wait_s
        lock = FileLock(self.path + ".lock", timeout=wait_s)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(
                f"{self.path}: another storyweave process is writing to it (waited {wait_s:g} s); "
                "try again when it has finished"
            ) from None
        except OSError as exc:  # the folder cannot be written
            raise StoreError(f"{self.path}: cannot make the writer's lock file ({exc.strerror or exc})") from exc
        try:
            yield
        finally:
            lock.release()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside commit together; an exception rolls all of them back. Nests."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        if self._reading:
            raise StoreError(f"{self.path}: cannot write inside reading()")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: cannot start writing ({exc})") from exc
        self._depth = 1
        try:
            yield
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # disk full, database locked, read-only file
            self._roll_back()
            raise StoreError(f"{self.path}: write failed, nothing from this batch was kept ({exc})") from exc
        except BaseException:
            self._roll_back()
            raise
        finally:
            self._depth = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Reads inside see one state of the store (see `Store.reading`)."""
        if self._depth or self._reading:  # a transaction's reads see one state already
            yield
            return
        # A deferred transaction: WAL mode takes its snapshot at the first read, and writers
        # elsewhere go on meanwhile.
        self._db.execute("BEGIN DEFERRED")
        self._reading = True
        try:
            yield
        finally:
            self._reading = False
            # Nothing was written, so rolling back only ends the snapshot; unlike COMMIT, it does not
            # fail again on a damaged file and hide the error that the reads raised.
            self._roll_back()

    def _roll_back(self) -> None:
        # On some errors (a full disk, an I/O error) SQLite has rolled back already, and a second
        # ROLLBACK would raise an error that hides the first.
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    @_store_errors
    def add_articles(self, articles: Sequence[Article]) -> list[bool]:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.transaction():
            # AUTOINCREMENT: every row this batch adds has a higher seq than any before it.
            before = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
            self._db.executemany(_INSERT_ARTICLE, [_row(article, now) for article in articles])
            fresh = {row[0] for row in self._db.execute("SELECT id FROM articles WHERE seq > ?", (before,))}
            self._db.execute(
                "INSERT INTO articles_fts(rowid, title, text) SELECT seq, title, text FROM articles WHERE seq > ?",
                (before,),
            )
        added = []
        for article in articles:
            added.append(article.id in fresh)
            fresh.discard(article.id)  # a batch holding one id twice added its first copy only
        return added

    @_store_errors
    def article(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    @_store_errors
    def articles(
        self, *, source: str | None = None, since: dt.datetime | None = None, limit: int | None = None
    ) -> Iterator[Article]:
        clauses, params = [], []
        if source:
            clauses.append("source = ?")
            params.append(source)
        if since:
            clauses.append("published_utc >= ?")
            params.append(_utc_text(since))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM articles {where} ORDER BY seq LIMIT ?"
        for row in self._db.execute(sql, (*params, _limit(limit))):
            yield _article(row)

    @_store_errors
    def search(self, query: str, limit: int = 20) -> list[tuple[Article, float]]:
        hits = self._hits(query, limit)
        by_seq = self._articles_by_seq([seq for seq, _ in hits])
        return [(by_seq[seq], -rank) for seq, rank in hits]

    def _articles_by_seq(self, seqs: Sequence[int]) -> dict[int, Article]:
        rows = self._db.execute(f"SELECT * FROM articles WHERE seq IN {_ONE_OF}", (json.dumps(seqs),))
        return {row["seq"]: _article(row) for row in rows}

    def _hits(self, query: str, limit: int) -> list[tuple[int, float]]:
        """The best `limit` matches' seqs and bm25 ranks (lower is better), best first; a query
        that is not FTS5 syntax is searched for as plain words."""
        # Ranked and cut in the index, and the articles read after: joined first, every match's
        # whole row was read before the sort, which made a search for a word in most articles
        # twice as slow. Ties go to the earlier article, so that they keep their places.
        sql = (
            "SELECT rowid, bm25(articles_fts, 2.0, 1.0) AS rank FROM articles_fts WHERE articles_fts MATCH ? "
            "ORDER BY rank, rowid LIMIT ?"
        )
        try:
            rows = self._db.execute(sql, (query, limit)).fetchall()
        except sqlite3.OperationalError:
            words = _fts_query(query)
            if not words:
                return []  # spaces and operators only ("AND", "NOT OR"): no word to look for
            rows = self._db.execute(sql, (words, limit)).fetchall()
        return [(row[0], row[1]) for row in rows]

    @_store_errors
    def save_assignments(self, assignments: Sequence[Assignment]) -> int:
        with self.transaction():
            start = self._db.execute("SELECT coalesce(max(seq), 0) FROM assignments").fetchone()[0]
            self._db.executemany(
                "INSERT OR REPLACE INTO assignments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (a.article_id, a.story_id, start + n, int(a.opened), a.probability, a.copy_of,
                     a.copy_similarity, _evidence_json(a.evidence))
                    for n, a in enumerate(assignments, start=1)
                ],
            )  # fmt: skip
        return int(start) + len(assignments)

    @_store_errors
    def clear_assignments(self) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM assignments")
            self._db.execute("DELETE FROM checkpoint")
            self._db.execute("DELETE FROM story_views")

    @_store_errors
    def kept_view(self, story_id: int, key: str) -> str | None:
        row = self._db.execute(
            "SELECT view FROM story_views WHERE story_id = ? AND key = ?", (story_id, key)
        ).fetchone()
        return None if row is None else str(row[0])

    @_store_errors
    def keep_view(self, story_id: int, key: str, view: str) -> None:
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO story_views VALUES (?, ?, ?)", (story_id, key, view))

    @_store_errors
    def setting(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    @_store_errors
    def save_setting(self, name: str, value: str) -> None:
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, value))

    @_store_errors
    def save_checkpoint(self, key: str, seq: int, learned: int, data: bytes) -> bool:
        with self.transaction():
            if self._count_assignments(seq) != learned:
                return False  # another writer's assignments are among them: the state lacks those
            self._db.execute("DELETE FROM checkpoint")
            self._db.execute(
                "INSERT INTO checkpoint VALUES (?, ?, ?, ?, ?)",
                (key, seq, learned, data, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
        return True

    @_store_errors
    def checkpoint(self, key: str) -> tuple[int, bytes] | None:
        row = self._db.execute("SELECT seq, learned, data FROM checkpoint WHERE key = ?", (key,)).fetchone()
        if row is None or self._count_assignments(row["seq"]) != row["learned"]:
            return None
        return row["seq"], row["data"]

    def _count_assignments(self, until_seq: int) -> int:
        return int(self._db.execute("SELECT count(*) FROM assignments WHERE seq <= ?", (until_seq,)).fetchone()[0])

    @_store_errors
    def assignment(self, article_id: str) -> Assignment | None:
        row = self._db.execute("SELECT * FROM assignments WHERE article_id = ?", (article_id,)).fetchone()
        return _assignment(row) if row else None

    @_store_errors
    def clustered(self, *, after_seq: int = 0, story_id: int | None = None) -> Iterator[tuple[Article, Assignment]]:
        where, params = "WHERE s.seq > ?", [after_seq]
        if story_id is not None:
            where += " AND s.story_id = ?"
            params.append(story_id)
        # The article's columns by name: both tables have a `seq`, and the assignment's is meant.
        columns = ", ".join(f"a.{c}" for c in _COLUMNS.split(", "))
        sql = f"SELECT {columns}, s.* FROM articles a JOIN assignments s ON s.article_id = a.id {where} ORDER BY s.seq"
        for row in self._db.execute(sql, params):
            yield _article(row), _assignment(row)

    @_store_errors
    def unclustered(self) -> Iterator[Article]:
        # Each batch's articles and assignments are written in one transaction, so there are none
        # but after `clear_assignments`; the counts say so without reading every article's row,
        # which on a store of a million took seconds on every ingest.
        if self.count_articles() == self._db.execute("SELECT count(*) FROM assignments").fetchone()[0]:
            return
        sql = "SELECT seq, published_at FROM articles WHERE id NOT IN (SELECT article_id FROM assignments) ORDER BY seq"
        times = [(seq, parse_publication_time(published)) for seq, published in self._db.execute(sql)]
        order = [seq for seq, _ in publication_order(times, published=itemgetter(1))]
        # Read a batch at a time: a whole store's articles (after `clear_assignments`) need not fit in memory.
        for chunk in _batches(order):
            by_seq = self._articles_by_seq(chunk)
            yield from (by_seq[seq] for seq in chunk)

    @_store_errors
    def stories(
        self,
        *,
        since: dt.datetime | None = None,
        source: str | None = None,
        query: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Story]:
        # Chosen and ordered in SQL, then only those stories built: building every story first took
        # 1.7 s on a store of 100,000 articles, whatever the filters kept. Built a batch at a time as
        # they are listed, so that a long listing starts at once and holds one batch.
        having: list[str] = []
        params: list[Any] = []
        if since:
            having.append("max(a.published_utc) >= ?")
            params.append(_utc_text(since))
        if source:
            having.append("sum(a.source = ?) > 0")
            params.append(source)
        if query:
            having.append(f"sum(a.seq IN {_ONE_OF}) > 0")
            params.append(json.dumps([seq for seq, _ in self._hits(query, limit=1000)]))
        # INDEXED BY, because the planner takes the unique index on id and then reads each row (see
        # migration 6).
        sql = (
            "SELECT s.story_id FROM assignments s JOIN articles a INDEXED BY articles_story_listing "
            "ON a.id = s.article_id GROUP BY s.story_id "
            f"{'HAVING ' + ' AND '.join(having) if having else ''} "
            # Most recently updated first: dated stories by their last publication, then undated
            # ones, newest id first. UTC ISO strings sort as the times do.
            "ORDER BY max(a.published_utc) IS NULL, max(a.published_utc) DESC, s.story_id DESC LIMIT ?"
        )
        story_ids = [row[0] for row in self._db.execute(sql, (*params, _limit(limit)))]
        for chunk in _batches(story_ids):
            yield from self._stories(chunk)

    @_store_errors
    def story(self, story_id: int) -> Story | None:
        found = self._stories([story_id])
        return found[0] if found else None

    def _stories(self, story_ids: Sequence[int]) -> list[Story]:
        """The stories with these ids, in this order, built from their articles in publication
        order (undated last)."""
        sql = (
            "SELECT s.story_id, s.copy_of, a.id, a.title, substr(a.text, 1, 400) AS lead, a.source, a.published_at "
            "FROM assignments s JOIN articles a ON a.id = s.article_id "
            f"WHERE s.story_id IN {_ONE_OF} "
            "ORDER BY s.story_id, a.published_utc IS NULL, a.published_utc, s.seq"
        )
        rows = self._db.execute(sql, (json.dumps(list(story_ids)),))
        # One story's rows at a time (they arrive ordered by story): holding every row with its
        # lead at once took about 0.8 KB per article more, most of a gigabyte on a store of a million.
        built = {sid: _story(sid, list(group)) for sid, group in itertools.groupby(rows, key=itemgetter("story_id"))}
        return [built[sid] for sid in story_ids if sid in built]

    @_store_errors
    def count_articles(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    @_store_errors
    def count_stories(self) -> int:
        # Distinct values read from the story index alone, without building a story.
        return int(self._db.execute("SELECT count(DISTINCT story_id) FROM assignments").fetchone()[0])

    @_store_errors
    def count_clustered(self, *, after_seq: int = 0) -> int:
        return int(self._db.execute("SELECT count(*) FROM assignments WHERE seq > ?", (after_seq,)).fetchone()[0])

    def close(self) -> None:
        self._db.close()


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3's executescript would commit on its own)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
