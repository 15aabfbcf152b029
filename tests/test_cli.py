"""The command line, as a user runs it: the seeds, JSON output, errors and exit codes."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import SAMPLE, SEED_PRESS_TV, SEED_TEHRAN_TIMES, damage_all_but_the_first_page
from storyweave.cli import _IngestProgress, _StatusLine, main, print_json, print_listing
from storyweave.cluster import ClusterParams
from storyweave.errors import ConfigError, InputError
from storyweave.eval import harness
from storyweave.pipeline import IngestReport, Source
from storyweave.store.sqlite import MIGRATIONS


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def ingest_seeds(db: Path) -> tuple[int, str, str]:
    seeds = [str(SEED_PRESS_TV), str(SEED_TEHRAN_TIMES)]
    return run("ingest", *seeds, "--metadata", str(SAMPLE / "metadata.jsonl"), "--db", str(db))


def test_seeds_ingested_twice_list_as_two_clean_articles(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert ingest_seeds(db)[:2] == (0, "added 2, already present 0, rejected 0\n")
    assert ingest_seeds(db)[:2] == (0, "added 0, already present 2, rejected 0\n")
    code, out, _ = run("articles", "--db", str(db), "--json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 2
    for article in listed:
        assert "Read more" not in article["text"]
        assert "Creative Commons" not in article["text"] and "MH/PA" not in article["text"]
    press_tv = next(a for a in listed if a["source"] == "Press TV")
    assert press_tv["published_at"].startswith("2017-01-26")


def test_article_and_search_commands(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    ingest_seeds(db)
    code, out, _ = run("search", "Aleppo", "--db", str(db), "--json")
    (hit,) = json.loads(out)
    assert code == 0 and hit["source"] == "Tehran Times" and hit["score"] >= 0
    code, out, _ = run("article", hit["id"], "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["removed"][0]["rule"] == "licence"
    code, out, _ = run("article", hit["id"], "--db", str(db))
    assert code == 0 and "removed (licence): MH/PA All Content" in out


def test_rejections_are_one_line_each_with_exit_code_3(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text("The council approved the new budget on Monday after a long debate.")
    code, out, err = run(
        "ingest", str(tmp_path / "empty.txt"), str(tmp_path / "ok.txt"), "--db", str(tmp_path / "x.db"), "--json"
    )
    assert code == 3
    assert json.loads(out)["added"] == 1
    assert err.strip().splitlines() == [f"rejected: {tmp_path / 'empty.txt'}: empty file"]


def test_unreadable_store_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not sqlite " * 100)
    code, _, err = run("articles", "--db", str(bad))
    assert code == 1 and err.startswith("Error: ") and len(err.strip().splitlines()) == 1


def test_damaged_store_is_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    sample = [str(SAMPLE / "articles"), "--metadata", str(SAMPLE / "metadata.jsonl")]
    assert run("ingest", *sample, "--db", str(db))[0] == 0
    damage_all_but_the_first_page(db)
    for command in (["stories"], ["story", "1"], ["search", "Assad"]):
        code, _, err = run(*command, "--db", str(db))
        assert code == 1 and err.startswith(f"Error: {db}: the store cannot be read or written ("), command
        assert len(err.strip().splitlines()) == 1


def test_missing_article_is_exit_code_1(tmp_path: Path) -> None:
    assert run("article", "nope", "--db", str(tmp_path / "x.db"))[0] == 1


def test_db_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = CliRunner(env={"STORYWEAVE_DB": str(db)}).invoke(main, ["ingest", str(SAMPLE / "articles")])
    assert result.exit_code == 0 and db.exists()


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "storyweave", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "ingest" in done.stdout


def test_stories_story_compare_and_explain_on_the_seeds(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    ingest_seeds(db)
    code, out, _ = run("stories", "--db", str(db), "--json")
    (story,) = json.loads(out)
    assert code == 0 and len(story["articles"]) == 2
    assert story["sources"] == ["Press TV", "Tehran Times"] and story["first_published"] == "2017-01-26"
    assert run("stories", "--db", str(db))[1].startswith(f"{story['id']:>5}  2017-01-26    2 articles   2 sources  ")
    assert run("stories", "--db", str(db), "--limit", "1")[1] == run("stories", "--db", str(db))[1]
    assert run("stories", "--db", str(db), "--limit", "0")[0] == 2  # a usage error
    listed = run("stories", "--db", str(db))[1]
    for since, shown in [("2017-01-26", listed), ("2017-01-27", ""), ("100000 days ago", listed), ("today", "")]:
        assert run("stories", "--db", str(db), "--since", since)[1] == shown, since
    dated = run("articles", "--db", str(db), "--since", "100000 days ago")[1].splitlines()  # the undated one: not
    assert [line.split()[2:4] for line in dated] == [["Press", "TV"]]
    code, _, err = run("stories", "--db", str(db), "--since", "last Monday")
    assert code == 1 and "'today', 'yesterday' or e.g. '6 hours ago'" in err
    assert run("stories", "--db", str(db), "--since", "999999 days ago")[2].endswith("further back than any date\n")
    assert run("recluster", "--db", str(db))[1] == "1 story\n"
    code, out, _ = run("story", str(story["id"]), "--db", str(db), "--json")
    assert code == 0 and [a["id"] for a in json.loads(out)["articles"]] == story["articles"]
    code, out, _ = run("compare", *story["articles"], "--db", str(db))
    assert code == 0 and "same-event probability" in out and "amir-abdollahian" in out
    similarity = float(out.split("embedding similarity of the leads: ")[1].split()[0])
    assert 0.5 < similarity <= 1.0  # two leads about one meeting, in the default (static) embeddings
    code, out, _ = run("explain", story["articles"][1], "--db", str(db))
    assert code == 0 and f"joined story {story['id']}" in out
    assert run("story", "999", "--db", str(db))[0] == 1


def test_a_store_from_an_older_version_is_upgraded_once_and_the_user_told(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as raw:  # a store as version 6 of the schema left it
        raw.executescript("".join(MIGRATIONS[:6]) + "PRAGMA user_version = 6;")
    code, out, err = run("stories", "--db", str(db))
    assert (code, out) == (0, "") and err.startswith(f"Upgrading {db} from schema version 6 to {len(MIGRATIONS)}, once")
    assert run("stories", "--db", str(db)) == (0, "", "")


def test_compare_two_files_without_a_store(tmp_path: Path) -> None:
    code, out, _ = run("compare", str(SEED_PRESS_TV), str(SEED_TEHRAN_TIMES), "--db", str(tmp_path / "x.db"), "--json")
    evidence = json.loads(out)
    assert code == 0 and evidence["probability"] > 0.5 and "2016-12-30" in evidence["shared_dates"]
    assert list(tmp_path.iterdir()) == []  # and makes none


def test_compare_takes_the_files_publication_times_from_a_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Assad met Iran's envoy Amir-Abdollahian in Damascus.\n")
    (tmp_path / "b.txt").write_text("Iran's envoy Amir-Abdollahian held talks with Assad in Damascus.\n")
    manifest = tmp_path / "meta.jsonl"
    manifest.write_text(
        '{"file": "a.txt", "published_at": "2017-01-26"}\n{"file": "b.txt", "published_at": "2017-01-31"}\n'
    )
    files = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--db", str(tmp_path / "x.db"), "--json"]
    without = json.loads(run("compare", *files)[1])
    code, out, _ = run("compare", *files, "--metadata", str(manifest))
    evidence = json.loads(out)
    assert without["gap_days"] is None
    assert code == 0 and evidence["gap_days"] == 5.0
    assert evidence["probability"] < without["probability"]  # five days apart: less likely one event


@pytest.mark.parametrize("items", [[], [{"id": 1}], [{"id": 1, "sources": ["Press TV", "Tehran Times"]}, {"id": 2}]])
def test_a_listing_printed_item_by_item_is_the_json_of_the_whole_list(
    items: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    print_listing(iter(items), True, dict, str)
    streamed = capsys.readouterr().out
    print_json(items)
    assert streamed == capsys.readouterr().out


def test_commands_that_read_refuse_a_store_that_is_not_there(tmp_path: Path) -> None:
    typo = tmp_path / "nwes.db"
    for command in (
        ["stories"],
        ["story", "1"],
        ["articles"],
        ["article", "a"],
        ["search", "Assad"],
        ["explain", "a"],
        ["recluster"],
    ):
        code, _, err = run(*command, "--db", str(typo))
        assert code == 1 and err == f"Error: {typo}: no store there (`storyweave ingest FILES --db {typo}` makes one)\n"
    assert list(tmp_path.iterdir()) == []


def test_eval_json_has_the_documented_keys() -> None:
    code, out, _ = run("eval", str(SAMPLE / "articles" / "ecbplus-sample.jsonl"), "--json")
    scores = json.loads(out)
    assert code == 0
    assert {"bcubed", "pairwise", "ari", "nmi", "v_measure", "n_articles", "n_gold", "n_pred", "articles_per_s"} <= set(
        scores
    )
    assert set(scores["bcubed"]) == {"p", "r", "f1"} and scores["n_articles"] == 97 and scores["n_gold"] == 8
    assert scores["bcubed"]["f1"] > 0.7


def test_eval_errors_list_mixed_stories_and_split_events_of_the_file() -> None:
    sample = SAMPLE / "articles" / "ecbplus-sample.jsonl"
    event_of = {r["id"]: r["event"] for r in map(json.loads, sample.read_text().splitlines())}
    code, out, _ = run("eval", str(sample), "--errors", "2", "--json")
    errors = json.loads(out)["errors"]
    assert code == 0 and errors["n_mixed"] >= 1 and 1 <= len(errors["mixed"]) <= 2
    for mixed in errors["mixed"]:
        assert len(mixed["events"]) >= 2 and event_of[mixed["mixed_by"]] in mixed["events"]
    assert all(len(split["stories"]) >= 2 for split in errors["split"])
    code, out, _ = run("eval", str(sample), "--errors", "1")
    assert code == 0 and "stories mix gold events" in out and f"mixed when {errors['mixed'][0]['mixed_by']}" in out
    assert "errors" not in json.loads(run("eval", str(sample), "--json")[1])


def test_eval_keeps_its_store_for_explain_on_request(tmp_path: Path) -> None:
    sample, kept = str(SAMPLE / "articles" / "ecbplus-sample.jsonl"), tmp_path / "eval.db"
    code, out, _ = run("eval", sample, "--errors", "1", "--keep", str(kept), "--json")
    assert code == 0
    mixed_by = json.loads(out)["errors"]["mixed"][0]["mixed_by"]
    code, out, _ = run("explain", mixed_by, "--db", str(kept))
    assert code == 0 and f"{mixed_by} joined story" in out
    code, _, err = run("eval", sample, "--keep", str(kept))
    assert code == 1 and "already exists" in err


def test_eval_interrupted_keeps_no_half_clustered_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample, stream_whole = SAMPLE / "articles" / "ecbplus-sample.jsonl", harness.store_stream

    def stream_a_few_then_stop(source: Source, *args: Any, **kwargs: Any) -> None:
        stream_whole(lambda done: list(source(done))[:10], *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(harness, "store_stream", stream_a_few_then_stop)
    with pytest.raises(KeyboardInterrupt):
        harness.evaluate(sample, keep=tmp_path / "eval.db")
    assert list(tmp_path.iterdir()) == []
    nowhere = tmp_path / "no" / "x.db"
    code, _, err = run("eval", str(sample), "--keep", str(nowhere))
    assert code == 1 and err == f"Error: {nowhere}: cannot create the store there (No such file or directory)\n"


def test_eval_never_overwrites_a_file_made_while_it_ran(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample, kept = SAMPLE / "articles" / "ecbplus-sample.jsonl", tmp_path / "eval.db"
    stream_whole = harness.store_stream

    def stream_while_someone_writes_the_file(*args: Any, **kwargs: Any) -> Any:
        kept.write_text("another run's results")
        return stream_whole(*args, **kwargs)

    monkeypatch.setattr(harness, "store_stream", stream_while_someone_writes_the_file)
    with pytest.raises(ConfigError, match="appeared while eval ran"):
        harness.evaluate(sample, keep=kept)
    assert kept.read_text() == "another run's results" and list(tmp_path.iterdir()) == [kept]


def test_eval_refuses_a_file_without_labels(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": "The council approved the budget on Monday."}) + "\n")
    code, _, err = run("eval", str(path))
    assert code == 1 and "no 'event' label" in err


def test_train_refuses_an_out_path_in_a_missing_folder_before_fitting(tmp_path: Path) -> None:
    sample = str(SAMPLE / "articles" / "ecbplus-sample.jsonl")
    code, _, err = run("train", sample, "--out", str(tmp_path / "nowhere" / "p.json"))
    assert code == 1 and err.startswith("Error:") and "no folder" in err and "Traceback" not in err


def test_train_writes_parameters_that_ingest_and_eval_accept(tmp_path: Path) -> None:
    out_path = tmp_path / "params.json"
    sample = str(SAMPLE / "articles" / "ecbplus-sample.jsonl")
    code, out, _ = run("train", sample, "--group-field", "topic", "--folds", "2", "--out", str(out_path))
    assert code == 0 and "cross-validated B-cubed F1" in out
    params = json.loads(out_path.read_text())
    assert params["_provenance"]["articles"] == 97 and 0 < params["threshold"] < 1
    # The sample is undated, as ECB+ is: the publication-gap penalty stays the shipped prior.
    assert params["_provenance"]["gap_penalty"] == "prior" and "gap penalty kept" in out
    assert params["gap_penalty"] == ClusterParams.load().gap_penalty
    assert run("eval", sample, "--params", str(out_path))[0] == 0
    code, out, _ = run("ingest", sample, "--db", str(tmp_path / "x.db"), "--params", str(out_path))
    assert code == 0 and run("recluster", "--db", str(tmp_path / "x.db"), "--params", str(out_path))[0] == 0


def test_a_long_ingest_shows_a_status_line_that_the_summary_replaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("storyweave.cli._PROGRESS_EVERY_S", 0.0)
    terminal = io.StringIO()
    status = _StatusLine(terminal)
    progress = _IngestProgress(3, status)
    progress.batch_stored(IngestReport(added=["a"] * 500))
    assert terminal.getvalue() == ""  # in its first second: nothing drawn
    status.started -= 2
    progress.replayed(40, 97)  # no usable checkpoint: the store's stories are learned again first
    progress.input_read("first.jsonl")
    progress.batch_stored(IngestReport(added=["a"] * 1500, present=["b"] * 500, rejected=[InputError("x", "bad")]))
    lines = terminal.getvalue().split("\r\x1b[K")
    assert lines[1].startswith("taking up the stored stories: 40 of 97 clustered articles replayed (")
    assert lines[2].startswith("ingesting: 1 of 3 inputs read, 500 added, 0 already present (")
    assert re.fullmatch(
        r"ingesting: 1 of 3 inputs read, 1,500 added, 500 already present, 1 refused \([\d,]+ articles/s\)", lines[3]
    )
    status.wipe()
    assert terminal.getvalue().endswith("\r\x1b[K")  # the summary is printed on a clean line
    alone = _IngestProgress(1, _StatusLine(None))  # stderr not a terminal: nothing to draw on
    alone.batch_stored(IngestReport(added=["a"]))
    assert "inputs" not in alone.line()  # of a single input, none is read until the end
