"""Checkpoints: the clustering state as bytes kept in the store, and back.

Without one, opening a pipeline on a store replays every clustered article through the clusterer
(about 1.4 ms each: two and a half minutes for 100,000 articles) before a single new article is
clustered; with one, it loads in half a second (60,000 articles) and replays only what was clustered
after it was saved.

The bytes are the state's named parts pickled one after another, so that a reader can stop at the
parts it needs (`explain` and `compare` need the term statistics alone, a few MB of a state's tens).
Within a part, values can be kept `Pickled`, each on its own, so that a reader unpickles only those
it touches (a later ingest touches few of the stories it loads).

Pickle is fast and keeps numpy arrays whole; but unpickling data can run code, and a store file may
come from someone else. So loading admits only the few plain types a state is made of, in the
manner of the "Restricting Globals" recipe of Python's pickle documentation, and refuses anything
else.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Collection, Mapping
from typing import Any

from storyweave.errors import StoryweaveError
from storyweave.types import digest

FORMAT = 5
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
    ("storyweave.checkpoint", "Pickled"),
})  # fmt: skip


class CheckpointError(StoryweaveError):
    """A checkpoint that cannot be read back: damaged, or holding what a state never holds."""


class _StateUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise CheckpointError(f"a checkpoint holds no {module}.{name}")
        return super().find_class(module, name)


class Pickled:
    """A value kept pickled until it is needed, and loaded then as `loads` loads a checkpoint.

    A checkpoint of 60,000 synthetic articles holds 4,588 stories: unpickled all at once, they took
    0.8 s of every later ingest; pickled one by one, the lot loads in 0.02 s (and takes a tenth
    more space, since stories no longer share their pickled strings).

    >>> kept = Pickled.of({"qeshm": 0.5})
    >>> pickle.loads(pickle.dumps(kept)).load()
    {'qeshm': 0.5}
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    @classmethod
    def of(cls, value: Any) -> Pickled:
        return cls(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self) -> Any:
        """The value, read with the same restrictions as a whole checkpoint.

        Raises:
            CheckpointError: damaged bytes, or a type a state never holds.
        """
        return _next_value(_StateUnpickler(io.BytesIO(self.data)))

    def __reduce__(self) -> tuple[type[Pickled], tuple[bytes]]:
        return Pickled, (self.data,)


def dumps(parts: Mapping[str, Any]) -> bytes:
    """A state's named parts as bytes, in their order: about 40 MB after the 100,000-article benchmark
    stream, 95 MB after its million (uncompressed: zlib's fastest level halved that but took 1.4 s
    of a later ingest's 11 s)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    for name, value in parts.items():
        pickler.dump((name, value))  # one pickler: a string shared by two parts is written once
    return buffer.getvalue()


def loads(data: bytes, names: Collection[str] | None = None) -> dict[str, Any]:
    """The parts `dumps` made: all of them, or only `names`, reading no further than the last of those.

    >>> import datetime as dt
    >>> data = dumps({"latest": dt.datetime(2017, 1, 26), "learned": 3})
    >>> loads(data)
    {'latest': datetime.datetime(2017, 1, 26, 0, 0), 'learned': 3}
    >>> loads(data[:-1], names={"latest"})
    {'latest': datetime.datetime(2017, 1, 26, 0, 0)}
    >>> loads(pickle.dumps(("printer", print)))
    Traceback (most recent call last):
    ...
    storyweave.checkpoint.CheckpointError: a checkpoint holds no builtins.print

    Raises:
        CheckpointError: the data is damaged, holds anything but a state's types, or lacks a part
            asked for.
    """
    stream = io.BytesIO(data)
    unpickler = _StateUnpickler(stream)  # one unpickler: later parts may refer to what earlier ones held
    wanted = set(names) if names is not None else None
    parts: dict[str, Any] = {}
    while stream.tell() < len(data) and (wanted is None or not wanted <= parts.keys()):
        name, value = _next_part(unpickler)
        parts[name] = value
    if wanted is None:
        return parts
    if missing := wanted - parts.keys():
        raise CheckpointError(f"a checkpoint without {', '.join(sorted(missing))}")
    return {name: parts[name] for name in wanted}


def _next_value(unpickler: pickle.Unpickler) -> Any:
    try:
        return unpickler.load()
    except CheckpointError:
        raise
    except Exception as exc:  # whatever damaged bytes make the decoders raise, running out of them included
        raise CheckpointError(f"a damaged checkpoint ({type(exc).__name__}: {exc})") from exc


def _next_part(unpickler: pickle.Unpickler) -> tuple[str, Any]:
    part = _next_value(unpickler)
    if not (isinstance(part, tuple) and len(part) == 2 and isinstance(part[0], str)):
        raise CheckpointError("a checkpoint holds no state")
    return part


def key(*settings: Any) -> str:
    """What a state depends on, as a short string: `FORMAT` and the settings (made of JSON types)."""
    return digest(FORMAT, *settings)
