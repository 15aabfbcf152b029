"""The clusterer on small hand-made streams, syndication, and the seeds as one story."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

import storyweave
from conftest import SAMPLE, SHARED_DATA
from storyweave.clean import words
from storyweave.cluster import ClusterParams, OnlineStoryClusterer, online
from storyweave.cluster.features import ENGLISH_STOP_WORDS, PackedFeatures, article_features, names
from storyweave.cluster.training import cluster_labels, fit
from storyweave.dedup import _DEFAULT_BANDS, SyndicationDetector, _bands, _permutations, shingle_hashes
from storyweave.errors import ConfigError
from storyweave.eval.metrics import bcubed
from storyweave.pipeline import explain, recluster
from storyweave.store import Store
from storyweave.types import Article, as_datetime

QUAKE_1 = (
    "A magnitude 5.9 earthquake struck Qeshm Island in southern Iran on Sunday, killing at least 10 people "
    "and injuring dozens, the governor of Hormozgan province said. Rescue teams from Bandar Abbas reached "
    "the villages of Tabl and Ramkan, where many mud-brick homes collapsed."
)
QUAKE_2 = (
    "At least ten people died when a strong quake hit Qeshm, an island in the Gulf off Iran's southern coast, "
    "on Sunday. Officials in Hormozgan province said houses in Tabl and Ramkan were flattened and that "
    "relief workers from Bandar Abbas were searching the rubble."
)
QUAKE_OTHER = (
    "A magnitude 6.1 earthquake shook Kerman province in south-eastern Iran on Tuesday, destroying homes in "
    "the town of Zarand and killing at least 40 people, provincial governor Mohammad Ali Karimi said. Rescue "
    "teams from Kerman city pulled survivors from the ruins of collapsed houses."
)
ECB = SHARED_DATA / "ecbplus-dev.jsonl"
MEETING_2017 = (
    "Syrian President Bashar al-Assad met Iran's envoy Hossein Amir-Abdollahian in Damascus on Thursday "
    "to discuss the ceasefire and the talks in Astana, Kazakhstan."
)


def article(article_id: str, text: str, day: dt.date | None = None, source: str = "Wire") -> Article:
    return Article(id=article_id, text=text, source=source, published_at=day)


def test_features_keep_a_title_apart_from_the_name_that_opens_the_body() -> None:
    features = article_features(
        Article(id="a", title="Quake Hits Iran", text="Hassan Rouhani visited Qeshm on 26 January 2017. Iran mourned.")
    )
    assert {"hassan rouhani", "rouhani", "quake hits iran", "qeshm"} <= set(features.names)
    assert not any("iran hassan" in name for name in features.names)
    assert "qeshm" in features.lead_names and features.dates == frozenset({"2017-01-26"})
    assert features.years == frozenset({2017})


def test_a_name_starts_at_a_word_boundary() -> None:
    found, _ = names("Ann Lee met 9AM, xBob, _Carl, caféDora, (Eve Ross) and -Fay at the UN.")
    assert set(found) == {"ann lee", "lee", "eve ross", "ross", "fay", "un"}


def test_a_possessive_names_whom_it_names() -> None:
    found, _ = names("Fans of the Colts' coach met Jamaal Charles' agent and Vincent 'The Chin' Gigante.")
    assert {"colts", "jamaal charles", "charles", "chin gigante"} <= set(found)
    assert not any("'" in name for name in found)


def test_stop_words_are_scikit_learns_and_commands_start_without_scientific_libraries() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SCIKIT_LEARNS

    assert ENGLISH_STOP_WORDS == SCIKIT_LEARNS
    # In a fresh interpreter. scikit-learn (for its stop words) took 0.9 s of every command's
    # start-up; scipy, through datasketch and the static embedder, 0.35 s of a `stories` or `--help`.
    code = "import sys, storyweave.cli; print(sorted({'sklearn', 'datasketch', 'scipy'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_features_cross_processes_packed_and_arrive_interned() -> None:
    articles = [article("a", QUAKE_1), article("b", QUAKE_2, dt.date(2017, 1, 26))]
    features = [article_features(a) for a in articles]
    arrived = pickle.loads(pickle.dumps(PackedFeatures.pack(features))).unpack()
    assert arrived == features
    assert all(sys.intern(key) is key for f in arrived for key in [*f.terms, *f.names])


def test_scores_do_not_depend_on_the_run() -> None:
    """Sums over shared terms must not follow the run's string-hash order."""
    script = (
        "from storyweave.cluster import OnlineStoryClusterer\n"
        "from storyweave.types import Article\n"
        f"a, b = Article(id='a', text={QUAKE_1 + QUAKE_OTHER!r}), Article(id='b', text={QUAKE_2 + QUAKE_OTHER!r})\n"
        "signals = OnlineStoryClusterer().compare(a, b).signals\n"
        "print(repr(signals['body_cos']), repr(signals['member_cos']))"
    )
    runs = {
        subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                       capture_output=True, text=True, check=True).stdout
        for seed in range(1, 7)
    }  # fmt: skip
    assert len(runs) == 1


def test_same_event_in_other_words_joins_the_story() -> None:
    clusterer = OnlineStoryClusterer()
    first = clusterer.learn_one(article("q1", QUAKE_1, dt.date(2005, 11, 27)))
    second = clusterer.learn_one(article("q2", QUAKE_2, dt.date(2005, 11, 27), source="Gulf Daily"))
    assert first.opened and not second.opened
    assert second.story_id == first.story_id
    assert second.probability >= clusterer.params.threshold


def test_cohesion_gap_weighs_an_article_against_how_alike_the_members_are() -> None:
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("q1", QUAKE_1))
    gap = clusterer.predict_one(article("q2", QUAKE_2)).candidates[0].signals["cohesion_gap"]
    assert gap == 0.0  # a story of one article has no members' joins to compare with
    clusterer.learn_one(article("q2", QUAKE_2))
    closer = clusterer.predict_one(article("q3", QUAKE_1 + " Aftershocks followed.")).candidates[0]
    looser = clusterer.predict_one(article("k1", QUAKE_OTHER)).candidates[0]
    assert closer.signals["cohesion_gap"] > 0 > looser.signals["cohesion_gap"]


def test_lead_numbers_shared_with_a_story_count_for_it() -> None:
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("q1", QUAKE_1))
    same = clusterer.predict_one(article("q3", "A 5.9 quake on Qeshm killed 10 people in 2005.")).candidates[0]
    other = clusterer.predict_one(article("k1", QUAKE_OTHER)).candidates[0]  # 6.1 and 40
    assert same.signals["lead_number_overlap"] == 1.0  # 2005 is a year: year_match weighs years
    assert other.signals["lead_number_overlap"] == 0.0


def test_same_kind_of_event_elsewhere_opens_a_new_story() -> None:
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("q1", QUAKE_1, dt.date(2005, 11, 27)))
    other = clusterer.learn_one(article("k1", QUAKE_OTHER, dt.date(2005, 11, 29)))
    assert other.opened


def test_same_actors_on_another_date_open_a_new_story() -> None:
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("m1", MEETING_2017, dt.date(2017, 1, 26)))
    later = MEETING_2017.replace("Hossein Amir-Abdollahian", "Hossein Amir-Abdollahian, now foreign minister,")
    again = clusterer.learn_one(article("m2", later, dt.date(2023, 1, 14)))
    assert again.opened  # six years later: outside the story's time window


def test_closed_stories_leave_memory_and_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(online, "_EVICT_EVERY", 3)
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("q1", QUAKE_1, dt.date(2005, 11, 27)))
    quake = clusterer.learn_one(article("q2", QUAKE_1, dt.date(2017, 1, 20)))  # the same words, years later
    meeting = clusterer.learn_one(article("m1", MEETING_2017, dt.date(2017, 1, 26)))  # the third: a sweep
    live = {quake.story_id, meeting.story_id}
    assert set(clusterer.stories) == live and set(clusterer.assignments) == {"q2", "m1"}
    assert all(ids and set(ids) <= live for ids in clusterer._index.values())  # emptied lists leave too


def test_names_seen_once_in_a_closed_story_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(online, "_EVICT_EVERY", 2)
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("k1", QUAKE_OTHER, dt.date(2005, 2, 22)))
    assert clusterer.name_df.counts["zarand"] == 1
    clusterer.learn_one(article("m1", MEETING_2017, dt.date(2017, 1, 26)))  # the second: a sweep
    assert "zarand" not in clusterer.name_df.counts and "kerman" not in clusterer.df.counts
    assert clusterer.name_df.counts["amir-abdollahian"] == 1  # its story is open
    assert clusterer.name_df.n_docs == 2


def test_busy_stories_of_a_topic_do_not_crowd_out_the_story_an_article_shares_its_keys_with() -> None:
    # Two candidates and two busy quake stories stand for ten candidates and the dozens of busy
    # stories of a topic on a dense stream.
    clusterer = OnlineStoryClusterer(dataclasses.replace(ClusterParams.load(), max_candidates=2))
    day = dt.date(2022, 1, 30)
    qeshm = ("Quake on Qeshm: Hormozgan rescue teams dig in Tabl.", "Rescue teams dig in Tabl after the quake.")
    kerman = ("Quake in Kerman: Zarand rescue teams dig in the ruins.", "Rescue teams dig in Zarand after the quake.")
    for i in range(30):  # interleaved, so each article of one comes after one of the other
        clusterer.learn_one(article(f"q{i}", qeshm[i % 2], day))
        clusterer.learn_one(article(f"k{i}", kerman[i % 2], day))
    khoy = clusterer.learn_one(article("h1", "Quake in Khoy: Urmia rescue teams dig in Qotur.", day))
    again = clusterer.learn_one(article("h2", "Rescue teams from Urmia dig in Qotur after the Khoy quake.", day))
    assert khoy.opened and again.story_id == khoy.story_id
    assert all(len(ids) == len(set(ids)) for ids in clusterer._index.values())


def test_predict_one_changes_nothing() -> None:
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("q1", QUAKE_1))
    clusterer.predict_one(article("q2", QUAKE_2))
    assert list(clusterer.assignments) == ["q1"] and len(clusterer.stories) == 1


def test_evidence_names_what_the_articles_share() -> None:
    clusterer = OnlineStoryClusterer()
    evidence = clusterer.compare(article("q1", QUAKE_1), article("q2", QUAKE_2))
    assert {"qeshm", "hormozgan", "bandar abbas", "tabl", "ramkan"} <= set(evidence.shared_names)
    assert evidence.probability > 0.5
    assert "qeshm" in evidence.shared_terms


def test_invalid_parameters_are_refused_up_front() -> None:
    shipped = ClusterParams.load()
    with pytest.raises(ConfigError, match="threshold"):
        ClusterParams(weights=shipped.weights, bias=0.0, threshold=1.5)
    with pytest.raises(ConfigError, match="signals"):
        ClusterParams(weights={"body_cos": 1.0}, bias=0.0)


def test_params_round_trip_through_json(tmp_path: Path) -> None:
    shipped = ClusterParams.load()
    shipped.save(tmp_path / "p.json", {"file": "x"})
    assert ClusterParams.load(tmp_path / "p.json") == shipped
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ConfigError, match="not readable clusterer parameters"):
        ClusterParams.load(tmp_path / "bad.json")


def test_params_that_cannot_be_written_leave_the_previous_file_whole(tmp_path: Path) -> None:
    shipped = ClusterParams.load()
    shipped.save(tmp_path / "p.json")
    before = (tmp_path / "p.json").read_text()
    (tmp_path / ".p.json.partial").mkdir()  # the scratch file cannot be made
    with pytest.raises(ConfigError, match="cannot write the parameters"):
        dataclasses.replace(shipped, threshold=0.5).save(tmp_path / "p.json")
    assert (tmp_path / "p.json").read_text() == before
    with pytest.raises(ConfigError, match="cannot write the parameters"):
        shipped.save(tmp_path / "nowhere" / "p.json")


# Recurring events: the same kind of event in the same place, five days apart, reported in the
# same words. Only the publication dates tell the two occurrences apart.
RECURRING = [("Qeshm Island", "earthquake"), ("Lyon", "factory fire"), ("Rotterdam", "dock strike"),
             ("Valparaiso", "forest fire"), ("Kerala", "flood"), ("Manila", "typhoon")]  # fmt: skip
RECURRING_REPORTS = [
    "A {kind} hit {place} on {day}, officials said, and {n} people were hurt.",
    "{n} people were hurt when a {kind} struck {place} on {day}, according to local officials.",
    "Officials in {place} counted {n} injured after the {kind} of {day}.",
    "The {kind} in {place} on {day} left {n} people injured, the authorities said.",
]


def recurring_events(dated: bool) -> tuple[list[Article], list[str]]:
    start = dt.datetime(2024, 3, 4, 8, tzinfo=dt.UTC)
    stream = []
    for occurrence in range(2):
        for s, (place, kind) in enumerate(RECURRING):
            when = start + dt.timedelta(days=5 * occurrence, hours=s)
            for j, report in enumerate(RECURRING_REPORTS):
                text = report.format(kind=kind, place=place, n=12 + 7 * occurrence, day=f"{when:%A}")
                published = when + dt.timedelta(minutes=20 * j) if dated else None
                report_id = f"{s}-{occurrence}-{j}"
                stream.append((Article(id=report_id, text=text, published_at=published), f"{s}-{occurrence}"))
    return [a for a, _ in stream], [label for _, label in stream]


def test_train_fits_the_gap_penalty_on_dated_data_and_keeps_the_prior_on_undated() -> None:
    base = dataclasses.replace(ClusterParams.load(), gap_penalty=0.0)
    articles, labels = recurring_events(dated=True)
    dated = fit(articles, labels, base=base, folds=0)
    assert dated.gap_fitted and dated.params.gap_penalty > 0
    without_gap = dataclasses.replace(dated.params, gap_penalty=0.0)
    assert bcubed(labels, cluster_labels(articles, dated.params)).f1 == 1.0
    assert bcubed(labels, cluster_labels(articles, without_gap)).f1 < 0.9  # the occurrences merge

    undated = fit(*recurring_events(dated=False), base=base, folds=0)
    assert not undated.gap_fitted and undated.params.gap_penalty == base.gap_penalty
    one_day = [dataclasses.replace(a, published_at=articles[0].published_at) for a in articles]
    assert not fit(one_day, labels, base=base, folds=0).gap_fitted  # dated, but no gap to learn from


def test_syndicated_copy_is_marked_as_a_copy_of_the_first_report() -> None:
    detector = SyndicationDetector()
    wire = QUAKE_1 + " " + QUAKE_OTHER
    assert detector.add(article("orig", wire)) is None
    exact = detector.add(article("exact", wire.upper()))
    near = detector.add(article("near", "(Reuters) " + wire + " Editing by Jane Doe."))
    assert exact is not None and exact.exact and exact.original_id == "orig"
    assert near is not None and not near.exact and near.original_id == "orig" and near.similarity >= 0.8
    assert detector.add(article("different", QUAKE_2 + " " + MEETING_2017)) is None


def test_text_signature_is_datasketchs_minhash_of_the_shingles() -> None:
    detector = SyndicationDetector()
    tokens = words(QUAKE_1 + " " + QUAKE_OTHER)
    reference = MinHash(num_perm=detector.num_perm, hashfunc=int, scheme="affine32")
    reference.update_batch(set(shingle_hashes(tokens, detector.shingle).tolist()))
    signature = detector.signature(tokens).hashvalues
    assert signature is not None and np.array_equal(signature, reference.hashvalues)


@pytest.mark.parametrize("num_perm", [16, 64, 128])
def test_minhash_permutations_are_datasketchs(num_perm: int) -> None:
    a, b = _permutations(num_perm)
    reference = MinHash(num_perm=num_perm, scheme="affine32").permutations
    assert np.array_equal(a, reference[0]) and np.array_equal(b, reference[1])


def test_remembered_band_choices_are_datasketchs() -> None:
    from datasketch import MinHashLSH

    for (threshold, num_perm), bands in _DEFAULT_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == bands
    other = MinHashLSH(threshold=0.5, num_perm=32)  # not remembered: datasketch is asked
    assert _bands(0.5, 32) == (other.b, other.r)
    # With the default settings, finding copies needs no datasketch (nor the scipy it imports).
    code = (
        "import sys; from storyweave.dedup import SyndicationDetector; from storyweave.types import Article; "
        "d = SyndicationDetector(); [d.add(Article(id=str(i), text='word ' * 50)) for i in range(2)]; "
        "print(sorted({'datasketch', 'scipy'} & set(sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_syndication_candidates_are_datasketchs_and_survive_a_checkpoint() -> None:
    from datasketch import LeanMinHash, MinHashLSH

    detector, remembered = SyndicationDetector(capacity=70), 70
    sample = (SAMPLE / "articles" / "ecbplus-sample.jsonl").read_text().splitlines()
    long_texts = [t for line in sample if len((t := json.loads(line)["text"]).split()) > 100]
    first_reports = SyndicationDetector()  # the sample holds copies of its own; these are left out
    texts = [t for i, t in enumerate(long_texts) if first_reports.add(Article(id=str(i), text=t)) is None][:60]
    texts += [" ".join(t.split()[3:]) for t in [*texts[10:30], texts[0]]]  # the last comes after its original left
    reference = MinHashLSH(threshold=detector.threshold, num_perm=detector.num_perm)
    found = []
    for i, text in enumerate(texts):
        values = detector.signature(words(text)).hashvalues
        minhash = LeanMinHash(seed=1, hashvalues=values, scheme="affine32")
        expected = {k for k in reference.query(minhash) if int(k) >= i - remembered}
        assert detector._lsh.candidates(detector._lsh.keys(values).tolist()) == expected
        reference.insert(str(i), minhash)
        found.append(detector.add(Article(id=str(i), text=text)))
        if i == 50:  # a later ingest takes up where this one stopped
            restored = SyndicationDetector(capacity=remembered)
            restored.restore(detector.state())
            detector = restored
    assert [c.original_id if c else None for c in found] == [None] * 60 + [str(i) for i in range(10, 30)] + [None]


def test_syndicated_copy_joins_its_originals_story_in_the_store(store: Store, tmp_path: Path) -> None:
    wire = QUAKE_1 + "\n" + QUAKE_OTHER
    (tmp_path / "a.txt").write_text(wire)
    (tmp_path / "b.txt").write_text("(AP) " + wire + "\nCopyright 2005 The Associated Press.")
    storyweave.ingest([str(tmp_path)], store=store)
    (story,) = store.stories()
    assert len(story.article_ids) == 2 and len(story.copies) == 1


def test_seeds_form_one_story_with_both_sources(seeds_store: Store) -> None:
    (story,) = seeds_store.stories()
    assert set(story.sources) == {"Press TV", "Tehran Times"}
    assert story.first_published == dt.date(2017, 1, 26)
    assert not story.copies  # two reports in their own words, not copies


def test_sample_corpus_stories_keep_the_seeds_apart_from_other_events(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import SAMPLE

    storyweave.ingest([str(SAMPLE / "articles")], store=store, metadata=SAMPLE / "metadata.jsonl")
    stories = list(store.stories())
    seed_story = next(s for s in stories if "Press TV" in s.sources)
    assert set(seed_story.sources) == {"Press TV", "Tehran Times"} and len(seed_story.article_ids) == 2
    assert 8 <= len(stories) <= 30  # 9 gold events; a few singletons at most
    # Most recently updated first: dated stories by their last publication, then undated ones,
    # newest id first; --limit keeps the head of that order.
    dated = [s for s in stories if s.last_published]
    last = [as_datetime(s.last_published) for s in dated]
    assert dated and stories[: len(dated)] == dated and last == sorted(last, reverse=True)  # type: ignore[type-var]
    undated_ids = [s.id for s in stories[len(dated) :]]
    assert undated_ids == sorted(undated_ids, reverse=True)
    assert list(store.stories(limit=3)) == stories[:3]
    assert store.count_stories() == len(stories)
    monkeypatch.setattr("storyweave.store.sqlite._READ_BATCH", 3)  # built three at a time: the same listing
    assert list(store.stories()) == stories


def test_explain_gives_the_recorded_decision_and_what_the_articles_share(seeds_store: Store) -> None:
    (story,) = seeds_store.stories()
    second = story.article_ids[1]
    explanation = explain(seeds_store, second)
    assert not explanation.opened and explanation.scored and explanation.story_id == story.id
    (story_id, evidence), *_ = explanation.candidates
    assignment = seeds_store.assignment(second)
    assert assignment is not None and evidence.probability == assignment.probability
    assert story_id == story.id and "amir-abdollahian" in evidence.shared_names
    assert "2016-12-30" in evidence.shared_dates


def test_explain_a_copy_computes_the_evidence_it_was_not_scored_on(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(QUAKE_1 + "\n" + QUAKE_OTHER)
    (tmp_path / "b.txt").write_text("(AP) " + QUAKE_1 + "\n" + QUAKE_OTHER)
    storyweave.ingest([str(tmp_path)], store=store)
    (story,) = store.stories()
    ((copy, original),) = story.copies.items()
    explanation = explain(store, copy)
    assert explanation.copy_of == original and not explanation.scored
    ((story_id, evidence),) = explanation.candidates
    assert story_id == story.id and "qeshm" in evidence.shared_names
    assert explain(store, original).candidates == []  # it opened the story: no earlier story to weigh


def test_recluster_rebuilds_the_same_stories_in_publication_order(seeds_store: Store) -> None:
    before = [set(s.article_ids) for s in seeds_store.stories()]
    assert recluster(seeds_store) == 1
    assert [set(s.article_ids) for s in seeds_store.stories()] == before


FLOOD_TOWN = (
    "Flooding along the Sava river forced the evacuation of Obrenovac on Thursday, as water reached the rooftops "
    "of houses in the town south-west of Belgrade. Residents waited on upper floors for boats."
)
FLOOD_RESCUE = (
    "Serbian army helicopters lifted stranded families to safety on Thursday, and Prime Minister Aleksandar Vucic "
    "said the dam at Sabac was holding as soldiers piled sandbags through the night."
)
FLOOD_BOTH = (  # what each of the others reports: it bridges them
    "Flooding along the Sava river forced the evacuation of Obrenovac on Thursday, as water reached the rooftops "
    "of houses in the town south-west of Belgrade. Army helicopters lifted stranded families to safety, and Prime "
    "Minister Aleksandar Vucic said the dam at Sabac was holding."
)


@pytest.mark.parametrize("one_at_a_time", [False, True])
def test_recluster_repairs_a_late_ingested_article_that_bridges_two_stories(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_at_a_time: bool
) -> None:
    def feed(name: str, *articles: tuple[str, str, str]) -> str:
        lines = [json.dumps({"id": i, "text": text, "published_at": at}) for i, text, at in articles]
        (tmp_path / name).write_text("\n".join(lines) + "\n")
        return str(tmp_path / name)

    town, rescue = ("town", FLOOD_TOWN, "2014-05-15T10:00Z"), ("rescue", FLOOD_RESCUE, "2014-05-16T10:00Z")
    storyweave.ingest([feed("early.jsonl", town, rescue)], store=store)
    storyweave.ingest([feed("late.jsonl", ("both", FLOOD_BOTH, "2014-05-15T14:00Z"))], store=store)
    assert sorted(sorted(s.article_ids) for s in store.stories()) == [["both", "rescue"], ["town"]]
    if one_at_a_time:  # read and clustered in batches of one, still in publication order over them all
        monkeypatch.setattr("storyweave.pipeline.BATCH_SIZE", 1)
        monkeypatch.setattr("storyweave.store.sqlite._READ_BATCH", 1)
    assert recluster(store) == 1
    story = next(store.stories())
    assert sorted(story.article_ids) == ["both", "rescue", "town"]
    assert not any(story.copies)


def test_stories_filters(seeds_store: Store) -> None:
    assert len(list(seeds_store.stories(source="Tehran Times"))) == 1
    assert list(seeds_store.stories(source="BBC")) == []
    assert len(list(seeds_store.stories(query="Aleppo"))) == 1
    assert list(seeds_store.stories(query="earthquake")) == []
    assert list(seeds_store.stories(since=dt.datetime(2018, 1, 1, tzinfo=dt.UTC))) == []
    assert len(list(seeds_store.stories(since=dt.datetime(2017, 1, 26, tzinfo=dt.UTC), query="Aleppo", limit=1))) == 1


def test_an_older_article_after_a_newer_one_opens_a_story_without_failing() -> None:
    clusterer = OnlineStoryClusterer()
    clusterer.learn_one(article("m2023", MEETING_2017, dt.date(2023, 1, 14)))
    older = clusterer.learn_one(article("m2017", MEETING_2017.replace("Thursday", "Monday"), dt.date(2017, 1, 26)))
    assert older.opened and older.probability < 1e-6  # six years apart: a vanishing, not an overflowing, logit


def test_compare_articles_years_apart() -> None:
    evidence = OnlineStoryClusterer().compare(
        article("a", MEETING_2017, dt.date(2017, 1, 26)), article("b", MEETING_2017, dt.date(2023, 1, 14))
    )
    assert evidence.gap_days == pytest.approx(2179) and evidence.probability < 1e-6


@pytest.mark.skipif(not ECB.exists(), reason="the shared development data is not beside the project")
def test_reading_in_a_second_process_changes_nothing_but_speed(tmp_path: Path) -> None:
    stories = []
    for parallel in (False, True):
        store = storyweave.open_store(tmp_path / f"{parallel}.db")
        report = storyweave.ingest([str(ECB)], store=store, parallel=parallel)
        assert len(report.added) == 772 and not report.rejected
        stories.append(sorted(story.article_ids for story in store.stories()))
        store.close()
    assert stories[0] == stories[1]
