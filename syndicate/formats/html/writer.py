"""`html`: standalone article pages, one per story and language, with the JSON-LD embedded,
translations linked by hreflang, Open Graph tags, and a story list per language.

Layout of out/html/: `<slug>.<lang>.html` (articles), `index.<lang>.html` (the stories in one
language), `index.html` (every language with its stories; the `x-default` of the indexes),
`media/<slug>/<name>` (story images) and `media/site/<file>` (publisher logo and icon), so
pages link to each other and to images by relative URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from babel.core import get_global
from lxml import etree
from lxml.etree import _Element as El

from syndicate.formats.contract import (
    Context,
    NoOptions,
    OutputFile,
    Writer,
    site_files,
    site_media_path,
)
from syndicate.formats.html.style import CSS
from syndicate.formats.jsonld.graph import (
    GraphBuilder,
    default_language,
    exported_languages,
    script_text,
    site_languages,
)
from syndicate.i18n.dates import format_human_date, format_human_datetime, rfc3339
from syndicate.i18n.locales import direction, display_name, locale_for
from syndicate.i18n.terms import term
from syndicate.i18n.text import byline_text, section_name
from syndicate.model import Image, Story, StorySummary
from syndicate.render.xhtml import render_body

DOCTYPE = "<!DOCTYPE html>"
# Stands for the date while a term is filled in, so the date can become a <time> element;
# no term or text contains it.
_DATE_MARK = "\x00"


class HtmlWriter(Writer[NoOptions]):
    name = "html"
    description = "article pages with embedded JSON-LD and hreflang links, and story indexes"
    media_type = "text/html"
    extension = ".html"
    scope = "variant"
    Options = NoOptions

    def story_files(self, story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
        if not story.is_visible(ctx.now):
            return
        builder = GraphBuilder(ctx)
        langs = exported_languages(story, ctx)
        for lang in langs:
            page = ArticlePage(story, lang, ctx, script_text(builder.graph(story, lang)))
            yield OutputFile(f"html/{story.slug}.{lang}.html", serialize(page.build()))
        if langs:
            yield from _story_media(story, ctx)

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[NoOptions]
    ) -> Iterable[OutputFile]:
        visible = [story for story in stories if story.is_visible(ctx.now)]
        yield from _indexes(visible, ctx, GraphBuilder(ctx))
        for file in site_files(ctx.config):
            yield OutputFile(site_media_path(file), ctx.read_asset(file))

    def validate_outputs(self, out: Path, ctx: Context[NoOptions]) -> None:
        """Every page must parse, carry one JSON-LD block that our schema accepts, and say
        the same language in `<html lang>` as in its JSON-LD."""
        from syndicate.formats.html.validate import validate_page

        super().validate_outputs(out, ctx)
        for path in sorted((out / "html").glob("*.html")):
            validate_page(path, ctx)


def serialize(root: El) -> bytes:
    text = etree.tostring(
        root, method="html", encoding="unicode", doctype=DOCTYPE, pretty_print=True
    )
    return str(text).encode("utf-8")


def media_path(story: Story, image: Image) -> str:
    """Where a story image is published, relative to the pages (and to out/html/)."""
    return f"media/{story.slug}/{image.name}"


def _story_media(story: Story, ctx: Context[NoOptions]) -> Iterator[OutputFile]:
    for image in story.images:
        yield OutputFile(f"html/{media_path(story, image)}", ctx.read_asset(image.path))


def og_locale(tag: str) -> str:
    """Open Graph wants `language_TERRITORY` (`en_US`, `zh_CN`): CLDR's likely territory."""
    locale = locale_for(tag)
    likely = get_global("likely_subtags")
    territory = locale.territory or likely.get(str(locale), likely.get(locale.language, ""))
    territory = territory.split("_")[-1] if "_" in territory else territory
    return f"{locale.language}_{territory}" if territory else locale.language


def language_label(tag: str) -> str:
    """A language's name in itself, capitalised as a menu entry ("Français", "العربية")."""
    name = display_name(tag)
    return name[:1].upper() + name[1:]


# Building blocks ---------------------------------------------------------------------------


def el(parent: El | None, tag: str, text: str | None = None, **attrs: str) -> El:
    """An element (`class_` for `class`), appended to `parent` when given."""
    node = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    for key, value in attrs.items():
        node.set(key.rstrip("_").replace("_", "-"), value)
    if text is not None:
        node.text = text
    return node


def meta(head: El, key: str, value: str, attr: str = "property") -> None:
    el(head, "meta", **{attr: key, "content": value})


def without_namespace(element: El) -> El:
    """The shared renderer writes XHTML; HTML pages carry the same elements unqualified."""
    for node in element.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(element)
    return element


def with_time(parent: El, key: str, lang: str, tz: str, when: datetime, **values: str) -> El:
    """A phrase from the terms file with its `{date}` as a `<time datetime>` element."""
    text = term(key, lang, date=_DATE_MARK, **values)
    before, _, after = text.partition(_DATE_MARK)
    parent.text = (parent.text or "") + before
    time = el(parent, "time", format_human_date(when, lang, tz), datetime=rfc3339(when))
    time.set("title", format_human_datetime(when, lang, tz))
    time.tail = after
    return time


def page_shell(lang: str, title: str, ctx: Context[NoOptions]) -> tuple[El, El, El]:
    """`<html lang dir>` with the common head; returns (html, head, body)."""
    root = el(None, "html", lang=lang, dir=direction(lang))
    head = el(root, "head")
    el(head, "meta", charset="utf-8")
    meta(head, "viewport", "width=device-width, initial-scale=1", "name")
    el(head, "title", title)
    if ctx.config.publisher.icon:
        el(head, "link", rel="icon", href=_site_relative(ctx.config.publisher.icon))
    return root, head, el(root, "body")


def site_header(body: El, home: str, ctx: Context[NoOptions], nav: El | None = None) -> None:
    """The masthead: the square icon beside the publisher's name reads the same in both
    directions (a wide logo's built-in margin would push an RTL masthead off centre)."""
    header = el(body, "header", class_="site-header")
    wrap = el(header, "div", class_="wrap")
    link = el(wrap, "a", class_="brand", href=home)
    publisher = ctx.config.publisher
    if publisher.icon:
        el(link, "img", src=_site_relative(publisher.icon), alt="", width="32", height="32")
        el(link, "span", publisher.name)
    else:
        el(link, "img", src=_site_relative(publisher.logo), alt=publisher.name, class_="logo")
    if nav is not None:
        wrap.append(nav)


def feed_links(head: El, lang: str, ctx: Context[NoOptions], title: str) -> None:
    for kind, media_type in (("atom", "application/atom+xml"), ("rss", "application/rss+xml")):
        el(
            head,
            "link",
            rel="alternate",
            type=media_type,
            title=title,
            href=ctx.urls.output(f"{kind}/{lang}.xml"),
        )


def subscribe_line(footer: El, lang: str, ctx: Context[NoOptions]) -> None:
    line = el(footer, "p")
    el(line, "strong", term("subscribe", lang)).tail = " "
    atom = el(
        line, "a", "Atom", href=ctx.urls.output(f"atom/{lang}.xml"), type="application/atom+xml"
    )
    atom.tail = " · "
    el(line, "a", "RSS", href=ctx.urls.output(f"rss/{lang}.xml"), type="application/rss+xml")


def _site_relative(file: Path) -> str:
    return site_media_path(file).removeprefix("html/")


# Article pages -----------------------------------------------------------------------------


class ArticlePage:
    """One story in one language."""

    def __init__(self, story: Story, lang: str, ctx: Context[NoOptions], ld_json: str) -> None:
        self.story, self.lang, self.ctx, self.ld_json = story, lang, ctx, ld_json
        self.variant = story.variant(lang)
        self.url = ctx.urls.article(story.slug, lang)
        self.section = section_name(story.section, lang)

    def build(self) -> El:
        title = f"{self.variant.headline} – {self.ctx.config.publisher.name}"
        root, head, body = page_shell(self.lang, title, self.ctx)
        self.head(head)
        site_header(body, f"index.{self.lang}.html", self.ctx, self.section_link())
        main = el(el(body, "main", class_="wrap"), "article")
        self.heading(main)
        main.append(self.body())
        self.correction(main)
        self.related(main)
        self.translations(main)
        self.footer(body)
        return root

    def head(self, head: El) -> None:
        meta(head, "description", self.variant.summary, "name")
        el(head, "link", rel="canonical", href=self.url)
        for other in site_languages(self.story, self.ctx):
            el(
                head,
                "link",
                rel="alternate",
                hreflang=other,
                href=self.ctx.urls.article(self.story.slug, other),
            )
        default = self.ctx.urls.article(self.story.slug, default_language(self.story, self.ctx))
        el(head, "link", rel="alternate", hreflang="x-default", href=default)
        feed_links(head, self.lang, self.ctx, self.ctx.config.publisher.name)
        self.open_graph(head)
        el(head, "style", CSS)
        el(head, "script", self.ld_json, type="application/ld+json")

    def open_graph(self, head: El) -> None:
        story, variant = self.story, self.variant
        meta(head, "og:type", "article")
        meta(head, "og:site_name", self.ctx.config.publisher.name)
        meta(head, "og:title", variant.headline)
        meta(head, "og:description", variant.summary)
        meta(head, "og:url", self.url)
        meta(head, "og:locale", og_locale(self.lang))
        for other in site_languages(story, self.ctx):
            if other != self.lang:
                meta(head, "og:locale:alternate", og_locale(other))
        if story.images:
            self.og_image(head, story.images[0])
        meta(head, "article:published_time", rfc3339(story.published))
        meta(head, "article:modified_time", rfc3339(story.updated))
        meta(head, "article:section", self.section)
        for keyword in variant.keywords or story.keywords:
            meta(head, "article:tag", keyword)

    def og_image(self, head: El, image: Image) -> None:
        meta(head, "og:image", self.ctx.urls.image(self.story.slug, image))
        meta(head, "og:image:type", image.media_type)
        meta(head, "og:image:width", str(image.width))
        meta(head, "og:image:height", str(image.height))
        meta(head, "og:image:alt", image.alt.get(self.lang, self.story.original_lang) or "")

    def section_link(self) -> El:
        nav = el(None, "nav")
        el(nav, "a", term("latest_news", self.lang), href=f"index.{self.lang}.html")
        return nav

    def heading(self, article: El) -> None:
        story, variant, lang = self.story, self.variant, self.lang
        el(article, "p", self.section, class_="kicker")
        el(article, "h1", variant.headline)
        if variant.alt_headline:
            el(article, "p", variant.alt_headline, class_="dek")
        el(article, "p", variant.summary, class_="summary")
        info = el(article, "div", class_="meta")
        el(info, "p", byline_text(variant), class_="byline")
        dateline = el(info, "p", class_="dateline")
        with_time(
            dateline, "dateline", lang, story.timezone, story.published, place=variant.dateline
        )
        if story.updated > story.published:
            updated = el(info, "p", class_="updated")
            with_time(updated, "updated", lang, story.timezone, story.updated)

    def body(self) -> El:
        story = self.story
        div = render_body(
            story, self.variant, lambda image: media_path(story, image), xml_lang=False
        )
        div.set("class", "body")
        return without_namespace(div)

    def correction(self, article: El) -> None:
        if self.story.correction is None:
            return
        aside = el(article, "aside", class_="correction", role="note")
        el(aside, "h2", term("correction", self.lang))
        note = self.story.correction.note.get(self.lang, self.story.original_lang) or ""
        el(aside, "p", note)

    def related(self, article: El) -> None:
        if not self.story.related:
            return
        section = el(article, "section", class_="more related")
        el(section, "h2", term("read_more", self.lang))
        items = el(section, "ul")
        for link in self.story.related:
            title = link.title.get(self.lang, self.story.original_lang) or link.url
            el(el(items, "li"), "a", title, href=link.url)

    def translations(self, article: El) -> None:
        others = [o for o in site_languages(self.story, self.ctx) if o != self.lang]
        language_nav(article, self.lang, others, lambda tag: f"{self.story.slug}.{tag}.html")

    def footer(self, body: El) -> None:
        footer = el(el(body, "footer", class_="site-footer"), "div", class_="wrap")
        rights = self.story.rights_for(self.lang)
        notice = rights.notice.get(self.lang, self.story.original_lang)
        if notice:
            el(footer, "p", notice)
        epub = el(footer, "p")
        el(
            epub,
            "a",
            term("download_epub", self.lang),
            type="application/epub+zip",
            href=self.ctx.urls.output(f"epub/{self.story.slug}.{self.lang}.epub"),
        )
        subscribe_line(footer, self.lang, self.ctx)


# Indexes -----------------------------------------------------------------------------------


def _indexes(
    stories: Sequence[StorySummary], ctx: Context[NoOptions], builder: GraphBuilder
) -> Iterator[OutputFile]:
    """`index.<lang>.html` for each language of this run that has stories, and `index.html`
    listing every site language; newest stories first."""
    ordered = sorted(stories, key=lambda s: (-s.published.timestamp(), s.slug))
    by_lang = {
        lang: [s for s in ordered if s.has(lang)]
        for lang in ctx.config.languages
        if any(s.has(lang) for s in ordered)
    }
    for lang, listed in by_lang.items():
        if lang in ctx.languages:
            page = language_index(lang, listed, list(by_lang), ctx, builder)
            yield OutputFile(f"html/index.{lang}.html", serialize(page))
    if by_lang:
        yield OutputFile("html/index.html", serialize(home_index(by_lang, ctx, builder)))


def index_head(
    head: El, url: str, langs: Sequence[str], ctx: Context[NoOptions], ld_json: str
) -> None:
    el(head, "link", rel="canonical", href=url)
    for lang in langs:
        href = ctx.urls.output(f"html/index.{lang}.html")
        el(head, "link", rel="alternate", hreflang=lang, href=href)
    el(head, "link", rel="alternate", hreflang="x-default", href=ctx.urls.output("html/index.html"))
    el(head, "style", CSS)
    el(head, "script", ld_json, type="application/ld+json")


def index_items(
    stories: Sequence[StorySummary], lang: str, ctx: Context[NoOptions]
) -> list[tuple[str, str]]:
    return [(ctx.urls.article(s.slug, lang), s.variant(lang).headline) for s in stories]


def language_index(
    lang: str,
    stories: Sequence[StorySummary],
    langs: Sequence[str],
    ctx: Context[NoOptions],
    builder: GraphBuilder,
) -> El:
    publisher = ctx.config.publisher.name
    title = f"{term('latest_news', lang)} – {publisher}"
    url = ctx.urls.output(f"html/index.{lang}.html")
    graph = builder.collection(url, title, [lang], index_items(stories, lang, ctx))
    root, head, body = page_shell(lang, title, ctx)
    feed_links(head, lang, ctx, publisher)
    index_head(head, url, langs, ctx, script_text(graph))
    site_header(body, f"index.{lang}.html", ctx)
    main = el(body, "main", class_="wrap")
    el(main, "h1", term("latest_news", lang), class_="index-title")
    story_list(main, stories, lang, "h2")
    language_nav(main, lang, [o for o in langs if o != lang], lambda tag: f"index.{tag}.html")
    footer = el(el(body, "footer", class_="site-footer"), "div", class_="wrap")
    subscribe_line(footer, lang, ctx)
    return root


def home_index(
    by_lang: dict[str, list[StorySummary]], ctx: Context[NoOptions], builder: GraphBuilder
) -> El:
    """Every language, named in itself, with its stories."""
    publisher = ctx.config.publisher.name
    url = ctx.urls.output("html/index.html")
    items = [item for lang, listed in by_lang.items() for item in index_items(listed, lang, ctx)]
    graph = builder.collection(url, publisher, list(by_lang), items)
    first = next(iter(by_lang))
    root, head, body = page_shell(first, publisher, ctx)
    index_head(head, url, list(by_lang), ctx, script_text(graph))
    site_header(body, "index.html", ctx)
    main = el(body, "main", class_="wrap")
    el(main, "h1", publisher, class_="index-title")
    for lang, stories in by_lang.items():
        section = el(main, "section", class_="language", lang=lang, dir=direction(lang))
        heading = el(section, "h2")
        el(heading, "a", language_label(lang), href=f"index.{lang}.html", hreflang=lang)
        story_list(section, stories, lang, "h3")
    return root


def language_nav(parent: El, lang: str, others: Sequence[str], href: Callable[[str], str]) -> None:
    """ "Also available in": links to the same page in the other languages."""
    if not others:
        return
    nav = el(parent, "nav", class_="more translations")
    el(nav, "h2", term("translations", lang))
    items = el(nav, "ul")
    for tag in others:
        link = el(el(items, "li"), "a", language_label(tag), href=href(tag), hreflang=tag)
        link.set("lang", tag)
        link.set("rel", "alternate")


def story_list(parent: El, stories: Sequence[StorySummary], lang: str, level: str) -> None:
    items = el(parent, "ul", class_="stories")
    for story in stories:
        variant = story.variant(lang)
        item = el(items, "li")
        el(item, "p", section_name(story.section, lang), class_="kicker")
        el(el(item, level), "a", variant.headline, href=f"{story.slug}.{lang}.html")
        el(item, "p", variant.summary)
        el(
            item,
            "time",
            format_human_date(story.published, lang, story.timezone),
            datetime=rfc3339(story.published),
        )
