"""Plain text of a body (JSON-LD articleBody, summaries) and word and character counts."""

from __future__ import annotations

import re

from syndicate.model import (
    Block,
    BlockQuote,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    ThematicBreak,
    Variant,
    inline_text,
)

# Han, Hiragana, Katakana and Hangul syllables count one word each: those scripts do not
# separate words with spaces, and news agencies count them by character.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_PUNCT_ONLY = re.compile(r"^\W+$")


def body_text(variant: Variant) -> str:
    """The body as plain text: one paragraph per block, separated by blank lines."""
    return "\n\n".join(_blocks_text(variant.body))


def _blocks_text(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        match block:
            case Paragraph(children) | Heading(_, children):
                out.append(inline_text(children))
            case BlockQuote(children):
                out.extend(_blocks_text(children))
            case ListBlock(_, items):
                for item in items:
                    out.extend(_blocks_text(item))
            case Figure() | ThematicBreak():
                pass
    return out


def word_count(text: str) -> int:
    """Words, with each CJK character counted as one; punctuation is not a word."""
    return sum(1 for w in _WORD.findall(text) if not _PUNCT_ONLY.match(w))


def char_count(text: str) -> int:
    """Characters other than white space."""
    return sum(1 for c in text if not c.isspace())
