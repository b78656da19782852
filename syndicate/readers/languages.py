"""What to tell someone whose language tag syndicate cannot use as given: the tag to write
instead, the same from `init`, `new`, `terms`, a language file's name and `syndicate.yaml`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from syndicate.diagnostics import closest, suggest
from syndicate.i18n.iana import GRANDFATHERED, REDUNDANT
from syndicate.i18n.locales import (
    NO_LANGUAGE,
    canonical_case,
    is_valid_tag,
    language_name,
    preferred_tag,
    retired_code,
    script_refused,
    stated_tag,
    tag_words,
)

TAG_WORD_CLOSE = 0.8
"""How alike a file's or a setting's word and a language's name or code must be to be offered."""


def _swapped(word: str, words: Mapping[str, str]) -> str | None:
    """The language name `word` (four letters or more) is with two letters side by side
    swapped back (`thia`: thai), if one is."""
    if len(word) < 4:
        return None
    for at in range(len(word) - 1):
        back = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if back != word and back in words:
            return back
    return None


def _abbreviated(word: str, words: Mapping[str, str]) -> str | None:
    """The one language name `word` (four letters or more) begins (`engl`: english); None
    when it begins none, or the names of several languages (`port`: portuguese only)."""
    if len(word) < 4:
        return None
    meant = {tag for name, tag in words.items() if " " not in name and name.startswith(word)}
    if len(meant) != 1:
        return None
    return next(name for name, tag in words.items() if tag in meant and name.startswith(word))


def tag_hint(tag: str) -> str:
    """For a tag that is not a known BCP 47 tag, what to write instead: `; write it 'ar-SA'
    (...)` for `ar_SA`, `; did you mean 'ja'?` for `jp` or `japanese`; nothing when no tag
    is near."""
    if "_" in tag and is_valid_tag(fixed := canonical_case(tag.replace("_", "-"))):
        return f"; write it {fixed!r} (BCP 47 joins subtags with hyphens)"
    first, _, rest = tag.lower().partition("-")
    if rest and is_valid_tag(first):
        return (
            f"; {first!r} is a language, but CLDR knows no script, region or variant"
            f" {tag.partition('-')[2]!r} (regions are ISO 3166 or UN M.49 codes: en-GB, es-419)"
        )
    if retired := retired_code(first):
        # (before the words: `sh` is also St Helena's country code, which read as English)
        name = language_name(first)
        named = f" ({name})" if name else ""
        whole = canonical_case(f"{retired}-{rest}") if rest else retired
        return (
            f"; CLDR knows {first!r}{named} only as {retired!r}: write"
            f" {whole if is_valid_tag(whole) else retired!r}, or the tag of the language the"
            " text is written in"
        )
    if first in NO_LANGUAGE:
        return (
            f"; {first!r} is ISO 639's code for {NO_LANGUAGE[first]}, not a language: name"
            " the language the text is written in"
        )
    words = tag_words()
    # Closer than other near misses: among 600 short names and codes, `notes` is 0.67 alike
    # `teso` and `todo` 0.75 alike `bodo`, while a misspelt language name (`japanes`,
    # `frensh`) is 0.8 alike or more; two letters swapped are a slip too (`thia`), and a
    # name's first letters its abbreviation (`engl`, `ital`, `portu`). A code of three
    # letters or fewer is one only as it is (`jp`): `mul` is not Mali's `ml`.
    word = first if first in words else _abbreviated(first, words) or _swapped(first, words)
    if word is None and len(first) > 3:
        word = closest(first, words, TAG_WORD_CLOSE)
    if word is None:
        return ""
    meant = canonical_case("-".join(filter(None, (words[word], rest))))
    meant = meant if is_valid_tag(meant) else words[word]
    return suggest(meant)


_WRITE_ANOTHER = "write the tag of the language the text is written in (en, fr, zh-Hans)"
_NO_CLDR = (
    "CLDR, which syndicate's dates, language names and text direction come from, has no"
    " locale data for it"
)
_REGISTERED = {
    **{
        tag.lower(): ("a grandfathered tag (RFC 5646, 2.2.8)", v)
        for tag, v in GRANDFATHERED.items()
    },
    **{tag.lower(): ("a tag IANA's registry deprecates", v) for tag, v in REDUNDANT.items()},
}
_LOCAL_USE = re.compile(r"q[a-t][a-z]", re.IGNORECASE)
"""ISO 639's language codes reserved for local use (`qaa` to `qtz`)."""


def refusal(tag: str) -> str | None:
    """For a BCP 47 tag that syndicate does not support, why, and what to write instead, said
    after the tag (`'x-klingon' is a private-use tag ...`): a private-use tag (`x-...`), a
    grandfathered or deprecated redundant tag of IANA's registry (`i-klingon`, `art-lojban`,
    `zh-yue`: its Preferred-Value, where syndicate takes it), a language code of ISO 639's
    range for local use (`qaa`), a language CLDR names but has no locale for (`tlh`; not
    `kr`, Kanuri's code, which `tag_hint` reads as Korea's). None for any other tag: a
    mistake, which `tag_hint` helps with."""
    lower = tag.lower()
    if lower.startswith("x-"):
        return (
            "is a private-use tag (RFC 5646, 2.2.7), which syndicate does not support: its"
            f" dates, language names and text direction come from CLDR, which has none for"
            f" such a tag; {_WRITE_ANOTHER}"
        )
    if lower in _REGISTERED:
        what, preferred = _REGISTERED[lower]
        if preferred is None:
            return (
                f"is {what}, which syndicate does not support, and the registry gives no tag"
                f" to write instead; {_WRITE_ANOTHER}"
            )
        if is_valid_tag(preferred):
            return f"is {what}; write {preferred!r} instead, the tag the registry prefers"
        name = language_name(preferred)
        named = f" ({name})" if name else ""
        return (
            f"is {what}, and the tag the registry prefers, {preferred!r}{named}, syndicate does"
            f" not support either: {_NO_CLDR}"
        )
    first = lower.split("-")[0]
    if _LOCAL_USE.fullmatch(first):
        return (
            f"is in the range ISO 639 reserves for local use ('qaa' to 'qtz'), which syndicate"
            f" does not support: CLDR has no data (month names, language names, text"
            f" direction) for it; {_WRITE_ANOTHER}"
        )
    name = language_name(first)
    if scripts := script_refused(tag):
        written, usual = scripts
        return (
            f"is {name or first!r} in the {written} script, which CLDR has no locale data for"
            f" (syndicate's dates, language names and text direction come from it): its pages"
            f" would be dated and directed as {name or first!r} in the {usual} script; write"
            f" {first!r} for that, or the tag of another language"
        )
    # (not where another tag is likely meant: `kr` is Kanuri's code, and Korea's)
    if name and not is_valid_tag(first) and not tag_hint(tag):
        return f"is the code of {name}, a language syndicate does not support: {_NO_CLDR}"
    return None


def tag_problem(tag: str, unknown: str) -> str:
    """What to say of a tag `is_valid_tag` refuses: why syndicate does not support it, for a
    BCP 47 tag of a kind it does not take (`refusal`), else `unknown` (the caller's words,
    "unknown language tag 'xx'") with the tag likely meant (`tag_hint`)."""
    why = refusal(tag)
    return f"{tag!r} {why}" if why else f"{unknown}{tag_hint(tag)}"


def deprecated_hint(tag: str) -> str | None:
    """For a known tag that BCP 47 no longer uses (`iw`, `per`), the sentence that says
    which to write instead; None for a tag in use."""
    preferred = preferred_tag(tag)
    if preferred is None:
        return None
    return (
        f"{tag!r} is an old code for {preferred!r}, which BCP 47 prefers: write {preferred!r},"
        " the tag browsers, feed readers and partners expect"
    )


def spelt_otherwise(tag: str, tags: Sequence[str]) -> str | None:
    """The tag of `tags` that names the language of `tag` under another spelling, an old code
    and the one that replaced it (`iw` and `he`, `en-UK` and `en-GB`); None if none does."""
    preferred = stated_tag(tag)
    for other in tags:
        if other != tag and stated_tag(other) == preferred:
            return other
    return None


_COPY_MARK = re.compile(r"[-._ ~(]")
"""What a copy's name adds after the tag of the file copied: `en.draft`, `fr-copy`, `fr (1)`,
`en.sync-conflict-20261204-120000-abcdefg` (Syncthing), `en_old`."""
_REGION = re.compile(r"[A-Za-z]{2}|[0-9]{3}")


def copied_from(name: str) -> str | None:
    """For a language file's name (without `.md`) that is no language tag but starts with
    one, the tag of the file it is likely a copy of (`en.draft` -> `en`, `fr-Copy` -> `fr`);
    None for a tag, and for a tag to correct rather than a copy (`en_US`, a region misspelt
    as in `en-UK`)."""
    hyphens = canonical_case(name.replace("_", "-"))
    if is_valid_tag(name) or ("_" in name and is_valid_tag(hyphens)):
        return None
    for cut in reversed([mark.start() for mark in _COPY_MARK.finditer(name)]):
        head, rest = name[:cut], name[cut + 1 :]
        if is_valid_tag(head):
            region = name[cut] in "-_" and _REGION.fullmatch(rest)
            return None if region else canonical_case(head)
    return None
