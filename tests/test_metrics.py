"""Clustering metrics against hand-computed cases and scikit-learn, the labelled stream they score, and the
error listing of `storyweave eval --errors`."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sklearn import metrics as skm

from storyweave.errors import ConfigError
from storyweave.eval.errors import clustering_errors
from storyweave.eval.harness import labelled_articles
from storyweave.eval.metrics import bcubed, clustering_scores, pairwise
from storyweave.types import Article, Assignment


def test_bcubed_by_hand() -> None:
    # gold {1,2,3} {4,5}; predicted {1,2} {3,4,5}
    gold, pred = ["a", "a", "a", "b", "b"], [1, 1, 2, 2, 2]
    # precision per item: 1, 1, 1/3, 2/3, 2/3 -> 11/15; recall: 2/3, 2/3, 1/3, 1, 1 -> 11/15
    score = bcubed(gold, pred)
    assert score.p == pytest.approx(11 / 15) and score.r == pytest.approx(11 / 15)
    assert score.f1 == pytest.approx(11 / 15)


def test_pairwise_by_hand() -> None:
    gold, pred = ["a", "a", "a", "b", "b"], [1, 1, 2, 2, 2]
    # predicted pairs: (1,2) (3,4) (3,5) (4,5): 4; gold pairs: 3 + 1 = 4; correct: (1,2) (4,5)
    score = pairwise(gold, pred)
    assert (score.p, score.r, score.f1) == (0.5, 0.5, 0.5)


def test_perfect_and_all_singletons() -> None:
    gold = ["a", "a", "b"]
    assert bcubed(gold, [7, 7, 9]).f1 == 1.0
    singletons = bcubed(gold, [1, 2, 3])
    assert singletons.p == 1.0 and singletons.r == pytest.approx((0.5 + 0.5 + 1) / 3)


def test_pairwise_agrees_with_sklearn_pair_confusion_matrix() -> None:
    rng = random.Random(7)
    gold = [rng.randrange(8) for _ in range(300)]
    pred = [rng.randrange(10) for _ in range(300)]
    (_, fp), (fn, tp) = skm.pair_confusion_matrix(gold, pred) // 2
    score = pairwise(gold, pred)
    assert score.p == pytest.approx(tp / (tp + fp)) and score.r == pytest.approx(tp / (tp + fn))


def test_clustering_scores_use_sklearn_for_ari_nmi_v() -> None:
    gold, pred = ["a", "a", "b", "b", "c"], [1, 1, 1, 2, 3]
    scores = clustering_scores(gold, pred)
    assert scores["ari"] == pytest.approx(skm.adjusted_rand_score(gold, pred))
    assert scores["nmi"] == pytest.approx(skm.normalized_mutual_info_score(gold, pred))
    assert scores["v_measure"] == pytest.approx(skm.v_measure_score(gold, pred))
    assert (scores["n_articles"], scores["n_gold"], scores["n_pred"]) == (5, 3, 3)


def test_mismatched_or_empty_inputs_are_refused() -> None:
    with pytest.raises(ConfigError, match="differ in length"):
        bcubed(["a"], [1, 2])
    with pytest.raises(ConfigError, match="no items"):
        pairwise([], [])


def test_labelled_articles_come_in_the_order_ingest_clusters_them(tmp_path: Path) -> None:
    """`train` must see the stream `eval` and `ingest` see: by publication time, undated ones in place."""
    records = [
        {"id": "late", "text": "Talks ended.", "published_at": "2020-03-02", "event": "b"},
        {"id": "undated", "text": "Talks went on.", "event": "c"},
        {"id": "early", "text": "Talks began.", "published_at": "2020-03-01", "event": "a"},
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    articles, labels = labelled_articles(path, "event")
    assert [a.id for a in articles] == ["early", "undated", "late"]
    assert labels == ["a", "c", "b"]


def test_errors_name_the_join_that_mixed_each_story_and_rank_the_worst_first() -> None:
    # Story 1 opens with event x, then y joins it (the mixing join) and y's later articles follow;
    # story 2 takes one x article by copy, so x is split too; story 3 is pure.
    told = [
        ("x", Assignment("a1", 1, True, 0.0)),
        ("x", Assignment("a2", 1, False, 0.9)),
        ("y", Assignment("b1", 1, False, 0.45)),
        ("y", Assignment("b2", 1, False, 0.95)),
        ("y", Assignment("b3", 1, False, 0.97)),
        ("z", Assignment("c1", 3, True, 0.0)),
        ("z", Assignment("c2", 2, True, 0.2)),
        ("x", Assignment("a3", 2, False, 0.0, copy_of="a2")),
        ("z", Assignment("c3", 3, False, 0.8)),
    ]
    clustered = [(Article(id=a.article_id, text="", title=f"title of {a.article_id}"), a) for _, a in told]
    errors = clustering_errors(clustered, [label for label, _ in told])
    story_1, story_2 = errors.mixed
    assert (story_1.story_id, story_1.events, story_1.astray) == (1, {"y": 3, "x": 2}, 2)
    assert (story_1.mixed_by, story_1.mixed_by_title, story_1.probability) == ("b1", "title of b1", 0.45)
    assert (story_2.story_id, story_2.events, story_2.mixed_by, story_2.copy_of) == (2, {"z": 1, "x": 1}, "a3", "a2")
    assert [(s.event, s.stories) for s in errors.split] == [("x", {1: 2, 2: 1}), ("z", {3: 2, 2: 1})]
    assert errors.to_dict(limit=1)["mixed"][0]["mixed_by"] == "b1" and errors.to_dict()["n_split"] == 2


def test_a_perfect_clustering_has_no_errors_and_mismatched_inputs_are_refused() -> None:
    clustered = [(Article(id=str(i), text=""), Assignment(str(i), i // 2, i % 2 == 0, 0.9)) for i in range(4)]
    errors = clustering_errors(clustered, ["p", "p", "q", "q"])
    assert errors.mixed == [] and errors.split == []
    with pytest.raises(ConfigError, match="4 assignments but 3 labels"):
        clustering_errors(clustered, ["p", "p", "q"])
