"""The names NewsML-G2 items use, shared by the writer, the reader and the validator: IPTC's
catalog, our own scheme aliases (`synrel:`, `synsec:`), roles, signals and file names."""

from __future__ import annotations

from syndicate.xmlbase import NAR_NS, clark

IPTC_CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"
CATALOG_SOURCE = "newsml-g2-catalog.xml"
"""Our own catalog in schemas/, for the schemes IPTC's lacks (synrel, synsec)."""
CATALOG_FILE = "newsml/catalog.syndicate.xml"
PROFILE_XSD = "newsml-g2-profile.xsd"
NEWSITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml"
PACKAGEITEM_TYPE = "application/vnd.iptc.g2.packageitem+xml"
CATALOGITEM_TYPE = "application/vnd.iptc.g2.catalogitem+xml"
PACKAGE_SUFFIX = ".package.xml"
REL_ORIGINAL = "synrel:original"
REL_TRANSLATION = "synrel:translation"
REL_SEE_ALSO = "irel:seeAlso"
SIG_CORRECTION = "sig:correction"
SUMMARY_ROLE = "drol:summary"
COUNTRY_SCHEME = "iso3166-1a2"


def qname(tag: str) -> str:
    """The Clark name of a NewsML-G2 element: `itemMeta` -> `{http://iptc.org/...}itemMeta`."""
    return clark(NAR_NS, tag)


def item_path(slug: str, lang: str) -> str:
    return f"newsml/{slug}.{lang}.xml"


def package_path(slug: str) -> str:
    return f"newsml/{slug}{PACKAGE_SUFFIX}"


def genre_qcode(genre: str) -> str:
    """Our genre codes are IPTC's in kebab case: `current` -> `genre:Current`."""
    return "genre:" + "".join(part.capitalize() for part in genre.split("-"))
