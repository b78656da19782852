"""The HTML format's story lists as the other formats point to them: which exist (a
language's, `html/index.<lang>.html`; a section's in a language, `html/<lang>/<section>.html`)
and whether they are the site's pages at all. The feeds link theirs as the site a feed
belongs to; the sitemaps list them.

Which lists exist follows from the configuration and the stories alone, as the HTML format
decides it, never from the formats a run exports: a run of the feeds alone writes the same
bytes as one of every format, and an incremental run those of `--force`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from syndicate.model.site import DEFAULT_ARTICLE_URL, SiteConfig

if TYPE_CHECKING:
    from syndicate.model import StorySummary


def section_pages(config: SiteConfig) -> bool:
    """Whether the HTML format makes a story list per language and section
    (`html.section_pages`, true unless set to false)."""
    return config.section("html").get("section_pages", True) is not False


def own_pages(config: SiteConfig) -> bool:
    """Whether the stories' links lead to the HTML format's pages (`links.article` left as
    it is, or written out the same): a site whose links lead to its CMS has its pages there,
    and syndicate's lists, if it exports them, are not what its readers browse."""
    default = DEFAULT_ARTICLE_URL.replace("{base_url}", config.base_url)
    return config.article_url.replace("{base_url}", config.base_url) == default


class StoryLists:
    """The story lists the HTML format makes of `stories` at `now`: a language's while a
    story of it is public, or was before its kill (its notices link the list, kept empty),
    in the site's languages; a section's in a language while one of its stories is public
    there (none with `html.section_pages` false). None at all when the stories' links lead
    elsewhere (`own_pages`)."""

    def __init__(self, stories: Sequence[StorySummary], now: datetime, config: SiteConfig):
        self.languages: set[str] = set()
        self.sections: set[tuple[str, str]] = set()
        if not own_pages(config):
            return
        site, sections = set(config.languages), section_pages(config)
        for story in stories:
            visible = story.is_visible(now)
            if not visible and not (
                story.lifecycle(now) in ("killed", "withdrawn") and story.was_public()
            ):
                continue
            for lang in story.languages:
                if lang in site:
                    self.languages.add(lang)
                    if visible and sections:
                        self.sections.add((lang, story.section))

    def page(self, lang: str, section: str | None = None) -> str | None:
        """The path under out/ of the first page of the list of `section` in `lang` (of
        `lang`'s stories with no `section`), None when the HTML format makes none."""
        if section is not None and (lang, section) in self.sections:
            return f"html/{lang}/{section}.html"
        if section is None and lang in self.languages:
            return f"html/index.{lang}.html"
        return None


_KEPT = 4
"""How many `StoryLists` `story_lists` keeps: every feed format of a run, and every partner
profile in each language, asks for the lists of the same stories."""
_kept: OrderedDict[tuple[Any, ...], tuple[tuple[StorySummary, ...], StoryLists]] = OrderedDict()
_kept_lock = threading.Lock()  # exports in several threads (the preview server's, an API's)


def story_lists(stories: Sequence[StorySummary], now: datetime, config: SiteConfig) -> StoryLists:
    """`StoryLists(stories, now, config)`, made once for the same stories (by identity: frozen
    summaries, kept alive with the lists), time and configuration. The Atom, RSS and JSON
    Feed formats and each partner profile in each language ask for them: made for each, the
    lists of 20,000 stories cost an edit about 0.13 s two dozen times."""
    key = (
        tuple(map(id, stories)),
        now,
        tuple(config.languages),
        section_pages(config),
        own_pages(config),
    )
    with _kept_lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found[1]
    lists = StoryLists(stories, now, config)
    with _kept_lock:
        _kept[key] = (tuple(stories), lists)
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return lists
