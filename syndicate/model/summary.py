"""What collection files (feeds, indexes, editions, catalogs) read of a story: one small summary
type shared by every format. A build keeps summaries instead of stories, so a collection is
rebuilt without reading or holding the stories it lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

from syndicate.model.source import SourceRef
from syndicate.model.story import (
    CONTRIBUTIONS,
    Byline,
    Contribution,
    Lifecycle,
    Localized,
    Status,
    Story,
    Subject,
    is_public,
    lifecycle,
    public_since,
    public_updated,
    variant_id,
    was_public,
)


@dataclass(frozen=True, slots=True)
class VariantSummary:
    lang: str
    headline: str
    summary: str
    byline: tuple[str, ...]
    """The names of the people who wrote it, then the organisation credited (a book's and a
    catalog entry's creators and authors)."""
    rights: str
    """The copyright notice in this language (or the holder's name when there is none)."""
    updated: datetime
    """When this variant last changed (`Story.updated_for`)."""
    published: datetime | None = None
    """When this variant was first published, when later than the story (`Variant.published`;
    see `StorySummary.published_for`)."""
    contributors: tuple[tuple[str, Contribution], ...] = ()
    """The people credited for something else than the text, with what they gave (a
    translator, a photographer: `Person.contribution`), in byline order."""
    rights_lang: str | None = None
    """The language `rights` is written in when it is not this variant's (the original's
    notice, in a language that has none of its own): a catalog entry says it (`xml:lang`)."""


@dataclass(frozen=True, slots=True)
class StorySummary:
    id: str
    slug: str
    source: SourceRef
    original_lang: str
    section: str
    timezone: str
    status: Status
    version: int
    published: datetime
    updated: datetime
    embargo_until: datetime | None
    subjects: tuple[Subject, ...]
    variants: tuple[VariantSummary, ...]
    version_source: SourceRef | None = None
    """Where `version` is written (story.yaml's line)."""
    updated_source: SourceRef | None = None
    """Where the latest `updated` is written (`Story.updated_source`)."""
    release_source: SourceRef | None = None
    """Where the time it reaches the public is written (`Story.release_source`)."""
    draft: Status | None = None
    """Set only in a preview with `--drafts`, which shows a draft as if it were released
    (`status` is then `usable`): the status its story.yaml gives (`withheld`, `canceled`),
    for the preview's banner and header. None in every export into out/, which never
    carries a draft."""
    former_sections: tuple[str, ...] = ()
    """The sections other than `section` the story was public in, in any of its languages, as
    the build state of the out/ folder remembers them (a story moved by a later version):
    their feeds stay, and its kill's notice goes to those of each language that had it there
    (`former_sections_for`), where partners had it, and so does its correction. Never in
    the sources, which say only where the story is now; empty in a build without that
    memory."""
    former_by_language: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The languages whose feeds had the story in other sections than `former_sections`
    (fewer: a language a run of other languages never exported, or one added since), with
    those sections, by language (see `former_sections_for`)."""
    corrected: tuple[str, ...] = ()
    """The languages whose public channels tell a correction at this version
    (`Story.public_correction_for`): a story that moved has it told in the feeds of the
    sections it left too (`former_sections`), whose partners hold the version before."""

    @classmethod
    def of(cls, story: Story) -> StorySummary:
        return cls(
            id=story.id,
            slug=story.slug,
            source=story.source,
            original_lang=story.original_lang,
            section=story.section,
            timezone=story.timezone,
            status=story.status,
            version=story.version,
            published=story.published,
            updated=story.updated,
            embargo_until=story.embargo_until,
            subjects=story.subjects,
            variants=tuple(
                VariantSummary(
                    v.lang,
                    v.headline,
                    v.summary,
                    _creators(v.byline),
                    story.rights_notice(v.lang),
                    story.updated_for(v.lang),
                    v.published,
                    _contributors(v.byline),
                    _rights_lang(story, v.lang),
                )
                for v in story.variants
            ),
            version_source=story.version_source,
            updated_source=story.updated_source,
            release_source=story.release_source,
            corrected=tuple(v.lang for v in story.variants if story.public_correction_for(v.lang)),
        )

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(v.lang for v in self.variants)

    def has(self, lang: str) -> bool:
        return any(v.lang == lang for v in self.variants)

    def former_sections_for(self, lang: str) -> tuple[str, ...]:
        """The sections other than `section` the feeds of `lang` had the story in
        (`former_sections`, `former_by_language`): its kill and its correction are told in
        those of that language, and no other's."""
        for tag, sections in self.former_by_language:
            if tag == lang:
                return sections
        return self.former_sections

    def variant(self, lang: str) -> VariantSummary:
        for v in self.variants:
            if v.lang == lang:
                return v
        raise KeyError(f"{self.slug} has no {lang!r} variant")

    def variant_id(self, lang: str) -> str:
        """The permanent id of one language variant (see `story.variant_id`)."""
        return variant_id(self.id, lang)

    def updated_for(self, lang: str) -> datetime:
        """When the `lang` variant last changed (see `Story.updated_for`)."""
        return self.variant(lang).updated

    @property
    def last_updated(self) -> datetime:
        """The latest change of any variant (see `Story.last_updated`)."""
        return max(v.updated for v in self.variants)

    def published_for(self, lang: str) -> datetime:
        """When the `lang` variant was first published (see `Story.published_for`)."""
        own = self.variant(lang).published
        return max(self.published, own) if own else self.published

    def is_visible(self, now: datetime) -> bool:
        return is_public(self.status == "usable", self.embargo_until, now, self.published)

    def lifecycle(self, now: datetime) -> Lifecycle:
        return lifecycle(
            self.status, self.version, self.embargo_until, now, self.published, self.updated
        )

    def was_public(self) -> bool:
        return was_public(self.published, self.embargo_until, self.updated)

    @property
    def public_since(self) -> datetime:
        """When the story reached the public (see `syndicate.model.story.public_since`)."""
        return public_since(self.published, self.embargo_until)

    def public_since_for(self, lang: str) -> datetime:
        """When the `lang` variant reached the public (see `Story.public_since_for`)."""
        return public_since(self.published_for(lang), self.embargo_until)

    @property
    def last_public_since(self) -> datetime:
        """When the last of its variants reached the public (a translation added later)."""
        latest = max(self.published_for(v.lang) for v in self.variants)
        return public_since(latest, self.embargo_until)

    def public_updated_for(self, lang: str) -> datetime:
        """When the `lang` variant last changed as public channels say it (see
        `syndicate.model.story.public_updated`)."""
        return public_updated(self.updated_for(lang), self.published_for(lang), self.embargo_until)

    @property
    def public_last_updated(self) -> datetime:
        """The latest change of any variant as public channels say it."""
        return public_updated(self.last_updated, self.published, self.embargo_until)

    def shared(self, memo: dict[Any, Any]) -> StorySummary:
        """An equal summary whose values that many summaries repeat (languages, section,
        subjects, bylines, rights, time zones) are those `memo` holds: a build holds the
        summary of every story of an archive, and each one decoded or received from a worker
        would otherwise carry its own copies (about half of its size)."""
        sharing = _Sharing(memo)
        one, when = sharing.one, sharing.when
        variants = tuple(
            replace(
                v,
                lang=one(v.lang),
                byline=one(v.byline),
                contributors=one(v.contributors),
                rights=one(v.rights),
                updated=when(v.updated),
                published=None if v.published is None else when(v.published),
            )
            for v in self.variants
        )
        return replace(
            self,
            original_lang=one(self.original_lang),
            section=one(self.section),
            timezone=one(self.timezone),
            status=one(self.status),
            published=when(self.published),
            updated=when(self.updated),
            embargo_until=None if self.embargo_until is None else when(self.embargo_until),
            subjects=one(self.subjects),
            variants=variants,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data: a build's state keeps summaries as data, never as code (pickles)."""
        extra: dict[str, Any] = {"draft": self.draft} if self.draft else {}
        if self.former_sections:
            extra["former_sections"] = list(self.former_sections)
        if self.former_by_language:
            extra["former_by_language"] = {tag: list(s) for tag, s in self.former_by_language}
        if self.corrected:
            extra["corrected"] = list(self.corrected)
        if borrowed := {v.lang: v.rights_lang for v in self.variants if v.rights_lang}:
            extra["rights_lang"] = borrowed  # (absent from states written before it)
        return {
            "id": self.id,
            "slug": self.slug,
            "source": [self.source.path, self.source.line],
            "original_lang": self.original_lang,
            "section": self.section,
            "timezone": self.timezone,
            "status": self.status,
            "version": self.version,
            "published": self.published.isoformat(),
            "updated": self.updated.isoformat(),
            "embargo_until": self.embargo_until.isoformat() if self.embargo_until else None,
            "subjects": [[s.code, [list(pair) for pair in s.name.values]] for s in self.subjects],
            "version_source": (
                [self.version_source.path, self.version_source.line]
                if self.version_source
                else None
            ),
            "updated_source": (
                [self.updated_source.path, self.updated_source.line]
                if self.updated_source
                else None
            ),
            "release_source": (
                [self.release_source.path, self.release_source.line]
                if self.release_source
                else None
            ),
            "variants": [
                [
                    v.lang,
                    v.headline,
                    v.summary,
                    list(v.byline),
                    v.rights,
                    v.updated.isoformat(),
                    *(
                        [v.published.isoformat() if v.published else None, v.contributors]
                        if v.contributors
                        else [v.published.isoformat()]
                        if v.published
                        else []
                    ),
                ]
                for v in self.variants
            ],
        } | extra

    @classmethod
    def from_json(cls, data: dict[str, Any], memo: dict[Any, Any] | None = None) -> StorySummary:
        """The summary `to_json` gave; with `memo`, made `shared` as it is decoded (a build
        decodes every story's summary: made, then made again shared, took twice as long)."""
        sharing = _Sharing(memo) if memo is not None else None
        one = sharing.one if sharing else _same
        when = sharing.when if sharing else _same
        embargo = data["embargo_until"]
        version_source = data["version_source"]
        updated_source = data.get("updated_source")  # absent from states written before it
        release_source = data.get("release_source")  # (as this one)
        rights_langs = data.get("rights_lang") or {}
        return cls(
            id=data["id"],
            slug=data["slug"],
            source=SourceRef(*data["source"]),
            original_lang=one(data["original_lang"]),
            section=one(data["section"]),
            timezone=one(data["timezone"]),
            status=one(data["status"]),
            version=data["version"],
            published=when(datetime.fromisoformat(data["published"])),
            updated=when(datetime.fromisoformat(data["updated"])),
            embargo_until=when(datetime.fromisoformat(embargo)) if embargo else None,
            subjects=one(
                tuple(
                    Subject(code, Localized(tuple((tag, text) for tag, text in names)))
                    for code, names in data["subjects"]
                )
            ),
            variants=tuple(
                VariantSummary(
                    one(lang),
                    headline,
                    summary,
                    one(tuple(byline)),
                    one(rights),
                    when(datetime.fromisoformat(updated)),
                    when(datetime.fromisoformat(own[0])) if own and own[0] else None,
                    one(_contributions(own[1])) if len(own) > 1 else (),
                    rights_langs.get(lang),
                )
                for lang, headline, summary, byline, rights, updated, *own in data["variants"]
            ),
            version_source=SourceRef(*version_source) if version_source else None,
            updated_source=SourceRef(*updated_source) if updated_source else None,
            release_source=SourceRef(*release_source) if release_source else None,
            draft=data.get("draft"),
            former_sections=tuple(data.get("former_sections", ())),
            former_by_language=tuple(
                (tag, tuple(sections))
                for tag, sections in (data.get("former_by_language") or {}).items()
            ),
            corrected=tuple(data.get("corrected", ())),
        )


def last_taken_down(
    stories: Iterable[StorySummary], now: datetime, languages: Collection[str]
) -> dict[str, datetime]:
    """Each of `languages`' latest kill or withdrawal of a story the public had (its
    `updated`): a collection that listed the story changed then, though nothing still in it
    is that new. The OPDS catalog's `updated` and the sitemaps' `lastmod` count it (RFC
    4287's latest significant change, the time the file changed): a client comparing dates
    would otherwise keep what the kill took away."""
    found: dict[str, datetime] = {}
    for story in stories:
        if story.lifecycle(now) not in ("killed", "withdrawn") or not story.was_public():
            continue
        for lang in story.languages:
            if lang in languages:
                found[lang] = max(found.get(lang, story.updated), story.updated)
    return found


def _creators(byline: Byline) -> tuple[str, ...]:
    """Who a book and a catalog entry name as creators: the writers, then the organisation."""
    org = (byline.organisation,) if byline.organisation else ()
    return tuple(p.name for p in byline.authors) + org


def _rights_lang(story: Story, lang: str) -> str | None:
    """The language of `lang`'s copyright notice when it is another's (the original's, for a
    language that has none): not `lang` nor its primary language, nor `*` (one text for every
    language, whose language is not known), as `i18n.locales.borrowed` says."""
    written_in = story.rights_for(lang).notice.written_in(lang, story.original_lang)
    return None if written_in in (None, "*", lang, lang.split("-")[0]) else written_in


def _contributors(byline: Byline) -> tuple[tuple[str, Contribution], ...]:
    return tuple((p.name, p.contribution) for p in byline.contributors if p.contribution)


def _contributions(data: Any) -> tuple[tuple[str, Contribution], ...]:
    """`_contributors` as `to_json` wrote them (a kind of contribution this code does not
    know is a damaged record: a state's records made by other code are not used)."""
    found = tuple((str(name), kind) for name, kind in data)
    if any(kind not in CONTRIBUTIONS for _, kind in found):
        raise ValueError(f"unknown contributions in {data!r}")
    return found


def _same(value: Any) -> Any:
    return value


class _Sharing:
    """`StorySummary.shared`'s two rules: one copy of each equal value, and of each time zone."""

    __slots__ = ("memo",)

    def __init__(self, memo: dict[Any, Any]) -> None:
        self.memo = memo

    def one(self, value: Any) -> Any:
        return self.memo.setdefault(value, value)

    def when(self, moment: datetime) -> datetime:
        # By repr: equal fixed offsets may differ in name (`timezone.utc` is "UTC").
        zone: tzinfo | None = self.memo.setdefault(("tz", repr(moment.tzinfo)), moment.tzinfo)
        return moment if moment.tzinfo is zone else moment.replace(tzinfo=zone)
