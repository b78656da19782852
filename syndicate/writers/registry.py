"""The one list of output formats. The CLI's choices, `syndicate formats` and the "unknown
format" message read it; formats are imported only when used, so start-up stays fast."""

from __future__ import annotations

import difflib
import importlib
from functools import cache
from importlib.metadata import entry_points

from syndicate.writers.base import AnyWriter

ENTRY_POINT_GROUP = "syndicate.writers"

# Built-in formats, by name. A newsroom adds its own through the entry point group above,
# exactly as these could be declared; a plugin cannot shadow a built-in name.
BUILTIN: dict[str, str] = {
    "atom": "syndicate.writers.feeds.atom:AtomWriter",
    "epub": "syndicate.writers.epub.writer:EpubWriter",
    "html": "syndicate.writers.html.pages:HtmlWriter",
    "jsonld": "syndicate.writers.jsonld:JsonLdWriter",
    "model": "syndicate.writers.model:ModelWriter",
    "newsml": "syndicate.writers.newsml:NewsMLWriter",
    "rss": "syndicate.writers.feeds.rss:RssWriter",
}


class UnknownFormat(LookupError):
    pass


class Registry:
    def __init__(self, table: dict[str, str]) -> None:
        self._table = dict(sorted(table.items()))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._table)

    def get(self, name: str) -> AnyWriter:
        if name not in self._table:
            raise UnknownFormat(self.unknown_message(name))
        module, _, attr = self._table[name].partition(":")
        cls = getattr(importlib.import_module(module), attr)
        writer: AnyWriter = cls()
        return writer

    def all(self) -> list[AnyWriter]:
        return [self.get(name) for name in self.names]

    def unknown_message(self, name: str) -> str:
        hint = difflib.get_close_matches(name, self.names, n=1)
        did_you_mean = f"; did you mean {hint[0]!r}?" if hint else ""
        return f"unknown format {name!r}{did_you_mean} (formats: {', '.join(self.names)}, all)"


@cache
def default_registry() -> Registry:
    table = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    table.update(BUILTIN)
    return Registry(table)
