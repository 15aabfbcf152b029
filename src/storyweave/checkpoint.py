"""Checkpoints: the clustering state as bytes kept in the store, and back.

Without one, opening a pipeline on a store replays every clustered article through the clusterer
(about 1.4 ms each: two and a half minutes for 100,000 articles) before a single new article is
clustered; with one, it loads in about three seconds and replays only what was clustered after it
was saved.

The bytes are a pickle, which is fast and keeps numpy arrays whole; but unpickling data can run
code, and a store file may come from someone else. So loading admits only the few plain types a
state is made of, in the manner of the "Restricting Globals" recipe of Python's pickle
documentation, and refuses anything else.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from typing import Any

from storyweave.errors import StoryweaveError

FORMAT = 4
"""Bump when what a clusterer or detector learns, or how, changes: older checkpoints are then
ignored (a full replay rebuilds the state), never misread."""

_ALLOWED = frozenset({
    ("builtins", "set"), ("builtins", "frozenset"),
    ("collections", "Counter"), ("collections", "deque"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"), ("datetime", "timedelta"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("storyweave.cluster.online", "StoryState"), ("storyweave.cluster.vectors", "DocumentFrequencies"),
})  # fmt: skip


class CheckpointError(StoryweaveError):
    """A checkpoint that cannot be read back: damaged, or holding what a state never holds."""


class _StateUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise CheckpointError(f"a checkpoint holds no {module}.{name}")
        return super().find_class(module, name)


def dumps(state: dict[str, Any]) -> bytes:
    """A state as bytes: about 40 MB after the 100,000-article benchmark stream, 95 MB after its million
    (uncompressed: zlib's fastest level halved that but took 1.4 s of a later ingest's 11 s)."""
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> dict[str, Any]:
    """The state `dumps` made.

    >>> import datetime as dt
    >>> loads(dumps({"latest": dt.datetime(2017, 1, 26)}))
    {'latest': datetime.datetime(2017, 1, 26, 0, 0)}
    >>> loads(pickle.dumps(print))
    Traceback (most recent call last):
    ...
    storyweave.checkpoint.CheckpointError: a checkpoint holds no builtins.print

    Raises:
        CheckpointError: the data is damaged or holds anything but a state's types.
    """
    try:
        state = _StateUnpickler(io.BytesIO(data)).load()
    except CheckpointError:
        raise
    except Exception as exc:  # whatever damaged bytes make the decoders raise
        raise CheckpointError(f"a damaged checkpoint ({type(exc).__name__}: {exc})") from exc
    if not isinstance(state, dict):
        raise CheckpointError("a checkpoint holds no state")
    return state


def key(*settings: Any) -> str:
    """What a state depends on, as a short string: `FORMAT` and the settings (made of JSON types)."""
    text = json.dumps([FORMAT, *settings], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
