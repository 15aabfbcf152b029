"""Bytes to text: refuse binary and empty input, honour a declared encoding, detect the rest."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from storyweave.clean.language import language_confidence
from storyweave.errors import InputError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = frozenset(range(0, 9)) | frozenset(range(14, 32)) - {27}
_CANDIDATES = 5
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def check_not_binary(data: bytes, location: str) -> None:
    """Raise InputError when `data` is empty or looks like a binary file."""
    if not data.strip():
        raise InputError(location, "empty file")
    sample = data[:4096]
    if any(sample.startswith(bom) for bom, _ in _BOMS[1:]):
        return  # UTF-16 text is full of NUL bytes
    if b"\x00" in sample or sum(byte in _CONTROL for byte in sample) > len(sample) * 0.05:
        raise InputError(location, "binary file, not text (NUL or control bytes)")


def decode_bytes(data: bytes, location: str, declared: str | None = None) -> str:
    """Decode `data`: a byte-order mark, then the declared encoding, then UTF-8, then detection.

    A UTF-8 text whose last character was cut in half (a scraper's byte limit) keeps the rest.
    """
    check_not_binary(data, location)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    match = declared or _declared_encoding(data)
    if match:
        try:
            return data.decode(match)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")
    return str(_detect(data, location))


def _detect(data: bytes, location: str) -> charset_normalizer.CharsetMatch:
    """The most plausible decoding: among charset_normalizer's candidates, the one that reads
    most like a language. Its own first choice confuses the Windows code pages on short texts
    (French "à" read as cp1250's "ŕ")."""
    candidates = list(charset_normalizer.from_bytes(data))[:_CANDIDATES]
    if not candidates:
        raise InputError(location, "cannot tell the text encoding")
    return max(candidates, key=lambda match: language_confidence(str(match)))


def sniff_encoding(head: bytes, location: str) -> str:
    """The encoding of a file too large to decode whole, judged from its first bytes."""
    check_not_binary(head, location)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut by the sample's end
            return str(_detect(head, location).encoding)
    return "utf-8"


def _declared_encoding(data: bytes) -> str | None:
    """The charset an HTML or XML head declares, if any."""
    match = _DECLARED.search(data[:2048])
    return match.group(1).decode("ascii") if match else None
