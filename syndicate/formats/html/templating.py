"""Pages from Jinja2 templates: syndicate's own (`templates/` in this package) or a site's, from a
`templates/` folder beside `syndicate.yaml`, which replace them file by file (`style.css`
included). The markup a template renders is parsed and serialised by lxml, so a template's
line breaks never change a page's bytes and every page is well-formed HTML; templates run in
Jinja's sandbox with autoescaping."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree
from markupsafe import Markup

DOCTYPE = "<!DOCTYPE html>"
STYLESHEET = "style.css"
_PARSER = etree.HTMLParser()
"""`lxml.html`'s parser without its element classes: the same tree, without a call into
Python for each element made or visited."""

# Elements whose content is running text: a line break between their children is a space
# there, and nothing elsewhere (between blocks, in the head).
_PHRASING = {
    "a", "abbr", "b", "button", "caption", "cite", "code", "dd", "dt", "em", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "i", "label", "legend", "mark", "p", "q", "small",
    "span", "strong", "sub", "summary", "sup", "td", "th", "time", "title",
}  # fmt: skip
_VERBATIM = {"pre", "textarea", "script", "style"}


class TemplateError(Exception):
    """A template that cannot be rendered; `where` is its file and line."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


class _SiteFirst(jinja2.BaseLoader):
    """The site's template of a name if it has one, else syndicate's. A template of
    syndicate's that Jinja keeps is out of date once the site has one of that name (a site's
    template added while the preview runs), as one of the site's is once it changes or goes."""

    def __init__(self, site: Path | None) -> None:
        self.site = jinja2.FileSystemLoader(site) if site is not None else None
        self.folder = site
        self.package = jinja2.PackageLoader("syndicate.formats.html", "templates")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if self.site is not None:
            try:
                return self.site.get_source(environment, template)
            except jinja2.TemplateNotFound:
                pass
        source, filename, uptodate = self.package.get_source(environment, template)
        if self.folder is None:
            return source, filename, uptodate
        overridden = self.folder / template

        def fresh() -> bool:
            return not overridden.exists() and (uptodate is None or uptodate())

        return source, filename, fresh


@cache
def environment(site_templates: Path | None) -> jinja2.Environment:
    return ImmutableSandboxedEnvironment(
        loader=_SiteFirst(site_templates),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def stylesheet(site_templates: Path | None) -> Markup:
    """The stylesheet the pages inline: the site's `style.css`, or syndicate's."""
    env = environment(site_templates)
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, STYLESHEET)
    return Markup(source)


def render_page(site_templates: Path | None, template: str, **values: Any) -> bytes:
    """The page `template` renders with `values`, as HTML bytes."""
    try:
        text = environment(site_templates).get_template(template).render(**values)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or str(exc), f"{exc.name}:{exc.lineno}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(str(exc), _template_line(exc, template)) from None
    return page_bytes(text)


def _template_line(exc: BaseException, template: str) -> str:
    """`name:line` of the template line a rendering error came from (Jinja gives the frames
    of the templates their file and line), or `template` alone when no frame tells it (a
    value undefined in a site's `index.html`, or in a macro of `macros.html` it calls)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        name = os.path.basename(frame.filename)
        if frame.filename.endswith(".html") and frame.lineno:
            return f"{name}:{frame.lineno}"
    return template


def page_bytes(markup: str) -> bytes:
    """A page's markup parsed, its white space normalised, and serialised."""
    root = etree.fromstring(markup, _PARSER)
    if root is None:
        raise etree.ParserError("Document is empty")
    _normalise_space(root)
    page = etree.tostring(
        root, method="html", encoding="unicode", doctype=DOCTYPE, pretty_print=True
    )
    return str(page).encode("utf-8")


def _normalise_space(root: etree._Element) -> None:
    """Drop the line breaks a template puts between elements; inside running text a line
    break between two elements stays a space."""
    for element in root.iter(etree.Element):  # comments have no text of their own to change
        tag = element.tag
        if tag in _VERBATIM:
            continue
        text = element.text
        if text is not None and "\n" in text and text.isspace():
            element.text = None
        if len(element) == 0:
            continue
        last = len(element) - 1 if tag in _PHRASING else 0
        for i, child in enumerate(element):  # comments included: their tails are text
            tail = child.tail
            if tail is not None and "\n" in tail and tail.isspace():
                child.tail = " " if i < last else None


def _space(text: str | None, between_words: bool) -> str | None:
    if text is None or not text.isspace() or "\n" not in text:
        return text
    return " " if between_words else None


def slow_normalise_space(root: etree._Element) -> None:
    """What `_normalise_space` does, element by element as lxml.html walks them (the
    reference its fast path is tested on)."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in _VERBATIM:
            continue
        running = element.tag in _PHRASING
        element.text = _space(element.text, False)
        for child in element:
            child.tail = _space(child.tail, running and child.getnext() is not None)
