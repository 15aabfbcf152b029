"""The clusterer's parameters: fitted signal weights plus the settings around them.

The fitted values ship with the package in `params.json` (made by `storyweave train`), so users
need no training step.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
from pathlib import Path
from typing import Any

from storyweave.errors import ConfigError

SIGNALS = (
    "body_cos",  # cosine of the article's tf-idf vector with the story's centroid
    "lead_cos",  # the same for title + first sentences, where news states the event
    "member_cos",  # cosine with the most similar recent member (single link)
    "cohesion_gap",  # body_cos minus the mean body_cos at which the story's members joined it
    "name_overlap",  # idf-weighted share of the article's names that the story has
    "name_cos",  # cosine of the article's names with the story's, weighted by idf and frequency
    "name_conflict",  # idf-weighted share of the story's core names (in half its articles) the article lacks
    "lead_name_overlap",  # idf-weighted share of the article's lead names among the story's lead names
    "lead_number_overlap",  # share of the article's lead numbers (years aside) among the story's lead numbers
    "year_match",  # the article's latest mentioned year is the story's (1), or not (-1), or unknown (0)
    "date_match",  # the article and the story mention the same full date
    "embed_cos",  # cosine of the article's lead embedding with the story's mean lead embedding
    "log_size",  # log of the story's size: big stories attract loosely related articles
)
SHIPPED = {
    "default": Path(__file__).with_name("params.json"),  # static embeddings: fast
    "accurate": Path(__file__).with_name("params-accurate.json"),  # transformer embeddings: slow
}
_POSITIVE = ("window_days", "max_candidates", "scored_candidates", "index_terms", "posting_limit", "recent_members",
             "member_terms", "absorbed_terms", "centroid_terms", "lead_terms")  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ClusterParams:
    """Parameters of `OnlineStoryClusterer`.

    Attributes:
        weights: logistic-regression weight per signal in `SIGNALS`.
        bias: the regression's intercept.
        threshold: join the best story when its probability reaches this, else open a story.
        window_days: a story takes no article published more than this many days after its last.
        gap_grace_days: publication gaps up to this are free.
        gap_penalty: logit subtracted per day of gap beyond the grace. `storyweave train` fits it
            where the training pairs show what a gap costs (`PairExamples.show_gaps`); the shipped
            value is a prior, since the development data carries no publication dates.
        max_candidates: candidate stories per article, the best by shared index keys.
        scored_candidates: of those, how many (the closest by body cosine) get every signal computed.
        index_terms: an article's top tf-idf terms that index its story.
        index_names: an article's top names that index its story.
        posting_limit: most recently active stories kept per index key, each once.
        recent_members: member vectors a story keeps for `member_cos`.
        member_terms: terms kept of each such vector (the heaviest); the rest barely move a cosine.
        absorbed_terms: an article's heaviest terms that its story's centroid takes in. The tail
            of a long article costs the most time to add and is mostly trimmed away again.
        centroid_terms: terms a story centroid keeps (the heaviest), bounding memory.
        lead_terms: the same for a story's summed lead vector.
        embedder: "static" (shipped, fast) or "transformer" (accurate mode, needs the extra).
    """

    weights: dict[str, float]
    bias: float
    threshold: float = 0.5
    window_days: float = 10.0
    gap_grace_days: float = 2.0
    gap_penalty: float = 0.6
    max_candidates: int = 10
    scored_candidates: int = 3
    index_terms: int = 12
    index_names: int = 8
    posting_limit: int = 200
    recent_members: int = 6
    member_terms: int = 40
    absorbed_terms: int = 100
    centroid_terms: int = 200
    lead_terms: int = 60
    embedder: str = "static"

    def __post_init__(self) -> None:
        missing = set(SIGNALS) - set(self.weights)
        if missing or set(self.weights) - set(SIGNALS):
            raise ConfigError(f"weights must name exactly the signals {', '.join(SIGNALS)}")
        if not all(math.isfinite(w) for w in [*self.weights.values(), self.bias]):
            raise ConfigError("weights and bias must be finite numbers")
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError(f"threshold must be between 0 and 1, not {self.threshold}")
        positive = {name: getattr(self, name) for name in _POSITIVE}
        bad = [f"{name}={value}" for name, value in positive.items() if value <= 0]
        if self.embedder not in ("static", "transformer"):
            raise ConfigError(f"embedder must be 'static' or 'transformer', not {self.embedder!r}")
        if bad or self.gap_grace_days < 0 or self.gap_penalty < 0 or self.index_names < 0:
            raise ConfigError(f"parameters must be positive: {', '.join(bad) or 'gap and name settings'}")

    @classmethod
    def load(cls, path: str | Path = "default") -> ClusterParams:
        """Read parameters: a shipped set by name ("default", "accurate") or a JSON file."""
        path = SHIPPED.get(str(path), path)
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: not readable clusterer parameters ({exc})") from exc
        return cls.from_dict(data, origin=str(path))

    @classmethod
    def from_dict(cls, data: Any, origin: str) -> ClusterParams:
        """Parameters from their JSON form (as `save` writes them; keys starting with "_" are notes).

        Raises:
            ConfigError: `data` is not such a form; the message starts with `origin`.
        """
        try:
            return cls(**{k: v for k, v in data.items() if not k.startswith("_")})
        except (AttributeError, TypeError) as exc:
            raise ConfigError(f"{origin}: not readable clusterer parameters ({exc})") from exc

    def save(self, path: str | Path, provenance: dict[str, Any] | None = None) -> None:
        """Write parameters as JSON, with an optional `_provenance` note (what they were fitted on).

        The file is written beside `path` and renamed into place, so that an interrupted write
        leaves the file that was there before rather than half of a new one.

        Raises:
            ConfigError: `path` cannot be written.
        """
        data: dict[str, Any] = dataclasses.asdict(self)
        if provenance:
            data["_provenance"] = provenance
        path = Path(path)
        partial = path.with_name(f".{path.name}.partial")
        try:
            partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
            os.replace(partial, path)
        except OSError as exc:
            with contextlib.suppress(OSError):  # the scratch file may be what could not be made
                partial.unlink(missing_ok=True)
            raise ConfigError(f"{path}: cannot write the parameters ({exc.strerror or exc})") from exc
