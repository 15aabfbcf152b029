"""The consolidated story view on the seeds (every point the issue names), on ECB+ stories, and
its parts (date resolution, entity grouping, conflicts) on small cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import storyweave
from conftest import SAMPLE, SEED_PRESS_TV, SEED_TEHRAN_TIMES, SHARED_DATA
from storyweave.consolidate import view
from storyweave.consolidate.dates import resolve
from storyweave.consolidate.entities import Mention, canonical_entities
from storyweave.consolidate.facts import Fact, Sentence, conflicts
from storyweave.consolidate.nlp import parse, sentence_entities
from storyweave.consolidate.quantities import disagree, quantities
from storyweave.consolidate.render import render
from storyweave.consolidate.view import build_view
from storyweave.ingest.records import article_from_record
from storyweave.pipeline import recluster, story_view, story_view_json
from storyweave.store import Store
from storyweave.types import Article, Story


@pytest.fixture(scope="module")
def seeds_view(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = storyweave.open_store(tmp_path_factory.mktemp("view") / "s.db")
    storyweave.ingest([str(SEED_PRESS_TV), str(SEED_TEHRAN_TIMES)], store=store, metadata=SAMPLE / "metadata.jsonl")
    (story,) = store.stories()
    return story_view(store, story.id).to_dict()


def entity_with(view: dict[str, Any], form: str) -> dict[str, Any]:
    return next(e for e in view["entities"] if form in e["variants"])


def facts(view: dict[str, Any], status: str) -> list[dict[str, Any]]:
    return [f for f in view["facts"] if f["status"] == status]


def test_spelling_variants_are_one_entity_each(seeds_view: dict[str, Any]) -> None:
    for variants in (["Hadiyeh Khalaf Abbas", "Hadiya Khalaf Abbas"], ["Bashar al-Assad", "Bashar Assad", "Assad"],
                     ["Hossein Amir-Abdollahian", "Amir-Abdollahian", "Amir Abdollahian"]):  # fmt: skip
        entity = entity_with(seeds_view, variants[0])
        assert set(variants) <= set(entity["variants"]) and entity["kind"] == "person"
    assert entity_with(seeds_view, "Bashar Assad")["name"] == "Bashar al-Assad"
    assert "Syrian Foreign Minister" in entity_with(seeds_view, "Walid al-Muallem")["roles"]
    assert entity_with(seeds_view, "Hadiya Khalaf Abbas")["sources"] == {
        "Press TV": ["Hadiyeh Khalaf Abbas"], "Tehran Times": ["Hadiya Khalaf Abbas"]}  # fmt: skip


def test_facts_both_sources_confirm(seeds_view: dict[str, Any]) -> None:
    corroborated = facts(seeds_view, "corroborated")
    assert len(corroborated) >= 5
    joined = [" ".join(s["text"] for s in f["sentences"]) for f in corroborated]
    for words in (["meeting", "Damascus"], ["December 30, 2016"], ["al-Muallem"], ["trilateral"], ["Kazakhstan"],
                  ["terrorism", "threat", "region"]):  # fmt: skip
        assert any(all(w in text for w in words) for text in joined), words
    for fact in corroborated:
        assert {s["source"] for s in fact["sentences"]} == {"Press TV", "Tehran Times"}


def test_facts_only_one_source_reports(seeds_view: dict[str, Any]) -> None:
    unique = {f["text"]: f["sources"] for f in facts(seeds_view, "unique")}
    expectations = {"Aleppo": ["Tehran Times"], "told reporters": ["Tehran Times"],
                    "Earlier attempts by the US": ["Press TV"], "military advisory": ["Press TV"]}  # fmt: skip
    for words, sources in expectations.items():
        assert [s for text, s in unique.items() if words in text] == [sources], words


def test_timeline_has_absolute_dates_for_both_sources(seeds_view: dict[str, Any]) -> None:
    by_date: dict[str, set[str]] = {}
    for entry in seeds_view["timeline"]:
        by_date.setdefault(entry["date"], set()).update(entry["sources"])
    assert by_date["2017-01-26"] >= {"Press TV", "Tehran Times"}  # "on Thursday" in both
    assert by_date["2017-01-25"] == {"Press TV", "Tehran Times"}  # "on Wednesday", "earlier on Wednesday"
    assert "2016-12-30" in by_date
    tehran_times = next(s for s in seeds_view["sources"] if s["source"] == "Tehran Times")
    assert tehran_times["published_at"] == "2017-01-26" and tehran_times["published_inferred"]
    press_tv = next(s for s in seeds_view["sources"] if s["source"] == "Press TV")
    assert press_tv["first"] and press_tv["published_inferred"] is None


def test_event_records(seeds_view: dict[str, Any]) -> None:
    records = {(e["actor"], e["action"], e["target"]): e for e in seeds_view["events"]}
    meeting = records[("Hossein Amir-Abdollahian", "meet", "Bashar al-Assad")]
    assert (meeting["place"], meeting["date"]) == ("Damascus", "2017-01-26")
    assert records[("Hossein Amir-Abdollahian", "meet", "Walid al-Muallem")]["date"] == "2017-01-26"
    speaker = records[("Hossein Amir-Abdollahian", "meet", "Hadiyeh Khalaf Abbas")]
    assert speaker["date"] == "2017-01-25" and set(speaker["sources"]) == {"Press TV", "Tehran Times"}
    assert seeds_view["title"] == "Hossein Amir-Abdollahian meets Bashar al-Assad in Damascus"


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("Assad and Amir-Abdollahian held talks on Thursday, state media said.", ("Assad", "meet", "Amir-Abdollahian")),
        ("Putin and Erdogan signed the deal in Sochi on Monday, officials said.", ("Putin", "sign", "Erdogan")),
        ("Putin and Erdogan condemned the attack on Monday, officials said.", ("Putin", "condemn", None)),
        # A common noun's modifier is not the target, nor is a medium.
        ("Obama nominated a rural Alabama doctor as surgeon general on Monday.", ("Obama", "nominate", None)),
        ("Microsoft announced on Twitter that the patch was ready, officials said.", ("Microsoft", "announce", None)),
    ],
)
def test_an_event_target_is_what_the_action_is_done_to(text: str, event: tuple[str, str, str | None]) -> None:
    rows = [{"id": "a", "text": text, "source": "A", "published_at": "2017-01-26"},
            {"id": "b", "text": "The two leaders spent three hours together.", "source": "B"}]  # fmt: skip
    view = build_view(Story(1, "t", ("a", "b"), ("A", "B")), articles_from(rows)).to_dict()
    assert [(e["actor"], e["action"], e["target"]) for e in view["events"]] == [event]


def test_summary_cites_and_nothing_carries_debris(seeds_view: dict[str, Any]) -> None:
    assert seeds_view["summary"] and all(s["sources"] for s in seeds_view["summary"])
    assert seeds_view["conflicts"] == []  # spelling variants and overlapping date ranges are no conflict
    raw = json.dumps(seeds_view).lower()
    assert not any(debris in raw for debris in ("read more", "creative commons", "mh/pa"))
    assert seeds_view["schema_version"] == 1


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_format_shows_title_facts_and_timeline(seeds_view: dict[str, Any], fmt: str) -> None:
    rendered = render(seeds_view, fmt)
    assert "Amir-Abdollahian" in rendered and "2017-01-25" in rendered and "Aleppo" in rendered
    if fmt == "html":
        assert rendered.startswith("<!DOCTYPE html>") and "&quot;We believe" in rendered


def test_a_view_without_an_event_to_title_it_takes_the_storys_headline(tmp_path: Path) -> None:
    text = "A strong earthquake shook southern Iran on Sunday and was felt in Dubai, where {} offices were evacuated."
    rows = [{"id": "a", "title": "27 NOVEMBER, 2005", "text": text.format("many")},
            {"id": "b", "title": "Iranian earthquake tremor hits Dubai", "text": text.format("several")}]  # fmt: skip
    (tmp_path / "quake.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    store = storyweave.open_store(tmp_path / "s.db")
    storyweave.ingest([str(tmp_path / "quake.jsonl")], store=store)
    (story,) = store.stories()
    assert story_view(store, story.id).title == story.title == "Iranian earthquake tremor hits Dubai"


def test_relative_dates_resolve_against_publication() -> None:
    monday = dt.date(2017, 1, 2)
    assert resolve("last Monday", monday).start == dt.date(2016, 12, 26)
    assert resolve("yesterday", monday).start == dt.date(2017, 1, 1)
    assert resolve("December 30", monday).start == dt.date(2016, 12, 30)  # no year: the one just past
    assert resolve("next Friday", monday).start == dt.date(2017, 1, 6)
    assert resolve("last week", monday).start == dt.date(2016, 12, 26)
    assert resolve("Thursday", None) is None and resolve("almost a month", monday) is None


def test_entities_of_different_kinds_or_people_stay_apart() -> None:
    names = [("Mahmoud Abbas", "person"), ("Hadiya Khalaf Abbas", "person"), ("Jordan", "place"),
             ("Michael Jordan", "person"), ("Syrian", "group"), ("intra-Syrian", "group")]  # fmt: skip
    mentions = [Mention(text, kind, "S", "a", 0) for text, kind in names]
    entities, _ = canonical_entities(mentions)
    assert sorted(e.name for e in entities) == sorted(m.text for m in mentions)


def test_a_full_name_joins_a_longer_one_only_if_it_holds_its_whole_words() -> None:
    names = [("Abu Bakr al-Baghdadi", "person"), ("Abu Bakr", "person"), ("John Smithson", "person"),
             ("John Smith", "person"), ("Joann Leeds", "person"), ("Ann Lee", "person")]  # fmt: skip
    entities, _ = canonical_entities([Mention(text, kind, "S", "a", 0) for text, kind in names])
    assert sorted((e.name, e.mentions) for e in entities) == [
        ("Abu Bakr al-Baghdadi", 2),
        ("Ann Lee", 1),
        ("Joann Leeds", 1),
        ("John Smith", 1),
        ("John Smithson", 1),
    ]


def test_a_line_break_ends_a_sentence_unless_it_wraps_one() -> None:
    dateline, standfirst, wrapped = parse(
        [
            "November 28, 2005\nTen people were killed when the quake struck the island, officials said.",
            "Up to 70% of communications to the Middle East have been disrupted after cables were damaged\n"
            "Millions of web users across the Middle East are struggling to get online.",
            "The council met on Monday and agreed after a long and heated debate that the new budget for the\n"
            "city would be passed next week.",
        ]
    )
    assert [s.text.strip() for s in dateline.sents] == [
        "November 28, 2005",
        "Ten people were killed when the quake struck the island, officials said.",
    ]
    assert len(list(standfirst.sents)) == 2 and len(list(wrapped.sents)) == 1


def test_a_large_story_parsed_in_several_processes_parses_as_in_one() -> None:
    texts = [
        f"WORLD NEWS\nOn Monday, President Anna Kowalska met {n} delegates in Warsaw, officials said.\nThey left."
        for n in range(70)
    ]

    def analysis(docs: list[Any]) -> list[list[tuple[str, bool, str, str, str]]]:
        return [[(t.text, bool(t.is_sent_start), t.dep_, t.ent_type_, t.lemma_) for t in doc] for doc in docs]

    assert analysis(parse(texts)) == analysis([parse([text])[0] for text in texts])


def test_each_sentence_gets_the_entities_within_it() -> None:
    (doc,) = parse(
        [
            "SYRIA NEWS\nBashar al-Assad met Hossein Amir-Abdollahian in Damascus on Thursday. Iran backs Syria."
            "\nThe 10 delegates left for Tehran on January 27, 2017, officials said."
        ]
    )
    found = sentence_entities(doc)
    assert [sent for sent, _ in found] == list(doc.sents)
    assert [entities for _, entities in found] == [tuple(sent.ents) for sent in doc.sents]
    assert sum(len(entities) for _, entities in found) >= 6


def test_honorifics_middle_initials_and_generic_heads_do_not_make_another_entity() -> None:
    names = [("Dr Sanjay Gupta", "person"), ("Sanjay Gupta", "person"), ("Dr. Gupta", "person"),
             ("Regina M. Benjamin", "person"), ("Regina Benjamin", "person"),
             ("Qeshm Island", "place"), ("Qeshm", "place")]  # fmt: skip
    entities, _ = canonical_entities([Mention(text, kind, "S", "a", 0) for text, kind in names])
    assert sorted((e.name, e.mentions) for e in entities) == [
        ("Dr Sanjay Gupta", 3),
        ("Qeshm Island", 2),
        ("Regina M. Benjamin", 2),
    ]


def articles_from(rows: list[dict[str, Any]]) -> list[Article]:
    return [article_from_record(row, row["id"]) for row in rows]


def test_a_title_case_headline_names_nobody_and_no_name_crosses_a_line() -> None:
    headed = (
        "Obama Nominates Regina Benjamin as Surgeon General\nTHE WHITE HOUSE\nOffice of the Press Secretary\n"
        "President Barack Obama on Monday nominated Regina Benjamin, an Alabama family doctor, as surgeon general."
    )
    plain = "President Barack Obama nominated Regina Benjamin as surgeon general on Monday, the White House said."
    rows = [{"id": "a", "text": headed, "source": "A", "published_at": "2009-07-13"},
            {"id": "b", "text": plain, "source": None, "published_at": "2009-07-13"}]  # fmt: skip
    view = build_view(Story(1, "t", ("a", "b"), ("A",)), articles_from(rows)).to_dict()
    assert "\n  - b: 2009-07-13\n" in render(view, "text")  # an unknown outlet is cited by the article's id
    assert sorted(e["name"] for e in view["entities"]) == ["Alabama", "Barack Obama", "Regina Benjamin", "WHITE HOUSE"]
    assert [(e["actor"], e["action"], e["target"]) for e in view["events"]] == [
        ("Barack Obama", "nominate", "Regina Benjamin")
    ]
    assert view["title"] == "Barack Obama nominates Regina Benjamin"


def test_numbers_that_disagree_are_a_conflict() -> None:
    base = "The Indian navy captured {n} pirates in the Gulf of Aden on Friday after a gun battle, officials said."
    rows = [{"id": "a", "text": base.format(n=23), "source": "A", "published_at": "2011-11-11"},
            {"id": "b", "text": base.format(n=26), "source": "B", "published_at": "2011-11-11"}]  # fmt: skip
    view = build_view(Story(1, "t", ("a", "b"), ("A", "B")), articles_from(rows)).to_dict()
    (conflict,) = view["conflicts"]
    assert conflict["kind"] == "number" and {v["value"] for v in conflict["values"]} == {"23 pirates", "26 pirates"}


def test_dates_and_persons_conflict_only_between_sentences_that_state_them() -> None:
    def sentence(report: str, lemmas: str = "", persons: frozenset[int] = frozenset(), day: int = 0) -> Sentence:
        dates = (resolve(f"January {day}, 2017", None),) if day else ()
        return Sentence(report, report.upper(), 0, f"{report}: {lemmas}", frozenset(lemmas.split()), persons,
                        frozenset(), persons, (), dates)  # type: ignore[arg-type]  # fmt: skip

    facts = [
        Fact(1, [sentence("a", day=26), sentence("b", day=25), sentence("c", "say")]),
        Fact(2, [sentence("a", "meet", frozenset({1})), sentence("b", "meet", frozenset({2})), sentence("c")]),
        Fact(3, [sentence("a", "say", frozenset({1})), sentence("b", "say", frozenset({2}))]),  # no event verb
    ]
    found = conflicts(facts, {1: "Bashar al-Assad", 2: "Walid al-Muallem"})
    assert [(c.fact_id, c.kind, [v[:2] for v in c.values]) for c in found] == [
        (1, "date", [("A", "2017-01-26"), ("B", "2017-01-25")]),
        (2, "name", [("A", "Bashar al-Assad"), ("B", "Walid al-Muallem")]),
    ]


@pytest.mark.parametrize("named_together", [False, True])
def test_places_conflict_unless_the_story_names_them_together(named_together: bool) -> None:
    claim = "Four armed men robbed a jewellery store in {} on Monday morning and fled on motorbikes, police said."
    rows = [{"id": "a", "text": claim.format("Paris"), "source": "A", "published_at": "2013-09-09"},
            {"id": "b", "text": claim.format("Marseille"), "source": "B", "published_at": "2013-09-09"}]  # fmt: skip
    if named_together:
        rows[1]["text"] += " Police in Marseille and Paris have seen a spate of such robberies this year."
    view = build_view(Story(1, "t", ("a", "b"), ("A", "B")), articles_from(rows)).to_dict()
    assert [c["kind"] for c in view["conflicts"]] == ([] if named_together else ["place"])


@pytest.mark.parametrize(
    ("first", "second", "disputed"),
    [
        ("The quake killed 10 people.", "The quake killed ten people.", []),
        ("The quake killed at least 10 people.", "The quake killed 12 people.", []),
        ("The quake killed about 50 people.", "The quake killed 55 people.", []),
        ("The quake killed 10 people and destroyed seven villages.", "It destroyed 12 villages.", ["village"]),
        ("Thieves stole jewels worth $2 million.", "Thieves stole jewels worth two million dollars.", []),
        ("Thieves stole jewels worth $2 million.", "Thieves stole jewels worth $2.6 million.", ["money:dollar"]),
        ("The quake killed 10 people.", "Rescuers searched 40 houses.", []),
        ("In all 65% of traffic to India was down.", "Calls to Singapore fell by 59%.", []),
        ("In all 65% of traffic to India was down.", "In all 80% of traffic to India was down.", ["percent:traffic"]),
        ("Thieves stole jewels worth 2 mn euros.", "Thieves stole jewels worth two million euros.", []),
    ],
)
def test_figures_disagree_only_on_what_they_both_count(first: str, second: str, disputed: list[str]) -> None:
    a, b = (quantities(doc.ents) for doc in parse([first, second]))
    assert disagree(a, b) == disputed


ECB = SHARED_DATA / "ecbplus-dev.jsonl"


@pytest.mark.skipif(not ECB.exists(), reason="the shared development data is not beside the project")
@pytest.mark.parametrize(
    ("event", "entity", "dated"),
    [("20a", "Qeshm", False), ("30a", "Mediterranean", False), ("12b", "Gulf of Aden", True)],
)
def test_ecbplus_stories_consolidate(event: str, entity: str, dated: bool) -> None:
    with Path(ECB).open(encoding="utf-8") as lines:
        rows = [r for r in map(json.loads, lines) if r["event"] == event][:6]
    for n, row in enumerate(rows):
        row["source"] = row["source"] or f"outlet{n}"
    articles = articles_from(rows)
    story = Story(1, "t", tuple(a.id for a in articles), tuple(a.source or "" for a in articles))
    view = build_view(story, articles).to_dict()
    assert facts(view, "corroborated"), "several reports of one event share facts"
    found = next(e for e in view["entities"] if any(entity in v for v in e["variants"]))
    assert len(found["sources"]) >= 2, "one entity across reports"
    assert view["summary"] and view["title"]
    # ECB texts name no dates and carry none: nothing to anchor "on Sunday" to, so no timeline.
    # The ECB+ reports of 12b carry datelines ("Updated: November 11, 2011 18: 50 IST"), which date them.
    assert bool(view["timeline"]) == dated
    assert all(s["published_at"] for s in view["sources"]) == dated
    headed = [s for s in view["sources"] if s["published_inferred"] == "dateline at the head of its text"]
    assert bool(headed) == dated
    assert all(s["published_at"].startswith("2011-11-1") for s in headed)


def test_alignment_scores_pairs_of_different_reports_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from storyweave.consolidate import facts

    def sentence(report: str, lemmas: str, entities: set[int], angle: float) -> facts.Sentence:
        embedding = np.array([np.cos(angle), np.sin(angle)], dtype=np.float32)
        return facts.Sentence(report, report, 0, lemmas, frozenset(lemmas.split()), frozenset(entities),
                              frozenset(), frozenset(), (), (), embedding)  # fmt: skip

    sentences = [
        sentence("a", "envoy meet president damascus", {1, 2}, 0.0),
        sentence("b", "envoy meet president damascus", {1, 2}, 0.0),  # the same claim, in another report
        sentence("a", "envoy meet president damascus", {1, 2}, 0.0),  # the same, in the same report: no pair
        sentence("c", "storm flood river", {3}, np.pi / 2),  # nothing in common with the others
        sentence("c", "envoy meet president", {1}, 0.3),  # part of the claim
    ]
    pairs = facts._close_pairs(sentences, threshold=0.3)
    assert [(i, j) for _, i, j in pairs] == [(1, 2), (0, 1), (2, 4), (1, 4), (0, 4)]
    assert pairs[0][0] == pytest.approx(1.0)  # cosine 1, all lemmas and entities shared
    # Rarity weights: "damascus" and entity 2 are in three sentences of five, the shared rest in four.
    rare, common = np.log(6 / 3), np.log(6 / 4)
    lemmas = 3 * common / (3 * common + rare)
    assert pairs[-1][0] == pytest.approx(0.45 * np.cos(0.3) + 0.35 * lemmas + 0.20 * common / (common + rare), 1e-6)
    monkeypatch.setattr(facts, "_BLOCK", 2)  # blocks of sentences give the same pairs
    blocked = facts._close_pairs(sentences, threshold=0.3)
    assert [p[1:] for p in blocked] == [p[1:] for p in pairs]
    assert [p[0] for p in blocked] == pytest.approx([p[0] for p in pairs])


def test_a_story_view_is_kept_and_built_again_only_when_its_story_changes(
    seeds_store: Store, seeds_view: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    monkeypatch.setattr(
        view, "build_view", lambda story, articles: built.append(story.id) or build_view(story, articles)
    )
    (story,) = seeds_store.stories()
    first = story_view_json(seeds_store, story.id)
    assert first == json.loads(json.dumps(seeds_view)) and built == [story.id]  # as built afresh
    assert story_view_json(seeds_store, story.id) == first and len(built) == 1  # kept: not built again
    republished = tmp_path / "republished.txt"  # a copy of one report joins the story
    republished.write_text(SEED_PRESS_TV.read_text(encoding="utf-8") + "\nRepublished by example.org.", "utf-8")
    storyweave.ingest([str(republished)], store=seeds_store)
    other = storyweave.open_store(tmp_path / "test.db")  # another process, writing: built, but not kept
    with other.writing():
        assert len(story_view_json(seeds_store, story.id)["sources"]) == 3 and len(built) == 2
    other.close()
    grown = story_view_json(seeds_store, story.id)
    assert story_view_json(seeds_store, story.id) == grown and len(built) == 3  # built once more, then kept
    recluster(seeds_store)  # story ids renumbered: the kept views go
    (story,) = seeds_store.stories()
    assert story_view_json(seeds_store, story.id) == grown and len(built) == 4
