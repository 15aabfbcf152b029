"""The lead embedders load offline from what their packages ship, and rank texts sensibly."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import SEED_PRESS_TV, SEED_TEHRAN_TIMES
from storyweave.cluster import ClusterParams, OnlineStoryClusterer
from storyweave.cluster.embeddings import STATIC_MODEL, StaticEmbedder, TransformerEmbedder, load_embedder
from storyweave.errors import ConfigError
from storyweave.ingest import read_articles
from storyweave.types import Article

QUAKE = "A strong earthquake struck southern Iran on Sunday, destroying homes in several villages."
QUAKE_AGAIN = "Villages in the south of Iran were flattened when a powerful quake hit on Sunday."
FOOTBALL = "The home side scored twice in the second half to win the cup final at Wembley."


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach a model hub fails the test rather than downloading."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.mark.parametrize("embedder_class", [StaticEmbedder, TransformerEmbedder])
def test_embedder_loads_offline_and_ranks_paraphrases_first(embedder_class: type) -> None:
    vectors = embedder_class().encode([QUAKE, QUAKE_AGAIN, FOOTBALL])
    assert vectors.shape[0] == 3
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_static_embedder_gives_model2vecs_vectors() -> None:
    """It tokenizes chunk by chunk and remembers the chunks; the vectors must stay model2vec's."""
    texts = [
        SEED_PRESS_TV.read_text(encoding="utf-8")[:600],
        "Café São Paulo: naïve résumé, ÉTÉ à Zürich; 北京 and 東京 (Tokyo)!",
        "al-Assad's envoy, Amir-Abdollahian, met him on 26/01/2017 at 10:30 — $1.2bn deal?",
        "a " * 300 + "football " * 300,  # beyond the token limit: the football is cut off
        "",
        "... --- !!!",
    ]
    embedder = StaticEmbedder()
    reference = embedder._model.encode(texts, max_length=embedder.max_tokens)
    reference /= np.maximum(np.linalg.norm(reference, axis=1, keepdims=True), 1e-12)
    for _ in range(2):  # the second time from remembered chunks
        assert np.allclose(embedder.encode(texts), reference, atol=1e-5)


def test_static_model_loads_as_model2vec_loads_it(tmp_path: Path) -> None:
    """It is made from the folder's parts, without model2vec's loader: the same model all the same."""
    from model2vec import StaticModel

    ours, theirs = StaticEmbedder()._model, StaticModel.from_pretrained(str(STATIC_MODEL), quantize_to="float32")
    assert ours.embedding.dtype == theirs.embedding.dtype and np.array_equal(ours.embedding, theirs.embedding)
    assert (ours.tokens, ours.median_token_length, ours.unk_token_id) == (
        theirs.tokens,
        theirs.median_token_length,
        theirs.unk_token_id,
    )
    assert (ours.normalize, ours.max_length, ours.config) == (theirs.normalize, theirs.max_length, theirs.config)
    texts = [SEED_PRESS_TV.read_text(encoding="utf-8"), "Café São Paulo: naïve résumé", ""]
    assert np.array_equal(ours.encode(texts), theirs.encode(texts))
    broken = tmp_path / "model"
    shutil.copytree(STATIC_MODEL, broken)
    (broken / "tokenizer.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot load the static embedding model"):
        StaticEmbedder(broken)


def test_unknown_embedder_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown embedder"):
        load_embedder("word2vec")


def test_memoized_embedder_returns_the_same_vectors() -> None:
    embedder = load_embedder("static")
    first = embedder.encode([QUAKE, FOOTBALL])
    assert np.array_equal(embedder.encode([FOOTBALL, QUAKE]), first[::-1])


def test_accurate_mode_uses_the_transformer_and_joins_the_seeds() -> None:
    params = ClusterParams.load("accurate")
    assert params.embedder == "transformer"
    seeds = [a for a in read_articles([str(SEED_PRESS_TV), str(SEED_TEHRAN_TIMES)]) if isinstance(a, Article)]
    clusterer = OnlineStoryClusterer(params)
    clusterer.prefetch(seeds)
    first, second = (clusterer.learn_one(a) for a in seeds)
    assert second.story_id == first.story_id
    assert second.candidates[0].signals["embed_cos"] > 0.5
