"""Clustering metrics: B-cubed and pairwise precision/recall/F1, plus scikit-learn's ARI, NMI, V.

B-cubed and pairwise counts are written here because scikit-learn has neither; both are
computed from the contingency table, so they cost O(n) rather than O(n^2).

References:
    Bagga and Baldwin, "Algorithms for scoring coreference chains", LREC 1998 (B-cubed).
    Amigó et al., "A comparison of extrinsic clustering evaluation metrics based on formal
    constraints", Information Retrieval 12(4), 2009.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Hashable, Sequence

from sklearn import metrics as skm

from storyweave.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class PRF:
    """Precision, recall and their harmonic mean."""

    p: float
    r: float
    f1: float

    @classmethod
    def of(cls, p: float, r: float) -> PRF:
        return cls(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def _check(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> None:
    if len(gold) != len(pred):
        raise ConfigError(f"gold and predicted labels differ in length ({len(gold)} != {len(pred)})")
    if not gold:
        raise ConfigError("no items to score")


def bcubed(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """B-cubed precision and recall, averaged over items.

    >>> score = bcubed(["a", "a", "b"], [1, 1, 1])
    >>> round(score.p, 4), score.r, round(score.f1, 4)
    (0.5556, 1.0, 0.7143)
    """
    _check(gold, pred)
    joint = Counter(zip(gold, pred, strict=True))
    gold_sizes, pred_sizes = Counter(gold), Counter(pred)
    # Each item of cell (g, c) has n(g, c) items sharing both labels with it (itself included).
    precision = sum(n * n / pred_sizes[c] for (_, c), n in joint.items()) / len(gold)
    recall = sum(n * n / gold_sizes[g] for (g, _), n in joint.items()) / len(gold)
    return PRF.of(precision, recall)


def pairwise(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> PRF:
    """Precision and recall over pairs of items put together.

    >>> pairwise(["a", "a", "b", "b"], [1, 1, 1, 2])
    PRF(p=0.3333333333333333, r=0.5, f1=0.4)
    """
    _check(gold, pred)

    def pairs(sizes: Counter[Hashable] | Counter[tuple[Hashable, Hashable]]) -> int:
        return sum(n * (n - 1) // 2 for n in sizes.values())

    together = pairs(Counter(zip(gold, pred, strict=True)))
    predicted, actual = pairs(Counter(pred)), pairs(Counter(gold))
    return PRF.of(together / predicted if predicted else 1.0, together / actual if actual else 1.0)


def clustering_scores(gold: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, object]:
    """Every metric `storyweave eval` reports, as a JSON-ready dict."""
    _check(gold, pred)
    gold_ids, pred_ids = [str(g) for g in gold], [str(p) for p in pred]
    homogeneity, completeness, v_measure = skm.homogeneity_completeness_v_measure(gold_ids, pred_ids)
    return {
        "bcubed": dataclasses.asdict(bcubed(gold, pred)),
        "pairwise": dataclasses.asdict(pairwise(gold, pred)),
        "ari": skm.adjusted_rand_score(gold_ids, pred_ids),
        "nmi": skm.normalized_mutual_info_score(gold_ids, pred_ids),
        "v_measure": v_measure,
        "homogeneity": homogeneity,
        "completeness": completeness,
        "n_articles": len(gold),
        "n_gold": len(set(gold)),
        "n_pred": len(set(pred)),
    }
