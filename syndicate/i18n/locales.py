"""BCP 47 language tags to babel locales, and the facts that follow from them (direction, names)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from syndicate.i18n.iso639 import OVERLONG

Direction = Literal["ltr", "rtl"]


@cache
def locale_for(tag: str) -> Locale:
    """The babel locale of a BCP 47 tag (`zh-Hans`, `pt-BR`); raises ValueError if unknown.
    A pairing CLDR has no locale data for, of a language, script and region it each knows
    (`en-CN`, `ar-US`, `zh-Hans-US`), is the language's locale (with its script): English as
    written in China is written as English."""
    locale = _parsed(tag)
    written = match["script"] if (match := _TAG.fullmatch(tag)) else None
    if written and not _writes(_script_of(locale), written.title()):
        # babel drops a script it has no data for with the region (`zh-Hant-CN` is read as
        # `zh-Hans-CN`) or in the language (`ug-Cyrl` as `ug`): the text's dates, names and
        # direction would be another script's. The language in its script, or refused.
        in_script = _in_script(tag, written.title())
        if in_script is None:
            raise ValueError(f"unknown language tag {tag!r}")
        return in_script
    return locale


def _in_script(tag: str, written: str) -> Locale | None:
    """The locale of the tag's language in the script `written`, if CLDR has one."""
    try:
        locale = Locale.parse(f"{tag.split('-', 1)[0]}-{written}", sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return locale if _writes(_script_of(locale), written) else None


def _parsed(tag: str) -> Locale:
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        match = _TAG.fullmatch(tag) if isinstance(tag, str) else None
        region = (match["region"] or "").upper() if match is not None else ""
        if region and not _A_COUNTRY.fullmatch(region):
            raise ValueError(f"unknown language tag {tag!r}") from exc
        if match is not None and (match["region"] or match["variants"]):
            language = tag.split("-", 1)[0]
            for shorter in (f"{language}-{match['script']}" if match["script"] else "", language):
                if shorter and shorter != tag:
                    try:
                        return Locale.parse(shorter, sep="-")
                    except (UnknownLocaleError, ValueError, TypeError):
                        continue
        raise ValueError(f"unknown language tag {tag!r}") from exc


_A_COUNTRY = re.compile(r"(?!AA|EU|EZ|UN|ZZ|Q[M-Z]|X[A-JL-Z])[A-Z]{2}")
"""A region of ISO 3166 that a language is written in, for a pairing CLDR has no locale for:
not a private-use code (`AA`, `QM`-`QZ`, `XA`-`XZ` but Kosovo's `XK`; CLDR's pseudo-locales
`en-XA`, `en-XB`), a grouping (`EU`, `EZ`, `UN`) nor an area of UN M.49 (`es-003`): those are
tags only where CLDR has the locale (`es-419`)."""


def canonical_tag(tag: str) -> str:
    """A language tag in BCP 47's conventional case (RFC 5646, 2.1.1): `ZH-hans` -> `zh-Hans`,
    `pt-br` -> `pt-BR`. Tags match case-insensitively; this is the spelling files and outputs
    use."""
    parts = tag.split("-")
    cased = [parts[0].lower()]
    extension = False  # after a singleton (`-u-`, `-x-`) every subtag is lowercase
    for part in parts[1:]:
        extension = extension or len(part) == 1
        region = (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit())
        if not extension and len(part) == 4 and part.isalpha():
            cased.append(part.title())  # script
        elif not extension and region:
            cased.append(part.upper())
        else:
            cased.append(part.lower())
    return "-".join(cased)


_TAG = re.compile(
    r"[a-z]{2,3}(?:-(?P<script>[a-z]{4}))?(?:-(?P<region>[a-z]{2}|[0-9]{3}))?"
    r"(?P<variants>(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)",
    re.IGNORECASE | re.ASCII,
)
"""A BCP 47 tag's language, script, region and variants (RFC 5646, 2.1), the parts a
newsroom's tags have (`zh-Hant-TW`, `es-419`, `ca-ES-valencia`)."""


@cache
def _subtags() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The scripts, regions and variants CLDR names."""
    names = Locale("en")
    return frozenset(names.scripts), frozenset(names.territories), frozenset(names.variants)


@cache
def _known_regions() -> frozenset[str]:
    """The regions CLDR names and those it replaces (`UK` by `GB`), built once: `is_valid_tag`
    runs for each language file of each story, and the union is a thousand codes."""
    return _subtags()[1] | frozenset(get_global("territory_aliases"))


NO_LANGUAGE = {
    "und": "an undetermined language",
    "mul": "several languages",
    "zxx": "no linguistic content",
    "mis": "a language without a code",
}
"""ISO 639's codes that name no language: a text is in one language, which its tag names."""


def is_valid_tag(tag: str) -> bool:
    """A well-formed BCP 47 tag that CLDR knows, each of its subtags too (underscores, as in
    `en_US`, are refused). babel alone reads more than tags: it drops a POSIX encoding
    (`en.draft` as `en`) and a script it does not know (`fr-Copy` as `fr`)."""
    match = _TAG.fullmatch(tag)
    if match is None or tag.split("-", 1)[0].lower() in NO_LANGUAGE:
        return False
    scripts, _, variants = _subtags()
    script, region = match["script"], match["region"]
    if script and script.title() not in scripts:
        return False
    # A region CLDR replaces (`UK` by `GB`) is known: `preferred_tag` names the one to write.
    if region and region.upper() not in _known_regions():
        return False
    if any(v.upper() not in variants for v in match["variants"].split("-")[1:]):
        return False
    try:
        locale_for(tag)
    except ValueError:
        return False
    return True


def canonical_case(tag: str) -> str:
    """A tag in the case BCP 47 recommends (RFC 5646, 2.1.1): `zh-Hans`, `pt-BR`, `en`. File
    names and configured languages must be written so: `EN.md` beside `en.md` would be two
    files of one language."""
    first, *rest = tag.split("-")
    out = [first.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


_DEPRECATED = frozenset({"in", "iw", "ji", "jw", "mo"})
"""Two-letter language subtags IANA's registry deprecates (Indonesian, Hebrew, Yiddish,
Javanese, Moldavian): CLDR, and so babel, reads each as the subtag that replaced it."""


def not_site_languages(tags: Sequence[str], languages: Sequence[str]) -> str | None:
    """Why some of `tags` (an option's `languages:`) are not among the site's `languages`,
    each written as the site writes it named (`iw` on a site of `he`, `HE`); None when all
    are."""
    unknown = [tag for tag in tags if tag not in languages]
    if not unknown:
        return None
    site = {_same_language(tag): tag for tag in languages}
    hints = [
        f"write {site[key]!r} for {tag!r}"
        for tag in unknown
        if (key := _same_language(tag)) in site
    ]
    said = f"{', '.join(unknown)} not among the site's languages ({', '.join(languages)})"
    return f"{said}: {'; '.join(hints)}" if hints else said


def _same_language(tag: str) -> str:
    """A key one language has under each of its spellings (`iw`, `he`, `HE`)."""
    try:
        return (preferred_tag(tag) or canonical_case(tag)).lower()
    except ValueError:  # a tag CLDR does not know
        return tag.lower()


def preferred_tag(tag: str) -> str | None:
    """The tag BCP 47 prefers for a known `tag` whose language subtag is deprecated (`iw` ->
    `he`) or an ISO 639-2 code of a language that has a two-letter one (`per`, `fas` -> `fa`),
    or whose region is an old or reserved code that CLDR replaces by one (`en-UK` -> `en-GB`),
    as CLDR maps them; None when `tag` is the preferred one already. A member of a
    macrolanguage that CLDR also reads as it (`cmn` as `zh`, `pes` as `fa`, `arb` as `ar`) is
    a tag of its own that IANA keeps: it is preferred as written."""
    parts = tag.split("-")
    first = parts[0].lower()
    if first in _DEPRECATED or first in OVERLONG:
        language = str(locale_for(tag).language)
        if len(language) == 2:
            parts[0] = language
    region = match["region"] if (match := _TAG.fullmatch(tag)) else None
    if region and region.upper() not in _subtags()[1]:
        replaced = get_global("territory_aliases").get(region.upper(), [])
        if len(replaced) == 1:  # not one split in several (CS: RS or ME)
            parts[parts.index(region, 1)] = replaced[0]
    preferred = canonical_case("-".join(parts))
    return None if preferred == canonical_case(tag) else preferred


@cache
def stated_tag(tag: str) -> str:
    """The tag an output states a text's language with (`lang`, `xml:lang`, `dc:language`,
    `inLanguage`, `hreflang`...): the one BCP 47 prefers (`he` for a site's `iw`, `id-ID` for
    `in-ID`, `en-GB` for `en-UK`, `preferred_tag`), which browsers' `:lang(he)`, feed readers
    and partners match on; else `tag` as given (and a tag that is no language, `x-default`).
    What names a variant (file names, URLs, ids, GUIDs) keeps the site's own tag: a partner
    sees no new identity."""
    try:
        return preferred_tag(tag) or tag
    except ValueError:  # not a tag CLDR knows: stated as given, as before
        return tag


@cache
def fallback_tags(tag: str) -> tuple[str, ...]:
    """The tags whose texts (terms, sample story) serve `tag`, closest first: the tag, its
    language in its script, its language; the language as CLDR reads it, so `zh-CN` is served
    by `zh-Hans`, `ar-SA` by `ar`, the deprecated `iw` by `he`."""
    try:
        language = str(locale_for(tag).language)
    except ValueError:
        return tuple(dict.fromkeys((tag, tag.split("-")[0])))
    return tuple(dict.fromkeys((tag, f"{language}-{script(tag)}", language)))


_NAMES = {
    "farsi": "fa",
    "parsi": "fa",
    "mandarin": "zh-Hans",
    "cantonese": "yue",
    # Newsrooms' languages by their own names, and without their accents (`deutsch` was
    # offered Dutch, `nl`).
    **{
        name: tag
        for tag, names in {
            "de": ("deutsch",),
            "fr": ("français", "francais"),
            "es": ("español", "espanol", "castellano"),
            "it": ("italiano",),
            "pt": ("português", "portugues"),
            "nl": ("nederlands",),
            "pl": ("polski",),
            "sv": ("svenska",),
            "da": ("dansk",),
            "nb": ("norsk", "bokmål", "bokmal"),
            "fi": ("suomi",),
            "tr": ("türkçe", "turkce"),
            "cs": ("čeština", "cestina"),
            "ro": ("română", "romana"),
            "hu": ("magyar",),
            "ru": ("русский",),
            "uk": ("українська",),
            "el": ("ελληνικά",),
            "he": ("עברית",),
            "ar": ("العربية",),
            "fa": ("فارسی",),
            "hi": ("हिन्दी",),
            "ja": ("日本語",),
            "ko": ("한국어",),
            "zh": ("中文",),
        }.items()
        for name in names
    },
}
"""Names people give a language that CLDR's English names do not hold."""


@cache
def tag_words() -> dict[str, str]:
    """Words given for a language instead of its tag, lowercase, and the tag meant: its
    English name (`japanese`), the code of a country whose main official language it is
    (`jp`, `kr`: country codes are not language codes), a common name (`farsi`)."""
    words: dict[str, str] = {}
    for country, spoken in get_global("territory_languages").items():
        official = [
            (info["population_percent"], lang)
            for lang, info in spoken.items()
            if info.get("official_status") in ("official", "de_facto_official")
        ]
        if official:
            words[country.lower()] = canonical_case(max(official)[1].replace("_", "-"))
    for code, name in Locale("en").languages.items():
        words[name.lower()] = canonical_case(code.replace("_", "-"))
    words |= _NAMES
    return {word: tag for word, tag in words.items() if is_valid_tag(tag)}


_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
"""Names the zone database answers that are not places: this machine's zone (`localtime`,
an output that would change with the host), a rules file, a placeholder."""


@dataclass(frozen=True, slots=True)
class ZoneMeant:
    """A zone a name not one may mean: `zone`, by its current name, and `older`, the older name
    the name matched when it was that (`Australia/Victoria`, now `Australia/Melbourne`): a
    region's or a renamed city's, which a place of the same name elsewhere does not share."""

    zone: str
    older: str | None = None


def zones_meant(name: str) -> tuple[ZoneMeant, ...]:
    """The IANA time zones a name not one may mean: the same name in another case or with
    spaces for underscores (`europe/brussels`, `America/New York`), else every zone named for
    that city (`Paris`: `Europe/Paris`; `Istanbul`, under Europe and Asia, one zone; `Eastern`,
    of the US and of Canada, two), by its current name, else, for a name with its region, the
    closest (`Europe/Brusels`); none when none is close or a name alone names no zone's city
    (a near name is another place: `Portland`, not `Poland`)."""
    import difflib
    from zoneinfo import available_timezones

    zones = sorted(zone for zone in available_timezones() if is_zone(zone))
    folded = {zone.lower(): zone for zone in zones}
    key = name.strip().replace(" ", "_").lower()
    same = folded.get(key)
    if same is not None:
        return (ZoneMeant(same),)
    if "/" not in key:  # a city alone: every zone bearing its name, by its current name
        aliases = get_global("zone_aliases")
        found: dict[str, str | None] = {}
        for low, zone in folded.items():
            if not low.endswith("/" + key):
                continue
            current = aliases.get(zone, zone)
            if current not in folded.values():
                current = zone
            # Asia/Istanbul is Europe/Istanbul, the city; US/Eastern is America/New_York's
            # region, and Australia/Victoria a state, whose name another place may bear
            city = current.rsplit("/", 1)[-1].lower() == key
            older = None if city or found.get(current, "") is None else zone
            found[current] = older
        return tuple(ZoneMeant(zone, older) for zone, older in sorted(found.items()))
    close = difflib.get_close_matches(name, zones, n=1, cutoff=0.8)
    return (ZoneMeant(close[0]),) if close else ()


_OFFSET = re.compile(
    r"\s*(?:(?:GMT|UTC)\s*)?(?P<sign>[+\-\u2212])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?\s*",
    re.IGNORECASE | re.ASCII,
)


def offset_instead_of_zone(name: str) -> str | None:
    """For an offset given as a time zone (`GMT+5`, `UTC+05:45`, `-03:00`), why it is not one
    and what to write: the place's zone, and for a whole hour the zone database's fixed one,
    whose sign is inverted (`Etc/GMT-5` is five hours ahead of UTC); None for another name.
    The nearest zone by spelling would be wrong by hours: `GMT+5` is not `GMT+0`."""
    match = _OFFSET.fullmatch(name)
    if match is None:
        return None
    ahead = match["sign"] == "+"
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    written = f"UTC{'+' if ahead else '-'}{hours:02}:{minutes:02}"
    fixed = ""
    if not minutes and (hours == 0 or hours <= (14 if ahead else 12)):
        etc = "UTC" if not hours else f"Etc/GMT{'-' if ahead else '+'}{hours}"
        fixed = f"; for {written} all year round, {etc!r}" + (
            "" if not hours else " (the zone database writes the sign inverted)"
        )
    return (
        f"an offset ({written}), not a time zone; write the IANA zone of the place (such as"
        f" Asia/Kathmandu, America/St_Johns), whose offset follows its clocks' changes{fixed}"
    )


_FIXED_ABBREVIATIONS = {
    "EST": ("UTC-05:00", "America/New_York", "New York", "America/Panama", "Panama"),
    "MST": ("UTC-07:00", "America/Denver", "Denver", "America/Phoenix", "Arizona"),
}
"""Zones of the database named as a region's standard time that keep its offset all year
(no daylight saving), which a newsroom writes for the region's clocks: `EST` for New York's
is an hour off every summer. (`HST` is Hawaii's clocks all year; `EST5EDT`, `CET` follow
their region's changes.)"""


def fixed_abbreviation(name: str) -> str | None:
    """For a zone named by a standard time's abbreviation that keeps one offset all year
    (`EST`, `MST`), what it means and the zones a newsroom likely means; None otherwise."""
    found = _FIXED_ABBREVIATIONS.get(name.upper())
    if found is None:
        return None
    offset, changing, city, fixed, place = found
    return (
        f"{name} is {offset} all year, with no daylight saving: for {city}'s clocks, summer"
        f" times would be an hour off; write {changing} (or {fixed}, {place}'s, for a place on"
        f" {offset} all year)"
    )


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone (`Europe/Brussels`, `UTC`), as stories and sites
    give them: not one of the database's own files (`localtime`, `posix/...`), nor a folder."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name in _NOT_ZONES or name.startswith(("posix/", "right/")):
        return False
    try:
        ZoneInfo(name)
    # A folder of the zone database ("America") or an overlong name is an OSError.
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def borrowed(text_lang: str | None, lang: str) -> bool:
    """Whether a text given under `text_lang` (see `Localized.written_in`) is in another
    known language than `lang`'s: not `lang` itself, nor its primary language, nor `*` (one
    text for every language, whose language is not known), nor missing."""
    return text_lang not in (None, "*", lang, lang.split("-")[0])


@cache
def has_month_names(tag: str) -> bool:
    """Whether CLDR names the months in the language. About thirty of babel's locales (`dv`,
    `mn-Mong`, `ht`, `jbo`, `rhg`, ...) have no names of their own and inherit the root
    locale's placeholders, "M01" to "M12": a date in words would read "20 M03 2026", so
    `format_human_date` writes such a language's dates in numbers ("2026-03-20")."""
    root = Locale.parse("root").months["format"]["wide"]
    months = locale_for(tag).months["format"]["wide"]
    return any(str(months.get(n)) != str(root.get(n)) for n in range(1, 13))


@cache
def direction(tag: str) -> Direction:
    """Text direction from CLDR's character order for the language, never a hard-coded list."""
    return "rtl" if locale_for(tag).character_order == "right-to-left" else "ltr"


_ZEROS = {
    "arab": 0x0660,
    "arabext": 0x06F0,
    "beng": 0x09E6,
    "deva": 0x0966,
    "mymr": 0x1040,
    "tibt": 0x0F20,
    "olck": 0x1C50,
    "cakm": 0x11136,
    "adlm": 0x1E950,
    "nkoo": 0x07C0,
    "mtei": 0xABF0,
    "hmnp": 0x1E140,
}
"""The digit zero of each numbering system CLDR makes a language's default (every one is ten
consecutive code points in Unicode). babel writes a date's numbers in ASCII digits whatever
the locale; CLDR's `defaultNumberingSystem` says which digits its readers expect."""


@cache
def _digit_table(tag: str) -> dict[int, str] | None:
    zero = _ZEROS.get(str(locale_for(tag).default_numbering_system))
    return {ord("0") + i: chr(zero + i) for i in range(10)} if zero else None


def native_digits(text: str, tag: str) -> str:
    """`text` with its ASCII digits in the language's own digits where CLDR says its readers
    use them (Persian `۳ دسامبر ۲۰۲۶`, Bengali, Marathi, Nepali, Burmese); unchanged for the
    languages written with ASCII digits (English, French, Arabic without a region, Hebrew).
    For what people read only: machine dates and identifiers keep ASCII digits."""
    table = _digit_table(tag)
    return text.translate(table) if table else text


@cache
def script(tag: str) -> str:
    """The ISO 15924 script the language is written in: the tag's own (`zh-Hant`), else CLDR's
    likely one (`Arab` for `fa`, `Jpan` for `ja`, `Latn` when CLDR does not say)."""
    return _script_of(locale_for(tag))


_PARTS = {"Jpan": ("Hani", "Hira", "Kana"), "Kore": ("Hang", "Hani"), "Hanb": ("Hani", "Bopo")}
"""ISO 15924's scripts that are others together: Japanese (`Jpan`) is written in kanji, hiragana
and katakana, so `ja-Kana` is Japanese as CLDR writes it."""


def _writes(locale_script: str, written: str) -> bool:
    """Whether a locale written in `locale_script` writes a text its tag says is in `written`."""
    return written == locale_script or written in _PARTS.get(locale_script, ())


def script_refused(tag: str) -> tuple[str, str] | None:
    """For a tag whose script CLDR has no locale data for in its language (`ug-Cyrl`,
    `ckb-Latn`, `tg-Arab`), the English names of the script it names and of the one CLDR
    writes the language in (`("Cyrillic", "Arabic")`); None for any other tag."""
    match = _TAG.fullmatch(tag)
    if match is None or not match["script"]:
        return None
    written = match["script"].title()
    try:
        language = _parsed(tag.split("-", 1)[0])
    except ValueError:
        return None
    if written not in _subtags()[0] or _in_script(tag, written) is not None:
        return None
    names = Locale("en").scripts
    return names.get(written, written), names.get(_script_of(language), _script_of(language))


def _script_of(loc: Locale) -> str:
    if loc.script:
        return str(loc.script)
    likely = get_global("likely_subtags")
    for key in (f"{loc.language}_{loc.territory}", str(loc.language)):
        # e.g. "fa_Arab_IR"; read as written, as babel drops a script it has no data for
        parts = str(likely.get(key, "")).split("_")
        if len(parts) > 1 and len(parts[1]) == 4:
            return parts[1]
    return "Latn"


def territory_name(code: str, lang: str) -> str:
    """A country's name in `lang` (`BE` -> "Belgique" in French); the code when CLDR has none."""
    return str(locale_for(lang).territories.get(code, code))


@cache
def with_territory(tag: str) -> str:
    """`language_TERRITORY` (`en_US`, `zh_CN`), as Open Graph wants: the tag's own territory
    (`en-CN`, which has no locale of its own, too), else CLDR's likely one; the language alone
    when CLDR knows none. Kept for the process: every page's Open Graph names the locale of
    each of its translations."""
    locale = locale_for(tag)
    match = _TAG.fullmatch(tag)
    likely = get_global("likely_subtags")
    territory = (
        locale.territory  # (CLDR's own: `en-UK` is en_GB)
        or (match["region"].upper() if match is not None and match["region"] else "")
        or likely.get(str(locale), likely.get(locale.language, ""))
    )
    territory = territory.split("_")[-1] if "_" in territory else territory
    return f"{locale.language}_{territory}" if territory else str(locale.language)


def format_number(number: int, lang: str) -> str:
    """A whole number as the language writes it, in its own digits (`1 234`, `۱۲`)."""
    from babel.numbers import format_decimal  # only the HTML pages' pagers number things

    text = format_decimal(number, locale=locale_for(lang), numbering_system="default")
    return native_digits(text, lang)


@cache
def display_name(tag: str, in_lang: str | None = None) -> str:
    """The language's name, in `in_lang` (default: in itself, e.g. "français"). Where CLDR
    has none there (babel's `mn_Mong` names nothing), the name its language's own locale
    gives it ("монгол (монгол бичиг)", from `mn`), or the language's alone, then the
    English name; the tag itself only when CLDR names it nowhere."""
    # `iw` is read as `he-IL`: named as the `he` it stands for, "עברית", not "עברית (ישראל)"
    loc = locale_for(stated_tag(tag))
    shown = locale_for(in_lang) if in_lang else loc
    try:
        base = Locale(loc.language)  # the language without script or region: `mn`
    except (UnknownLocaleError, ValueError):
        base = loc
    namers = (shown,) if in_lang else (loc, base)
    found = (
        named.get_display_name(namer) for namer in (*namers, Locale("en")) for named in (loc, base)
    )
    name = next((str(n) for n in found if n), tag)
    match = _TAG.fullmatch(tag)
    region = match["region"].upper() if match is not None and match["region"] else None
    if region and loc.territory != region and _A_COUNTRY.fullmatch(region):
        # `en-CN`, read as English: "English (China)", as babel names a locale's details
        where = shown.territories.get(region)
        if where:
            name = f"{name[:-1]}, {where})" if name.endswith(")") else f"{name} ({where})"
    return name


def retired_code(code: str) -> str | None:
    """The tag CLDR reads a retired language code as, where babel knows only that tag
    (`sh`, Serbo-Croatian: `sr-Latn`; `prs`: `fa-AF`); None for any other code. (`iw`, `in`
    and the like babel reads itself: they are valid tags.)"""
    meant = get_global("language_aliases").get(code.lower())
    if not isinstance(meant, str) or is_valid_tag(code):
        return None
    tag = canonical_case(meant.replace("_", "-"))
    return tag if is_valid_tag(tag) else None


def language_name(code: str) -> str | None:
    """The English name CLDR gives a language code, also one it has no locale for ("Klingon"
    for `tlh`); None when CLDR names it nowhere."""
    name = Locale("en").languages.get(code.lower())
    return str(name) if name else None


def language_label(tag: str) -> str:
    """A language's name in itself, capitalised as a menu entry ("Français", "العربية"), but
    in a script whose capitals do not start words: Georgian's `ქართული`, not `Ქართული` (its
    Mtavruli capitals are for whole words in titles)."""
    name = display_name(tag)
    if name[:1] and unicodedata.name(name[0], "").startswith("GEORGIAN"):
        return name
    return name[:1].upper() + name[1:]
