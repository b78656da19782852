"""The model as plain JSON data and back, losslessly: how a build keeps whole stories between
runs (data, never pickles, so a tampered cache cannot run code). Every dataclass is written as
an object tagged with its class name; its fields are read back by their type hints."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
from typing import Any, Union

import msgspec

from syndicate.model import body, source, story

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for module in (body, source, story)
    for cls in vars(module).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
}
_TAG = "@"


class CodecError(ValueError):
    """Data that is not a model value of the expected shape."""


_UNRELATED = frozenset(
    {"source", "folder", "path", "updated_source", "headline_source", "release_source"}
)
"""Where a story was read from: not part of what it says."""


_LEFT_OUT_UNSET: dict[type, frozenset[str]] = {
    story.Variant: frozenset({"published"}),
    story.Image: frozenset({"rights", "animation", "decorative"}),
}
"""Fields added to the model after stories were published, left out of what a story says
while unset (None): a story published before keeps its digest, so its history sees no
change and an upgrade asks no new version of it. Every optional field added to the model
goes here (`tests/test_fast_paths.py` checks the digest of the sample and lifecycle
stories does not move)."""


_SPACING = frozenset({"tight"})
"""How a list is spaced (`ListBlock.tight`): not what it says."""


_EDITORS_WORDS = frozenset({"animation"})
"""An editor's word on an image (`Image.animation`: `checked`, its animation played through):
not what the story says, which partners get again with a new version. Written once the
editor has checked, it asked for a new version (`story.version`) of a story that said nothing
new. (`decorative: true` is not one: it makes the image's text alternative empty, which every
output carries; `gps: keep` is in no model.)"""


def content_digest(value: story.Story) -> str:
    """A hash of what a story says (texts, facts, images by content), not of where it was read
    from, nor of how its lists are spaced, nor of an editor's word on an image: moving a
    paragraph down a line, the folder elsewhere, a blank line between list items or an
    `animation: checked` leaves it unchanged. The text hashed is `json.dumps(...,
    ensure_ascii=False, sort_keys=True)` of the story's data as UTF-8, written by msgspec in
    keys' order and spaced as `json.dumps` spaces it by `msgspec.json.format` (which copies
    every number and text as written): the same bytes, three times faster. A story msgspec
    cannot write so (a coordinate that is NaN or infinite, which is no JSON) goes through
    `json.dumps` as before."""
    try:
        text = msgspec.json.format(_SORTED.encode(_encode(value, _LEFT_OUT, True)), indent=0)
    except (msgspec.MsgspecError, TypeError, ValueError, OverflowError):
        return slow_content_digest(value)
    return hashlib.sha256(text).hexdigest()


def slow_content_digest(value: story.Story) -> str:
    """What `content_digest` hashes, written by `json.dumps` (the reference its fast path is
    tested on, and the way for a story msgspec cannot write)."""
    data = json.dumps(_encode(value, _LEFT_OUT), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


_LEFT_OUT = _UNRELATED | _SPACING | _EDITORS_WORDS
"""What a story's digest leaves out."""
_SORTED = msgspec.json.Encoder(order="sorted")


def dumps(value: story.Story) -> bytes:
    """`json.dumps(_encode(value), ensure_ascii=False, separators=(",", ":"))` as UTF-8, the
    same bytes written by msgspec, seven times faster (a story's long texts escaped in one
    pass): its floats (a place's coordinates) are handed over as the standard library writes
    them (msgspec writes `1e16` where Python writes `1e+16`, and NaN as null), a subclass of a
    text or a number as its plain value (`_plain`)."""
    return _COMPACT.encode(_encode(value, frozenset(), True))


_COMPACT = msgspec.json.Encoder()


def loads(data: bytes) -> story.Story:
    try:
        value = _decode(_json(data), story.Story)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CodecError(f"not a stored story: {exc}") from None
    if not isinstance(value, story.Story):
        raise CodecError("not a stored story")
    return value


def _json(data: bytes) -> Any:
    """`json.loads(data)`, read by msgspec where it can (a stored story, which `dumps` wrote:
    the 200 stories an edition reads back in 10 ms rather than 16): the same values, and
    what msgspec refuses and the standard library takes (NaN, a float past the largest, a
    lone surrogate, a byte-order mark, UTF-16) read by the standard library."""
    try:
        return _JSON_DECODER.decode(data)
    except (msgspec.DecodeError, ValueError):
        return json.loads(data)


_JSON_DECODER = msgspec.json.Decoder()


def _encode(value: Any, leave_out: frozenset[str] = frozenset(), raw: bool = False) -> Any:
    """`value` as JSON data; with `raw`, each float as the JSON text `json.dumps` writes of
    it (a `msgspec.Raw`, for `dumps`). A field or item of a plain type is taken as it is,
    without a call for it (most of a story's values are texts)."""
    cls: type = type(value)
    if cls in _PLAIN:
        return value
    if cls is float:
        return msgspec.Raw(_float_text(value).encode("ascii")) if raw else value
    names = _field_names(cls, leave_out)
    if names is not None:
        data = {}
        for name in names:
            field = getattr(value, name)
            data[name] = field if type(field) in _PLAIN else _encode(field, leave_out, raw)
        for name in _LEFT_OUT_UNSET.get(cls, ()):
            if data.get(name, 0) is None:
                del data[name]
        data[_TAG] = cls.__name__
        return data
    if isinstance(value, tuple | list):
        return [v if type(v) in _PLAIN else _encode(v, leave_out, raw) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if raw:
        return _plain(value)
    return value


def _plain(value: Any) -> Any:
    """A subclass of a plain type as `json.dumps` writes it, for msgspec, which takes none: a
    story given by a program may hold a CMS's "safe" text (`markupsafe.Markup`, a str) or
    numpy's coordinates (`numpy.float64`, a float). An enum is written as its value."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, float):
        return msgspec.Raw(_float_text(value).encode("ascii"))
    if isinstance(value, int):
        return int.__int__(value)
    return value


_PLAIN = frozenset({str, int, bool, type(None)})
"""Types written as they are (not their subclasses: an enum is an int or a str subclass);
floats too, but for `dumps` (see `_encode`)."""

_float_text = json.JSONEncoder().encode
"""A float as `json.dumps` writes it (`1e+16`, `NaN`, `Infinity`)."""


@cache
def _field_names(cls: type, leave_out: frozenset[str]) -> tuple[str, ...] | None:
    """A dataclass's fields in order, without those left out; None for any other class."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in leave_out)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


Decoder = Callable[[Any], Any]


def _decode(data: Any, hint: Any) -> Any:
    """`data` read back as a value of the type `hint`."""
    return _decoder(hint)(data)


@cache
def _decoder(hint: Any) -> Decoder:
    """What reads data back as a value of the type `hint`, worked out once per type: a
    stored story's thousand values are each read by a function chosen before."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        return partial(_decode_union, options=typing.get_args(hint))
    if origin is typing.Literal or hint is Any:
        return _as_is
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return partial(_decode_items, _decoder(args[0]))
        return partial(_decode_fixed, tuple(_decoder(a) for a in args))
    if hint is datetime:
        return datetime.fromisoformat
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _decode_object
    if hint in (str, int, float, bool):
        return partial(_decode_plain, hint)
    return _as_is


def _as_is(data: Any) -> Any:
    return data


def _decode_items(item: Decoder, data: Any) -> tuple[Any, ...]:
    return tuple(map(item, data))


def _decode_fixed(items: tuple[Decoder, ...], data: Any) -> tuple[Any, ...]:
    return tuple(item(v) for item, v in zip(items, data, strict=True))


def _decode_plain(hint: type, data: Any) -> Any:
    if not isinstance(data, hint):
        raise TypeError(f"expected {hint.__name__}, got {type(data).__name__}")
    return data


def _decode_union(data: Any, options: tuple[Any, ...]) -> Any:
    if data is None and type(None) in options:
        return None
    if isinstance(data, dict):
        return _decode_object(data)
    for option in options:
        if option is datetime and isinstance(data, str):
            return datetime.fromisoformat(data)
        if typing.get_origin(option) is tuple and isinstance(data, list):
            return _decode(data, option)
    return data


def _decode_object(data: dict[str, Any]) -> Any:
    """A dataclass read back. A field with a default that `data` lacks takes its default: a
    build state stored before the field was added still reads (a field without one is an
    error, so the stored story counts as lost and is read again)."""
    cls = _CLASSES[data[_TAG]]
    return cls(
        **{
            name: decode(data[name])
            for name, decode, optional in _field_decoders(cls)
            if not optional or name in data
        }
    )


@cache
def _field_decoders(cls: type) -> tuple[tuple[str, Decoder, bool], ...]:
    """A dataclass's fields in order, each with what reads it back and whether it has a
    default."""
    hints = _hints(cls)
    return tuple(
        (
            f.name,
            _decoder(hints[f.name]),
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    )
