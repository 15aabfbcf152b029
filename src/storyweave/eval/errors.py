"""Where a clustering went wrong: stories that mix gold events, and events spread over stories.

The scores say how much; this says where, and which decision started a mix, so that a user can
read the articles concerned. In an online clusterer one wrong join early in a story is often the
whole error: the other event's later articles then join the mixed story, since it holds their
event's first report.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from storyweave.errors import ConfigError
from storyweave.types import Article, Assignment


def _outside_largest(counts: Mapping[Any, int]) -> int:
    """How many are counted outside the largest count."""
    return sum(counts.values()) - max(counts.values())


@dataclasses.dataclass(frozen=True)
class MixedStory:
    """A predicted story holding articles of several gold events.

    Attributes:
        story_id: the story.
        events: its articles per gold event, most first.
        mixed_by: the first article of another event than its first article's to join it.
        mixed_by_title: that article's title.
        probability: the same-event probability at which that article joined it.
        copy_of: the article it copies, when it joined as a syndicated copy (unscored).
    """

    story_id: int
    events: dict[str, int]
    mixed_by: str
    mixed_by_title: str | None
    probability: float
    copy_of: str | None

    @property
    def astray(self) -> int:
        """Articles outside its largest event."""
        return _outside_largest(self.events)


@dataclasses.dataclass(frozen=True)
class SplitEvent:
    """A gold event whose articles went to several stories.

    Attributes:
        event: the gold event.
        stories: its articles per story, most first.
    """

    event: str
    stories: dict[int, int]

    @property
    def astray(self) -> int:
        """Articles outside its largest part."""
        return _outside_largest(self.stories)


@dataclasses.dataclass(frozen=True)
class ClusteringErrors:
    """Every mixed story and split event, the worst (most articles astray) first."""

    mixed: list[MixedStory]
    split: list[SplitEvent]

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        """As JSON-ready data: the totals, and the first `limit` of each list (all by default)."""
        return {
            "n_mixed": len(self.mixed),
            "n_split": len(self.split),
            "mixed": [dataclasses.asdict(m) for m in self.mixed[:limit]],
            "split": [dataclasses.asdict(s) for s in self.split[:limit]],
        }


def clustering_errors(clustered: Sequence[tuple[Article, Assignment]], labels: Sequence[str]) -> ClusteringErrors:
    """The mixed stories and split events of a clustering.

    Parameters:
        clustered: each article and its assignment, in the order the clusterer took them.
        labels: each article's gold event, in the same order.

    Raises:
        ConfigError: `clustered` and `labels` differ in length, as `storyweave.eval.metrics` says.

    >>> a = [Article(id=str(i), text="", title=f"t{i}") for i in range(4)]
    >>> told = [Assignment("0", 1, True, 0.0), Assignment("1", 1, False, 0.9),
    ...         Assignment("2", 1, False, 0.4), Assignment("3", 2, True, 0.1)]
    >>> errors = clustering_errors(list(zip(a, told)), ["x", "x", "y", "y"])
    >>> m = errors.mixed[0]; (m.story_id, m.events, m.mixed_by, m.probability)
    (1, {'x': 2, 'y': 1}, '2', 0.4)
    >>> errors.split
    [SplitEvent(event='y', stories={1: 1, 2: 1})]
    """
    if len(clustered) != len(labels):
        raise ConfigError(f"{len(clustered)} assignments but {len(labels)} labels")
    events: defaultdict[int, Counter[str]] = defaultdict(Counter)
    stories: defaultdict[str, Counter[int]] = defaultdict(Counter)
    first_event: dict[int, str] = {}
    mixed_by: dict[int, tuple[Article, Assignment]] = {}
    for (article, assignment), label in zip(clustered, labels, strict=True):
        story = assignment.story_id
        events[story][label] += 1
        stories[label][story] += 1
        if first_event.setdefault(story, label) != label and story not in mixed_by:
            mixed_by[story] = article, assignment
    mixed = [
        MixedStory(
            story,
            dict(events[story].most_common()),
            article.id,
            article.title,
            assignment.probability,
            assignment.copy_of,
        )
        for story, (article, assignment) in mixed_by.items()
    ]
    split = [SplitEvent(event, dict(parts.most_common())) for event, parts in stories.items() if len(parts) > 1]
    return ClusteringErrors(
        mixed=sorted(mixed, key=lambda m: (-m.astray, m.story_id)),
        split=sorted(split, key=lambda s: (-s.astray, s.event)),
    )
