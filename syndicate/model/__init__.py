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

_WHERE = {
    "Block": "syndicate.model.body",
    "BlockQuote": "syndicate.model.body",
    "Code": "syndicate.model.body",
    "Emphasis": "syndicate.model.body",
    "Figure": "syndicate.model.body",
    "Heading": "syndicate.model.body",
    "Inline": "syndicate.model.body",
    "LineBreak": "syndicate.model.body",
    "Link": "syndicate.model.body",
    "ListBlock": "syndicate.model.body",
    "Paragraph": "syndicate.model.body",
    "Strong": "syndicate.model.body",
    "Subscript": "syndicate.model.body",
    "Superscript": "syndicate.model.body",
    "Text": "syndicate.model.body",
    "ThematicBreak": "syndicate.model.body",
    "inline_text": "syndicate.model.body",
    "walk": "syndicate.model.body",
    "Publisher": "syndicate.model.site",
    "SiteConfig": "syndicate.model.site",
    "SourceRef": "syndicate.model.source",
    "Byline": "syndicate.model.story",
    "Correction": "syndicate.model.story",
    "IMAGE_EXTENSIONS": "syndicate.model.story",
    "Image": "syndicate.model.story",
    "Lifecycle": "syndicate.model.story",
    "Localized": "syndicate.model.story",
    "Person": "syndicate.model.story",
    "Place": "syndicate.model.story",
    "RelatedLink": "syndicate.model.story",
    "Rights": "syndicate.model.story",
    "STATUSES": "syndicate.model.story",
    "Status": "syndicate.model.story",
    "Story": "syndicate.model.story",
    "Subject": "syndicate.model.story",
    "UNRELEASED": "syndicate.model.story",
    "Variant": "syndicate.model.story",
    "StorySummary": "syndicate.model.summary",
    "VariantSummary": "syndicate.model.summary",
}
"""The module that defines each name."""


if not TYPE_CHECKING:  # type checkers read the imports above: a misspelt name stays an error

    def __getattr__(name: str) -> Any:
        module = _WHERE.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # looked up once
        return value

    def __dir__() -> list[str]:
        return sorted([*globals(), *_WHERE])


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
