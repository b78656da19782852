"""`model`: a machine-readable JSON dump of the canonical model, one file per public story, for
tests and for debugging what the readers understood. It is published with the other formats, so
it holds only what the public may see: no embargoed, withheld or canceled story, and source
positions relative to the articles folder (`<slug>/fr.md:12`), never a path of the machine."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from functools import cache, lru_cache
from pathlib import PurePosixPath
from typing import Any

from syndicate.formats.contract import (
    Context,
    NoOptions,
    OutputFile,
    Writer,
    exported_languages,
    json_document,
    site_languages,
)
from syndicate.i18n.dates import rfc3339
from syndicate.model import Image, Localized, SourceRef, Story, Variant
from syndicate.model import body as body_nodes

# Fields that describe the machine the run happened on, not the story; and the line of one
# field, kept for the problems a writer finds in it (the variant's `source` names its file).
_LOCAL_FIELDS = {"folder", "path", "headline_source", "release_source"}
_BODY_TYPES = {cls for cls in vars(body_nodes).values() if dataclasses.is_dataclass(cls)}


class ModelWriter(Writer[NoOptions]):
    name = "model"
    description = "JSON dump of the canonical model (for tests and debugging)"
    media_type = "application/json"
    extension = ".json"
    scope = "story"
    Options = NoOptions

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        # One file holds every variant the site publishes: written whole by a run of any of
        # the story's languages, as a run of every language writes it.
        if not exported_languages(story, ctx) or not story.is_visible(ctx.now):
            return
        variants = tuple(story.variant(lang) for lang in site_languages(story, ctx))
        data = to_data(dataclasses.replace(story, variants=variants))
        yield OutputFile(f"model/{story.slug}.json", json_document(data))


@lru_cache(maxsize=1024)  # a story's references name its few files again and again
def _story_relative(path: str) -> str:
    """`<slug>/<file>` of a path into an articles folder."""
    return "/".join(PurePosixPath(path.replace("\\", "/")).parts[-2:])


def to_data(value: Any) -> Any:
    """Plain JSON data for a model value; body nodes carry their node type."""
    cls: type = type(value)
    if cls in _PLAIN:
        return value
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, SourceRef):
        return str(SourceRef(_story_relative(value.path), value.line))
    if isinstance(value, Localized):
        return dict(value.values)
    names = _field_names(cls)
    if names is not None:
        data = {name: to_data(getattr(value, name)) for name in names}
        if cls is Variant and data["published"] is None:
            del data["published"]  # the story's: said once, as before variants could differ
        if cls is Image:  # an editor's word, said where given: the dump is as before without
            for name in _IMAGE_WORDS:
                if data[name] is None:
                    del data[name]
        if cls in _BODY_TYPES:
            data["node"] = cls.__name__
        return data
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    return value


_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types written as they are (not their subclasses)."""
_IMAGE_WORDS = ("animation", "decorative")
"""An image's fields an editor writes only to accept what would be warned of."""


@cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """A dataclass's fields in order, without the machine's; None for any other class."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in _LOCAL_FIELDS)
