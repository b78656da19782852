"""What to tell someone whose language tag syndicate cannot use as given: the tag to write
instead, the same from `init`, `new`, `terms`, a language file's name and `syndicate.yaml`."""

from __future__ import annotations

from syndicate.diagnostics import closest
from syndicate.i18n.locales import canonical_case, is_valid_tag, preferred_tag, tag_words


def tag_hint(tag: str) -> str:
    """For a tag that is not a known BCP 47 tag, what to write instead: `; write it 'ar-SA'
    (...)` for `ar_SA`, `; did you mean 'ja'?` for `jp` or `japanese`; nothing when no tag
    is near."""
    if "_" in tag and is_valid_tag(fixed := canonical_case(tag.replace("_", "-"))):
        return f"; write it {fixed!r} (BCP 47 joins subtags with hyphens)"
    first, _, rest = tag.lower().partition("-")
    words = tag_words()
    word = first if first in words else closest(first, words)
    if word is None:
        return ""
    meant = canonical_case("-".join(filter(None, (words[word], rest))))
    meant = meant if is_valid_tag(meant) else words[word]
    return f"; did you mean {meant!r}?"


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
