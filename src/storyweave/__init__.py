"""storyweave: many outlets' news articles in, one story per real-world event out.

The Python API is what the `storyweave` command is built on:

>>> import storyweave
>>> store = storyweave.open_store(":memory:")
>>> store.count_articles()
0
"""

from storyweave.errors import ConfigError, InputError, StoreError, StoryweaveError
from storyweave.pipeline import IngestReport, Progress, ingest
from storyweave.store import Store, open_store
from storyweave.types import Article

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ConfigError",
    "IngestReport",
    "InputError",
    "Progress",
    "Store",
    "StoreError",
    "StoryweaveError",
    "__version__",
    "ingest",
    "open_store",
]
