"""Story clustering: one story per real-world event, online, with its evidence."""

from storyweave.cluster.online import Candidate, Decision, Evidence, OnlineStoryClusterer, StoryState
from storyweave.cluster.params import SIGNALS, ClusterParams

__all__ = ["SIGNALS", "Candidate", "ClusterParams", "Decision", "Evidence", "OnlineStoryClusterer", "StoryState"]
