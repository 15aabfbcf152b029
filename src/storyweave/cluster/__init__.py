"""Story clustering: one story per real-world event, online, with its evidence."""

from storyweave.cluster.online import (
    ArticleInputs,
    Candidate,
    Decision,
    Evidence,
    OnlineStoryClusterer,
    StoryState,
    article_inputs,
)
from storyweave.cluster.params import SIGNALS, ClusterParams

__all__ = [
    "SIGNALS",
    "ArticleInputs",
    "Candidate",
    "ClusterParams",
    "Decision",
    "Evidence",
    "OnlineStoryClusterer",
    "StoryState",
    "article_inputs",
]
