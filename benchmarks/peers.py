"""The systems a user would otherwise pick, run the way their documentation shows.

- `agglomerative`: scikit-learn TF-IDF + average-linkage agglomerative clustering on cosine
  distances with a distance threshold (batch, O(n^2) memory: only small collections).
- `textclust`: river's `cluster.TextClust` stream clusterer over bag-of-words dicts; each
  article's label is the micro-cluster it joined when it arrived.

Each function takes the records in stream order and returns one label per record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Record = dict[str, Any]


def _text(record: Record) -> str:
    return f"{record.get('title') or ''}\n{record['text']}"


def agglomerative(records: Sequence[Record], threshold: float = 0.8) -> list[int]:
    """TF-IDF (sublinear tf, English stop words) and average linkage with a cosine distance threshold."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform([_text(r) for r in records])
    distances = 1.0 - (vectors @ vectors.T).toarray().astype(np.float32)
    np.clip(distances, 0.0, 2.0, out=distances)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    )
    return model.fit_predict(distances).tolist()


def textclust(records: Sequence[Record], radius: float = 0.5) -> list[int]:
    """river TextClust, counting time in observations, as river's own example does."""
    from river import cluster, feature_extraction

    class Traced(cluster.TextClust):  # type: ignore[misc]
        """Remembers which micro-cluster the last observation joined (learn_one returns nothing)."""

        joined: int | None = None

        def _get_closest_mc(self, mc: Any, idf: Any, distance: Any) -> tuple[Any, Any]:
            found = super()._get_closest_mc(mc, idf, distance)
            self.joined = found[0]
            return found

    words = feature_extraction.BagOfWords(lowercase=True, stop_words="english")
    model = Traced(radius=radius, real_time_fading=False, fading_factor=0.0005, tgap=100, auto_r=False)
    labels = []
    for record in records:
        model.learn_one(words.transform_one(_text(record)))
        labels.append(model.joined if model.joined is not None else model._cluster_id - 1)
    return labels


PEERS = {"agglomerative": agglomerative, "textclust": textclust}
