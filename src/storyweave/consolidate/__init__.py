"""Consolidation: a story's articles into one view of what the outlets agree on, what only one
reports and where they disagree (see `storyweave.consolidate.view.build_view`)."""
