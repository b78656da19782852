"""Partner feed profiles as options: one typed record of parameters over the RSS feed writer,
the built-in profiles as that record with their partner's figures for defaults, and the profiles
a site defines in the `profiles:` section of syndicate.yaml.

This module is light on purpose (msgspec only): the registry reads it to learn a site's
profiles before any writer is imported."""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from syndicate.diagnostics import Diagnostics, did_you_mean
from syndicate.formats.contract import OptionPath, Options, listed_twice
from syndicate.i18n.locales import not_site_languages
from syndicate.model import SiteConfig
from syndicate.model.site import field_problem
from syndicate.xmlbase import (
    ATOM_NS,
    CONTENT_NS,
    DC_NS,
    DCTERMS_NS,
    MEDIA_NS,
    XML_NS,
    XMLNS_NS,
)

if TYPE_CHECKING:
    from syndicate.formats.contract import AnyWriter

SECTION = "profiles"
FOLDER = "partners"
SNF_NS = "http://www.smartnews.be/snf"
"""SmartNews' SmartFormat namespace (`snf:logo`)."""
KNOWN_NAMESPACES = {
    "atom": ATOM_NS,
    "content": CONTENT_NS,
    "dc": DC_NS,
    "dcterms": DCTERMS_NS,
    "media": MEDIA_NS,
    "snf": SNF_NS,
}
"""Prefixes every profile may use without declaring them (and may not bind to another URI)."""
RESERVED_NAMESPACES = {
    XML_NS: "bound to the prefix xml alone",
    XMLNS_NS: "which no prefix may be bound to",
}
"""The namespace names XML reserves (Namespaces in XML 1.0, section 3): a feed binding one to
a prefix of the profile's own is not well-formed, and every partner's parser refuses it."""
PLACEHOLDERS = ("id", "link", "lang", "section", "published", "updated")
"""What an `item_elements` text may name, e.g. `{updated}` (dates in RFC 3339, UTC)."""

Base = Literal["google-news", "msn", "smartnews", "flipboard"]
Count = Annotated[int, msgspec.Meta(ge=1)]
MAX_ITEMS = 10_000
"""The most items a feed holds or a partner may want: a typo (100000000 for 100) must not make
a run hold every story in one feed file."""
Items = Annotated[int, msgspec.Meta(ge=1, le=MAX_ITEMS)]
Pixels = Annotated[int, msgspec.Meta(ge=1, le=65535)]
"""A side of an image, in pixels: at most JPEG's largest, 65535 (no image is larger)."""
Days = Annotated[int, msgspec.Meta(ge=1, le=36525)]
"""A number of days up to a hundred years: past it no story of a feed is older, and a date
that far from --now is out of the calendar's range."""
Ratio = Annotated[float, msgspec.Meta(ge=0.05, le=20)]
"""A width/height ratio from 1:20 to 20:1: any partner's, and within what an image of a
few pixels can be cropped to."""
Prefix = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*\Z", extra={"expected": "an XML prefix"})
]
QName = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z_][A-Za-z0-9_.-]*\Z",
        extra={"expected": "prefix:name, e.g. dcterms:modified"},
    ),
]
NamespaceUri = Annotated[
    str, msgspec.Meta(pattern=r"^\S+:\S+\Z", extra={"expected": "a namespace URI"})
]


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


Enabled = Annotated[
    bool, _doc("false leaves the profile out of --format all (--format NAME still writes it)")
]
Label = Annotated[str | None, _doc("the partner's name in problems (default: the profile's name)")]
Languages = Annotated[
    Literal["all"] | tuple[str, ...],
    _doc("languages with a feed: all (the run's languages) or a list"),
]
Sections = Annotated[
    Literal["all"] | tuple[str, ...],
    _doc("sections with a feed of their own besides the language's: all, a list, or [] (none)"),
]
Content = Annotated[
    Literal["full", "summary"],
    _doc("full: the whole story in content:encoded; summary: the summary alone"),
]
Limit = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=MAX_ITEMS,
        description="items in a feed, newest first; kill items come on top, never cut",
    ),
]
MaxAge = Annotated[
    Days | None,
    _doc(
        "stories that reached the public (their published, or the end of their embargo) this"
        " many days or more before --now are left out"
    ),
]
TombstoneDays = Annotated[
    int,
    msgspec.Meta(
        ge=0,
        le=36525,
        description="days a killed story's kill item stays, after the newest change of its feed",
    ),
]
TitleMin = Annotated[Count | None, _doc("fewest characters in a title; shorter: story left out")]
TitleMax = Annotated[Count | None, _doc("most characters in a title; longer: story left out")]
SummaryMin = Annotated[
    Count | None,
    _doc(
        "fewest characters the partner recommends in the description: a shorter summary goes on"
        " with the body's text; a story whose text is shorter still is kept, with a warning"
    ),
]
SummaryMax = Annotated[
    Count | None, _doc("most characters in the description: a longer summary is shortened")
]
ChannelDescriptionMax = Annotated[
    Count | None,
    _doc("most characters in the channel description (else the publisher's name)"),
]
RequireCreator = Annotated[
    bool, _doc("every item names its author in dc:creator (the publisher when no byline)")
]
ImageRequired = Annotated[bool, _doc("a story without an image meeting the rules is left out")]
ImageMinWidth = Annotated[
    Pixels | None, _doc("narrowest image, in pixels; narrower: image left out")
]
ImageMinHeight = Annotated[Pixels | None, _doc("lowest image, in pixels; lower: image left out")]
ImageRecommendedSide = Annotated[
    Pixels | None,
    _doc(
        "size the partner recommends for an image's width or height, in pixels; an image whose"
        " width and height are both under it is kept, with a warning"
    ),
]
RatioMin = Annotated[
    Ratio | None, _doc("smallest width/height ratio: a taller image is cropped to it")
]
RatioMax = Annotated[
    Ratio | None, _doc("largest width/height ratio: a wider image is cropped to it")
]
ImageMaxBytes = Annotated[
    Count | None, _doc("largest image file: a larger one is scaled down until it fits")
]
ImageWidth = Annotated[
    Pixels | None, _doc("width of the image renditions: wider images are scaled down to it")
]
PlainDescription = Annotated[
    bool,
    _doc(
        "the description is plain text (the summary without markup, escaped once), not RSS"
        " 2.0's escaped HTML"
    ),
]
Thumbnail = Annotated[
    bool, _doc("add a media:thumbnail (the story's picture, the item's first image) to every item")
]
Dates = Annotated[
    Literal["utc", "gmt"],
    _doc("RFC 822 dates in English, in UTC, written +0000 (utc) or GMT (gmt)"),
]
PubDate = Annotated[
    Literal["published", "updated"],
    _doc(
        "an item's pubDate: when the story reached the public (its published, or the end of its"
        " embargo), or when it last changed (for partners that tell a changed story by its"
        " pubDate)"
    ),
]
Kill = Annotated[
    Literal["notice", "expire", "media-status", "drop"],
    _doc(
        "how a killed or withdrawn story leaves the feed: notice (an item with its guid and the"
        " notice), expire (the same, expired by dcterms:valid), media-status (the same with"
        ' media:status state="deleted"), drop (it just leaves the feed)'
    ),
]
MaxBytes = Annotated[
    Count | None,
    _doc(
        "largest feed file: an item too large to fit alone is left out by itself, then the"
        " oldest items as the cap needs"
    ),
]
MaxItemBytes = Annotated[Count | None, _doc("largest item: a larger story is left out")]
MinItems = Annotated[Items | None, _doc("fewest items the partner wants (checked by validate)")]
Hub = Annotated[
    Annotated[
        str, msgspec.Meta(pattern=r"^https?://\S+\Z", extra={"expected": "the hub's http(s) URL"})
    ]
    | None,
    _doc("WebSub hub announced by the feeds"),
]
RequireHub = Annotated[bool, _doc("the partner wants a WebSub hub: hub must be set")]
SnfLogo = Annotated[bool, _doc("add SmartNews' snf:logo (the publisher's logo) to each channel")]
Namespaces = Annotated[
    dict[Prefix, NamespaceUri],
    _doc("namespaces of the extra elements, by prefix"),
]
ChannelElements = Annotated[dict[QName, str], _doc("extra channel elements: prefix:name -> text")]
ItemElements = Annotated[
    dict[QName, str],
    _doc(
        "extra item elements: prefix:name -> text, which may name {id}, {link}, {lang},"
        " {section}, {published}, {updated}, written as such (no format or conversion)"
    ),
]
BaseProfile = Annotated[
    Base | None,
    _doc("for a profile of your own: the built-in profile whose settings it starts from"),
]


class ProfileOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One partner profile: a part of the `profiles` section of syndicate.yaml. A profile of
    the site's own starts from these neutral settings (plain RSS 2.0), or from a built-in
    profile's (`base`)."""

    enabled: Enabled = True
    base: BaseProfile = None
    label: Label = None
    languages: Languages = "all"
    sections: Sections = ()
    content: Content = "full"
    limit: Limit = 50
    max_age_days: MaxAge = None
    tombstone_days: TombstoneDays = 30
    title_min: TitleMin = None
    title_max: TitleMax = None
    summary_min: SummaryMin = None
    summary_max: SummaryMax = None
    plain_description: PlainDescription = False
    channel_description_max: ChannelDescriptionMax = None
    require_creator: RequireCreator = False
    image_required: ImageRequired = False
    image_min_width: ImageMinWidth = None
    image_min_height: ImageMinHeight = None
    image_recommended_side: ImageRecommendedSide = None
    image_ratio_min: RatioMin = None
    image_ratio_max: RatioMax = None
    image_max_bytes: ImageMaxBytes = None
    image_width: ImageWidth = None
    thumbnail: Thumbnail = False
    dates: Dates = "utc"
    pubdate: PubDate = "published"
    kill: Kill = "notice"
    max_bytes: MaxBytes = None
    max_item_bytes: MaxItemBytes = None
    min_items: MinItems = None
    hub: Hub = None
    require_hub: RequireHub = False
    snf_logo: SnfLogo = False
    namespaces: Namespaces = msgspec.field(default_factory=dict)
    channel_elements: ChannelElements = msgspec.field(default_factory=dict)
    item_elements: ItemElements = msgspec.field(default_factory=dict)

    def check(self, config: SiteConfig) -> Iterator[tuple[OptionPath, str]]:
        yield from listed_twice("languages", self.languages)
        yield from listed_twice("sections", self.sections)
        if self.languages == ():
            yield (
                "languages",
                "is empty: the profile would write no feed; name its languages (or all), or"
                " set enabled: false to leave it out of --format all",
            )
        if self.label is not None and not self.label.strip():
            yield "label", "is empty: give the partner's name, or take the line out"
        languages = self.languages
        if languages != "all" and (problem := not_site_languages(languages, config.languages)):
            yield "languages", problem
        for low, high in (
            ("title_min", "title_max"),
            ("summary_min", "summary_max"),
            ("image_ratio_min", "image_ratio_max"),
        ):
            if None not in (getattr(self, low), getattr(self, high)) and getattr(
                self, low
            ) > getattr(self, high):
                yield low, f"is above {high} ({getattr(self, high)})"
        narrow, least = self.image_width, self.image_min_width
        if narrow is not None and least is not None and narrow < least:
            yield (
                "image_width",
                f"is below image_min_width ({least}): the partner refuses images that narrow;"
                f" give at least {least}",
            )
        if self.require_hub and self.hub is None:
            yield "hub", f"{self.label or 'this partner'} wants a WebSub hub: set hub"
        for prefix, uri in self.namespaces.items():
            if prefix.lower().startswith("xml"):  # XML's own: `xml` is bound, the rest kept
                yield (
                    "namespaces",
                    f"{prefix!r}: XML reserves the prefixes that start with xml; choose"
                    " another prefix",
                )
            elif (reserved := RESERVED_NAMESPACES.get(uri)) is not None:
                yield (
                    "namespaces",
                    f"{prefix!r}: {uri} is XML's own namespace name, {reserved} (Namespaces in"
                    " XML); give the namespace URI of your partner's elements",
                )
            elif KNOWN_NAMESPACES.get(prefix, uri) != uri:
                bound = KNOWN_NAMESPACES[prefix]
                yield "namespaces", f"{prefix!r} is {bound}; choose another prefix"
        for key, elements in (("channel_elements", self.channel_elements),
                              ("item_elements", self.item_elements)):  # fmt: skip
            for qname, text in elements.items():
                prefix = qname.partition(":")[0]
                if prefix not in self.all_namespaces():
                    yield key, f"{qname}: no namespace is declared for {prefix!r} (namespaces)"
                namespace = self.all_namespaces().get(prefix)
                if (namespace, qname.partition(":")[2]) in _written(key):
                    yield (
                        key,
                        (
                            f"{qname}: the profile writes {qname} itself (from the story);"
                            " a second one makes the feed invalid"
                        ),
                    )
                elif (problem := _vocabulary_problem(namespace, qname)) is not None:
                    yield key, problem
                yield from _check_text(key, qname, text, namespace)

    def all_namespaces(self) -> dict[str, str]:
        """The namespaces this profile's documents may use, by prefix."""
        return {**KNOWN_NAMESPACES, **self.namespaces}

    def all_item_elements(self) -> dict[str, str]:
        """The elements each item gets: the partner's own (MSN's `dcterms:modified`, which
        tells it of a correction), then the site's, which add to them or give one another
        text; a site's mapping never takes the partner's away."""
        return {**built_in(type(self), "item_elements"), **self.item_elements}

    def all_channel_elements(self) -> dict[str, str]:
        """The elements the channel gets: the partner's own, then the site's."""
        return {**built_in(type(self), "channel_elements"), **self.channel_elements}


_DEFAULTS: dict[tuple[int, str], Any] = {}


def built_in(record: type[ProfileOptions], key: str) -> Any:
    """A profile record's own default for one of its options (kept by the record's id: the
    writers ask for every story)."""
    found = _DEFAULTS.get((id(record), key), _DEFAULTS)
    if found is _DEFAULTS:
        (field,) = [f for f in msgspec.structs.fields(record) if f.name == key]
        found = field.default_factory() if field.default is msgspec.NODEFAULT else field.default
        _DEFAULTS[(id(record), key)] = found
    return found


WRITTEN = {
    "channel_elements": frozenset({"atom:link", "snf:logo"}),
    "item_elements": frozenset(
        {
            "atom:link", "atom:updated", "content:encoded", "dc:creator", "dc:language",
            "media:content", "media:credit", "media:description", "media:status",
            "media:thumbnail",
        }
    ),
}  # fmt: skip
"""The namespaced elements a profile's channel and items get from the feed itself (links,
content, bylines, images, kills): `channel_elements` and `item_elements` may not add a
second one, which the W3C validator refuses (`DuplicateElement`, `MissingHref`)."""


def _written(key: str) -> frozenset[tuple[str | None, str]]:
    """`WRITTEN[key]` as (namespace URI, local name): a prefix of the profile's own bound to
    the same namespace (`md:` for Media RSS) names the same element."""
    return frozenset(
        (KNOWN_NAMESPACES[prefix], local)
        for prefix, _, local in (qname.partition(":") for qname in WRITTEN[key])
    )


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOCABULARIES: dict[str, tuple[str, frozenset[str]]] = {
    DC_NS: ("Dublin Core", _names(
        "contributor coverage creator date description format identifier language publisher"
        " relation rights source subject title type"
    )),
    DCTERMS_NS: ("DCMI Metadata Terms", _names(
        "abstract accessRights accrualMethod accrualPeriodicity accrualPolicy alternative"
        " audience available bibliographicCitation conformsTo contributor coverage created"
        " creator date dateAccepted dateCopyrighted dateSubmitted description educationLevel"
        " extent format hasFormat hasPart hasVersion identifier instructionalMethod isFormatOf"
        " isPartOf isReferencedBy isReplacedBy isRequiredBy issued isVersionOf language license"
        " mediator medium modified provenance publisher references relation replaces requires"
        " rights rightsHolder source spatial subject tableOfContents temporal title type valid"
    )),
    CONTENT_NS: ("RSS's content module", _names("encoded")),
    MEDIA_NS: ("Media RSS", _names(
        "adult backLinks category comments community content copyright credit description embed"
        " group hash keywords license location peerLink player price rating responses"
        " restriction rights scenes status subTitle text thumbnail title"
    )),
    ATOM_NS: ("Atom", _names(
        "author category content contributor generator icon id link logo published rights"
        " source subtitle summary title updated"
    )),
}  # fmt: skip
"""The elements of the namespaces a profile may use undeclared, by namespace: a name none
has (`dc:Creator`, a case slip of `dc:creator`) is refused, as the W3C validator does."""

_STRUCTURED = {
    **{(ATOM_NS, name): "Atom" for name in ("author", "contributor", "category", "link", "source")},
    **{
        (MEDIA_NS, name): "Media RSS"
        for name in (
            "backLinks", "community", "embed", "group", "location", "peerLink", "player",
            "price", "responses", "scenes", "subTitle",
        )
    },
}  # fmt: skip
"""Elements that hold elements or attributes (a player's `url`), never text alone, by the
vocabulary's name."""


def _vocabulary_problem(namespace: str | None, qname: str) -> str | None:
    """Why an extra element of a known namespace is none of it, or cannot be written as a
    text (`atom:author`, whose name is an element inside): None when it can."""
    local = qname.partition(":")[2]
    known = _VOCABULARIES.get(namespace or "")
    if known is not None and local not in known[1]:
        return f"{qname}: {known[0]} has no element {local!r}{did_you_mean(local, known[1])}"
    vocabulary = _STRUCTURED.get((namespace or "", local))
    if vocabulary is not None:
        return (
            f"{qname}: {vocabulary}'s {local} holds elements or attributes, not a text alone,"
            " so readers refuse it written as one: leave it out"
        )
    return None


_DATES = {
    DC_NS: frozenset({"date"}),
    DCTERMS_NS: frozenset(
        {
            "available", "created", "date", "dateAccepted", "dateCopyrighted",
            "dateSubmitted", "issued", "modified", "valid",
        }
    ),
}  # fmt: skip
"""The Dublin Core elements whose text is a date (W3CDTF, as RSS readers and partners parse
it)."""
_W3CDTF = re.compile(
    r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?", re.ASCII
)
"""(ASCII digits only: `\\d` is any script's, `٢٠٢٦`, which no feed reader takes for a year)"""


def _is_w3cdtf(text: str) -> bool:
    """A W3CDTF date of one of its forms (a year, a month, a day, a time with minutes, seconds
    or a fraction of one, and an offset) that is also a date of the calendar: `2026-13-01`,
    `2026-02-30`, `25:00` or an offset of `+24:00` have the shape and are none (the W3C Feed
    Validator refuses an impossible day or hour, `InvalidW3CDTFDate`)."""
    if _W3CDTF.fullmatch(text) is None:
        return False
    if len(text) == 4:
        return True
    if len(text) == 7:
        return 1 <= int(text[5:]) <= 12
    try:
        datetime.fromisoformat(text)  # 3.11 reads every form above, `Z` included
    except ValueError:
        return False
    return True


def _check_text(
    key: str, qname: str, text: str, namespace: str | None
) -> Iterator[tuple[str, str]]:
    """The text of an extra element: not empty (an empty element replacing one of the
    profile's own, MSN's correction date, said nothing), its placeholders known, without a
    format or conversion (as every template of the site) and only in items (a channel's are
    written as they are), and a date where Dublin Core has one."""
    if not text.strip():
        yield key, f"{qname}: the text is empty; give it one, or take the line out"
        return
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(text)
            if name is not None
        ]
    except ValueError as exc:
        yield key, f"{qname}: {exc}; write {{{{ and }}}} for braces"
        return
    names = [name for name, _, _ in fields]
    if names and key == "channel_elements":
        yield (
            key,
            f"{qname}: placeholders ({{{names[0]}}}) are filled in item_elements only; a"
            " channel's text is written as it is (write {{ and }} for braces)",
        )
        return
    wrong = False
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            yield key, f"{qname}: unknown placeholder {{{name}}}; known: {known}"
            wrong = True
        elif problem := field_problem(name, spec, conversion):
            yield key, f"{qname}: {problem}"
            wrong = True
    if wrong:
        return
    local = qname.partition(":")[2]
    if namespace in _DATES and local in _DATES[namespace]:
        dated = text.strip() in ("{published}", "{updated}")
        if not dated and (names or not _is_w3cdtf(text.strip())):
            yield (
                key,
                f"{qname}: {text!r} is not a date; write {{published}} or {{updated}} (in"
                " items), or a W3CDTF date such as 2026-01-20T09:00:00Z",
            )


class GoogleNewsOptions(ProfileOptions, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Google News Publisher Center: guid (not a permalink), full content, at most 60 new
    articles a fetch, 1 MB an article, 2 MB a feed, a change told by pubDate."""

    label: Label = "Google News"
    limit: Limit = 60
    pubdate: PubDate = "updated"
    max_item_bytes: MaxItemBytes = 1_000_000
    max_bytes: MaxBytes = 2_000_000


class MsnOptions(ProfileOptions, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """MSN Partner Hub: titles of more than 20 and at most 150 characters, a plain-text
    abstract, stories under a year old, images under 15 MB with a ratio of 0.5-1.89 (at least
    720 px in width or height recommended), UTC dates, kills by expiry."""

    label: Label = "MSN"
    max_age_days: MaxAge = 365
    title_min: TitleMin = 21  # "more than 20 characters"
    title_max: TitleMax = 150
    plain_description: PlainDescription = True
    image_recommended_side: ImageRecommendedSide = 720
    image_ratio_min: RatioMin = 0.5
    image_ratio_max: RatioMax = 1.89
    image_max_bytes: ImageMaxBytes = 15_000_000
    dates: Dates = "gmt"
    kill: Kill = "expire"
    item_elements: ItemElements = msgspec.field(
        default_factory=lambda: {"dcterms:modified": "{updated}"}
    )


class SmartNewsOptions(ProfileOptions, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """SmartNews SmartFormat: snf:logo, a channel description of 30 characters at most, a
    thumbnail, feeds under 1 MB, changes told by pubDate, kills by media:status and a new
    date."""

    label: Label = "SmartNews"
    channel_description_max: ChannelDescriptionMax = 30
    thumbnail: Thumbnail = True
    dates: Dates = "gmt"
    pubdate: PubDate = "updated"
    kill: Kill = "media-status"
    max_bytes: MaxBytes = 1_000_000
    snf_logo: SnfLogo = True


class FlipboardOptions(ProfileOptions, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Flipboard: full text, an image of at least 500 px on its shorter side, a description of
    300 characters or more where the text allows, dc:creator, 20 items or more, a WebSub hub."""

    label: Label = "Flipboard"
    summary_min: SummaryMin = 300
    require_creator: RequireCreator = True
    image_required: ImageRequired = True
    image_min_width: ImageMinWidth = 500
    image_min_height: ImageMinHeight = 500
    kill: Kill = "drop"
    min_items: MinItems = 20
    hub: Hub = "https://pubsubhubbub.appspot.com/"
    require_hub: RequireHub = True


BUILTIN: dict[str, type[ProfileOptions]] = {
    "flipboard": FlipboardOptions,
    "google-news": GoogleNewsOptions,
    "msn": MsnOptions,
    "smartnews": SmartNewsOptions,
}
"""The built-in profiles, by name (the name of their format and of their part of `profiles`)."""


@dataclass(frozen=True, slots=True)
class ProfileTarget:
    """How the registry makes a profile's writer: only when the format is used, so listing the
    formats imports no feed code."""

    name: str
    record: type[ProfileOptions]
    window_days: int | None = None

    def __call__(self) -> AnyWriter:
        from syndicate.formats.partners.writer import ProfileWriter

        return ProfileWriter(self.name, self.record, self.window_days)


google_news = ProfileTarget("google-news", GoogleNewsOptions, GoogleNewsOptions().max_age_days)
msn = ProfileTarget("msn", MsnOptions, MsnOptions().max_age_days)
smartnews = ProfileTarget("smartnews", SmartNewsOptions, SmartNewsOptions().max_age_days)
flipboard = ProfileTarget("flipboard", FlipboardOptions, FlipboardOptions().max_age_days)


def site_profiles(
    config: SiteConfig, taken: Collection[str], diags: Diagnostics
) -> dict[str, tuple[ProfileTarget, bool]]:
    """The profiles of the site's `profiles:` section: for each, how to make its writer and
    whether `--format all` writes it. A name already taken by another format, or a `base` on a
    built-in profile, is reported here; the options themselves are checked with the others'."""
    found: dict[str, tuple[ProfileTarget, bool]] = {}
    for name, written in config.section(SECTION).items():
        settings: dict[str, Any] = written if isinstance(written, dict) else {}
        where = config.where(SECTION, name)
        if name in taken or name == "all":
            named = (
                "`--format all` names every format"
                if name == "all"
                else (f"a format is already named {name!r}")
            )
            diags.error(
                "config.option",
                f"{SECTION}: {name}: {named}; give the profile another name",
                where,
            )
            continue
        record = BUILTIN.get(name)
        if record is not None and settings.get("base") is not None:
            diags.error(
                "config.option",
                f"{SECTION}: {name}: base: {name} is built in and has no base; name a profile of"
                f" your own and give it base: {name}",
                config.where(SECTION, name, "base"),
            )
            continue
        if (
            record is None
            and settings.get("base") is None
            and (near := did_you_mean(name, BUILTIN))
        ):
            diags.warning(
                "config.option",
                f"{SECTION}: {name}: a profile of the site's own, with no base (a plain RSS"
                f" feed){near}",
                where,
            )
        record = record or BUILTIN.get(str(settings.get("base")), ProfileOptions)
        target = ProfileTarget(name, record, _window_days(settings, record))
        found[name] = (target, settings.get("enabled", True) is not False)
    return found


def _window_days(settings: dict[str, Any], record: type[ProfileOptions]) -> int | None:
    """The profile's time window, which its writer declares to the engine before any option
    is checked (a setting that does not check out stops the run anyway)."""
    try:
        return msgspec.convert(settings, record, strict=True).max_age_days
    except msgspec.ValidationError:
        return record().max_age_days
