"""Evaluation: clustering metrics, and the `storyweave eval` harness (`storyweave.eval.harness`)."""
