"""XML basics every layer shares: the namespace names syndicate reads and writes, and the one
safe parser for XML that syndicate did not write in this run (partners' items, files in out/):
no DTD, no entity expansion, no network."""

from __future__ import annotations

from lxml import etree

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XMLNS_NS = "http://www.w3.org/2000/xmlns/"
"""The namespace name of `xmlns` itself, which XML lets no prefix be bound to."""
XHTML_NS = "http://www.w3.org/1999/xhtml"
ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"
DCTERMS_NS = "http://purl.org/dc/terms/"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
OPDS_NS = "http://opds-spec.org/2010/catalog"
EPUB_NS = "http://www.idpf.org/2007/ops"
NAR_NS = "http://iptc.org/std/nar/2006-10-01/"


def clark(namespace: str, name: str) -> str:
    """The `{namespace}name` form lxml uses for qualified names."""
    return f"{{{namespace}}}{name}"


def safe_parser(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """Entities stay unexpanded and external files unread; huge_tree stays off, so libxml2's own
    limits on depth and entity amplification apply. `remove_blank_text` drops the whitespace
    between elements (a document about to be pretty-printed again: feedgen's)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=remove_blank_text,
    )


def has_doctype(tree: etree._ElementTree) -> bool:
    """Whether the document declares a DOCTYPE, the only place entities can be defined."""
    info = tree.docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None
