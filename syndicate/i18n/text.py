"""Composed human texts of a story in one language: dateline, byline, section name."""

from __future__ import annotations

from babel.lists import format_list

from syndicate.i18n.dates import format_human_date
from syndicate.i18n.locales import locale_for
from syndicate.i18n.terms import has_term, term
from syndicate.model import Story, Variant


def section_name(code: str, lang: str) -> str:
    """The section's name in `lang` from the terms files; the code itself if no term exists."""
    key = f"section.{code}"
    return term(key, lang) if has_term(key) else code.replace("-", " ").capitalize()


def dateline_text(story: Story, variant: Variant) -> str:
    """ "Brussels, February 18, 2021", "Bruxelles, 18 février 2021", "布鲁塞尔，2021年2月18日"."""
    date = format_human_date(story.published, variant.lang, story.timezone)
    return term("dateline", variant.lang, place=variant.dateline, date=date)


def names_text(variant: Variant) -> str:
    """The credited names as a list in the variant's language ("A, B and YCPress")."""
    return str(format_list(list(variant.byline.names), locale=locale_for(variant.lang)))


def byline_text(variant: Variant) -> str:
    """ "By A and B", "Par A et B", "作者：A和B"."""
    return term("by", variant.lang, names=names_text(variant))
