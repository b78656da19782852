"""`html`: standalone article pages, one per story and language, with the JSON-LD embedded,
translations linked by hreflang, Open Graph tags, and a story list per language, rendered from
Jinja2 templates that a site may override (see `templating`).

Layout of out/html/: `<slug>.<lang>.html` (articles), `index.<lang>.html` (the stories in one
language), `index.html` (every language with its stories; the `x-default` of the indexes),
`<lang>/<section>.html` (the stories of one section in one language, `html.section_pages`),
`media/<slug>/<name>` (story images) and `media/site/<file>` (publisher logo and icon), so
pages link to each other and to images by relative URLs (a section page, one folder down,
has `<base href="../">`: its links are written as from out/html/ too)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec
from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup, escape

from syndicate.diagnostics import Diagnostics, for_page
from syndicate.formats.contract import (
    Context,
    Options,
    OutputFile,
    Planned,
    Writer,
    default_language,
    exported_languages,
    in_site_order,
    site_files,
    site_media_path,
    site_versioned,
    static_path,
    url_path,
    versioned,
)
from syndicate.formats.feedoptions import FeedOptions
from syndicate.formats.jsonld.graph import GraphBuilder, script_text
from syndicate.i18n.dates import (
    format_human_date,
    format_human_datetime,
    local_rfc3339,
    rfc3339,
)
from syndicate.i18n.locales import (
    direction,
    format_number,
    language_label,
    stated_tag,
    with_territory,
)
from syndicate.i18n.terms import lookup, term, term_language
from syndicate.i18n.text import Part, byline_parts, isolate, isolated_in, parts, section_name
from syndicate.model import Image, SiteConfig, Story, StorySummary
from syndicate.render.xhtml import foreign_language, render_body, render_correction

Values = dict[str, Any]
# Stands for the date while a term is filled in, so the date can become a <time> element;
# no term or text contains it.
_DATE_MARK = "\x00"


class HtmlOptions(Options, frozen=True, kw_only=True, forbid_unknown_fields=True):
    page_size: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            le=10_000,  # a typo (100000000) must not make one page of every story
            description="stories a page of a story list holds: index.<lang>.html lists the"
            " newest, index.<lang>.2.html the next, and so on (a section's list too); the home"
            " page shows each language's first page",
        ),
    ] = 50
    section_pages: Annotated[
        bool,
        msgspec.Meta(
            description="a story list per language and section, <lang>/<section>.html (paged as"
            " the language's), linked from each story's section name; false: none, and the"
            " section names link nowhere"
        ),
    ] = True


class HtmlWriter(Writer[HtmlOptions]):
    name = "html"
    description = "article pages with embedded JSON-LD and hreflang links, and story indexes"
    media_type = "text/html"
    extension = ".html"
    scope = "variant"
    Options = HtmlOptions
    site_inputs = ("templates",)

    def check_site_inputs(self, config: SiteConfig, diags: Diagnostics) -> None:
        """The site's templates compile (`templating.check_templates`), and show what they
        hold (`templating.template_warnings`)."""
        if config.templates is None:
            return
        from syndicate.formats.html.templating import check_templates, template_warnings

        for problem in check_templates(config.templates):
            diags.error("html.template", problem.message, problem.where)
        for problem in template_warnings(config.templates):
            diags.warning("html.template", problem.message, problem.where)

    def story_files(self, story: Story, ctx: Context[HtmlOptions]) -> Iterator[OutputFile]:
        if story.lifecycle(ctx.now) in ("killed", "withdrawn") and story.was_public():
            for lang in exported_languages(story, ctx):
                path = f"html/{story.slug}.{lang}.html"
                page = _render(ctx, "notice.html", notice_page(story, lang, ctx), path)
                if page is not None:
                    yield OutputFile(path, page)
        if not story.is_visible(ctx.now):
            return
        builder = GraphBuilder(ctx)
        langs = exported_languages(story, ctx)
        with_feeds = feed_languages(ctx) if langs else ()
        for lang in langs:
            ld_json = script_text(builder.graph(story, lang))
            path = f"html/{story.slug}.{lang}.html"
            values = article_page(story, lang, ctx, ld_json, with_feeds)
            page = _render(ctx, "article.html", values, path)
            if page is not None:
                yield OutputFile(path, page)
        if langs:
            yield from _story_media(story, ctx)

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[HtmlOptions]
    ) -> Iterable[OutputFile]:
        # The story lists hold the visible stories' summaries only, `page_size` to a page,
        # newest first: each page is planned with the stories it lists and made only when
        # the build engine asks (when one of them, or the number of pages, changed). An
        # archive's lists are many small pages, never one page of every story.
        visible = [story for story in stories if story.is_visible(ctx.now)]
        # A language whose only pages are notices (its last public story killed) keeps its
        # index, empty: every page links to it.
        noticed = {
            lang
            for story in stories
            if story.lifecycle(ctx.now) in ("killed", "withdrawn") and story.was_public()
            for lang in story.languages
        }
        # Newest first by when each reached the public in the list's language: a story out
        # of an embargo is new, and so is a translation added later.
        by_lang = {
            lang: _newest_first([s for s in visible if s.has(lang)], lang)
            for lang in ctx.config.languages
            if lang in noticed or any(s.has(lang) for s in visible)
        }
        langs, size = list(by_lang), ctx.options.page_size
        builder = functools.cache(lambda: GraphBuilder(ctx))  # one for all the pages
        with_feeds = feed_languages(ctx) if by_lang else ()
        for lang, listed in by_lang.items():
            if lang not in ctx.languages:
                continue
            pages = [listed[start : start + size] for start in range(0, len(listed), size)]
            pages = pages or [[]]
            for number, listing in enumerate(pages, 1):
                page = _Page(lang, number, len(pages), listing, len(listed), lang in with_feeds)
                make = functools.partial(_language_page, page, langs, ctx, builder)
                # (the list's length: each page's JSON-LD says it)
                key = repr(("index", number, len(pages), langs, len(listed)))
                yield Planned(page.path, make, summaries=listing, key=key)
        if ctx.options.section_pages:
            yield from _section_pages(by_lang, ctx, builder, with_feeds)
        if by_lang:
            firsts = {lang: listed[:size] for lang, listed in by_lang.items()}
            more = [lang for lang, listed in by_lang.items() if len(listed) > size]
            make = functools.partial(_home_page, firsts, more, ctx, builder)
            listed_first = [s for listing in firsts.values() for s in listing]
            key = repr(("home", langs, more))
            yield Planned("html/index.html", make, summaries=listed_first, key=key)
        for file in site_files(ctx.config):
            yield OutputFile(site_media_path(file), ctx.read_asset(file))
        if ctx.config.templates is not None:  # the designer's fonts, scripts and images
            for rel in ctx.config.static:
                yield OutputFile(static_path(rel), ctx.read_asset(ctx.config.templates / rel))

    def validate_outputs(self, out: Path, ctx: Context[HtmlOptions]) -> None:
        """Every page must parse, carry one JSON-LD block that our schema accepts, and say
        the same language in `<html lang>` as in its JSON-LD: those of out/html/ and the
        section pages in its languages' folders (not the site's own files elsewhere)."""
        from syndicate.formats.checking import output_files
        from syndicate.formats.html.validate import validate_page

        super().validate_outputs(out, ctx)
        folders = ["html", *(f"html/{lang}" for lang in ctx.config.languages)]
        for folder in folders:
            for path in output_files(out, folder, (".html",), ctx.diagnostics, deep=False):
                validate_page(path, ctx)


def _newest_first(stories: list[StorySummary], lang: str) -> list[StorySummary]:
    """Newest first by when each reached the public in `lang` (a translation added later is
    new there), then by slug."""
    return sorted(stories, key=lambda s: (-s.public_since_for(lang).timestamp(), s.slug))


def _render(
    ctx: Context[HtmlOptions], template: str, values: Values, page: str, base: str | None = None
) -> bytes | None:
    """The page `page` (`html/<slug>.<lang>.html`), or None after reporting a template that
    cannot be rendered; the message names the page (a value one story lacks fails its pages
    only). A `base` becomes the page's `<base href>`, whatever its templates say, and a link
    to an `#id` alone still leads to the page (`render_page`)."""
    # The template engine is imported when a page is made: a run that makes none (nothing
    # changed) does without it.
    from syndicate.formats.html.templating import TemplateError, render_page

    mended: list[TemplateError] = []
    try:
        here = page.removeprefix("html/") if base is not None else None
        made = render_page(ctx.config.templates, template, mended, base, here, **values)
    except TemplateError as exc:
        ctx.diagnostics.error("html.template", for_page(exc.message, page), exc.where)
        return None
    for problem in mended:  # (a page a browser would lay out otherwise than it is written)
        ctx.diagnostics.warning("html.template", for_page(problem.message, page), problem.where)
    return made


def media_path(story: Story, image: Image) -> str:
    """Where a story image is published, relative to the pages (and to out/html/)."""
    return f"media/{story.slug}/{image.name}"


def image_src(story: Story, image: Image) -> str:
    """A story image's link from a page: its path, with its digest (`versioned`), so a photo
    replaced in place by a correction is a new URL to browsers and CDNs."""
    return versioned(url_path(media_path(story, image)), image.digest)


def _story_media(story: Story, ctx: Context[HtmlOptions]) -> Iterator[OutputFile]:
    for image in story.images:
        yield OutputFile(f"html/{media_path(story, image)}", ctx.read_asset(image.path))


def og_locale(tag: str) -> str:
    """Open Graph wants `language_TERRITORY` (`en_US`, `zh_CN`): CLDR's likely territory."""
    return with_territory(tag)


# What every page shows -------------------------------------------------------------------


def page_values(
    lang: str, title: str, home: str, ld_json: str, ctx: Context[HtmlOptions]
) -> Values:
    """What `base.html` shows: language, title, masthead, JSON-LD (and the stylesheet, which
    `render_page` reads)."""
    publisher = ctx.config.publisher
    return {
        "lang": stated_tag(lang),  # (every `lang` a template gets: its links are `href`s)
        "dir": direction(lang),
        "title": title,
        "home": home,
        "site": {
            "name": publisher.name,
            "icon": _site_relative(publisher.icon, ctx.config) if publisher.icon else None,
            "logo": _site_relative(publisher.logo, ctx.config),
        },
        "ld_json": Markup(ld_json),  # script_text escapes <, > and &: it cannot end the script
        # The first focusable element: a keyboard user's way past the masthead to the page's
        # `<main id="main">` (WCAG 2.4.1), shown only while it has the focus.
        "skip": {
            "text": term("skip_to_content", lang),
            "attrs": phrase_attrs("skip_to_content", lang),
        },
    }


def feed_languages(ctx: Context[HtmlOptions]) -> tuple[str, ...]:
    """The run's languages that have Atom and RSS feeds (`feeds.languages`, which the feeds
    formats read): a page links its language's feeds only if they are made. Options the feed
    formats would refuse (their run reports them) leave every language its feeds, as before.

    Read once per run, not once per story (each story's work has a context of its own, and a
    worker's configuration is a copy): the answer depends only on the `feeds` section, the
    site's languages and the run's, which key it."""
    config = ctx.config
    key = _FeedsKey(repr(config.section("feeds")), config.languages, ctx.languages, config)
    return _feed_languages(key)[0]


@dataclass(frozen=True)
class _FeedsKey:
    """What `feed_languages` depends on; `config` rides along, outside the comparison."""

    feeds: str
    site: tuple[str, ...]
    run: tuple[str, ...]
    config: SiteConfig = field(compare=False, repr=False)


@functools.lru_cache(maxsize=8)
def _feed_languages(key: _FeedsKey) -> tuple[tuple[str, ...], Collection[str] | str]:
    """The languages with feeds, and the sections with feeds of their own."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.options import convert_section

    options = convert_section("feeds", FeedOptions, key.config, Diagnostics())
    if options is None:
        return key.run, "all"
    return options.feed_languages(key.run), options.sections


def feed_sections(ctx: Context[HtmlOptions]) -> Collection[str] | str:
    """The sections with feeds of their own (`feeds.sections`): "all" (every section of the
    stories, in each language with feeds) or those listed."""
    config = ctx.config
    key = _FeedsKey(repr(config.section("feeds")), config.languages, ctx.languages, config)
    return _feed_languages(key)[1]


def feeds(
    lang: str, linked: bool, ctx: Context[HtmlOptions], section: str | None = None
) -> list[Values]:
    """The `<link rel="alternate">`s of the language's Atom and RSS feeds (or of a section's
    in it); none unless `linked` (the language has feeds, `feed_languages`, and the section
    too, `feed_sections`)."""
    if not linked:
        return []
    publisher = isolated_in(ctx.config.publisher.name, lang)  # as the feed's own title is
    if section is None:
        title, stem = publisher, lang
    else:
        title = term("feed_title", lang, publisher=publisher, section=section_name(section, lang))
        stem = f"{lang}/{section}"
    return [
        {"type": media_type, "title": title, "href": ctx.urls.output(f"{kind}/{stem}.xml")}
        for kind, media_type in (("atom", "application/atom+xml"), ("rss", "application/rss+xml"))
    ]


def subscribe(
    lang: str, linked: bool, ctx: Context[HtmlOptions], section: str | None = None
) -> Values | None:
    """The footer's links to the language's feeds (a section's, on its list); None unless
    `linked` (see `feeds`)."""
    if not linked:
        return None
    stem = lang if section is None else f"{lang}/{section}"
    return {
        "label": term("subscribe", lang),
        "label_attrs": phrase_attrs("subscribe", lang),
        "atom": ctx.urls.output(f"atom/{stem}.xml"),
        "rss": ctx.urls.output(f"rss/{stem}.xml"),
    }


def section_href(section: str, lang: str, ctx: Context[HtmlOptions]) -> str | None:
    """The link, relative to out/html/, of a section's story list in `lang`
    (`html.section_pages`); None when the site makes no section pages. A story public in
    `lang` is on its section's list there, so the page it links is made."""
    return section_page_name(lang, section) if ctx.options.section_pages else None


def language_nav(lang: str, others: Sequence[str], href: Any, *, alternate: bool = True) -> Values:
    """ "Also available in": the same page in the other languages; with `alternate` false
    (a story list's page 2 and later, whose links go to the other languages' first pages),
    links that make no claim to be its translations (no `rel="alternate"`)."""
    links = [
        {"lang": stated_tag(tag), "label": language_label(tag), "href": href(tag)} for tag in others
    ]
    return {
        "title": term("translations", lang),
        "title_attrs": phrase_attrs("translations", lang),
        "links": links,
        "alternate": alternate,
    }


def time_phrase(key: str, lang: str, tz: str, when: datetime, **values: str) -> Values:
    """A phrase from the terms file with its `{date}` as a `<time datetime>` element, and
    its other values (a dateline's place) isolated, `<bdi>`. Where English stands in for the
    phrase (`phrase_attrs`), `attrs` marks it as English in its tag and `time_attrs` marks the
    date, which is still in `lang`, as `lang` again: an Urdu date in "Updated …" keeps its
    order (an element with `dir` is isolated), and a screen reader reads it in Urdu."""
    isolated = {name: isolate(value) for name, value in values.items()}
    before, _, after = term(key, lang, date=_DATE_MARK, **isolated).partition(_DATE_MARK)
    own = values_attrs(key, lang)
    return {
        "before": isolated_markup(before, own),
        "after": isolated_markup(after, own),
        "attrs": phrase_attrs(key, lang),
        "text": format_human_date(when, lang, tz),
        "time_attrs": _attributes(foreign_language(lang, term_language(key, lang))),
        "datetime": local_rfc3339(when, tz),
        "title": format_human_datetime(when, lang, tz),
    }


_NO_MARKS = Markup("")


def isolated_markup(text: str | list[Part], marks: Markup = _NO_MARKS) -> Markup:
    """A composed text (`syndicate.i18n.text.parts`) as markup: its values in `<bdi>`, with
    `marks` (`values_attrs`)."""
    pieces = parts(text) if isinstance(text, str) else text
    # (each piece escaped as `Markup.format` escapes a field, without its `string.Formatter`
    # in Python: a byline, a dateline and a time on every page)
    within = escape(marks)
    return Markup("").join(
        Markup(f"<bdi{within}>{escape(piece)}</bdi>") if value else escape(piece)
        for piece, value in pieces
    )


def values_attrs(key: str, lang: str) -> Markup:
    """The attributes of the values (names, a place) in the term `key` on a page in `lang`:
    the story's own text, in `lang`, marked so again inside a phrase English stands in for
    (`phrase_attrs`), so a screen reader reads a Dhivehi place in "{place}, {date}" in
    Dhivehi; none when the phrase is `lang`'s. No `dir`: the `<bdi>` takes its text's
    direction (auto), as on a page of a language with its own phrases, so a Dhivehi place
    keeps its order and a Latin "YCPress Ltd." its full stop on an Urdu page ("By .YCPress
    Ltd" when forced right to left). The date (`time_phrase`) keeps `lang`'s direction."""
    marks = foreign_language(lang, term_language(key, lang))
    return _attributes({name: value for name, value in marks.items() if name != "dir"})


def _phrase_in(key: str, lang: str, markup: Markup) -> Markup:
    """A phrase made from the term `key` in a span of the phrase's language and direction
    when the page's language has no such phrase and English stands in (`term_language`);
    as it is otherwise."""
    marks = phrase_attrs(key, lang)
    return Markup("<span{}>{}</span>").format(marks, markup) if marks else markup


def phrase_attrs(key: str, lang: str, within: str | None = None) -> Markup:
    """The attributes for a tag that holds the term `key` on a page in `lang` (or inside an
    element already marked as written in `within`): ` lang="en" dir="ltr"` when `lang` has no
    such phrase and English stands in (`term_language`), so that a right-to-left page keeps
    its order and a screen reader reads it in English; none when the phrase is `lang`'s.
    Templates put it in the tag, as `{{ latest_news_attrs }}`: a phrase reaches attributes
    (`aria-label`) too, where a span around it cannot go."""
    return _attributes(foreign_language(term_language(key, lang), within or lang))


def section_attrs(code: str, lang: str) -> Markup:
    """`phrase_attrs` of a section's name (`section_name`): none for a section named by its
    code, which is in no language of syndicate's knowing."""
    key = f"section.{code}"
    return phrase_attrs(key, lang) if lookup(key, lang) is not None else Markup("")


def _site_relative(file: Path, config: SiteConfig) -> str:
    """A page's link to the publisher's logo or icon, with its digest (`site_versioned`)."""
    return site_versioned(url_path(site_media_path(file).removeprefix("html/")), config, file)


# Article pages -----------------------------------------------------------------------------


def article_page(
    story: Story,
    lang: str,
    ctx: Context[HtmlOptions],
    ld_json: str,
    with_feeds: Collection[str],
) -> Values:
    """What `article.html` shows of one story in one language; the page links the feeds of
    its language if it is among `with_feeds` (`feed_languages`)."""
    variant = story.variant(lang)
    urls = ctx.urls
    url = urls.article(story.slug, lang)
    section = section_name(story.section, lang)
    langs = in_site_order(story, ctx)
    title = f"{variant.headline} – {isolated_in(ctx.config.publisher.name, lang)}"
    values = page_values(lang, title, f"index.{lang}.html", ld_json, ctx)
    rights = story.rights_for(lang)
    related = [
        {
            "href": link.url,
            "title": link.title.get(lang, story.original_lang) or link.url,
            "attrs": _attributes(
                foreign_language(link.title.written_in(lang, story.original_lang), lang)
            ),
        }
        for link in story.related
    ]
    values |= {
        "alternates": [
            {"lang": stated_tag(tag), "href": urls.article(story.slug, tag)} for tag in langs
        ]
        + [{"lang": "x-default", "href": urls.article(story.slug, default_language(story, ctx))}],
        "feeds": feeds(lang, lang in with_feeds, ctx),
        "open_graph": open_graph(story, lang, url, section, ctx),
        "twitter_card": twitter_card(story, lang),
        "latest_news": term("latest_news", lang),
        "latest_news_attrs": phrase_attrs("latest_news", lang),
        "article": {
            "id": story.id,
            "slug": story.slug,
            "lang": stated_tag(lang),
            "url": url,
            "section": section,
            "section_attrs": section_attrs(story.section, lang),
            "section_code": story.section,
            "section_href": section_href(story.section, lang, ctx),
            "headline": variant.headline,
            "dek": variant.alt_headline,
            "summary": variant.summary,
            "byline": _phrase_in(
                "by", lang, isolated_markup(byline_parts(variant), values_attrs("by", lang))
            ),
            # The dateline is the story's own text, dated as written (`published`, which its
            # words, "on Friday", count from), embargo or not; "Updated" is said of changes
            # the public could see, after it reached them (`public_updated_for`).
            "dateline": time_phrase(
                "dateline", lang, story.timezone, story.published, place=variant.dateline
            ),
            "updated": time_phrase("updated", lang, story.timezone, story.public_updated_for(lang))
            if story.public_updated_for(lang) > story.public_since_for(lang)
            else None,
            "body": _body(story, lang),
            "correction": _html(render_correction(story, lang, xml_lang=False)),
            "related": {
                "title": term("read_more", lang),
                "title_attrs": phrase_attrs("read_more", lang),
                "links": related,
            }
            if related
            else None,
            "notice": rights.notice.get(lang, story.original_lang),
            "notice_attrs": _attributes(
                foreign_language(rights.notice.written_in(lang, story.original_lang), lang)
            ),
            "epub": {
                "label": term("download_epub", lang),
                "attrs": phrase_attrs("download_epub", lang),
                "href": urls.output(f"epub/{story.slug}.{lang}.epub"),
            }
            if _story_books(ctx)
            else None,
        },
        "translations": language_nav(
            lang, [o for o in langs if o != lang], lambda tag: f"{story.slug}.{tag}.html"
        ),
        "subscribe": subscribe(lang, lang in with_feeds, ctx),
    }
    return values


def _story_books(ctx: Context[HtmlOptions]) -> bool:
    """Whether the site makes a book of each story (`epub.story_books`, true unless set to
    false): the page links it only then."""
    return ctx.config.section("epub").get("story_books", True) is not False


def notice_page(story: Story, lang: str, ctx: Context[HtmlOptions]) -> Values:
    """What `notice.html` shows at the address of a story killed or withdrawn after it was
    public: that it is gone, in the page's language; nothing of the story itself."""
    publisher = ctx.config.publisher.name
    heading = term("notice_title", lang)
    key = "notice_killed" if story.status == "canceled" else "notice_withdrawn"
    title = f"{heading} – {isolated_in(publisher, lang)}"
    values = page_values(lang, title, f"index.{lang}.html", "", ctx)
    return values | {
        "url": ctx.urls.article(story.slug, lang),
        "slug": story.slug,
        "heading": heading,
        "heading_attrs": phrase_attrs("notice_title", lang),
        # The publisher's name isolated (U+2068...U+2069, plain text: the page's description
        # says it too), as the byline's names are: in "حذفت YCPress Ltd. هذا الخبر." the
        # name's full stop would otherwise show before it, ".YCPress Ltd".
        "text": term(key, lang, publisher=f"\u2068{publisher}\u2069"),
        "text_attrs": phrase_attrs(key, lang),
        "latest_news": term("latest_news", lang),
        "latest_news_attrs": phrase_attrs("latest_news", lang),
    }


def open_graph(
    story: Story, lang: str, url: str, section: str, ctx: Context[HtmlOptions]
) -> list[tuple[str, str]]:
    variant = story.variant(lang)
    tags = [
        ("og:type", "article"),
        ("og:site_name", ctx.config.publisher.name),
        ("og:title", variant.headline),
        ("og:description", variant.summary),
        ("og:url", url),
        ("og:locale", og_locale(lang)),
    ]
    # Open Graph has one locale for two of our tags (sr-Latn and sr-Cyrl are both sr_RS):
    # each alternate once, and never the page's own.
    alternates = dict.fromkeys(og_locale(other) for other in in_site_order(story, ctx))
    tags += [("og:locale:alternate", one) for one in alternates if one != og_locale(lang)]
    image = story.main_image(lang)
    if image is not None:
        tags += [
            ("og:image", ctx.urls.image(story.slug, image)),
            ("og:image:type", image.media_type),
            ("og:image:width", str(image.width)),
            ("og:image:height", str(image.height)),
            ("og:image:alt", image.alt.get(lang, story.original_lang) or ""),
        ]
    tags += [
        ("article:published_time", rfc3339(story.public_since_for(lang))),
        ("article:modified_time", rfc3339(story.public_updated_for(lang))),
        ("article:section", section),
    ]
    tags += [("article:tag", keyword) for keyword in story.keywords_for(variant.lang)]
    return tags


LARGE_CARD = (300, 157)
"""The smallest image X (Twitter) shows as a large card, in pixels (its `summary_large_image`)."""


def twitter_card(story: Story, lang: str) -> str:
    """The card X (Twitter) shows for the page, which reads the rest (title, description,
    image) from Open Graph: the large one when the page's picture (`og:image`,
    `Story.main_image`) is big enough for it, else the small summary (without the tag, X
    shows the small one whatever the photo)."""
    image = story.main_image(lang)
    if image is not None and image.width >= LARGE_CARD[0] and image.height >= LARGE_CARD[1]:
        return "summary_large_image"
    return "summary"


def _body(story: Story, lang: str) -> Markup:
    """The shared renderer's XHTML body, as the HTML a page carries: the story's lead images
    (placed in no body) first."""
    div = render_body(
        story, story.variant(lang), lambda image: image_src(story, image), xml_lang=False, lead=True
    )
    div.set("class", "body")
    html = _html(div)
    assert html is not None
    return html


def _attributes(attributes: dict[str, str]) -> Markup:
    """` lang="ar" dir="rtl"`: attributes for a template to put in a tag."""
    return Markup("".join(f' {name}="{escape(value)}"' for name, value in attributes.items()))


def _html(element: etree._Element | None) -> Markup | None:
    """An element of the shared renderer (XHTML) as the HTML a page carries."""
    if element is None:
        return None
    for node in element.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(element)
    return Markup(lxml_html.tostring(element, encoding="unicode"))


# Indexes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of a language's story list: its number (from 1) of `count`, and its stories."""

    lang: str
    number: int
    count: int
    stories: Sequence[StorySummary]
    total: int
    """How many stories the whole list holds, over all its pages."""
    feeds: bool
    """Whether the language (or the section in it) has feeds to link (`feed_languages`,
    `feed_sections`)."""
    section: str | None = None
    """The section whose stories the page lists; None for the language's list."""

    @property
    def path(self) -> str:
        """`html/index.<lang>.html` for the first page, then `html/index.<lang>.<number>.html`;
        a section's `html/<lang>/<section>.html`, then `html/<lang>/<section>.<number>.html`."""
        return f"html/{self.name(self.number)}"

    def name(self, number: int) -> str:
        """The path, relative to out/html/, of the list's page `number`."""
        if self.section is None:
            return index_name(self.lang, number)
        return section_page_name(self.lang, self.section, number)


def index_name(lang: str, number: int = 1) -> str:
    """The file name of a language's story list page `number`."""
    return f"index.{lang}.html" if number == 1 else f"index.{lang}.{number}.html"


def section_page_name(lang: str, section: str, number: int = 1) -> str:
    """The path, relative to out/html/, of a section's story list page `number` in `lang`:
    in the language's folder, where no story's page ever is (a story's files are named
    `<slug>.<lang>.html` in out/html/ itself), and a section code is a folder's safe name
    (lowercase letters, digits and hyphens: the story schema's `section`)."""
    return f"{lang}/{section}.html" if number == 1 else f"{lang}/{section}.{number}.html"


SECTION_BASE = "../"
"""The `<base href>` of a section page (`html/<lang>/<section>.html`): its relative links,
the masthead's, the stories', a site's own script or font in `style.css`, resolve from
out/html/ as on every other page."""


def _language_page(
    page: _Page,
    langs: Sequence[str],
    ctx: Context[HtmlOptions],
    builder: Callable[[], GraphBuilder],
) -> bytes:
    """`index.<lang>.html` and the pages after it (b"" after reporting a template error)."""
    values = language_index(page, langs, ctx, builder())
    return _render(ctx, "index.html", values, page.path) or b""


def _section_pages(
    by_lang: dict[str, list[StorySummary]],
    ctx: Context[HtmlOptions],
    builder: Callable[[], GraphBuilder],
    with_feeds: Collection[str],
) -> Iterator[Planned]:
    """Each section's story list in each of the run's languages where it has a public story:
    `html/<lang>/<section>.html` and the pages after it, planned as the language's are (made
    again only when a story they list, or their number, changed). A section none of whose
    stories is public in a language has no page there: no page links it."""
    sections: dict[str, dict[str, list[StorySummary]]] = {}
    for lang, listed in by_lang.items():  # (the site's languages: the hreflang alternates)
        for story in listed:
            sections.setdefault(story.section, {}).setdefault(lang, []).append(story)
    size = ctx.options.page_size
    fed = feed_sections(ctx)
    for section in sorted(sections):
        in_langs = sections[section]
        langs = list(in_langs)
        for lang, listed in in_langs.items():
            if lang not in ctx.languages:
                continue
            linked = lang in with_feeds and (fed == "all" or section in fed)
            pages = [listed[start : start + size] for start in range(0, len(listed), size)]
            for number, listing in enumerate(pages, 1):
                page = _Page(lang, number, len(pages), listing, len(listed), linked, section)
                make = functools.partial(_section_page, page, langs, ctx, builder)
                key = repr(("section", section, number, len(pages), langs, linked, len(listed)))
                yield Planned(page.path, make, summaries=listing, key=key)


def _section_page(
    page: _Page,
    langs: Sequence[str],
    ctx: Context[HtmlOptions],
    builder: Callable[[], GraphBuilder],
) -> bytes:
    """`<lang>/<section>.html` and the pages after it, from the site's `index.html` with a
    `section` value (b"" after reporting a template error)."""
    values = language_index(page, langs, ctx, builder())
    return _render(ctx, "index.html", values, page.path, base=SECTION_BASE) or b""


def _home_page(
    firsts: dict[str, list[StorySummary]],
    more: Sequence[str],
    ctx: Context[HtmlOptions],
    builder: Callable[[], GraphBuilder],
) -> bytes:
    """`index.html`: every site language with the first page of its stories."""
    values = home_index(firsts, more, ctx, builder())
    return _render(ctx, "home.html", values, "html/index.html") or b""


def index_alternates(
    langs: Sequence[str], ctx: Context[HtmlOptions], section: str | None = None
) -> list[Values]:
    """The hreflang links of a story list's first page: the list in each of `langs`, and
    the home page as `x-default`; a section's list has no `x-default` (no page lists the
    section in every language)."""
    if section is not None:
        return [
            {
                "lang": stated_tag(lang),
                "href": ctx.urls.output(f"html/{section_page_name(lang, section)}"),
            }
            for lang in langs
        ]
    links = [
        {"lang": stated_tag(lang), "href": ctx.urls.output(f"html/index.{lang}.html")}
        for lang in langs
    ]
    return [*links, {"lang": "x-default", "href": ctx.urls.output("html/index.html")}]


def story_items(
    stories: Sequence[StorySummary],
    lang: str,
    ctx: Context[HtmlOptions],
    listing: str | None = None,
) -> list[Values]:
    """The stories of a list; on the list of the section `listing`, their section's name
    links nowhere: it is the page the reader is on (or, from page 2, its first page)."""
    items = []
    for story in stories:
        variant = story.variant(lang)
        items.append(
            {
                "id": story.id,
                "slug": story.slug,
                "section": section_name(story.section, lang),
                "section_attrs": section_attrs(story.section, lang),
                "section_code": story.section,
                "section_href": None
                if story.section == listing
                else section_href(story.section, lang, ctx),
                "href": f"{story.slug}.{lang}.html",
                "headline": variant.headline,
                "summary": variant.summary,
                "datetime": local_rfc3339(story.public_since_for(lang), story.timezone),
                "date": format_human_date(story.public_since_for(lang), lang, story.timezone),
            }
        )
    return items


def graph_items(
    stories: Sequence[StorySummary], lang: str, ctx: Context[HtmlOptions]
) -> list[tuple[str, str]]:
    return [(ctx.urls.article(s.slug, lang), s.variant(lang).headline) for s in stories]


def language_index(
    page: _Page, langs: Sequence[str], ctx: Context[HtmlOptions], builder: GraphBuilder
) -> Values:
    """What `index.html` shows of a language's story list page, or of a section's
    (`page.section`: the heading is the section's name, the feeds and the translations the
    section's, and `section` says which)."""
    lang, number, section = page.lang, page.number, page.section
    publisher = ctx.config.publisher.name
    named = isolated_in(publisher, lang)
    if section is None:
        heading = term("latest_news", lang)
        heading_attrs = phrase_attrs("latest_news", lang)
        description = term("feed_subtitle", lang, publisher=named)
    else:
        heading = section_name(section, lang)
        heading_attrs = section_attrs(section, lang)
        description = term("feed_title", lang, publisher=named, section=heading)
    title = f"{heading} – {publisher}"
    if number > 1:
        title = f"{heading} – {page_number(lang, number)} – {publisher}"
    name = page.name(number)
    url = ctx.urls.output(f"html/{name}")
    about = None if section is None else (section, heading)
    items = graph_items(page.stories, lang, ctx)
    first = (number - 1) * ctx.options.page_size + 1
    graph = builder.collection(url, title, [lang], items, about, total=page.total, first=first)
    # the JSON-LD's name is data, the title's the words a browser shows in the page's direction
    shown = title.removesuffix(publisher) + named
    values = page_values(lang, shown, index_name(lang), script_text(graph), ctx)
    others = [o for o in langs if o != lang]
    return values | {
        "url": url,
        "description": description,
        "feeds": feeds(lang, page.feeds, ctx, section),
        # The translations of a list are its first pages: page 2 in one language does not
        # list the stories of page 2 in another.
        "alternates": index_alternates(langs, ctx, section) if number == 1 else [],
        "heading": heading if number == 1 else f"{heading} – {page_number(lang, number)}",
        "heading_attrs": heading_attrs,
        "section": None
        if section is None
        else {"code": section, "name": heading, "attrs": heading_attrs},
        "stories": story_items(page.stories, lang, ctx, section),
        "no_stories": no_stories(lang),
        "pager": pager(page, lang),
        "translations": language_nav(
            lang,
            others,
            # the list's first page in each other language
            lambda tag: index_name(tag) if section is None else section_page_name(tag, section),
            alternate=number == 1,
        ),
        "subscribe": subscribe(lang, page.feeds, ctx, section),
    }


def no_stories(lang: str) -> Values:
    """The sentence a story list without stories shows (a language whose last story was
    killed), rather than a heading over nothing."""
    return {"text": term("no_stories", lang), "attrs": phrase_attrs("no_stories", lang)}


def page_number(lang: str, number: int) -> str:
    return term("page_number", lang, number=format_number(number, lang))


def pager(page: _Page, lang: str) -> Values | None:
    """The links to the newer and the older page of a story list; None when it has one page."""
    if page.count == 1:
        return None
    newer = page.name(page.number - 1) if page.number > 1 else None
    older = page.name(page.number + 1) if page.number < page.count else None
    within = term_language("pages", lang)  # the pager's label marks its language
    return {
        "label": term("pages", lang),
        "attrs": phrase_attrs("pages", lang),
        "newer": _page_link(newer, "newer_stories", lang, within),
        "older": _page_link(older, "older_stories", lang, within),
        "current": page_number(lang, page.number),
        "current_attrs": phrase_attrs("page_number", lang, within),
    }


def _page_link(href: str | None, key: str, lang: str, within: str) -> Values | None:
    """A pager's link to the page `href` (none without one), its label the term `key`, marked
    inside the pager's language `within`."""
    if href is None:
        return None
    return {"href": href, "label": term(key, lang), "attrs": phrase_attrs(key, lang, within)}


def home_index(
    by_lang: dict[str, list[StorySummary]],
    more: Sequence[str],
    ctx: Context[HtmlOptions],
    builder: GraphBuilder,
) -> Values:
    """Every language, named in itself, with its stories."""
    publisher = ctx.config.publisher.name
    url = ctx.urls.output("html/index.html")
    items = [item for lang, listed in by_lang.items() for item in graph_items(listed, lang, ctx)]
    graph = builder.collection(url, publisher, list(by_lang), items)
    first = next(iter(by_lang))
    values = page_values(
        first, isolated_in(publisher, first), "index.html", script_text(graph), ctx
    )
    return values | {
        "url": url,
        "description": term("feed_subtitle", first, publisher=isolated_in(publisher, first)),
        "alternates": index_alternates(list(by_lang), ctx),
        "heading": publisher,
        "languages": [
            {
                "lang": stated_tag(lang),
                "dir": direction(lang),
                "href": f"index.{lang}.html",
                "label": language_label(lang),
                "stories": story_items(stories, lang, ctx),
                "no_stories": no_stories(lang),
                "older": (
                    {
                        "href": index_name(lang, 2),
                        "label": term("older_stories", lang),
                        "attrs": phrase_attrs("older_stories", lang),
                    }
                    if lang in more
                    else None
                ),
            }
            for lang, stories in by_lang.items()
        ],
    }
