"""`model`: a machine-readable JSON dump of the canonical model, one file per story, for tests
and for debugging what the readers understood."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from syndicate.formats.contract import Context, NoOptions, OutputFile, Writer
from syndicate.i18n.dates import rfc3339
from syndicate.model import Localized, SourceRef, Story
from syndicate.model import body as body_nodes

# Fields that describe the machine the run happened on, not the story.
_LOCAL_FIELDS = {"folder", "path"}
_BODY_TYPES = {cls for cls in vars(body_nodes).values() if dataclasses.is_dataclass(cls)}


class ModelWriter(Writer[NoOptions]):
    name = "model"
    description = "JSON dump of the canonical model (for tests and debugging)"
    media_type = "application/json"
    extension = ".json"
    scope = "story"
    Options = NoOptions

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        variants = [v for v in story.variants if v.lang in ctx.languages]
        if not variants:
            return
        data = to_data(dataclasses.replace(story, variants=tuple(variants)))
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        yield OutputFile(f"model/{story.slug}.json", text.encode("utf-8"))


def to_data(value: Any) -> Any:
    """Plain JSON data for a model value; body nodes carry their node type."""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, SourceRef):
        return str(value)
    if isinstance(value, Localized):
        return dict(value.values)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {
            f.name: to_data(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _LOCAL_FIELDS
        }
        if type(value) in _BODY_TYPES:
            data["node"] = type(value).__name__
        return data
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    return value
