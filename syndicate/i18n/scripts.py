"""The languages a stylesheet styles by their script, Arabic, CJK or one with no italic, as
CSS `:lang()` selectors: one list for the pages' stylesheet (`formats/html/templates/style.css`,
a file a site copies and edits, which a test holds to these lists, `lang_selectors`) and the
books' (`formats/epub`, `lang_ranges`)."""

from __future__ import annotations

from collections.abc import Sequence

LangRange = tuple[str, tuple[str, ...]]
"""A `:lang()` range and the tags within it written in another script (`("sd", ("sd-Deva",
"sd-IN"))`: Sindhi is Arabic script, but in Devanagari or of India)."""

ARABIC_SCRIPT: tuple[LangRange, ...] = (
    *((tag, ()) for tag in ("ar", "fa", "ur", "ps", "ckb", "ug", "sdh", "skr", "bqi", "brh")),
    *((tag, ()) for tag in ("lrc", "mzn", "trw", "apc", "ary", "bgn")),
    ("bal", ("bal-Latn",)),
    ("sd", ("sd-Deva", "sd-IN")),
    ("sd-Arab", ()),
    ("ks", ("ks-Deva",)),
    # languages CLDR writes in Arabic script only in a region, or when the tag says so
    *((tag, ()) for tag in ("az-Arab", "az-IQ", "az-IR", "ha-Arab", "ha-SD", "kk-Arab", "kk-CN")),
    *((tag, ()) for tag in ("ku-Arab", "ku-IQ", "ku-IR", "ms-Arab", "pa-Arab", "pa-PK")),
    *((tag, ()) for tag in ("uz-Arab", "uz-AF")),
)
"""Every language CLDR writes in Arabic script (by its likely script, or its region's): its
joined letters take no letter-spacing and no italics."""

CHINESE: tuple[LangRange, ...] = (
    ("zh", ("zh-Latn",)),  # not Chinese in Latin letters, pinyin
    *((tag, ()) for tag in ("yue", "cmn", "wuu", "lzh")),
)
"""Chinese in Han characters (the pages spread its letters a little)."""

CJK: tuple[LangRange, ...] = (*CHINESE, ("ja", ()), ("ko", ()))
"""Every language CLDR writes in a Han, Japanese or Korean script: upright emphasis, no
negative letter-spacing (tightened characters crowd)."""


HEADSTROKE: tuple[LangRange, ...] = (
    # Devanagari
    ("hi", ("hi-Latn",)),
    *((tag, ()) for tag in ("mr", "ne", "sa", "mai", "bho", "raj", "bgc", "brx", "doi", "xnr")),
    ("kok", ("kok-Latn",)),
    ("suz", ("suz-Sunu",)),
    *((tag, ()) for tag in ("ks-Deva", "sd-Deva", "sd-IN", "sat-Deva", "kxv-Deva")),
    # Bengali (Bengali, Assamese, Manipuri) and Gurmukhi
    ("bn", ()),
    ("as", ()),
    ("mni", ("mni-Mtei",)),
    ("pa", ("pa-Arab", "pa-PK")),
)
"""Every language CLDR writes in Devanagari, Bengali or Gurmukhi, whose letters hang from a
headstroke (shirorekha, matra) that runs on through a word: letter-spacing cuts it into
pieces and pulls a word's conjuncts apart (W3C's Indic layout requirements, `ilreq`, on
letter spacing)."""

JOINED: tuple[LangRange, ...] = (
    *HEADSTROKE,
    # cursive scripts other than Arabic, joined as it is (CSS Text 3's cursive scripts)
    *((tag, ()) for tag in ("syr", "mn-Mong", "mn-CN", "nqo", "bm-Nkoo", "ff-Adlm", "rhg")),
)
"""Every language CLDR writes in a script whose letters join, but Arabic (`ARABIC_SCRIPT`,
with rules of its own): the headstroke scripts, and Syriac, Mongolian, N'Ko, Adlam and
Hanifi Rohingya, cursive. Letter-spacing breaks their joins: they take none, as Arabic
script does not."""


NO_ITALIC: tuple[LangRange, ...] = (
    # Hebrew
    *((tag, ()) for tag in ("he", "yi")),
    # Devanagari, Bengali and Gurmukhi
    *HEADSTROKE,
    # the other scripts of India and Sri Lanka
    *((tag, ()) for tag in ("gu", "or", "kxv-Orya", "ta", "te", "kxv-Telu", "kn", "ml", "si")),
    # mainland Southeast Asia: Thai, Lao, Khmer, Myanmar
    *((tag, ()) for tag in ("th", "lo", "km", "my", "shn")),
)
"""Every language CLDR writes in a script with no italic of its own: Hebrew, the Brahmic scripts
of India and Sri Lanka (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu,
Kannada, Malayalam, Sinhala), Thai, Lao, Khmer and Myanmar. A browser slants them into an
oblique their readers take for a mistake; their emphasis is bold (W3C's Hebrew, Thai and
Indic layout requirements, in docs/formats/html-jsonld.md)."""


def merged(*lists: Sequence[LangRange]) -> tuple[LangRange, ...]:
    """The ranges of several scripts' lists as one, each range's exceptions less those another
    range of it covers whole: Punjabi is Gurmukhi but for `pa-Arab` and `pa-PK`, which the
    Arabic-script list names, so in the two together `:lang(pa)` takes no exception (the
    books' give-back rule for `pa-Arab` would undo its Arabic-script emphasis)."""
    ranges = [range_ for found in lists for range_ in found]

    def within(tag: str, range_: str) -> bool:
        return tag.lower() == range_.lower() or tag.lower().startswith(f"{range_.lower()}-")

    def covered(tag: str, owner: LangRange) -> bool:
        return any(
            within(tag, other) and not any(within(tag, x) or within(x, tag) for x in excluded)
            for other, excluded in ranges
            if (other, excluded) != owner
        )

    return tuple(
        (range_, tuple(x for x in excluded if not covered(x, (range_, excluded))))
        for range_, excluded in ranges
    )


BY_WEIGHT: tuple[LangRange, ...] = merged(ARABIC_SCRIPT, CJK, NO_ITALIC)
"""Every language whose emphasis is by weight, not italics: upright and bold, and emphasis
within emphasis at the text's weight."""

UNTRACKED: tuple[LangRange, ...] = merged(ARABIC_SCRIPT, CJK, JOINED)
"""Every language the books' kicker is not tracked in (letter-spacing): the joined scripts, and
CJK, whose characters spacing crowds or strands. (The pages' stylesheet names `JOINED` in
a rule of its own, after the Arabic-script and CJK ones that set other things too.)"""


def lang_selectors(ranges: Sequence[LangRange]) -> list[str]:
    """Each range as a selector matching an element in it: `:lang(sd):not(:where(:lang(sd-Deva),
    :lang(sd-IN)))`, as the pages' stylesheet writes it (`:where`: the exceptions add nothing
    to a rule's specificity)."""
    selectors = []
    for range_, excluded in ranges:
        if not excluded:
            selectors.append(f":lang({range_})")
        else:
            others = ", ".join(f":lang({x})" for x in excluded)
            selectors.append(f":lang({range_}):not(:where({others}))")
    return selectors


def lang_ranges(ranges: Sequence[LangRange]) -> tuple[list[str], list[str]]:
    """The ranges as CSS 2.1 `:lang()` selectors, and their exceptions as ones a later rule
    undoes a declaration with (`[":lang(sd)", ...]`, `[":lang(sd-Deva)", ":lang(sd-IN)", ...]`):
    for a stylesheet that must survive a parser without Selectors 4 *or* 3's `:not()` of a
    pseudo-class, as calibre's conversion (its `css_parser` drops the whole rule of a list in
    which one selector is `:lang(zh):not(:lang(zh-Latn))`, every language of the list with
    it). `:lang()` itself matches the language an element inherits, in calibre as in a
    reading system."""
    return (
        [f":lang({range_})" for range_, _ in ranges],
        [f":lang({x})" for _, excluded in ranges for x in excluded],
    )
