"""The names NewsML-G2 items use, shared by the writer, the reader and the validator: IPTC's
catalog, our own scheme aliases (`synrel:`, `synhl:`, `synpic:`, `synsec:`), roles, signals and
file names."""

from __future__ import annotations

from dataclasses import dataclass

from syndicate.model.genres import genre_code
from syndicate.xmlbase import NAR_NS, clark

IPTC_CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_41.xml"
CATALOG_FILE = "newsml/catalog.syndicate.xml"
"""Our own catalog, for the schemes IPTC's lacks (synrel, synhl, synsec), published where items
say."""
MEDIA_FOLDER = "newsml/media"
"""Where the images items refer to are published, beside the items: they travel with them to
partners (embargoed items included), and no public page links them."""
PROFILE_XSD = "newsml-g2-profile.xsd"
NEWSITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml"
PACKAGEITEM_TYPE = "application/vnd.iptc.g2.packageitem+xml"
CATALOGITEM_TYPE = "application/vnd.iptc.g2.catalogitem+xml"
PACKAGE_SUFFIX = ".package.xml"
REL_ORIGINAL = "synrel:original"
REL_TRANSLATION = "synrel:translation"
REL_SEE_ALSO = "irel:seeAlso"
SIG_UPDATE = "sig:update"
"""IPTC's signal that an item updates an earlier version (a correction, a kill)."""
SUMMARY_ROLE = "drol:summary"
ALTERNATIVE_HEADLINE_ROLE = "synhl:alternative"
"""The role of a story's alternative headline (`alt_headline`), the `headline` after the main
one: IPTC has no scheme of headline roles."""
PICTURE_ID = "picture-"
"""What a picture's remoteContent id begins with (`Story.picture_id`); items written before
ids were made from file names numbered it by its place in `story.yaml` (`picture-2`)."""
PART_SUFFIX = "-part"
"""A picture's partMeta partid: its remoteContent id and this."""
CAPTION_ROLE = "drol:caption"
ALT_ROLE = "synpic:alt"
"""The role of a picture's text alternative (HTML's `alt`; empty for an ornament), a
`description` of its partMeta: IPTC's description roles have none."""
COUNTRY_SCHEME = "iso3166-1a2"


def qname(tag: str) -> str:
    """The Clark name of a NewsML-G2 element: `itemMeta` -> `{http://iptc.org/...}itemMeta`."""
    return clark(NAR_NS, tag)


@dataclass(frozen=True, slots=True)
class Scheme:
    """A scheme of our catalog; its URI is under the publisher's base URL."""

    alias: str
    name: str
    definition: str


SCHEMES = (
    Scheme(
        "synrel",
        "Language variant relation",
        "How a news item relates to another language variant of the same story. IPTC's"
        " item-relation scheme (irel) has no code for translations. Codes: original (the"
        " target is the variant in the story's original language, of which this item is a"
        " translation); translation (the target is a translation of the same story).",
    ),
    Scheme(
        "synhl",
        "Headline role",
        "What a headline of a news item is, when it is not the main one (which comes first and"
        " has no role). Codes: alternative (a second headline of the same story, a subtitle"
        " or the headline a web page or a partner may show instead).",
    ),
    Scheme(
        "synpic",
        "Picture description role",
        "What a description of a picture (a partMeta of a news item) is, when IPTC's"
        " description roles (drol) have no code for it. Codes: alt (the picture's text"
        " alternative, for readers who cannot see it, as HTML's alt attribute; empty for a"
        " picture that is an ornament and says nothing).",
    ),
    Scheme(
        "synsec",
        "Newsroom section",
        "The section of the publisher's newsroom a story belongs to (politics, world,"
        " business, ...), used as the item's service. Codes are the section codes of the"
        " publisher's story sources.",
    ),
)


def scheme_uri(catalog_url: str, alias: str) -> str:
    """A scheme's URI: a place in the catalog that describes it (a code's URI is this plus the
    code, e.g. `.../catalog.syndicate.xml#synrel/original`)."""
    return f"{catalog_url}#{alias}/"


def media_path(slug: str, name: str) -> str:
    return f"{MEDIA_FOLDER}/{slug}/{name}"


def item_path(slug: str, lang: str) -> str:
    return f"newsml/{slug}.{lang}.xml"


def package_path(slug: str) -> str:
    return f"newsml/{slug}{PACKAGE_SUFFIX}"


def genre_qcode(genre: str) -> str:
    """A story's genre as IPTC's qcode: `press-release` -> `genre:Press_Release`."""
    return "genre:" + genre_code(genre)
