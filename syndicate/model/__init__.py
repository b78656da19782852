"""The canonical model every writer reads: frozen stories, variants and body trees.

The names below are loaded when first used (PEP 562): a module that needs only where a value
came from (`syndicate.model.source`, which every diagnostic imports) or the site's
configuration does not pay for building the story and body classes. A run that finds
nothing changed never does (see docs/performance.md, "The twenty-third round")."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syndicate.model.body import (
        Block,
        BlockQuote,
        Code,
        Emphasis,
        Figure,
        Heading,
        Inline,
        LineBreak,
        Link,
        ListBlock,
        Paragraph,
        Strong,
        Subscript,
        Superscript,
        Text,
        ThematicBreak,
        inline_text,
        walk,
    )
    from syndicate.model.site import Publisher, SiteConfig
    from syndicate.model.source import SourceRef
    from syndicate.model.story import (
        IMAGE_EXTENSIONS,
        STATUSES,
        UNRELEASED,
        Byline,
        Correction,
        Image,
        Lifecycle,
        Localized,
        Person,
        Place,
        RelatedLink,
        Rights,
        Status,
        Story,
        Subject,
        Variant,
    )
    from syndicate.model.summary import StorySummary, VariantSummary

_MODULES = ("source", "site", "story", "summary", "body")
"""Where the names of `__all__` are defined, looked up in this order: the site's configuration
loads no story class, a story's names load the body tree they need anyway."""


if not TYPE_CHECKING:  # type checkers read the imports above: a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        if name in __all__:
            for module in _MODULES:
                defined = vars(importlib.import_module(f"{__name__}.{module}"))
                if name in defined:
                    globals()[name] = defined[name]  # looked up once
                    return defined[name]
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})


__all__ = [
    "IMAGE_EXTENSIONS",
    "STATUSES",
    "UNRELEASED",
    "Block",
    "BlockQuote",
    "Byline",
    "Code",
    "Correction",
    "Emphasis",
    "Figure",
    "Heading",
    "Image",
    "Inline",
    "Lifecycle",
    "LineBreak",
    "Link",
    "ListBlock",
    "Localized",
    "Paragraph",
    "Person",
    "Place",
    "Publisher",
    "RelatedLink",
    "Rights",
    "SiteConfig",
    "SourceRef",
    "Status",
    "Story",
    "StorySummary",
    "Strong",
    "Subject",
    "Subscript",
    "Superscript",
    "Text",
    "ThematicBreak",
    "Variant",
    "VariantSummary",
    "inline_text",
    "walk",
]
