"""Plain text of a body (JSON-LD articleBody, summaries) and word and character counts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from syndicate.model import (
    Block,
    BlockQuote,
    Heading,
    ListBlock,
    Paragraph,
    Variant,
    inline_text,
    walk,
)

# Han, Hiragana and Katakana count one word each: Chinese and Japanese do not separate words
# with spaces, and news agencies count them by character. Korean does separate its words
# (eojeol) with spaces: Hangul is counted as any spaced script ("불꽃놀이." is one word).
_CJK = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0002fa1f\U00030000-\U000323af"
)
"""Kana (half-width too) and the CJK ideographs, those beyond the BMP (`𠮷`, Extension B and
on) included: each one word."""
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_PUNCT_ONLY = re.compile(r"^\W+\Z")
_SPACE = re.compile(r"\s")
_ANY_CJK = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_PUNCT_WORD = re.compile(r"[^\w\s](?<!\S[^\w\s])[^\w\s]*(?!\S)")
"""In a text without CJK, a word (a run between white space, what `str.split` gives) of
nothing but punctuation: one pass over the text, no list of its words. (`(?<!\\S)[^\\w\\s]+`,
its first character's class put first: the regular-expression engine skips to the
characters of that class, where a look-behind first was tried at every character.)"""
_LATIN1 = [chr(code) for code in range(256)]
_LATIN1_SPACES = bytes.maketrans(
    bytes(ord(c) for c in _LATIN1 if c.isspace()), b" " * sum(c.isspace() for c in _LATIN1)
)
"""Latin-1's white space (`str.isspace`: the no-break space, U+0085, U+001C-U+001F as well)
made the spaces `bytes.split` splits on."""
_LATIN1_PUNCTUATION = bytes(
    ord(c) for c in _LATIN1 if not c.isspace() and re.match(r"\w", c) is None
)
"""Latin-1's characters of `_PUNCT_WORD`'s class (neither word nor space): a word of them alone
is not counted."""


def body_text(variant: Variant) -> str:
    """The body as plain text: one paragraph per block, separated by blank lines. A list's
    items say their number ("1. ", from the list's start) or a bullet ("- "), as pandoc's
    plain text does, and a list inside an item is indented by three spaces a level: "the
    three steps below" must still find its steps. A hard line break is a new line (an
    address, a verse). Figures, which plain text cannot show, are left out."""
    return "\n\n".join(_plain_blocks(variant.body, ""))


def body_words(variant: Variant) -> str:
    """The body's words, for counting: its paragraphs and headings without the list marks
    that `body_text` adds (a word processor does not count its list numbers either)."""
    texts = (b.children for b in walk(variant.body) if isinstance(b, Paragraph | Heading))
    return "\n\n".join(inline_text(children) for children in texts)


def _plain_blocks(blocks: Iterable[Block], indent: str) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph | Heading):  # a hard break's next line keeps the indent
            # (a break that ends or starts the block ends no line of it: a `<br>` last)
            yield indent + inline_text(block.children, "\n" + indent).strip("\n ")
        elif isinstance(block, BlockQuote):
            yield from _plain_blocks(block.children, indent)
        elif isinstance(block, ListBlock):
            items = _plain_items(block, indent)
            if items:  # one text: a list's items, and a nested list's, keep their spacing
                yield ("\n" if block.tight else "\n\n").join(items)


def _plain_items(block: ListBlock, indent: str) -> list[str]:
    """A list's items in plain text, each with its mark, the blocks of an item one line
    apart in a tight list and a blank line apart in a loose one (a nested list keeps its
    own spacing)."""
    apart = "\n" if block.tight else "\n\n"
    out: list[str] = []
    for number, item in enumerate(block.items, start=block.start):
        mark = f"{number}. " if block.ordered else "- "
        inner = list(_plain_blocks(item, indent + "   "))
        if item and not inner:  # a figure alone, left out: no bare "1." for it
            continue
        if inner and not isinstance(item[0], ListBlock):
            inner[0] = indent + mark + inner[0][len(indent) + 3 :]
        else:  # an item that starts with a list, or is empty: its mark alone first
            inner.insert(0, indent + mark.rstrip())
        out.append(apart.join(inner))
    return out


_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
"""Thai, Lao, Myanmar and Khmer: written without spaces between words, and with no rule
(as CJK's one word a character) to count them by; finding their words takes a dictionary."""


def _mostly_unspaced(text: str) -> bool:
    """Whether a quarter or more of the text's non-space characters are of those scripts (a
    Thai body, not an English one quoting a Thai name, whose other words count as usual)."""
    unspaced = len(_UNSPACED.findall(text))
    return bool(unspaced) and unspaced * 4 >= len(text) - len(_SPACE.findall(text))


@lru_cache(maxsize=64)
def word_count(text: str) -> int | None:
    """Words, with each CJK character counted as one; punctuation is not a word. None for a
    text mostly in a script written without spaces between its words that only a dictionary
    can segment (Thai, Lao, Myanmar, Khmer): each of its paragraphs would count as one word,
    a figure partners bill and sort by. (Kept for the next callers: NewsML-G2, ninjs and
    JSON-LD count the same body.)"""
    try:  # (a text of ASCII or Latin-1 alone: English, French, German, Spanish...)
        latin1 = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:  # no CJK and no Thai: its words are the runs between spaces with more than punctuation
        return len(latin1.translate(_LATIN1_SPACES, _LATIN1_PUNCTUATION).split())
    if _mostly_unspaced(text):
        return None
    if _ANY_CJK.search(text) is None:  # most texts: their words are what `split` gives
        return len(text.split()) - len(_PUNCT_WORD.findall(text))
    runs = _CJK_RUN.findall(text)
    # each CJK character a word (but one this Python's Unicode knows no letter of, a code
    # point not yet assigned, which is no `\w`, as punctuation is not), and the words
    # between them, each run of them a space: no list of one-character words
    cjk = "".join(runs)
    letters = len(cjk) if cjk.isalnum() else sum(1 for c in cjk if c.isalnum())
    rest = _CJK_RUN.sub(" ", text)
    return letters + len(rest.split()) - len(_PUNCT_WORD.findall(rest))


def slow_word_count(text: str) -> int | None:
    """What `word_count` counts, word by word (the reference its fast path is tested on)."""
    if _mostly_unspaced(text):
        return None
    return sum(1 for w in _WORD.findall(text) if not _PUNCT_ONLY.match(w))


@lru_cache(maxsize=64)
def char_count(text: str) -> int:
    """Characters other than white space (`\\s` is what `str.isspace` is true of)."""
    return len(text) - len(_SPACE.findall(text))
