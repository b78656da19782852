"""The one list of output formats. The CLI's choices, `syndicate formats` and the "unknown
format" message read it; formats are imported only when used, so start-up stays fast.

A format has one name: the key it is registered under. A plugin declares its writer in the
entry point group `syndicate.writers` (`partner = mypackage.partner:PartnerWriter`); a writer
whose own `name` differs from that key is refused when it is loaded, with a diagnostic."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from functools import cache
from importlib.metadata import entry_points

from syndicate.diagnostics import did_you_mean
from syndicate.formats.contract import AnyWriter, Writer

ENTRY_POINT_GROUP = "syndicate.writers"

# Built-in formats, by name. A newsroom adds its own through the entry point group above,
# exactly as these could be declared; a plugin cannot shadow a built-in name.
BUILTIN: dict[str, str] = {
    "atom": "syndicate.formats.feeds.atom:AtomWriter",
    "epub": "syndicate.formats.epub.writer:EpubWriter",
    "html": "syndicate.formats.html.writer:HtmlWriter",
    "jsonfeed": "syndicate.formats.jsonfeed.writer:JsonFeedWriter",
    "jsonld": "syndicate.formats.jsonld.writer:JsonLdWriter",
    "model": "syndicate.formats.model.writer:ModelWriter",
    "newsml": "syndicate.formats.newsml.writer:NewsMLWriter",
    "ninjs": "syndicate.formats.ninjs.writer:NinjsWriter",
    "rss": "syndicate.formats.feeds.rss:RssWriter",
    "sitemap": "syndicate.formats.sitemap.writer:SitemapWriter",
}

Target = str | Callable[[], AnyWriter]
"""Where a writer comes from: `module:Class`, or a callable making the writer (for tests and
embedding applications that configure a writer, e.g. with another cover renderer)."""


class UnknownFormat(LookupError):
    pass


class PluginError(Exception):
    """A registered writer that cannot be used; the message says which and what to change."""


class Registry:
    def __init__(self, table: Mapping[str, Target]) -> None:
        self._table = dict(sorted(table.items()))
        self._loaded: dict[str, AnyWriter] = {}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._table)

    def get(self, name: str) -> AnyWriter:
        """The writer registered as `name`; raises UnknownFormat or PluginError."""
        if name not in self._table:
            raise UnknownFormat(self.unknown_message(name))
        if name not in self._loaded:
            self._loaded[name] = self._load(name, self._table[name])
        return self._loaded[name]

    def all(self) -> list[AnyWriter]:
        return [self.get(name) for name in self.names]

    def unknown_message(self, name: str) -> str:
        hint = did_you_mean(name, self.names)
        return f"unknown format {name!r}{hint} (formats: {', '.join(self.names)}, all)"

    @staticmethod
    def _load(name: str, target: Target) -> AnyWriter:
        where = target if isinstance(target, str) else repr(target)
        try:
            if isinstance(target, str):
                module, _, attr = target.partition(":")
                made = getattr(importlib.import_module(module), attr)()
            else:
                made = target()
        except Exception as exc:  # a broken plugin must not take the command down
            raise PluginError(f"format {name!r} ({where}) cannot be loaded: {exc!r}") from None
        if not isinstance(made, Writer):
            raise PluginError(f"format {name!r} ({where}) is not a syndicate Writer")
        if getattr(made, "name", None) != name:
            raise PluginError(
                f"format {name!r} ({where}) names itself {getattr(made, 'name', None)!r}; give"
                " the entry point and the writer's `name` the same value"
            )
        return made


@cache
def default_registry() -> Registry:
    table: dict[str, Target] = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    table.update(BUILTIN)
    return Registry(table)
