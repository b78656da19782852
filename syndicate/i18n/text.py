"""Composed human texts of a story in one language: dateline, byline, section name."""

from __future__ import annotations

import re
import unicodedata

from babel.lists import format_list

from syndicate.i18n.dates import format_human_date
from syndicate.i18n.locales import direction, locale_for
from syndicate.i18n.terms import lookup, term
from syndicate.model import Story, Variant


def section_name(code: str, lang: str) -> str:
    """The section's name in `lang` from the terms (the site's, then syndicate's); the code
    itself, capitalised, if none has it."""
    key = f"section.{code}"
    return term(key, lang) if lookup(key, lang) is not None else code.replace("-", " ").capitalize()


Part = tuple[str, bool]
"""A piece of a composed text, and whether it is a value to isolate from the text around it
(a name, a place: `<bdi>` in markup)."""

_OPEN, _CLOSE = "\ue000", "\ue001"
"""Private-use marks around a value while the phrase is composed (they never reach a file)."""


def isolate(value: str) -> str:
    """`value` marked to come out of `parts` as a piece of its own."""
    clean = value.replace(_OPEN, "").replace(_CLOSE, "")
    return f"{_OPEN}{clean}{_CLOSE}"


def isolated_in(name: str, lang: str) -> str:
    """`name` (the publisher's) for a plain text in `lang`, where no `<bdi>` can be (a page's
    title or description, a feed's notice): a bidi isolate (U+2068...U+2069) when it holds a
    letter of the other direction than the language's. In a right-to-left text "... YCPress
    Ltd. ..." would otherwise show the name's full stop before it, ".YCPress Ltd"."""
    other = ("L",) if direction(lang) == "rtl" else ("R", "AL")
    if any(unicodedata.bidirectional(char) in other for char in name):
        return f"\u2068{name}\u2069"
    return name


def parts(text: str) -> list[Part]:
    """A composed text's pieces, the values `isolate` marked apart. A name written in
    another script than the text around it is drawn in its own direction only when it is
    isolated: "بقلم John Smith Jr." would otherwise show its full stop at the other end."""
    pieces: list[Part] = []
    for i, chunk in enumerate(text.replace(_CLOSE, _OPEN).split(_OPEN)):
        if chunk:
            pieces.append((chunk, i % 2 == 1))
    return pieces


def plain(pieces: list[Part]) -> str:
    return "".join(text for text, _ in pieces)


def dateline_parts(story: Story, variant: Variant) -> list[Part]:
    """The dateline with its place isolated."""
    date = format_human_date(story.published, variant.lang, story.timezone)
    return parts(term("dateline", variant.lang, place=isolate(variant.dateline), date=date))


def dateline_text(story: Story, variant: Variant) -> str:
    """ "Brussels, February 18, 2021", "Bruxelles, 18 février 2021", "布鲁塞尔，2021年2月18日"."""
    return plain(dateline_parts(story, variant))


def credit_parts(credit: str, lang: str) -> list[Part]:
    """An image's credit line with the credited name isolated ("المصدر: AP/Reuters" keeps
    the slash between the agencies in a right-to-left page)."""
    return parts(term("credit", lang, credit=isolate(credit)))


def byline_parts(variant: Variant) -> list[Part]:
    """The byline with each name isolated."""
    names = [isolate(name) for name in variant.byline.names]
    return parts(term("by", variant.lang, names=listed(names, variant.lang)))


_HEBREW_LETTER = re.compile("[\u05d0-\u05ea]")
_SPANISH_I = re.compile("h?[ií](?![aeouáéóú])|y(?![aeiouáéíóú])", re.IGNORECASE)
"""A word that starts with the sound of i (Inés, Hilario, Ybarra), before which Spanish
writes "e", not "y" ("María e Inés"); not a diphthong (Hielo, Yolanda: "y")."""


def listed(names: list[str], lang: str) -> str:
    """Names as a list in `lang` with CLDR's patterns (babel), and the two contextual rules
    those patterns cannot say (ICU's list formatter applies them): Spanish "y" is "e" before
    the sound of i, and Hebrew's "ו", written on the word it joins, takes a hyphen before a
    word not in Hebrew letters ("ו-YCPress", never "וYCPress")."""
    text = str(format_list(names, locale=locale_for(lang)))
    if len(names) < 2:
        return text
    last = names[-1]
    bare = last.replace(_OPEN, "").replace(_CLOSE, "")
    primary = lang.split("-")[0].lower()
    if primary == "es" and _SPANISH_I.match(bare) and text.endswith(f" y {last}"):
        return f"{text[: -len(last) - 3]} e {last}"
    if primary == "he" and bare and not _HEBREW_LETTER.match(bare) and text.endswith(f"ו{last}"):
        return f"{text[: -len(last) - 1]}ו-{last}"
    return text


def byline_text(variant: Variant) -> str:
    """ "By A and B", "Par A et B", "作者：A和B"."""
    return plain(byline_parts(variant))
