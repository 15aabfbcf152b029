"""Every reader on realistic inputs written here, and every kind of bad input."""

from __future__ import annotations

import gzip
import http.server
import io
import json
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import storyweave
from conftest import SAMPLE, SEED_PRESS_TV
from storyweave.errors import ConfigError, InputError, StoryweaveError
from storyweave.ingest import read_articles, text
from storyweave.pipeline import IngestReport, Progress, Source, store_stream
from storyweave.store import Store
from storyweave.types import Article

PARAGRAPHS = [
    "A magnitude 5.9 earthquake struck the Iranian island of Qeshm on Sunday, killing at least ten people.",
    "Rescue workers searched the rubble of three villages through the night, the Red Crescent said.",
    "The governor of Hormozgan province said 70 people were taken to hospitals in Bandar Abbas.",
]
BODY = "\n".join(PARAGRAPHS)


def read_all(*paths: str | Path, **options: object) -> list[Article | InputError]:
    return list(read_articles([str(p) for p in paths], **options))  # type: ignore[arg-type]


def only_article(results: list[Article | InputError]) -> Article:
    assert len(results) == 1 and isinstance(results[0], Article), results
    return results[0]


def html_page(title: str = "Quake kills ten on Qeshm island", date: str = "2005-11-27") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | Gulf Daily</title>
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Gulf Daily">
<meta property="article:published_time" content="{date}T09:11:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>{paragraphs}<p>Read more</p></article>
<aside><h3>Most read</h3><ul><li><a href="/x">Celebrity weds</a></li></ul></aside>
<footer>© 2005 Gulf Daily. All rights reserved.</footer></body></html>"""


# --- plain text -----------------------------------------------------------------------------


def test_text_file_with_manifest_takes_source_url_and_date(tmp_path: Path) -> None:
    article = only_article(read_all(SEED_PRESS_TV, metadata=SAMPLE / "metadata.jsonl"))
    assert article.source == "Press TV"
    assert str(article.published_at) == "2017-01-26"
    assert article.url and article.url.startswith("http://presstv.ir/")
    assert article.language == "en"
    assert article.truncated


def test_text_file_headline_line_becomes_title(tmp_path: Path) -> None:
    path = tmp_path / "quake.txt"
    path.write_text("Quake kills ten on Qeshm island\n" + BODY, encoding="utf-8")
    article = only_article(read_all(path))
    assert article.title == "Quake kills ten on Qeshm island"
    assert article.text == BODY


def test_folder_is_read_recursively_and_manifest_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text(PARAGRAPHS[1], encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("editor backup", encoding="utf-8")
    manifest = tmp_path / "meta.jsonl"
    manifest.write_text(json.dumps({"file": "b.txt", "source": "IRNA"}) + "\n", encoding="utf-8")
    results = read_all(tmp_path, metadata=manifest)
    assert all(isinstance(r, Article) for r in results)
    assert sorted(r.source or "" for r in results if isinstance(r, Article)) == ["", "IRNA"]


def test_legacy_encoding_is_detected_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text_fr = "Le président de la République a annoncé mercredi à Paris une réforme très attendue des retraites."
    path.write_bytes(text_fr.encode("cp1252"))
    article = only_article(read_all(path))
    assert article.text == text_fr
    assert article.language == "fr"


def test_utf8_text_cut_inside_a_character_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt"
    path.write_bytes(("Iran's envoy met Syria's president in Damascus " + "é").encode("utf-8")[:-1])
    article = only_article(read_all(path))
    assert article.text == "Iran's envoy met Syria's president in Damascus"
    assert article.truncated


# --- JSONL and CSV --------------------------------------------------------------------------


def test_jsonl_in_the_data_format_keeps_ids_and_extra_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    record = {"id": "ev-1", "title": "Quake", "text": BODY, "published_at": None, "source": "irna.ir",
              "url": "http://irna.ir/1", "language": "en", "event": "20a", "topic": "20"}  # fmt: skip
    path.write_text(json.dumps(record) + "\n\n", encoding="utf-8")
    article = only_article(read_all(path))
    assert article.id == "ev-1"
    assert article.meta == {"event": "20a", "topic": "20"}
    assert article.published_at is None


def test_jsonl_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"text": BODY, "source": "x"}) + "\n"))
    assert only_article(read_all("-")).source == "x"


def test_csv_with_body_column_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        f'title;Body;published_at;source\n"Quake";"{BODY}";2005-11-27T09:11:00+03:30;IRNA\n', encoding="utf-8"
    )
    article = only_article(read_all(path))
    assert article.text == BODY
    assert article.published_at is not None and article.published_at.isoformat() == "2005-11-27T09:11:00+03:30"


# --- HTML, feeds, WARC ----------------------------------------------------------------------


def test_saved_html_page_gives_main_text_title_date_and_site(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(html_page(), encoding="utf-8")
    article = only_article(read_all(path))
    assert article.title == "Quake kills ten on Qeshm island"
    assert article.source == "Gulf Daily"
    assert str(article.published_at)[:10] == "2005-11-27"
    assert article.text == BODY  # navigation, "Read more", sidebar and footer all gone
    assert ("read-more", "Read more") in article.removed


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Gulf Daily</title><link>http://gulf.example/</link>
<item><title>Quake kills ten</title><link>http://gulf.example/quake?utm_source=rss</link>
<pubDate>Sun, 27 Nov 2005 09:11:00 GMT</pubDate>
<description>&lt;p&gt;{}&lt;/p&gt;&lt;p&gt;{}&lt;/p&gt;</description></item>
<item><title>Empty item</title><link>http://gulf.example/empty</link><description></description></item>
</channel></rss>""".format(*PARAGRAPHS)

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id><updated>2005-11-27T10:00:00Z</updated>
<entry><title>Quake on Qeshm</title><id>urn:wire:1</id><link href="http://wire.example/1"/>
<updated>2005-11-27T10:00:00Z</updated><content type="html">&lt;p&gt;{BODY}&lt;/p&gt;</content></entry></feed>"""


def test_rss_feed_entries_become_articles_and_bad_entries_are_named(tmp_path: Path) -> None:
    path = tmp_path / "feed.rss"
    path.write_text(RSS, encoding="utf-8")
    results = read_all(path)
    article, problem = results
    assert isinstance(article, Article) and isinstance(problem, InputError)
    assert article.source == "Gulf Daily" and article.title == "Quake kills ten"
    assert article.published_at is not None and article.published_at.isoformat() == "2005-11-27T09:11:00+00:00"
    assert PARAGRAPHS[0] in article.text and PARAGRAPHS[1] in article.text
    assert problem.location.endswith("feed.rss#2") and problem.reason == "no article text"


def test_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "wire.atom"
    path.write_text(ATOM, encoding="utf-8")
    article = only_article(read_all(path))
    assert (article.source, article.url) == ("Wire", "http://wire.example/1")


@pytest.fixture
def feed_server() -> Iterator[str]:
    """An RSS feed served on 127.0.0.1, the way a real user would give a feed URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = RSS.encode("utf-8")
            self.send_response(200 if self.path == "/feed" else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body if self.path == "/feed" else b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_feed_url_is_fetched_and_read(feed_server: str) -> None:
    results = read_all(f"{feed_server}/feed")
    assert [type(r).__name__ for r in results] == ["Article", "InputError"]


def test_feed_url_that_fails_is_named(feed_server: str) -> None:
    (problem,) = read_all(f"{feed_server}/missing")
    assert isinstance(problem, InputError) and problem.location.endswith("/missing")


def write_warc(path: Path) -> None:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for number, content_type in enumerate(["text/html; charset=utf-8", "image/png", "text/html"]):
            payload = (
                html_page(title=f"Quake report {number}").encode("utf-8") if "html" in content_type else b"\x89PNG"
            )
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"http://gulf.example/{number}", "response", payload=io.BytesIO(payload), http_headers=headers
            )
            writer.write_record(record)


def test_warc_html_responses_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    results = read_all(path)
    assert [r.url for r in results if isinstance(r, Article)] == ["http://gulf.example/0", "http://gulf.example/2"]
    assert all(isinstance(r, Article) and r.text == BODY for r in results)


# --- bad input ------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol4;</title>
<item><title>x</title><description>&lol4;</description></item></channel></rss>"""


def bad_inputs(folder: Path) -> dict[str, str]:
    """Write each kind of bad input into `folder`; returns file name -> expected reason fragment."""
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 2)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "broken.jsonl").write_text(json.dumps({"text": PARAGRAPHS[0]}) + "\n{not json\n", encoding="utf-8")
    (folder / "notext.csv").write_text("title,source\nQuake,IRNA\n", encoding="utf-8")
    yearless = [json.dumps({"text": BODY, "published_at": day}) + "\n" for day in ("26 Jan", "29 Feb")]
    (folder / "yearless.jsonl").write_text("".join(yearless), "utf-8")
    (folder / "bomb.xml").write_text(BILLION_LAUGHS, encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 fake")
    (folder / "huge.txt").write_text("word " * 300, encoding="utf-8")
    return {
        "binary.txt": "binary file",
        "empty.txt": "empty file",
        "broken.jsonl:2": "malformed JSON",
        "notext.csv": "no text column",
        "yearless.jsonl:1": "unreadable date '26 Jan': no year",  # not given this year's, as it was
        "yearless.jsonl:2": "unreadable date '29 Feb': no year",  # a leap day too
        "bomb.xml": "refused hostile XML",
        "notes.pdf": "unknown file type",
        "huge.txt": "exceeds the 1,000-byte limit",
    }


def test_every_bad_input_is_named_and_good_ones_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    monkeypatch.setattr(text, "MAX_FILE_BYTES", 1000)
    folder = tmp_path / "inputs"
    folder.mkdir()
    expected = bad_inputs(folder)
    (folder / "good.txt").write_text(BODY, encoding="utf-8")
    (folder / "good-too.txt").write_text(PARAGRAPHS[2], encoding="utf-8")
    report = storyweave.ingest([str(folder), str(folder / "missing.txt")], store=store)
    assert len(report.added) == 3  # two text files and the good JSONL line
    reasons = {Path(e.location).name: e.reason for e in report.rejected}
    for name, fragment in expected.items():
        assert fragment in reasons.pop(name), name
    assert reasons == {"missing.txt": "no such file or folder"}
    assert store.count_articles() == 3


@pytest.mark.parametrize("parallel", [False, True])
def test_an_ingest_reports_what_it_has_stored_after_each_batch(
    parallel: bool, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    monkeypatch.setattr("storyweave.pipeline.BATCH_SIZE", 40)
    sample = SAMPLE / "articles" / "ecbplus-sample.jsonl"
    seen: list[tuple[int, int]] = []

    class Stored(Progress):
        def batch_stored(self, report: IngestReport) -> None:
            seen.append((len(report.added), store.count_articles()))

    storyweave.ingest([str(sample)], store=store, parallel=parallel, progress=Stored())
    assert seen == [(40, 40), (80, 80), (97, 97)]  # each time, what the store holds


def test_unknown_format_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown format 'pdf'"):
        read_all(SEED_PRESS_TV, format="pdf")


def test_malformed_manifest_names_its_line(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"file": "a.txt"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"m.jsonl:2: malformed JSON"):
        read_all(SEED_PRESS_TV, metadata=manifest)


def test_malformed_rss_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.rss"
    path.write_text("<rss><channel><title>x</title>\n<item><title>unclosed", encoding="utf-8")
    (problem,) = read_all(path)
    assert isinstance(problem, InputError) and "bad.rss" in problem.location


def test_gzipped_junk_named_warc_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(gzip.compress(b"this is not a warc file at all\n" * 10))
    (problem,) = read_all(path)
    assert isinstance(problem, InputError) and problem.location.endswith("junk.warc.gz")


def test_jsonl_in_a_legacy_encoding_is_streamed_and_decoded(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    text_fr = "Le président de la République a annoncé mercredi à Paris une réforme très attendue des retraites."
    lines = [json.dumps({"id": str(n), "text": f"{text_fr} ({n})"}, ensure_ascii=False) for n in range(3)]
    path.write_bytes("\n".join(lines).encode("cp1252"))
    results = read_all(path)
    assert [a.text for a in results if isinstance(a, Article)] == [f"{text_fr} ({n})" for n in range(3)]


def test_input_errors_survive_pickling() -> None:
    error = pickle.loads(pickle.dumps(InputError("feed.xml:3", "not well-formed")))
    assert (error.location, error.reason) == ("feed.xml:3", "not well-formed")
    assert str(error) == "feed.xml:3: not well-formed"


def _failing_source(failure: Callable[[], None]) -> Source:
    def source(_: object) -> Iterator[Article]:
        yield Article(id="a", text="The council approved the new budget on Monday after a long debate.")
        failure()

    return source


def _raise() -> None:
    raise RuntimeError("disk vanished")


class _TwoPartError(Exception):
    """Rebuilt from its message alone, as unpickling does, it lacks an argument."""

    def __init__(self, what: str, where: str) -> None:
        super().__init__(f"{what} at {where}")


def _raise_two_part() -> None:
    raise _TwoPartError("disk vanished", "/mnt/news")


@pytest.mark.parametrize(
    ("failure", "error", "message"),
    [
        (_raise, RuntimeError, "disk vanished"),
        (_raise_two_part, RuntimeError, r"(?s)the reader process failed:.*_TwoPartError: disk vanished at /mnt/news"),
        (lambda: os._exit(3), StoryweaveError, "exit code 3"),
    ],
)
def test_a_failing_reader_process_fails_the_ingest_and_stores_nothing(
    store: Store, failure: Callable[[], None], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as raised:
        store_stream(_failing_source(failure), store, IngestReport(), parallel=True)
    assert list(store.articles()) == []
    if failure is _raise:  # where in the reader it was raised, for whoever has to fix it
        assert "in _raise" in "".join(raised.value.__notes__)
