"""Pages from Jinja2 templates: syndicate's own (`templates/` in this package) or a site's, from a
`templates/` folder beside `syndicate.yaml`, which replace them file by file (`style.css`
included); `syndicate/<name>` is always syndicate's own, for a site's template to extend. The
markup a template renders is parsed and serialised by lxml, so a template's line breaks never
change a page's bytes and every page is well-formed HTML; templates run in Jinja's sandbox with
autoescaping."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import time
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.visitor
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree
from markupsafe import Markup

from syndicate.diagnostics import closest, did_you_mean, suggest
from syndicate.model.site import STYLESHEET
from syndicate.readers import budgets
from syndicate.readers.safefile import Refused, read_seen, signature, site_refusal
from syndicate.readers.staticfiles import own_files
from syndicate.readers.textfile import XML_FORBIDDEN, conflict_problem, merge_conflicts

DOCTYPE = "<!DOCTYPE html>"
RENDER_SECONDS = 30.0
"""The time a page's template may take (as Hugo's `timeout`): a page renders in
milliseconds, so a template still running after this is in a loop far too large for a page,
and the export stops with its line instead of running for hours."""
_deadline: ContextVar[float] = ContextVar("_deadline", default=float("inf"))
_PARSER = etree.HTMLParser(encoding="utf-8")
"""`lxml.html`'s parser without its element classes: the same tree, without a call into
Python for each element made or visited. It reads a page's UTF-8 bytes: handed a `str`, lxml
gives libxml2 the string's own buffer (Latin-1, UTF-16 or UCS-4), which it converts to UTF-8
before it parses (`page_bytes`)."""

# Elements whose content is running text: a line break between their children is a space
# there, and nothing elsewhere (between blocks, in the head).
_PHRASING = {
    "a", "abbr", "b", "button", "caption", "cite", "code", "dd", "dt", "em", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "i", "label", "legend", "mark", "p", "q", "small",
    "span", "strong", "sub", "summary", "sup", "td", "th", "time", "title",
}  # fmt: skip
_VERBATIM = {"pre", "textarea", "script", "style"}
# HTML5's void elements that libxml2's HTML 4 parser and serialiser do not know as such: it
# takes what follows `<wbr>` as its content up to its parent's end, and writes `</wbr>`.
# (The others, `br`, `img`, `area`, `col`, `param`..., it knows.) An HTML5 parser
# (html5lib) would know them, but takes some twenty times as long a page.
_NEW_VOID = ("embed", "keygen", "source", "track", "wbr")
_NEW_VOID_ENDS = tuple(f"</{tag}>" for tag in _NEW_VOID)


BUILT_IN = "syndicate/"
"""The prefix that names syndicate's own template of a name, whatever the site has:
`{% extends "syndicate/article.html" %}` in a site's `article.html` changes a block of it."""
SITE_FOLDER = "templates/"
"""How diagnostics name the site's templates folder."""


class TemplateError(Exception):
    """A template that cannot be rendered; `where` is its file and line as a diagnostic shows
    them (`templates/partials/promo.html:2`)."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


class _SelfReference(jinja2.TemplateSyntaxError):
    """A template that extends itself: Jinja would recurse until Python's stack runs out."""


class _SiteFirst(jinja2.BaseLoader):
    """The site's template of a name if it has one, else syndicate's. A template of
    syndicate's that Jinja keeps is out of date once the site has one of that name (a site's
    template added while the preview runs), as one of the site's is once it changes or goes."""

    def __init__(self, site: Path | None) -> None:
        self.folder = site
        self.package = jinja2.PackageLoader("syndicate.formats.html", "templates")

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template.startswith(BUILT_IN):
            return self.package.get_source(environment, template.removeprefix(BUILT_IN))
        if self.folder is not None:
            try:
                return _checked_source(self.folder, template)
            except jinja2.TemplateNotFound:
                pass
            except UnicodeDecodeError as exc:
                line = exc.object[: exc.start].count(b"\n") + 1
                byte = exc.object[exc.start : exc.start + 1].hex()
                raise jinja2.TemplateSyntaxError(
                    f"not UTF-8 text (byte 0x{byte}); save the template as UTF-8",
                    line,
                    template,
                ) from None
        source, filename, uptodate = self.package.get_source(environment, template)
        if self.folder is None:
            return source, filename, uptodate
        overridden = self.folder / template

        def fresh() -> bool:
            return not overridden.exists() and (uptodate is None or uptodate())

        return source, filename, fresh


class _Refused(jinja2.TemplateSyntaxError):
    """A site's template that is not read: a link out of the site folder, a hard link, a FIFO
    or another file that is not a regular one, or one over the text budget."""


def _checked_source(folder: Path, template: str) -> tuple[str, str, Callable[[], bool]]:
    """What Jinja's `FileSystemLoader` gives for `template` in the site's `folder`, the file
    checked as a story's files are before it is opened (`read_checked`, inside the folder that
    holds `folder`: the site's, as for its static files). The configuration checks every
    template so when it loads; this holds for a template added or replaced since, and for one
    in a folder that a link inside `templates/` names."""
    path = folder.joinpath(*split_template_path(template))
    if not os.path.lexists(path):
        raise jinja2.TemplateNotFound(template)
    try:
        data, seen = read_seen(path, folder.parent.resolve(), budgets.MAX_TEXT_BYTES)
    except Refused as exc:
        raise _Refused(site_refusal(exc)[1], 1, template) from None
    mtime = os.stat(path).st_mtime_ns if os.name == "nt" else None

    def uptodate() -> bool:
        # (the file's `signature` as it was opened, as the build's inputs are told: its
        # modification time alone misses a second write in the same tick, or a file put in its
        # place keeping the time, `cp -p`, `touch -r`, rsync; one changed a moment before it
        # was read is read again until its times can tell. Windows keeps no change time.)
        try:
            now = os.stat(path)
        except OSError:
            return False
        if mtime is not None:
            return now.st_mtime_ns == mtime
        return seen is not None and signature(now) == seen

    text = data.decode("utf-8")
    if forbidden := XML_FORBIDDEN.search(text):  # (a page holding one no parser reads whole)
        line = text.count("\n", 0, forbidden.start()) + 1
        said = (
            "file is binary (contains NUL bytes), not a template"
            if forbidden.group() == "\x00"
            else f"character U+{ord(forbidden.group()):04X} is not allowed in a page; remove it"
        )
        raise _Refused(said, line, template)
    if conflicts := merge_conflicts(text):  # (Jinja would render both sides, markers and all)
        raise _Refused(conflict_problem(*conflicts[0]), conflicts[0][0], template)
    return text, os.path.normpath(path), uptodate


class _TooLong(jinja2.TemplateRuntimeError):
    """A page's template ran past `RENDER_SECONDS`."""


def _on_time() -> None:
    if time.monotonic() > _deadline.get():
        raise _TooLong(
            f"the page was still rendering after {RENDER_SECONDS:g} seconds (a page takes"
            " milliseconds): a loop here runs far too often; make the template do less"
        )


MAX_REPEATED = 16_000_000
"""The most characters (or items) a template's `*` may make: more than a page can hold (the
HTML parser reads no text over 10 MB, said as such), and `"-" * 10**10` would take the
machine's memory before the clock is looked at."""
_BOUNDED_TEXT = "_syndicate_bounded_text"
"""The filter every `~` of a template goes through (see `_Environment._parse`)."""


def _made(value: Any, how: str = "it") -> Any:
    """`value` if it is not a text or list of more than `MAX_REPEATED` characters or items:
    a template that doubles a text in a loop (`{% set ns.s = ns.s ~ ns.s %}`, `+`, `join`,
    `replace`) is stopped at the first step past the bound, before the next doubles it."""
    if isinstance(value, str | list | tuple) and len(value) > MAX_REPEATED:
        raise ValueError(
            f"{how} makes {len(value):,} characters or items, more than the {MAX_REPEATED:,} a"
            " template may make"
        )
    return value


def _bounded_text(value: Any) -> Any:
    return _made(value, "~")


_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a UTF-16 pair alone (a Jinja string's `"\\udc80"`, a filter's slip): no character,
so no page may hold it, and UTF-8 cannot write it."""


def _writable(value: Any) -> Any:
    """What a `{{ }}` of a template shows (Jinja's `finalize`), refused when it holds a lone
    surrogate: said at that line of the template, where the page's parser, had the page begun
    with an XML declaration, refused the whole text (a writer failure naming nothing). Only
    the environment that renders a page again to find that line has it (`_checking`): every
    page's every `{{ }}` scanned cost 1.7 % of the instructions of the HTML and RSS export the
    bench times (`hugo_ratio`), 4.4 % with every page's text scanned again after."""
    if isinstance(value, str) and not value.isascii() and (found := _SURROGATE.search(value)):
        raise _LoneSurrogate(_surrogate_said("this shows", found.group()))
    return value


class _LoneSurrogate(ValueError):
    """A `{{ }}` that shows a lone surrogate (`_writable`)."""


def _surrogate_said(subject: str, found: str) -> str:
    return (
        f"{subject} {found!a}, half of a UTF-16 surrogate pair alone, which is no"
        " character and cannot be written in a page (UTF-8); write the character itself"
    )


_TIMED_LOOP = "_syndicate_timed_loop"
"""The filter every `{% for %}` of a template iterates through (see `_Environment._parse`)."""


def _timed_loop(items: Any) -> Any:
    """The items of a `{% for %}` loop, with the render's time looked at every 1,024: a loop
    over a string or a list asks the sandbox for nothing, and two such loops nested (over
    `"x" * 100000`) ran for hours."""
    for count, item in enumerate(items):
        if not count & 1023:
            _on_time()
        yield item


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
"""A `%` conversion: its width and precision (digits, or `*`: taken from the values)."""
_BRACE = re.compile(r"\{[^{}]*?:([^{}]*)\}")
"""A `{...:spec}` replacement field's spec, whose numbers are its width and precision."""
_NESTED = re.compile(r"\{[^{}]*?:[^{}]*\{")
"""A replacement field whose spec holds another (`{:>{w}}`): a width given with the values."""
MAX_FILTERED = 2_000_000
"""The most characters a filter that scans its text (`urlize`, `wordwrap`) is given: a story's
text is far shorter, and 16 MB through `urlize` took 46 s in one call, past every deadline."""
_SCANNING = frozenset({"urlize", "wordwrap"})
_SIZED_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate"})
"""Filters whose number arguments are sizes (a width, a length): what they make is that long."""
_SIZED_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
"""A string's methods whose number arguments are sizes."""
_PASSED = (jinja2.runtime.Context, jinja2.nodes.EvalContext, jinja2.Environment)
"""What Jinja passes a filter before its value (`pass_context` and the like)."""
MAX_LIPSUM = 100
"""Paragraphs of `lipsum(n)` a template may ask for (300,000 took 22 s a page)."""


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> Markup | str:
    """Jinja's `lipsum`, bounded to `MAX_LIPSUM` paragraphs."""
    from jinja2.utils import generate_lorem_ipsum

    if n > MAX_LIPSUM:
        raise ValueError(f"lipsum({n:,}) asks for over the {MAX_LIPSUM} paragraphs a page may have")
    return generate_lorem_ipsum(n, html, min, max)


def _sizes(args: Any, kwargs: Any) -> None:
    """Refuse size arguments that would make more than `MAX_REPEATED` characters
    (`'x'.ljust(10**9)`, `'x'|center(10**9)`)."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_REPEATED:
            raise ValueError(
                f"a width of {value:,} makes more than the {MAX_REPEATED:,} characters a"
                " template may make"
            )


def _formatted(text: Any, values: Any = ()) -> None:
    """Refuse a format (`%`, `.format`, `|format`) whose widths and precisions together make
    more than `MAX_REPEATED` characters (`'%1000000000d'`, `'{:>9999999}' * 3`); a `*` width
    counts the largest whole number among the values."""
    if not isinstance(text, str):
        return
    given = values if isinstance(values, tuple | list) else (values,)
    star = max((v for v in given if isinstance(v, int) and not isinstance(v, bool)), default=0)
    total = 0
    for width, precision in _PERCENT.findall(text):
        for number in (width, precision):
            total += star if number == "*" else int(number or 0)
    for spec in _BRACE.findall(text):
        total += sum(int(digits) for digits in re.findall(r"\d+", spec))
    total += star * len(_NESTED.findall(text))
    if total > MAX_REPEATED:
        raise ValueError(
            f"a format whose widths make {total:,} characters, more than the"
            f" {MAX_REPEATED:,} a template may make"
        )


def _bounded_filter(name: str, filtered: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose size arguments and scanned text are bounded, and after which the
    render's time is looked at (one call may take long: the next page is refused at once)."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        _on_time()
        values = [a for a in args if not isinstance(a, _PASSED)]
        if name in _SIZED_FILTERS:
            _sizes(values[1:], kwargs)  # (the first is the filtered value)
        if name == "format" and values:
            _formatted(values[0], tuple(values[1:]))
        text = values[0] if values and name in _SCANNING else None
        if isinstance(text, str) and len(text) > MAX_FILTERED:
            raise ValueError(
                f"{name} is given {len(text):,} characters, over the"
                f" {MAX_FILTERED:,} a template may give it"
            )
        result = filtered(*args, **kwargs)
        _on_time()
        return _made(result, f"the filter {name}")

    # (its name, and `jinja_pass_arg`: what Jinja passes it first, its context)
    return functools.update_wrapper(bounded, filtered)


def _huge_power(base: Any, exponent: Any) -> bool:
    """Whether `base ** exponent` is a whole number of over 100,000 bits (an int's power is
    exact: `10 ** 10**9` would compute for minutes)."""
    whole = isinstance(base, int) and isinstance(exponent, int) and abs(base) > 1
    return whole and max(exponent, 0) * abs(base).bit_length() > 100_000


class _BoundedConcat(jinja2.visitor.NodeTransformer):
    """Every `~` of a template through `_bounded_text`: what it makes is looked at."""

    def visit_Concat(self, node: jinja2.nodes.Concat) -> jinja2.nodes.Node:
        self.generic_visit(node)
        return jinja2.nodes.Filter(node, _BOUNDED_TEXT, [], [], None, None, lineno=node.lineno)


class _Environment(ImmutableSandboxedEnvironment):
    # Every call, attribute and item a template asks for goes through the sandbox, and every
    # loop through `_timed_loop`: the render's time is looked at there.
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name, filtered in list(self.filters.items()):
            self.filters[name] = _bounded_filter(name, filtered)
        self.filters[_TIMED_LOOP] = _timed_loop
        self.filters[_BOUNDED_TEXT] = _bounded_text
        self.globals["lipsum"] = _lipsum

    def call(
        __self,  # (Jinja's own signature: a call may pass `self=`)
        __context: jinja2.runtime.Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """A call (a method, a global), with what it would make bounded before it is made
        (`'x'.ljust(10**9)`), and the render's time looked at after it too."""
        _on_time()
        if getattr(__obj, "__name__", "") in _SIZED_METHODS and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            _sizes(args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        _on_time()
        return _made(result, f"{getattr(__obj, '__name__', 'a call')}()")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """A string's `format` (which the sandbox wraps as it is looked up), refused when
        its widths would make more than a page can hold."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            _formatted(text, (*args, *kwargs.values()))
            return wrapped(*args, **kwargs)

        return bounded

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        """`*`, `**` and `%` with what they would make bounded before it is made, and `+`
        (two texts or lists joined) after."""
        _on_time()
        if operator == "%":
            _formatted(left, right)
        elif operator == "*":
            for sequence, times in ((left, right), (right, left)):
                repeated = isinstance(sequence, str | list | tuple) and isinstance(times, int)
                if repeated and len(sequence) * times > MAX_REPEATED:
                    raise ValueError(
                        f"repeating {len(sequence):,} items {times:,} times makes more than"
                        f" the {MAX_REPEATED:,} a template may make"
                    )
        elif operator == "**" and _huge_power(left, right):
            raise ValueError(f"{left} ** {right} is a number of over 100,000 bits")
        return _made(super().call_binop(context, operator, left, right), operator)

    def is_safe_callable(self, obj: Any) -> bool:
        _on_time()
        return bool(super().is_safe_callable(obj))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _on_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _on_time()
        return super().getitem(obj, argument)

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        """A template's tree; one that extends itself (the usual way to change one block of a
        page, with the page's own name) is an error, told before Jinja recurses. Including
        or importing itself is not: a partial that includes itself for the children of a
        node (a nested menu) ends when they do; an endless one is a loop (`render_page`)."""
        tree: jinja2.nodes.Template = _BoundedConcat().visit(super()._parse(source, name, filename))
        for loop in tree.find_all(jinja2.nodes.For):
            loop.iter = jinja2.nodes.Filter(
                loop.iter, _TIMED_LOOP, [], [], None, None, lineno=loop.iter.lineno
            )
        for extends in tree.find_all(jinja2.nodes.Extends):
            named = extends.template
            if name is not None and isinstance(named, jinja2.nodes.Const) and named.value == name:
                raise _SelfReference(
                    f"{name} extends itself; to extend syndicate's own {name}, write"
                    f' {{% extends "{BUILT_IN}{name}" %}}',
                    extends.lineno,
                )
        return tree


_GO_TEMPLATE = re.compile(
    r"\{\{-?\s*(?:\.|\$|(?:define|end|partial|partialCached|range|with|template|block|else)\b)"
)
"""What a Go template (Hugo's) says where Jinja's would not: `{{ .Title }}`, `{{ end }}`."""


def _syntax_message(exc: jinja2.TemplateSyntaxError) -> str:
    """Jinja's words for a template that does not parse, and for a line written as a Hugo
    (Go) template, what Jinja's are."""
    message = exc.message or str(exc)
    lines = (exc.source or "").splitlines()
    line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
    if _GO_TEMPLATE.search(line):
        message += (
            " (this line is written as a Hugo template; syndicate's are Jinja2: {{"
            " article.headline }} for {{ .Title }}, {% block main %}...{% endblock %} for {{"
            ' define "main" }}...{{ end }}, {% include "x.html" %} for {{ partial "x.html" .'
            " }}; the values each template gets are in docs/formats/html-jsonld.md)"
        )
    return message


class _Undefined(jinja2.StrictUndefined):
    """Jinja's `StrictUndefined`, whose words for a name a value lacks ("'dict object' has
    no attribute 'headlin'") also say the name it has that is nearest, or the names it has."""

    @property
    def _undefined_message(self) -> str:
        message = str(super()._undefined_message)
        owner, name = self._undefined_obj, self._undefined_name
        if not isinstance(owner, dict) or not isinstance(name, str):
            return message
        names = sorted(key for key in owner if isinstance(key, str))
        if hint := did_you_mean(name, names) or did_you_mean(name.lower(), names):
            return f"{message}{hint}"
        if names and len(names) <= 30:
            return f"{message} (it has {', '.join(names)})"
        return message


def _environment(site_templates: Path | None, **options: Any) -> jinja2.Environment:
    return _Environment(
        loader=_SiteFirst(site_templates),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=_Undefined,
        **options,
    )


@cache
def environment(site_templates: Path | None) -> jinja2.Environment:
    return _environment(site_templates)


@cache
def _checking(site_templates: Path | None) -> jinja2.Environment:
    """`environment`, whose `{{ }}` refuse a lone surrogate (`_writable`): a page that holds
    one is rendered again with it, to say the template's line."""
    return _environment(site_templates, finalize=_writable)


def stylesheet(site_templates: Path | None) -> Markup:
    """The stylesheet the pages inline: the site's `style.css`, or syndicate's. Read again
    only once it is out of date as a template is told (`_checked_source`: its signature, and
    for syndicate's a site's own added since): every page inlines it, and reading it was a file
    opened, read and decoded a page."""
    kept = _stylesheets.get(site_templates)
    if kept is not None and kept[1] is not None and kept[1]():
        return kept[0]
    env = environment(site_templates)
    assert env.loader is not None
    source, _, uptodate = env.loader.get_source(env, STYLESHEET)
    _stylesheets[site_templates] = (css := Markup(source), uptodate)
    return css


_stylesheets: dict[Path | None, tuple[Markup, Callable[[], bool] | None]] = {}
"""Each site's stylesheet as last read, and what tells whether it still is (`stylesheet`)."""


def render_page(
    site_templates: Path | None,
    template: str,
    problems: list[TemplateError] | None = None,
    base: str | None = None,
    here: str | None = None,
    /,
    **values: Any,
) -> bytes:
    """The page `template` renders with `values` and the stylesheet (`css`), as HTML bytes;
    what the site's templates made of its markup that the parser had to mend (an element
    left open, an end tag of none) is added to `problems`, when given. A `base` is the
    page's `<base href>` (a page one folder down, whose links are written as from out/html/),
    put first in its head after its `<meta charset>`, in place of any its templates wrote:
    a site's own `base.html` need not know it. `here` is then the page's own path as its base
    reads it (`en/politics.html`): a link of an `<a>` or `<area>` to an `#id` alone (a skip
    link to `#content`, a "back to top") becomes `here#id`, which leads to the page itself,
    where `#id` alone would lead to the base's folder."""
    key = (site_templates, template)
    if key in _timed_out:  # the same templates: the same loop, said at once
        stamp, said = _timed_out[key]
        if stamp == _stamp(site_templates):
            raise TemplateError(*said)
        del _timed_out[key]
    text = _rendered(environment(site_templates), key, values)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: at the template's line, when a {{ }} shows it
        _rendered(_checking(site_templates), key, values)
        found = _SURROGATE.search(text)
        assert found is not None
        line = text.count("\n", 0, found.start()) + 1
        lone = _surrogate_said(f"{template} renders a page whose line {line} holds", found.group())
        raise TemplateError(lone, _shown(template)) from None
    try:
        page = _page_bytes(text, data, base, here)
        mended = _mended(text) if site_templates is not None else []
        if mended and problems is not None:
            problems.append(
                TemplateError(_mis_nested(mended, template), _mended_at(site_templates, template))
            )
        return page
    except _Unreadable as exc:
        raise TemplateError(
            f"{template} renders a page the HTML parser cannot read whole ({exc}): a text of"
            " over 10 MB in one piece is cut; make the template render less",
            _shown(template),
        ) from None
    except etree.ParserError:
        raise TemplateError(
            f"{template} renders no markup (it, or a template it extends, is empty or only"
            " comments); to show syndicate's page, delete it, or extend syndicate's own with"
            f' {{% extends "{BUILT_IN}{template}" %}}',
            _shown(template),
        ) from None


def _rendered(env: jinja2.Environment, key: tuple[Path | None, str], values: dict[str, Any]) -> str:
    """The text of the page template `key` (the site's templates, the template's name)
    renders in `env` with `values` and the stylesheet; what fails is a `TemplateError`."""
    site_templates, template = key
    started = _deadline.set(time.monotonic() + RENDER_SECONDS)
    try:
        css = stylesheet(site_templates)  # (read here: a refused style.css is a diagnostic)
        return env.get_template(template).render(css=css, **values)
    except _TooLong as exc:
        said = _located(str(exc), exc, site_templates, template)
        _timed_out[key] = (_stamp(site_templates), said)
        raise TemplateError(*said) from None
    except jinja2.TemplateSyntaxError as exc:
        name = exc.name or template
        raise TemplateError(_syntax_message(exc), f"{_shown(name)}:{exc.lineno}") from None
    except jinja2.TemplateNotFound as exc:
        message = f"template not found: {exc.name}"
        if ".." in str(exc.name).split("/"):
            message += " (a template is named by its path inside templates/, without ..)"
        else:
            message += " (neither in templates/ nor among syndicate's own)"
        raise TemplateError(*_located(message, exc, site_templates, template)) from None
    except jinja2.TemplateError as exc:
        said = _missing_macro(str(exc), site_templates) or _located(
            str(exc), exc, site_templates, template
        )
        raise TemplateError(*said) from None
    except _LoneSurrogate as exc:
        raise TemplateError(*_located(str(exc), exc, site_templates, template)) from None
    except RecursionError as exc:  # a cycle through two templates or more
        message = (
            "templates extend, include or import each other in a loop (or a macro calls"
            f" itself endlessly); to extend syndicate's own template, name it {BUILT_IN}<name>"
        )
        raise TemplateError(*_located(message, exc, site_templates, template)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, MemoryError) as exc:
        # an expression that fails (`{{ 1 / 0 }}`, `range` over its limit): the template's
        message = f"this fails: {exc} ({type(exc).__name__}); correct the template"
        said = _macro_signature(exc, site_templates) or _located(
            message, exc, site_templates, template
        )
        raise TemplateError(*said) from None
    finally:
        _deadline.reset(started)


def _mis_nested(mended: list[str], template: str) -> str:
    """What to say of a page whose markup the parser mended (`page_bytes`)."""
    more = f" (and {len(mended) - 1} more)" if len(mended) > 1 else ""
    return (
        f"the {template} page's markup is mis-nested, and browsers nest what follows"
        f" elsewhere (a page's main part inside its header): {mended[0]}{more}; close each"
        " element in the template that opens it, and open none that the template does not close"
    )


def _mended_at(site: Path | None, template: str) -> str:
    """Where to say a page's mended markup is: the site's template of that page, else the
    site's `base.html` or `macros.html` that every page uses, else its folder."""
    for name in (template, "base.html", "macros.html"):
        if site is not None and (site / name).is_file():
            return f"{SITE_FOLDER}{name}"
    return SITE_FOLDER.rstrip("/")


def check_templates(site_templates: Path) -> list[TemplateError]:
    """The site's own templates compiled, not rendered: what each one is wrong in that needs
    no page to tell (a syntax error, a file that is not UTF-8 text or holds a character no
    page may, one that extends itself, one refused as story files are), at its line, as an
    export would say it. A name a template uses that a page lacks is told by the page."""
    env = environment(site_templates)
    found: list[TemplateError] = []
    for rel, _ in own_files(site_templates):
        if not rel.endswith(".html"):
            continue
        try:
            env.get_template(rel)
        except jinja2.TemplateSyntaxError as exc:
            name = exc.name or rel
            found.append(TemplateError(_syntax_message(exc), f"{_shown(name)}:{exc.lineno}"))
        except jinja2.TemplateNotFound:  # (gone since it was listed)
            continue
    return found


PAGES = ("article.html", "index.html", "home.html", "notice.html")
"""The templates syndicate renders pages from; every other template is used only when one of
these (or a template they name) extends, includes or imports it."""
_HUGO = {
    "single.html": "article.html",
    "list.html": "index.html",
    "baseof.html": "base.html",
    "index.html": "home.html",
}
"""Hugo's layout names and the template of syndicate's that does the same work."""


def template_warnings(site_templates: Path) -> list[TemplateError]:
    """What the site's templates render that no page shows, with no error to tell it: a
    block that no template it extends has (a typo, `navv`; a site's `base.html` without the
    `main` block of syndicate's pages: every page without its story), text outside the
    blocks of a template that extends another, and a template no page uses (Hugo's
    `single.html`, a `templates/syndicate/` copy, `Article.html`). Templates that do not
    compile are `check_templates`' to tell, and are passed over here."""
    env = environment(site_templates)
    trees: dict[str, jinja2.nodes.Template | None] = {}

    def tree(name: str) -> jinja2.nodes.Template | None:
        if name not in trees:
            trees[name] = None
            with contextlib.suppress(jinja2.TemplateError, OSError, UnicodeDecodeError):
                assert env.loader is not None
                source, _, _ = env.loader.get_source(env, name)
                trees[name] = env.parse(source, name)
        return trees[name]

    found: list[TemplateError] = []
    own = [rel for rel, _ in own_files(site_templates) if rel.endswith(".html")]
    told: set[tuple[str, str]] = set()
    for name in [*own, *(page for page in PAGES if page not in own)]:
        if name.startswith(BUILT_IN):
            continue  # (never read: `_unused` tells it)
        found += _lost_blocks(name, tree, set(own), told)
    used, dynamic = set(PAGES), False
    waiting = list(PAGES)
    while waiting:
        parsed = tree(waiting.pop())
        if parsed is None:
            continue
        for named in jinja2.meta.find_referenced_templates(parsed):
            if named is None:
                dynamic = True  # (`{% include name %}`: which one is known at the page)
            elif named not in used:
                used.add(named)
                waiting.append(named)
    for rel in own:
        never = rel.startswith(BUILT_IN)  # (that name is always syndicate's own)
        if not never and (rel in used or dynamic or tree(rel) is None):
            continue
        found.append(TemplateError(_unused(rel), f"{SITE_FOLDER}{rel}:1"))
    return found


def _unused(rel: str) -> str:
    """What to say of the site's template `rel` that no page uses."""
    said = f"no page uses {rel}: this file is never read"
    pages = ", ".join(PAGES)
    if rel.startswith(BUILT_IN):
        own = rel.removeprefix(BUILT_IN)
        return (
            f"{said} ({BUILT_IN}<name> always names syndicate's own template); to change"
            f" syndicate's {own}, name the file {SITE_FOLDER}{own}"
        )
    hugo = _HUGO.get(rel.rsplit("/", 1)[-1])
    if hugo is not None and hugo != rel:
        return f"{said}; Hugo's {rel.rsplit('/', 1)[-1]} is {SITE_FOLDER}{hugo} here"
    near = closest(rel.lower(), [*PAGES, "base.html", "macros.html"], 0.85)
    if near is not None:
        return f"{said}{suggest(SITE_FOLDER + near)}"
    return (
        f"{said}: pages are made from {pages} (which extend base.html and import macros.html),"
        " and a partial is used once one of those includes it; include it, or delete it"
    )


def _lost_blocks(
    name: str,
    tree: Callable[[str], jinja2.nodes.Template | None],
    own: set[str],
    told: set[tuple[str, str]],
) -> list[TemplateError]:
    """The blocks of `name`, and of each template it extends, that no template above it has,
    and the site's text outside blocks: what Jinja drops without a word. Told at the site's
    template that is to be mended: the site's block (a typo), or the site's template at the
    top that lacks a block of syndicate's (`templates/base.html` without `main`)."""
    chain = [name]
    while True:
        parsed = tree(chain[-1])
        if parsed is None:
            return []  # (one that does not compile or is missing: an error of its own)
        step = next(iter(parsed.find_all(jinja2.nodes.Extends)), None)
        if step is None:
            break
        if not isinstance(step.template, jinja2.nodes.Const) or not isinstance(
            step.template.value, str
        ):
            return []  # (a parent chosen at the page)
        if step.template.value in chain or len(chain) > 20:
            return []  # (a loop: an error of its own; or a chain no one writes)
        chain.append(step.template.value)
    root = chain[-1]
    found: list[TemplateError] = []
    # A block the chain shows as `{{ self.name() }}` (Jinja's way to show a block again) is
    # on the page wherever it is defined.
    shown = {
        node.attr
        for template in chain
        for node in tree(template).find_all(jinja2.nodes.Getattr)  # type: ignore[union-attr]
        if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "self"
    }
    for index, child in enumerate(chain[:-1]):
        above = chain[index + 1 :]
        have: dict[str, None] = {}
        for ancestor in above:
            for block in tree(ancestor).find_all(jinja2.nodes.Block):  # type: ignore[union-attr]
                have.setdefault(block.name)
        parsed = tree(child)
        assert parsed is not None
        for block in _top_blocks(parsed):
            if block.name in have or block.name in shown or (child, block.name) in told:
                continue
            if child in own:
                told.add((child, block.name))
                hint = did_you_mean(block.name, have)
                message = (
                    f"block {block.name!r} is in no template {child} extends ({', '.join(above)}"
                    f" have {', '.join(sorted(have)) or 'none'}): what it holds is on no page"
                    f"{hint}"
                )
                found.append(TemplateError(message, f"{SITE_FOLDER}{child}:{block.lineno}"))
            elif root in own and (root, block.name) not in told:
                told.add((root, block.name))
                message = (
                    f"{root} has no block {block.name!r}, which syndicate's {child} fills:"
                    f" its pages show nothing of it; put {{% block {block.name} %}}"
                    f"{{% endblock %}} where it goes in {root} (for pages that are to show"
                    " nothing there, give their template an empty block of that name)"
                )
                found.append(TemplateError(message, f"{SITE_FOLDER}{root}:1"))
        if child in own and (child, "") not in told:
            told.add((child, ""))
            extends = next(iter(parsed.find_all(jinja2.nodes.Extends)))
            for node in (
                parsed.body[parsed.body.index(extends) + 1 :] if extends in parsed.body else []
            ):
                if isinstance(node, jinja2.nodes.Output) and any(
                    not isinstance(part, jinja2.nodes.TemplateData) or part.data.strip()
                    for part in node.nodes
                ):
                    message = (
                        f"{child} extends {above[0]}, so what it writes outside its blocks is"
                        " on no page: put it inside a block"
                    )
                    found.append(TemplateError(message, f"{SITE_FOLDER}{child}:{node.lineno}"))
                    break
    return found


def _top_blocks(tree: jinja2.nodes.Template) -> list[jinja2.nodes.Block]:
    """The blocks of a template that are inside no other block of it (one inside a block is
    shown with it)."""
    blocks = list(tree.find_all(jinja2.nodes.Block))
    inner = {id(b) for block in blocks for b in block.find_all(jinja2.nodes.Block)}
    return [block for block in blocks if id(block) not in inner]


_timed_out: dict[tuple[Path | None, str], tuple[tuple[tuple[str, int], ...], tuple[str, str]]] = {}
"""The templates that ran past `RENDER_SECONDS` in this process, with the site's templates as
they were then (`_stamp`) and what was said: every other page of that template would take as
long (a site's thousands of stories, half a minute each), so it is told at once until the
templates change (`syndicate serve` renders again after an edit)."""


def _stamp(folder: Path | None) -> tuple[tuple[str, int], ...]:
    """The site's template files (`own_files`, as the build's digest and the preview's watch
    take them) with their modification times; syndicate's own do not change while it runs."""
    if folder is None:
        return ()
    found = []
    for rel, path in own_files(folder):
        with contextlib.suppress(OSError):
            found.append((rel, path.stat().st_mtime_ns))
    return tuple(found)


def _shown(name: str) -> str:
    """A template's name as a diagnostic shows it: `templates/<name>` for a site's,
    syndicate's own by its prefix."""
    return name if name.startswith(BUILT_IN) else f"{SITE_FOLDER}{name}"


def _located(message: str, exc: BaseException, site: Path | None, template: str) -> tuple[str, str]:
    """`message` and where the error is: the innermost line of a site's template that the
    rendering went through (Jinja gives the frames of the templates their file and line); an
    error inside one of syndicate's own templates is named in the message, as called from
    that line."""
    built_in: str | None = None
    package = Path(__file__).resolve().parent / "templates"
    root = site.resolve() if site is not None else None
    frames = [  # the templates' frames, outermost first (Jinja's and ours are .py)
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if frame.lineno and not frame.filename.endswith(".py")
    ]
    if isinstance(exc, RecursionError):
        frames = _closing_the_loop(frames)
    for frame in reversed(frames):
        path = Path(frame.filename).resolve()
        if root is not None and path.is_relative_to(root):
            where = f"{SITE_FOLDER}{path.relative_to(root).as_posix()}:{frame.lineno}"
            if built_in is not None:
                message += f" (at syndicate's built-in {built_in}, called from {where})"
            return message, where
        if built_in is None and path.is_relative_to(package):
            built_in = f"{path.relative_to(package).as_posix()}:{frame.lineno}"
    if built_in is not None:
        message += f" (at syndicate's built-in {built_in})"
    return message, _shown(template)


_NO_MACRO = re.compile(r"'jinja2\.environment\.TemplateModule object' has no attribute '(\w+)'")


def _missing_macro(message: str, site: Path | None) -> tuple[str, str] | None:
    """For a macro syndicate's pages call that the site's own copy of the file defining it
    (`templates/macros.html`) lacks: Jinja's words ("'TemplateModule object' has no attribute
    'alternates'", at syndicate's page) made the file to mend and how, at that file."""
    found = _NO_MACRO.search(message)
    name = found.group(1) if found is not None else ""
    defining = _overridden(name, site)
    if defining is None:
        return None
    return (
        f"{defining} defines no macro {name!r}, which syndicate's pages call: define it, or"
        f' take syndicate\'s: {{% import "{BUILT_IN}{defining}" as syndicate %}} and {{% set'
        f" {name} = syndicate.{name} %}} at the top of {defining}",
        f"{SITE_FOLDER}{defining}:1",
    )


def _overridden(name: str, site: Path | None) -> str | None:
    """The template of syndicate's defining the macro `name` (`macros.html`), when the site
    has its own copy of it; None otherwise."""
    defining = _built_in_macros().get(name) if name else None
    if site is None or defining is None or not (site / defining).is_file():
        return None
    return defining


_MACRO_CALL = re.compile(
    r"macro '(\w+)' (takes not more than \d+ argument\(s\)|takes no keyword argument '\w+')"
)


def _macro_signature(exc: BaseException, site: Path | None) -> tuple[str, str] | None:
    """For a macro of the site's (`templates/macros.html`) that syndicate's pages call with
    more than it takes: at the site's macro, which is the one to mend (the error was said at
    syndicate's page, named as a file of the site's)."""
    found = _MACRO_CALL.search(str(exc)) if isinstance(exc, TypeError) else None
    name = found.group(1) if found is not None else ""
    defining = _overridden(name, site)
    if found is None or site is None or defining is None:
        return None
    # Only a call from syndicate's own page: one from the site's templates is theirs to mend
    # where it is (`_located`).
    calls = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")]
    package = Path(__file__).resolve().parent / "templates"
    if not calls or not Path(calls[-1].filename).resolve().is_relative_to(package):
        return None
    try:
        text = (site / defining).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    at = re.search(rf"\{{%-?\s*macro\s+{name}\s*\(", text)
    built = _built_in_signature(name, defining)
    takes = re.search(r"takes not more than (\d+)", found.group(2))
    if at is None or (takes is not None and int(takes.group(1)) >= _count(built)):
        return None
    line = text.count("\n", 0, at.start()) + 1
    return (
        f"syndicate's pages call the macro {name!r} with more than this one takes"
        f" ({found.group(2)}): give it syndicate's parameters, {name}({built})",
        f"{SITE_FOLDER}{defining}:{line}",
    )


def _count(parameters: str) -> int:
    """How many parameters a macro's signature names (`stories, level=2`: 2)."""
    return len([p for p in parameters.split(",") if p.strip()])


def _built_in_signature(name: str, defining: str) -> str:
    """The parameters of syndicate's own macro `name`, as its template writes them."""
    text = (Path(__file__).resolve().parent / "templates" / defining).read_text("utf-8")
    found = re.search(rf"\{{%-?\s*macro\s+{name}\s*\(([^)]*)\)", text)
    return found.group(1).strip() if found else "..."


@cache
def _built_in_macros() -> dict[str, str]:
    """The macros of syndicate's own templates, by name: the template defining each."""
    package = Path(__file__).resolve().parent / "templates"
    found: dict[str, str] = {}
    for path in sorted(package.glob("*.html")):
        for name in re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", path.read_text("utf-8")):
            found.setdefault(name, path.name)
    return found


_LOOP_TAIL = 60
"""How many of the innermost frames of a template loop name every template in it (the stack
ran out after hundreds of turns of it)."""


def _closing_the_loop(frames: list[traceback.FrameSummary]) -> list[traceback.FrameSummary]:
    """The frames of an endless loop of templates up to the line that closes it: the first
    whose next template is one the rendering is already in (`a.html`'s include of the
    `article.html` that included it). Where Python's stack ran out, deep in the loop, depends
    on how deep the export's own calls are; that line does not."""
    # The loop is the tail the stack ran out in: from the first frame after which only its
    # templates follow. (Before it, a template may be met twice without a loop: a page that
    # extends base.html is in its own block again when base.html renders it.)
    looping = {frame.filename for frame in frames[-_LOOP_TAIL:]}
    start = len(frames)
    while start > 0 and frames[start - 1].filename in looping:
        start -= 1
    seen: set[str] = set()
    for index in range(start, len(frames) - 1):
        seen.add(frames[index].filename)
        if frames[index + 1].filename in seen:
            return frames[: index + 1]
    return frames


class _Unreadable(ValueError):
    """A page libxml2 read only in part (`page_bytes`): the reason it gave."""


def page_bytes(markup: str, base: str | None = None, here: str | None = None) -> bytes:
    """A page's markup parsed, its white space normalised, and serialised (what the parser
    had to mend in it: `_mended`, right after); with `base`, its `<base href>`, and with
    `here` its links to an `#id` alone made the page's own (see `render_page`)."""
    try:
        data = markup.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a page's is refused before: `render_page`)
        data = None
    return _page_bytes(markup, data, base, here)


def _page_bytes(markup: str, data: bytes | None, base: str | None, here: str | None) -> bytes:
    """`page_bytes` of `markup` encoded as `data` (None: it holds a lone surrogate)."""
    root = etree.fromstring(markup if data is None else data, _PARSER)
    if root is None:
        raise etree.ParserError("Document is empty")
    fatal = [error for error in _PARSER.error_log if error.level == etree.ErrorLevels.FATAL]
    if fatal:  # libxml2 gave up (a limit): what it has is cut short
        raise _Unreadable(fatal[0].message.strip())
    if "skip-link" in markup and 'id="main"' not in markup:  # (a walk of the tree: 50 us)
        _aim_skip_link(root)
    if base is not None:
        _set_base(root, base, here)
    voids = _empty_voids(root)
    _normalise_space(root)
    kept = _set_raw_text_aside(root, markup) if voids else []
    page: bytes = etree.tostring(
        root, method="html", encoding="utf-8", doctype=DOCTYPE, pretty_print=True
    )
    if voids:
        for end in _NEW_VOID_ENDS:
            page = page.replace(end.encode(), b"")
        for mark, text in kept:
            page = page.replace(mark.encode(), text.encode("utf-8"), 1)
    return page


def _aim_skip_link(root: etree._Element) -> None:
    """Lead `base.html`'s "skip to content" link (`href="#main"`) to the page's `<main>` when
    no element has `id="main"`: a site's own page template written before the link (its
    `<main>` without the id) had every page's first link lead nowhere. Its `<main>` takes
    `id="main"` (and `tabindex="-1"`, so that the focus moves there), or, when it has an id
    of its own, the link takes that id."""
    links = [
        a
        for a in root.iter("a")
        if "skip-link" in (a.get("class") or "").split() and a.get("href") == "#main"
    ]
    if not links or root.xpath("//*[@id='main']"):
        return
    mains = root.xpath("//main")
    if len(mains) != 1:
        return
    (main,) = mains
    if main.get("tabindex") is None:
        main.set("tabindex", "-1")
    if main.get("id"):
        for link in links:
            link.set("href", f"#{main.get('id')}")
    else:
        main.set("id", "main")


def _set_base(root: etree._Element, href: str, here: str | None = None) -> None:
    """Give the page one `<base href>`, first in its head (after its `<meta charset>`, which
    must come within its first bytes): before any link the head has. With `here` (the page's
    path from the base), an `<a>` or `<area>` linking an `#id` alone links `here#id`: the base
    would take `#id` to its own folder, away from the page."""
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    for old in head.findall("base"):
        head.remove(old)
    charset = next(
        (i for i, child in enumerate(head) if child.tag == "meta" and child.get("charset")), -1
    )
    base = etree.Element("base", href=href)
    head.insert(charset + 1, base)
    if here is not None:
        for link in root.iter("a", "area"):
            target = link.get("href")
            if target is not None and target.startswith("#"):
                link.set("href", here + target)


def _mended(markup: str) -> list[str]:
    """What the parser had to mend in `markup`, the page `page_bytes` has just parsed: an end
    tag of no open element, or one closing an element another left open (`Unexpected end tag
    : i`), each with the part of its line of the markup it is in."""
    lines = markup.splitlines()
    found = []
    for error in _PARSER.error_log:
        if error.type_name == "ERR_TAG_NAME_MISMATCH":
            line = lines[error.line - 1] if 0 < error.line <= len(lines) else ""
            start = max(0, error.column - 60)
            found.append(f"{error.message.strip()}, in {line[start : error.column + 20]!r}")
    return found


def _empty_voids(root: etree._Element) -> bool:
    """Give what libxml2 put inside an HTML5 void element back to its parent, right after it,
    as the template wrote it; whether the page has any such element."""
    found = False
    for element in list(root.iter(*_NEW_VOID)):  # (their content moves)
        found = True
        if element.text:
            element.tail = element.text + (element.tail or "")
            element.text = None
        for child in reversed(element):
            element.addnext(child)  # (moves the child's tail with it)
    return found


def _set_raw_text_aside(root: etree._Element, markup: str) -> list[tuple[str, str]]:
    """The end tags libxml2 writes for the void elements it does not know are the only
    `</wbr>` of a page but for the raw text of a script or a style: such a text is replaced
    by a mark found nowhere in the page while the end tags go; (mark, text) pairs."""
    kept: list[tuple[str, str]] = []
    for element in root.iter("script", "style"):
        text = element.text
        if text and "</" in text and any(end in text.lower() for end in _NEW_VOID_ENDS):
            mark = f"syndicate-raw-text-{len(kept)}-"
            while mark in markup:
                mark += "-"
            element.text = mark
            kept.append((mark, text))
    return kept


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
