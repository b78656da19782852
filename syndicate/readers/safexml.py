"""Parsing XML that syndicate did not write in this run (partners' items, files in out/): no DTD,
no entity expansion, no network."""

from __future__ import annotations

from lxml import etree


def safe_parser() -> etree.XMLParser:
    """Entities stay unexpanded and external files unread; huge_tree stays off, so libxml2's own
    limits on depth and entity amplification apply."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def has_doctype(tree: etree._ElementTree) -> bool:
    """Whether the document declares a DOCTYPE, the only place entities can be defined."""
    info = tree.docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None
