"""HTML pages come from Jinja2 templates that a site overrides from its own `templates/` folder:
the stylesheet and any page template, file by file; an edit to them redoes the pages; a broken
template is a diagnostic at its line, never a traceback."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import FIXED_NOW, REPO, SAMPLE_SLUG
from lxml import html as lxml_html

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics, for_page
from syndicate.formats.html import templating
from syndicate.readers import safefile

PACKAGED = REPO / "syndicate" / "formats" / "html" / "templates"


def export(site: Path, capsys: pytest.CaptureFixture[str] | None = None) -> int:
    args = ["export", "-q", "-f", "html", "--now", FIXED_NOW, "--jobs", "1"]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    return main([*args, "--out", str(site / "out")])


ARTICLE_KICKER = (
    '<p class="kicker"{{ article.section_attrs }}>{% if article.section_href %}<a href="'
    '{{ article.section_href }}">{{ article.section }}</a>{% else %}{{ article.section }}'
    "{% endif %}</p>"
)
"""The section's name on syndicate's `article.html`, linked to its section page."""
STORY_KICKER = (
    '<p class="kicker"{{ story.section_attrs }}>{% if story.section_href %}<a href="'
    '{{ story.section_href }}">{{ story.section }}</a>{% else %}{{ story.section }}'
    "{% endif %}</p>"
)
"""The same of each story of a list, in syndicate's `macros.html`."""


def page(site: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site / "out" / "html" / name).read_bytes())


def test_a_site_stylesheet_and_template_replace_syndicates(site: Path) -> None:
    templates = site / "templates"
    templates.mkdir()
    (templates / "style.css").write_text("body { color: teal; }\n", encoding="utf-8")
    article = (PACKAGED / "article.html").read_text(encoding="utf-8")
    custom = article.replace(
        ARTICLE_KICKER,
        ARTICLE_KICKER + '<p class="house-flag">{{ site.name }} wire</p>',
    )
    assert custom != article
    (templates / "article.html").write_text(custom, encoding="utf-8")
    assert export(site) == 0
    english = page(site, f"{SAMPLE_SLUG}.en.html")
    assert english.findtext(".//style") == "body { color: teal; }\n"
    assert english.findtext('.//p[@class="house-flag"]') == "YCPress wire"
    index = page(site, "index.en.html")  # the other templates are still syndicate's
    assert index.findtext(".//style") == "body { color: teal; }\n"
    assert index.find('.//p[@class="house-flag"]') is None


def test_editing_a_template_redoes_the_pages(site: Path) -> None:
    assert export(site) == 0
    before = (site / "out" / "html" / f"{SAMPLE_SLUG}.fr.html").read_bytes()
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text("p { margin: 0; }\n", encoding="utf-8")
    assert export(site) == 0
    after = (site / "out" / "html" / f"{SAMPLE_SLUG}.fr.html").read_bytes()
    assert before != after and b"p { margin: 0; }" in after


def test_a_template_added_to_a_site_that_has_templates_is_used_at_once(site: Path) -> None:
    """The preview exports again in the same process: a template of syndicate's that Jinja
    already keeps gives way to the site's of that name added since, and back when it goes."""
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text("p { margin: 0; }\n", encoding="utf-8")
    assert export(site) == 0
    name = f"{SAMPLE_SLUG}.fr.html"
    assert page(site, name).find('.//p[@class="house-flag"]') is None
    article = (PACKAGED / "article.html").read_text(encoding="utf-8")
    custom = article.replace(ARTICLE_KICKER, ARTICLE_KICKER + '<p class="house-flag">flag</p>')
    (site / "templates" / "article.html").write_text(custom, encoding="utf-8")
    assert export(site) == 0
    assert page(site, name).findtext('.//p[@class="house-flag"]') == "flag"
    (site / "templates" / "article.html").unlink()
    assert export(site) == 0
    assert page(site, name).find('.//p[@class="house-flag"]') is None


def test_template_line_breaks_do_not_change_the_page(site: Path) -> None:
    """Templates are parsed and serialised: reformatting one gives the same bytes."""
    assert export(site) == 0
    before = (site / "out" / "html" / f"{SAMPLE_SLUG}.ar.html").read_bytes()
    home = (PACKAGED / "home.html").read_text(encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        (PACKAGED / "article.html").read_text(encoding="utf-8").replace("\n<", "\n\n    <"),
        encoding="utf-8",
    )
    (site / "templates" / "home.html").write_text(home, encoding="utf-8")
    assert export(site) == 0
    assert (site / "out" / "html" / f"{SAMPLE_SLUG}.ar.html").read_bytes() == before


def test_a_broken_template_is_a_diagnostic_at_its_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "index.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% for x in %}\n{% endblock %}\n',
        encoding="utf-8",
    )
    assert export(site) == 1
    err = capsys.readouterr().err
    assert "templates/index.html:3: error:" in err and "[html.template]" in err
    assert "Traceback" not in err
    assert not (site / "out" / "html").exists()


def test_an_unknown_value_in_a_template_is_a_diagnostic(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "home.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<p>\n{{ no_such_value }}</p>{% endblock %}\n',
        encoding="utf-8",
    )
    assert export(site) == 1
    err = capsys.readouterr().err
    assert "no_such_value" in err and "[html.template]" in err and "Traceback" not in err
    assert "templates/home.html:4: error: 'no_such_value' is undefined" in err  # at its line


def _export_errors(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    command = ["export", "-q", "-f", "html", "--now", FIXED_NOW, "--jobs", "1", *args]
    command += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    main([*command, "--out", str(site / "out")])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "[writer.failed]" not in err
    return err


def test_the_skip_link_leads_to_the_main_of_a_sites_own_template(site: Path) -> None:
    """A site's page template written before the "skip to content" link has a `<main>`
    without `id="main"`: every page's first link led nowhere. Such a `<main>` takes the id
    (and `tabindex="-1"`, for the focus); one with an id of its own keeps it, and the link
    leads there; a page that has `id="main"` is left as it is."""
    (site / "templates").mkdir()
    article = site / "templates" / "article.html"
    for main_tag, target in (
        ('<main class="wrap">', "main"),
        ('<main class="wrap" id="content">', "content"),
        ('<main class="wrap"><div id="main">', "main"),
    ):
        closing = "</div></main>" if "div" in main_tag else "</main>"
        article.write_text(
            '{% extends "syndicate/article.html" %}\n{% block main %}'
            f"{main_tag}<h1>{{{{ article.headline }}}}</h1>{closing}{{% endblock %}}\n",
            encoding="utf-8",
        )
        assert export(site) == 0
        doc = page(site, f"{SAMPLE_SLUG}.en.html")
        (skip,) = doc.xpath("//a[@class='skip-link']")
        assert skip.get("href") == f"#{target}", main_tag
        (element,) = doc.xpath(f"//*[@id='{target}']")
        if "div" not in main_tag:
            assert (element.tag, element.get("tabindex")) == ("main", "-1"), main_tag
        # (syndicate's own section page, one folder down, as it was)
        (skip,) = page(site, "fr/politics.html").xpath("//a[@class='skip-link']")
        assert skip.get("href") == "fr/politics.html#main"
    assert page(site, f"{SAMPLE_SLUG}.en.html").xpath("//main[not(@id)]")  # (left as written)


def test_a_template_that_extends_itself_is_an_error_that_names_the_way_to_extend_syndicates(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`{% extends "article.html" %}` in a site's article.html recursed until Python's stack
    ran out (`writer.failed: RecursionError`); `syndicate/article.html` is syndicate's own."""
    (site / "templates").mkdir()
    article = site / "templates" / "article.html"
    article.write_text(
        '{% extends "article.html" %}\n{% block main %}<main>Mine</main>{% endblock %}\n',
        encoding="utf-8",
    )
    err = _export_errors(site, capsys)
    assert (
        "templates/article.html:1: error: article.html extends itself;"
        ' to extend syndicate\'s own article.html, write {% extends "syndicate/article.html" %}'
    ) in err
    assert "[html.template]" in err and not (site / "out" / "html").exists()

    article.write_text(
        '{% extends "syndicate/article.html" %}\n'
        '{% block nav %}<nav class="house">House</nav>{% endblock %}\n',
        encoding="utf-8",
    )
    assert export(site) == 0
    english = page(site, f"{SAMPLE_SLUG}.en.html")
    assert english.findtext('.//nav[@class="house"]') == "House"  # the site's block
    assert english.find(".//article") is not None  # syndicate's article page around it


def test_a_partial_may_include_itself_for_nested_children(site: Path) -> None:
    """A nested menu's partial includes itself for a node's children, and Jinja ends when
    they do: it was refused as a template that "includes itself"."""
    partials = site / "templates" / "partials"
    partials.mkdir(parents=True)
    (partials / "tree.html").write_text(
        "{% for n in nodes %}<li>{{ n.name }}{% if n.kids %}<ul>{% with nodes=n.kids %}"
        '{% include "partials/tree.html" %}{% endwith %}</ul>{% endif %}</li>{% endfor %}',
        encoding="utf-8",
    )
    article = (PACKAGED / "article.html").read_text(encoding="utf-8")
    menu = (
        '{% with nodes=[{"name": "World", "kids": [{"name": "Europe", "kids": []}]}] %}'
        '<ul class="menu">{% include "partials/tree.html" %}</ul>{% endwith %}'
    )
    custom = article.replace("{% block main %}", "{% block main %}" + menu, 1)
    assert custom != article
    (site / "templates" / "article.html").write_text(custom, encoding="utf-8")
    assert export(site) == 0
    menu_items = page(site, f"{SAMPLE_SLUG}.en.html").findall('.//ul[@class="menu"]//li')
    assert [li.text for li in menu_items] == ["World", "Europe"]


def test_templates_that_include_each_other_endlessly_are_an_error(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "article.html").write_text(
        '{% include "partials/a.html" %}\n', encoding="utf-8"
    )
    (site / "templates" / "partials" / "a.html").write_text(
        '<p>a</p>\n{% include "article.html" %}\n', encoding="utf-8"
    )
    err = _export_errors(site, capsys)
    assert "templates/partials/a.html:2: error: templates extend, include or import each" in err
    assert "syndicate/<name>" in err and "[html.template]" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "templates/article.html: error: article.html renders no markup"),
        (b"{# only a comment #}\n", "templates/article.html: error: article.html renders no"),
        (b"<!-- only a comment -->\n", "templates/article.html: error: article.html renders no"),
        (
            b"<p>one</p>\n<p>caf\xe9</p>\n",
            "templates/article.html:2: error: not UTF-8 text (byte 0xe9); save the template as"
            " UTF-8",
        ),
        # were published: U+FFFD and U+0001 in the page, which HTML parsers report
        (
            b"<p>one</p>\n<p>two</p>\n<p>\x00\x01</p>\n",
            "templates/article.html:3: error: file is binary (contains NUL bytes), not a template",
        ),
        (
            b"<p>one</p>\n<p>\x01</p>\n",
            "templates/article.html:2: error: character U+0001 is not allowed in a page; remove it",
        ),
    ],
    ids=["empty", "jinja comment", "html comment", "latin-1", "binary", "control"],
)
def test_an_empty_or_non_utf8_template_is_an_error_at_its_file(
    site: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_bytes(content)
    err = _export_errors(site, capsys)
    assert expected in err and "[html.template]" in err
    if not content.startswith(b"<p>"):
        assert '{% extends "syndicate/article.html" %}' in err  # the hint


def test_a_partial_that_is_not_utf8_is_named_by_its_path(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% include "partials/promo.html" %}\n'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    (site / "templates" / "partials" / "promo.html").write_bytes(b"\n\n<p>\xff</p>\n")
    err = _export_errors(site, capsys)
    assert "templates/partials/promo.html:3: error: not UTF-8 text (byte 0xff)" in err


def _article_with(site: Path, main: str) -> None:
    (site / "templates" / "partials").mkdir(parents=True, exist_ok=True)
    (site / "templates" / "article.html").write_text(
        '{% extends "base.html" %}\n{% import "macros.html" as parts %}\n{% block main %}\n'
        f"{main}\n{{% endblock %}}\n",
        encoding="utf-8",
    )


def test_template_errors_name_the_file_they_are_in(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A partial's error was named by its base name (`templates/promo.html`), an error in
    syndicate's macros.html as the site's (`templates/macros.html`, which the site does not
    have), and a missing include by its name alone."""
    _article_with(site, '<main>{% include "partials/promo.html" %}</main>')
    (site / "templates" / "partials" / "promo.html").write_text(
        "<p>promo</p>\n<p>{{ no_such_value }}</p>\n", encoding="utf-8"
    )
    err = _export_errors(site, capsys)
    assert "templates/partials/promo.html:2: error: 'no_such_value' is undefined" in err

    _article_with(site, "<main><p>{{ parts.time_phrase({}) }}</p></main>")
    err = _export_errors(site, capsys)
    assert (
        "templates/article.html:4: error: 'dict object' has no attribute 'before'"
        " (at syndicate's built-in macros.html:4, called from templates/article.html:4)"
    ) in err
    assert "templates/macros.html" not in err

    _article_with(site, '<main>{% include "partials/missing.html" %}</main>')
    err = _export_errors(site, capsys)
    assert "templates/article.html:4: error: template not found: partials/missing.html" in err

    _article_with(site, '<main>{% include "../syndicate.yaml" %}</main>')
    err = _export_errors(site, capsys)
    assert "templates/article.html:4: error: template not found: ../syndicate.yaml" in err


def test_a_template_error_names_the_page_it_was_making(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value one story lacks fails that story's pages: with --keep-going as without, the
    message says which page (it said only the template's line)."""
    second = site / "articles" / "2021-02-20-nato-second-story"
    shutil.copytree(site / "articles" / SAMPLE_SLUG, second)
    story = (second / "story.yaml").read_text(encoding="utf-8")
    assert "nato-iraq-deployment" in story
    story = story.replace("nato-iraq-deployment", "nato-second-story")
    (second / "story.yaml").write_text(story, encoding="utf-8")
    _article_with(
        site, '<main>{% if "nato-iraq" in article.url %}{{ no_such_value }}{% endif %}</main>'
    )
    err = _export_errors(site, capsys, "--keep-going")
    # One line for the six pages that met it, not six: a typo met by every page of a large
    # archive would otherwise be said thousands of times.
    assert (
        "templates/article.html:4: error: 'no_such_value' is undefined"
        f" (making html/{SAMPLE_SLUG}.ar.html and 5 other pages) [html.template]"
    ) in err
    assert err.count("no_such_value") == 1
    assert "(making html/2021-02-20-nato-second-story" not in err


def test_one_mistake_met_by_many_pages_is_said_once() -> None:
    diags = Diagnostics()
    for page in ("html/b.en.html", "html/a.en.html", "html/c.en.html"):
        diags.error("html.template", for_page("'x' is undefined", page), "templates/a.html:3")
    diags.error(
        "html.template", for_page("'y' is undefined", "html/a.en.html"), "templates/a.html:3"
    )
    diags.error("html.template", "plain", "templates/a.html:3")
    assert [d.message for d in diags.sorted()] == [
        "'x' is undefined (making html/a.en.html and 2 other pages)",
        "'y' is undefined (making html/a.en.html)",
        "plain",
    ]


VOIDS = """{% extends "syndicate/article.html" %}
{% block main %}
<main>
<p>Hyper<wbr>text and <i>more</i> words</p>
<video controls><source src="a.webm" type="video/webm"><track kind="captions" src="a.vtt" srclang="en"><p>No video</p></video>
<picture><source srcset="a.avif" type="image/avif"><img src="a.png" alt=""></picture>
<embed src="a.svg" type="image/svg+xml">
<p>After the embed</p>
<table><colgroup><col span="2"></colgroup><tbody><tr><td>1</td><td>2</td></tr></tbody></table>
<map name="m"><area href="#x" alt="x" shape="rect" coords="0,0,1,1"></map>
<object data="a.swf"><param name="p" value="v"></object>
<p>Line<br>break</p><hr>
<input type="text" aria-label="x">
</main>
{% endblock %}
"""  # noqa: E501  (a template line as a designer writes it)


def test_html5_void_elements_come_out_as_written(site: Path) -> None:
    """libxml2's HTML 4 parser took what follows `<wbr>`, `<source>`, `<track>` and `<embed>`
    as their content (`<wbr>text</wbr>`, `<embed><p>After</p></embed>`)."""
    import html5lib

    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(VOIDS, encoding="utf-8")
    assert export(site) == 0
    data = (site / "out" / "html" / f"{SAMPLE_SLUG}.en.html").read_text(encoding="utf-8")
    for end in ("</wbr>", "</source>", "</track>", "</embed>", "</area>", "</col>", "</param>"):
        assert end not in data
    assert "<p>Hyper<wbr>text and <i>more</i> words</p>" in data
    assert '<embed src="a.svg" type="image/svg+xml"><p>After the embed</p>' in data
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False)
    tree = parser.parse(data)
    assert parser.errors == []
    main = tree.find(".//main")
    assert [child.tag for child in main.find("video")] == ["source", "track", "p"]
    assert [child.tag for child in main.find("picture")] == ["source", "img"]
    assert main.find("embed").getnext().text == "After the embed"


def test_a_void_end_tag_in_a_script_is_left_alone() -> None:
    from syndicate.formats.html.templating import page_bytes

    page = page_bytes(
        '<html><head><script>var s = "</wbr></source>";</script></head>'
        "<body><p>a<wbr>b</p></body></html>"
    ).decode()
    assert '<script>var s = "</wbr></source>";</script>' in page
    assert "<p>a<wbr>b</p>" in page


def test_templates_get_the_section_code_and_the_story_s_slug_id_and_language(site: Path) -> None:
    """Besides the section's name in the page's language, a template gets its code (a class
    name for the section's colour), and the story's slug, id and language."""
    templates = site / "templates"
    templates.mkdir()
    article = (PACKAGED / "article.html").read_text(encoding="utf-8")
    flag = (
        '<p class="kicker"{{ article.section_attrs }}>{{ article.section }}</p>'
        '<p class="codes" data-section='
        '"{{ article.section_code }}" data-slug="{{ article.slug }}" data-id="{{ article.id }}"'
        ' data-lang="{{ article.lang }}"></p>'
    )
    custom = article.replace(ARTICLE_KICKER, flag)
    assert custom != article
    (templates / "article.html").write_text(custom, encoding="utf-8")
    macros = (PACKAGED / "macros.html").read_text(encoding="utf-8")
    listed = macros.replace(
        STORY_KICKER,
        '<p class="kicker {{ story.section_code }}" data-slug="{{ story.slug }}"'
        ' data-id="{{ story.id }}">{{ story.section }}</p>',
    )
    assert listed != macros
    (templates / "macros.html").write_text(listed, encoding="utf-8")
    assert export(site) == 0
    codes = page(site, f"{SAMPLE_SLUG}.fr.html").find('.//p[@class="codes"]')
    assert codes is not None
    assert dict(codes.attrib) == {
        "class": "codes",
        "data-section": "politics",
        "data-slug": SAMPLE_SLUG,
        "data-id": "tag:ycpress.example,2021-02-18:nato-iraq-deployment",
        "data-lang": "fr",
    }
    kicker = page(site, "index.fr.html").find(f'.//p[@data-slug="{SAMPLE_SLUG}"]')
    assert kicker is not None and kicker.get("class") == "kicker politics"
    assert kicker.get("data-id") == "tag:ycpress.example,2021-02-18:nato-iraq-deployment"


def _png(kind: str = "PNG") -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, kind)
    return buffer.getvalue()


def test_the_static_files_of_templates_are_published_beside_the_pages(
    site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every file of `templates/` that is not a template is published as it is under
    `out/html/`, at its path there; a kind that can carry script, a file that is not what
    its name says, or a link out of the site is a `config.static` warning, not published.
    A static file removed from templates/ goes from out/ too."""
    templates = site / "templates"
    static = {
        "js/app.js": b"document.documentElement.dataset.js = '1';\n",
        "fonts/brand.woff2": b"wOF2" + bytes(60),
        "img/badge.png": _png(),
        "site.webmanifest": b'{"name": "YCPress", "icons": [{"src": "img/hero.avif"}]}\n',
        "img/hero.avif": _png("AVIF"),
    }
    for rel, data in static.items():
        (templates / rel).parent.mkdir(parents=True, exist_ok=True)
        (templates / rel).write_bytes(data)
    (templates / "style.css").write_text("body { font-family: brand; }\n", encoding="utf-8")
    (templates / "img" / "logo.svg").write_text("<svg><script>alert(1)</script></svg>", "utf-8")
    (templates / "fonts" / "fake.woff").write_bytes(b"<html>")
    (templates / "img" / "fake.avif").write_bytes(_png())
    (templates / "favicon.ico").write_bytes(_png())  # a PNG saved under the icon's name
    (tmp_path / "secret.txt").write_text("secret\n", encoding="utf-8")
    (templates / "secret.txt").symlink_to(tmp_path / "secret.txt")
    assert export(site) == 0
    html = site / "out" / "html"
    for rel, data in static.items():
        assert (html / rel).read_bytes() == data
    refused_files = ("img/logo.svg", "fonts/fake.woff", "img/fake.avif", "secret.txt", "style.css")
    for refused in (*refused_files, "favicon.ico"):
        assert not (html / refused).exists(), refused
    err = capsys.readouterr().err
    assert "templates/img/logo.svg: warning: not published: a .svg file can carry script" in err
    assert "templates/fonts/fake.woff: warning: not published: not a WOFF font" in err
    assert "templates/img/fake.avif: warning: not published: not an AVIF image" in err
    assert (
        "templates/favicon.ico: warning: not published: a PNG image, not an icon (ICO) file:"
        ' rename it with .png and link it as <link rel="icon" href="favicon.png"> in'
        " base.html, or convert it to ICO" in err
    )
    assert (
        "templates/secret.txt: warning: not published: file is a link to a place outside the"
        " site folder; replace the link with a copy of the file" in err
    )
    (templates / "js" / "app.js").unlink()
    assert export(site) == 0
    assert not (html / "js" / "app.js").exists()
    assert (html / "img" / "badge.png").read_bytes() == static["img/badge.png"]


def test_an_animated_avif_is_counted_and_checked_frame_by_frame(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An AVIF image sequence was checked by its first frame alone: an animation over the
    pixel budget (3 frames of 4000x4000) was published where its WebP twin is refused."""
    from io import BytesIO

    from PIL import Image

    from syndicate.readers import budgets

    monkeypatch.setattr(budgets, "MAX_IMAGE_PIXELS", 2_000_000)  # (the story's photo: 1600x900)
    img = site / "templates" / "img"
    img.mkdir(parents=True)
    frames = [Image.new("RGB", (1000, 1000), color) for color in ("teal", "navy", "olive")]
    for name, count in (("still", 1), ("loop", 3)):
        for kind in ("AVIF", "WEBP"):
            buffer = BytesIO()
            frames[0].save(buffer, kind, save_all=True, append_images=frames[1:count])
            (img / f"{name}.{kind.lower()}").write_bytes(buffer.getvalue())
    assert export(site) == 0
    err = capsys.readouterr().err
    html = site / "out" / "html" / "img"
    assert sorted(p.name for p in html.iterdir()) == ["still.avif", "still.webp"]
    webp = "templates/img/loop.webp: warning: not published: image is 1000x1000 pixels in 3"
    assert webp in err
    assert (
        "templates/img/loop.avif: warning: not published: the image is 1000x1000 pixels in 3"
        " frames, more than the 2,000,000 allowed" in err
    ), err


@pytest.mark.parametrize("pillow", ["without libavif", "before 11.2"])
def test_an_avif_this_pillow_cannot_decode_is_said_so(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pillow: str
) -> None:
    """The project allows Pillow 10.3 on, which has no AVIF plugin: an AVIF in templates/
    stopped the export with a KeyError traceback; a Pillow built without libavif called every
    AVIF "not an AVIF image". (This Pillow decodes AVIF: its plugin is told it cannot, as
    such a Pillow's says, or taken out of its registry, as an older one has none.)"""
    import PIL
    from PIL import AvifImagePlugin, Image

    hero = site / "templates" / "img" / "hero.avif"
    hero.parent.mkdir(parents=True)
    hero.write_bytes(_png("AVIF"))
    if pillow == "without libavif":
        monkeypatch.setattr(AvifImagePlugin, "SUPPORTED", False)
    else:
        Image.init()
        monkeypatch.delitem(Image.OPEN, "AVIF")
        monkeypatch.setitem(sys.modules, "PIL.AvifImagePlugin", None)
        monkeypatch.delattr(PIL, "AvifImagePlugin")
    assert export(site) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        "templates/img/hero.avif: warning: not published: this Pillow cannot decode AVIF images"
        in err
    ), err
    assert "upgrade Pillow" in err
    assert not (site / "out" / "html" / "img" / "hero.avif").exists()


def test_static_file_names_unfit_for_an_address_and_editors_files_are_left_aside(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name with a byte that is no UTF-8 was a traceback while publishing, one with a line
    break was published and delivered; an editor's swap or backup file was a change of every
    page (and shipped to every worker)."""
    import os

    from syndicate.build.inputs import every_site_input
    from syndicate.diagnostics import Diagnostics
    from syndicate.readers.config import load_config

    templates = site / "templates"
    templates.mkdir()
    (templates / "ok.js").write_text("let a = 1;\n", encoding="utf-8")
    (templates / "a\nb.js").write_text("let b = 1;\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(templates), b"c\xff.js"), "wb") as undecodable:
        undecodable.write(b"let c = 1;\n")
    assert export(site) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("unfit for an address; rename it") == 1, err
    assert "its name is not UTF-8 text; rename it" in err
    html = site / "out" / "html"
    assert (html / "ok.js").is_file()
    assert sorted(p.name for p in html.glob("*.js")) == ["ok.js"]

    def inputs() -> str:
        config = load_config(site / "syndicate.yaml", "syndicate.yaml", Diagnostics())
        assert config is not None
        return every_site_input(config)

    before = inputs()
    (templates / ".article.html.swp").write_bytes(b"swap")
    (templates / "ok.js~").write_text("old\n", encoding="utf-8")
    assert inputs() == before


def test_a_dead_link_no_language_would_make_is_not_told_to_add_a_language(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "templates").mkdir()
    base = (PACKAGED / "base.html").read_text(encoding="utf-8")
    custom = base.replace("</head>", '<script src="js/app.js"></script></head>', 1)
    assert custom != base
    (site / "templates" / "base.html").write_text(custom, encoding="utf-8")
    assert export(site) == 0
    err = capsys.readouterr().err
    dead = [line for line in err.splitlines() if "html/js/app.js: warning" in line]
    assert dead and "export.dead-link" in dead[0], err
    assert "--lang" not in dead[0]
    assert "no format makes it: correct the link, or add the file" in dead[0]


def test_an_endless_loop_of_templates_is_told_at_the_line_that_closes_it(tmp_path: Path) -> None:
    """Where Python's stack ran out inside the loop, `a.html`'s line or `article.html`'s,
    hung on how deep the export's own calls were: one more frame in the engine moved it."""
    from syndicate.formats.html.templating import TemplateError, render_page

    (tmp_path / "partials").mkdir()
    (tmp_path / "article.html").write_text('{% include "partials/a.html" %}\n', "utf-8")
    (tmp_path / "partials" / "a.html").write_text(
        '<p>a</p>\n{% include "article.html" %}\n', "utf-8"
    )

    def rendered_at(depth: int) -> str:
        if depth:
            return rendered_at(depth - 1)
        with pytest.raises(TemplateError) as caught:
            render_page(tmp_path, "article.html")
        return caught.value.where

    assert {rendered_at(depth) for depth in range(6)} == {"templates/partials/a.html:2"}


def test_a_loop_inside_a_block_of_a_page_that_extends_syndicates_is_told_where_it_loops(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a block of a page extending syndicate's, an include loop or a recursive `for` was
    told at the page's first line (the `extends`): the page is met twice before any loop,
    when syndicate's base.html renders its block."""
    (site / "templates" / "partials").mkdir(parents=True)
    page = (
        '{{% extends "syndicate/article.html" %}}\n{{% block nav %}}\n<nav>x</nav>\n{}\n'
        "{{% endblock %}}\n"
    )
    (site / "templates" / "article.html").write_text(
        page.format('{% include "partials/a.html" %}'), "utf-8"
    )
    (site / "templates" / "partials" / "a.html").write_text(
        '<p>a</p>\n{% include "partials/b.html" %}\n', "utf-8"
    )
    (site / "templates" / "partials" / "b.html").write_text(
        '<p>b</p>\n\n{% include "partials/a.html" %}\n', "utf-8"
    )
    err = _export_errors(site, capsys)
    assert "templates/partials/b.html:3: error: templates extend, include or import each" in err
    (site / "templates" / "article.html").write_text(
        page.format("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}"), "utf-8"
    )
    err = _export_errors(site, capsys)
    assert "templates/article.html:4: error: templates extend, include or import each" in err


def test_an_expression_that_fails_is_an_error_at_its_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`{{ 1 / 0 }}` or a `range` over the sandbox's limit was `writer.failed` with Python's
    exception and no file or line; it is the template's mistake, said at its line."""
    _article_with(site, "<main><p>{{ 1 / 0 }}</p></main>")
    err = _export_errors(site, capsys)
    assert (
        "templates/article.html:4: error: this fails: division by zero (ZeroDivisionError);"
        " correct the template"
    ) in err
    _article_with(site, "<main>{% for n in range(10 ** 9) %}{% endfor %}</main>")
    err = _export_errors(site, capsys)
    assert "templates/article.html:4: error: this fails: Range too big." in err
    assert "(OverflowError)" in err and "[html.template]" in err


def test_a_lone_surrogate_a_template_shows_is_an_error_at_its_line(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page beginning with an XML declaration naming an encoding, that shows a lone
    surrogate (`"\\udc80"` in a Jinja string, a filter's slip), was a `writer.failed` with
    lxml's words ("Unicode strings with encoding declaration are not supported"), naming no
    template; without the declaration, "a text of over 10 MB in one piece is cut". It is the
    template's mistake, at its line, exit status 1 as every template error's; made some other
    way than by a `{{ }}` (a filter block), the template and the page's line are named."""
    (site / "templates").mkdir()
    home = site / "templates" / "home.html"
    for declaration in ('<?xml version="1.0" encoding="utf-8"?>\n', ""):
        home.write_text(
            declaration + '<html><head><title>x</title></head>\n<body>\n<p>{{ "\\udc80" }}</p>'
            "</body></html>\n",
            encoding="utf-8",
        )
        assert export(site) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err and "[writer.failed]" not in err, err
        line = 4 if declaration else 3
        assert (
            f"templates/home.html:{line}: error: this shows '\\udc80', half of a UTF-16"
            " surrogate pair alone"
        ) in err, err
    home.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<html><body>\n'
        '{% filter replace("a", "\\udc80") %}<p>a</p>{% endfilter %}</body></html>\n',
        encoding="utf-8",
    )
    err = _export_errors(site, capsys)
    assert (
        "templates/home.html: error: home.html renders a page whose line 3 holds '\\udc80', half"
        in err
    ), err
    assert not (site / "out" / "html").exists()


def test_the_pages_pay_nothing_for_the_lone_surrogate_check() -> None:
    """Every `{{ }}` of every page went through a Jinja `finalize` that scanned its text for
    a lone surrogate, and every page's text was scanned again after: 4.4 % more instructions
    for the HTML and RSS export the bench times against Hugo. A page's text is encoded once
    anyway, which fails on a lone surrogate: only such a page is rendered again, with the
    `{{ }}` that find the template's line (the test above)."""
    assert templating.environment(None).finalize is None
    assert templating._checking(None).finalize is not None


def test_a_page_too_large_to_read_back_is_an_error_not_a_page_cut_short(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A text of more than 10 MB in one piece is over libxml2's limit: the page was published
    with all that followed it (the story's headline and body) gone, exit status 0."""
    _article_with(site, '<main><p>{{ "x" * 12000000 }}</p><h1>{{ article.headline }}</h1></main>')
    err = _export_errors(site, capsys)
    assert "templates/article.html: error: article.html renders a page the HTML parser" in err
    assert "a text of over 10 MB in one piece is cut" in err and "[html.template]" in err
    assert not (site / "out").exists()


@pytest.mark.parametrize(
    "items",
    ["range(99999)", '"x" * 99999'],
    ids=["range", "a string"],  # a loop over a string asks the sandbox for nothing
)
def test_a_template_that_runs_too_long_is_stopped_at_its_line(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, items: str
) -> None:
    """Loops no page needs (a hundred thousand squared) ran for hours; the page's time is
    bounded (`RENDER_SECONDS`, 30 s, here less), and the other pages of that template are
    told at once rather than each given the same time. Mended, the template renders at once
    (`syndicate serve` renders again in the same process). The clock was looked at only
    when a template called something or read an attribute: two loops nested over a string
    asked for neither, and ran for hours too."""
    monkeypatch.setattr(templating, "RENDER_SECONDS", 0.5)
    _article_with(
        site,
        f"<main>\n{{% for i in {items} %}}{{% for j in {items} %}}{{% endfor %}}{{% endfor %}}"
        "\n</main>",
    )
    err = _export_errors(site, capsys)
    assert (
        "templates/article.html:5: error: the page was still rendering after 0.5 seconds"
        " (a page takes milliseconds): a loop here runs far too often; make the template do"
        f" less (making html/{SAMPLE_SLUG}.ar.html and 5 other pages) [html.template]"
    ) in err
    _article_with(site, "<main>\n{% for i in range(3) %}<p>{{ i }}</p>{% endfor %}\n</main>")
    assert export(site) == 0
    assert page(site, f"{SAMPLE_SLUG}.en.html").xpath("//main/p/text()") == ["0", "1", "2"]


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ('"x" * 1500000000', "repeating 1 items 1,500,000,000 times makes more than the"),
        ("[0] * 10**9", "repeating 1 items 1,000,000,000 times makes more than the 16,000,000"),
        ("10 ** 1000000000", "10 ** 1000000000 is a number of over 100,000 bits"),
    ],
)
def test_what_a_template_makes_is_bounded_before_it_is_made(
    site: Path, capsys: pytest.CaptureFixture[str], expression: str, said: str
) -> None:
    """`("x" * 1500000000)|length` took 1.5 GB and the export went on; a larger number, the
    machine's memory; an exact power of ten of a billion digits, minutes of CPU."""
    _article_with(site, f"<main>\n<p>{{{{ ({expression})|length }}}}</p>\n</main>")
    err = _export_errors(site, capsys)
    assert f"templates/article.html:5: error: this fails: {said}" in err, err
    assert "correct the template" in err


def test_a_site_macro_taking_fewer_arguments_than_syndicate_gives_is_told_at_itself(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`story_list(stories)` in the site's macros.html, which syndicate's pages call with two:
    the error was at `templates/home.html` and `templates/index.html`, files the site does
    not have, with no line."""
    (site / "templates").mkdir(exist_ok=True)
    taken = ["alternates", "feed_links", "language_nav", "pager", "subscribe"]
    lines = "".join(f"{{% set {name} = syndicate.{name} %}}\n" for name in taken)
    (site / "templates" / "macros.html").write_text(
        '{% import "syndicate/macros.html" as syndicate %}\n'
        + lines
        + "{% macro story_list(stories) %}{{ stories|length }}{% endmacro %}\n",
        encoding="utf-8",
    )
    err = _export_errors(site, capsys)
    assert (
        f"templates/macros.html:{len(taken) + 2}: error: syndicate's pages call the macro"
        " 'story_list' with more than this one takes (takes not more than 1 argument(s)):"
        " give it syndicate's parameters, story_list(stories, level)"
    ) in err, err
    assert "templates/home.html" not in err and "templates/index.html" not in err
    # A call of the site's own with too many is the site's to mend where it is (a review
    # found it blamed on macros.html, whose macro had syndicate's parameters)
    (site / "templates" / "macros.html").write_text(
        '{% import "syndicate/macros.html" as syndicate %}\n'
        + lines
        + "{% macro story_list(stories, level) %}{{ stories|length }}{% endmacro %}\n",
        encoding="utf-8",
    )
    _article_with(site, '<main>{{ parts.story_list([1], "h3", "extra") }}</main>')
    err = _export_errors(site, capsys)
    assert "templates/article.html:4: error: this fails: macro 'story_list' takes not more" in err
    assert "templates/macros.html" not in err


def test_a_site_macros_file_missing_a_macro_is_told_at_itself_with_the_fix(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site's `macros.html` with one macro of its own: syndicate's pages, importing it,
    failed with Jinja's "'TemplateModule object' has no attribute 'alternates'" at
    `templates/home.html`, a file the site does not have. The error is at the file to mend,
    with the lines that take syndicate's macro; written there, they work."""
    (site / "templates").mkdir(exist_ok=True)
    macros = site / "templates" / "macros.html"
    own = "{% macro time_phrase(p) %}{{ p.text }}{% endmacro %}\n"
    macros.write_text(own, encoding="utf-8")
    err = _export_errors(site, capsys)
    assert (
        "templates/macros.html:1: error: macros.html defines no macro 'alternates', which"
        " syndicate's pages call: define it, or take syndicate's: {% import"
        ' "syndicate/macros.html" as syndicate %} and {% set alternates = syndicate.alternates'
        " %} at the top of macros.html"
    ) in err
    assert "TemplateModule" not in err and "templates/home.html" not in err
    taken = ["alternates", "feed_links", "language_nav", "story_list", "pager", "subscribe"]
    lines = "".join(f"{{% set {name} = syndicate.{name} %}}\n" for name in taken)
    macros.write_text(
        '{% import "syndicate/macros.html" as syndicate %}\n' + lines + own, encoding="utf-8"
    )
    assert export(site) == 0


def test_validate_finds_what_is_wrong_in_a_template_before_an_export(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate` checked no template: a syntax error, a file that is not UTF-8 text or one
    holding a NUL passed it (exit 0), and the export then failed."""
    (site / "templates" / "partials").mkdir(parents=True, exist_ok=True)
    (site / "templates" / "article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<p>{{ oops( }}</p>\n{% endblock %}\n',
        encoding="utf-8",
    )
    (site / "templates" / "partials" / "promo.html").write_bytes(b"\n<p>caf\xe9</p>\n")
    (site / "templates" / "partials" / "unused.html").write_bytes(b"<p>\x00</p>\n")
    command = ["validate", "--config", str(site / "syndicate.yaml")]
    capsys.readouterr()
    assert main([*command, "--articles", str(site / "articles")]) == 2
    err = capsys.readouterr().err
    assert "templates/article.html:3: error: unexpected '}', expected ')' [html.template]" in err
    assert (
        "templates/partials/promo.html:2: error: not UTF-8 text (byte 0xe9); save the template"
        " as UTF-8 [html.template]"
    ) in err
    assert "templates/partials/unused.html:1: error: file is binary (contains NUL bytes)" in err
    assert err.rstrip().endswith("templates: not valid: 3 errors (above)")
    for name in ("article.html", "partials/promo.html", "partials/unused.html"):
        (site / "templates" / name).write_text("<p>fine</p>\n", encoding="utf-8")
    assert main([*command, "--articles", str(site / "articles")]) == 0


@pytest.mark.parametrize(
    "expression",
    [
        "x|default(1700000000)",
        "'%d' % 20260101",
        "'%d'|format(20260101)",
        "'{}'.format(1700000000)",
        "'Order 12345678: %s' % 'x'",
        "'Call 12345678 {}'.format('x')",
        "1700000000 % 86400",
        "'aaa'|replace('a', 'b', 20000000)",
        "[1, 2]|sum(start=1700000000)",
    ],
)
def test_numbers_that_are_no_sizes_are_left_alone(
    site: Path, capsys: pytest.CaptureFixture[str], expression: str
) -> None:
    """A timestamp, a date written as a number, an order number in a format: no size, and a
    page that uses them renders (the first bounds refused every number over 16,000,000)."""
    _article_with(site, f"<main><p>{{{{ {expression} }}}}</p></main>")
    err = _export_errors(site, capsys)
    assert "[html.template]" not in err, err


@pytest.mark.parametrize(
    "expression",
    [
        "'x'.ljust(1000000000)",
        "'%1000000000d' % 1",
        "'{:>1000000000}'.format(1)",
        "'x'|center(1000000000)",
        "'x'|indent(1000000000)",
        "'%1000000000s'|format('x')",
        "lipsum(300000)",
        "('a ' * 8000000)|urlize",
        "('%9999999d' * 3) % (1, 1, 1)",
        "('{:>9999999}' * 3).format(1, 1, 1)",
        "'%*d' % (1000000000, 1)",
    ],
)
def test_what_a_call_or_a_filter_would_make_is_bounded_before_it_is_made(
    site: Path, capsys: pytest.CaptureFixture[str], expression: str
) -> None:
    """Only `*` was bounded: `ljust`, `%`, `format`, `center` and `indent` made strings of a
    billion characters (a gigabyte a page, the export exit 0), and one call of `urlize` or
    `lipsum` ran for tens of seconds a page, past the deadline no lookup came to check."""
    _article_with(site, f"<main><p>{{{{ {expression} }}}}</p></main>")
    err = _export_errors(site, capsys)
    assert "templates/article.html:4: error: this fails: " in err, err
    assert "[html.template]" in err


@pytest.mark.parametrize(
    ("step", "said"),
    [
        ("ns.s ~ ns.s", "~ makes"),
        ("ns.s + ns.s", "+ makes"),
        ("[ns.s, ns.s]|join", "the filter join makes"),
        ("ns.s.replace('x', 'xx')", "replace() makes"),
    ],
)
def test_a_text_doubled_in_a_loop_is_stopped_at_the_bound(
    site: Path, capsys: pytest.CaptureFixture[str], step: str, said: str
) -> None:
    """Only what `*` and the sized calls make was bounded: `~`, `+`, `join` and `replace`
    doubling a text in a loop built 480,000,000 characters (800 MB) and the export passed; a
    few more turns would take the machine's memory before the deadline."""
    loop = (
        "{% set ns = namespace(s='x' * 9000000) %}{% for i in range(6) %}"
        f"{{% set ns.s = {step} %}}{{% endfor %}}{{{{ ns.s|length }}}}"
    )
    _article_with(site, f"<main><p>{loop}</p></main>")
    err = _export_errors(site, capsys)
    assert f"templates/article.html:4: error: this fails: {said} 18,000,000 characters" in err, err
    assert "more than the 16,000,000 a template may make" in err


def _validate(site: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    command = ["validate", "--config", str(site / "syndicate.yaml"), *args]
    capsys.readouterr()
    code = main([*command, "--articles", str(site / "articles")])
    return code, capsys.readouterr().err


def test_validate_tells_a_block_that_no_page_shows(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jinja drops a child's block that no template it extends has, and its text outside
    blocks, without a word: a typo (`navv`) published pages without it, and a site's base.html
    without syndicate's `main` block published every page without its story; validate said OK."""
    templates = site / "templates"
    templates.mkdir()
    (templates / "article.html").write_text(
        '{% extends "syndicate/article.html" %}\n{% block navv %}<nav>x</nav>{% endblock %}\n'
        "<p>lost</p>\n{% block main %}{% block inner %}{% endblock %}{% endblock %}\n",
        encoding="utf-8",
    )
    code, err = _validate(site, capsys)
    assert code == 0 and "Traceback" not in err
    assert (
        "templates/article.html:2: warning: block 'navv' is in no template article.html extends"
        " (syndicate/article.html, base.html have footer, head, main, nav): what it holds is on"
        " no page; did you mean 'nav'? [html.template]"
    ) in err
    assert (
        "templates/article.html:3: warning: article.html extends syndicate/article.html, so"
        " what it writes outside its blocks is on no page: put it inside a block"
    ) in err
    assert "'inner'" not in err  # a block inside one of its blocks is shown with it
    assert _validate(site, capsys, "--strict")[0] == 2
    # A block shown again as `{{ self.og() }}` is on every page (review).
    (templates / "article.html").write_text(
        '{% extends "syndicate/article.html" %}\n{% block og %}(breaking){% endblock %}\n'
        '{% block main %}<p class="kicker">{{ self.og() }}</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8",
    )
    code, err = _validate(site, capsys)
    assert code == 0 and "'og'" not in err, err
    (templates / "article.html").unlink()
    base = (PACKAGED / "base.html").read_text(encoding="utf-8")
    (templates / "base.html").write_text(
        base.replace("{% block main %}{% endblock %}", ""), encoding="utf-8"
    )
    code, err = _validate(site, capsys)
    assert code == 0
    assert (
        "templates/base.html:1: warning: base.html has no block 'main', which syndicate's"
        " article.html fills: its pages show nothing of it; put {% block main %}{% endblock %}"
        " where it goes in base.html"
    ) in err
    assert err.count("has no block 'main'") == 1  # once, though every page template fills it
    (templates / "base.html").write_text(base, encoding="utf-8")
    for name in ("article.html", "index.html", "macros.html"):
        shutil.copy(PACKAGED / name, templates / name)
    code, err = _validate(site, capsys, "--strict")
    assert code == 0 and "warning" not in err


def test_validate_tells_a_template_that_no_page_uses(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hugo's layout names, a name in the wrong case and a copy under templates/syndicate/
    (a name that is always syndicate's own) were never read, without a word."""
    templates = site / "templates"
    for name in ("single.html", "Article.html", "syndicate/article.html", "partials/a.html"):
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        (templates / name).write_text("<p>x</p>\n", encoding="utf-8")
    (templates / "partials" / "used.html").write_text("<p>y</p>\n", encoding="utf-8")
    (templates / "article.html").write_text(
        '{% extends "syndicate/article.html" %}\n'
        '{% block nav %}{% include "partials/used.html" %}{% endblock %}\n',
        encoding="utf-8",
    )
    code, err = _validate(site, capsys)
    assert code == 0 and "Traceback" not in err
    said = [line.split("/site/")[-1] for line in err.splitlines() if "[html.template]" in line]
    assert said == [
        "templates/Article.html:1: warning: no page uses Article.html: this file is never read;"
        " did you mean 'templates/article.html'? [html.template]",
        "templates/partials/a.html:1: warning: no page uses partials/a.html: this file is never"
        " read: pages are made from article.html, index.html, home.html, notice.html (which"
        " extend base.html and import macros.html), and a partial is used once one of those"
        " includes it; include it, or delete it [html.template]",
        "templates/single.html:1: warning: no page uses single.html: this file is never read;"
        " Hugo's single.html is templates/article.html here [html.template]",
        "templates/syndicate/article.html:1: warning: no page uses syndicate/article.html: this"
        " file is never read (syndicate/<name> always names syndicate's own template); to change"
        " syndicate's article.html, name the file templates/article.html [html.template]",
    ]
    (templates / "article.html").write_text(  # a partial named at the page: any may be used
        '{% extends "syndicate/article.html" %}\n'
        '{% block nav %}{% include article.section ~ ".html" ignore missing %}{% endblock %}\n',
        encoding="utf-8",
    )
    code, err = _validate(site, capsys)
    assert "partials/a.html" not in err and "templates/syndicate/article.html:1: warning" in err


def test_a_misspelt_value_and_a_hugo_template_are_told_how_to_write_them(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`'dict object' has no attribute 'Headline'` said nothing of the names there are, and
    a line written as Hugo's Go templates (`{{ .Title }}`) only "unexpected '.'"."""
    templates = site / "templates"
    templates.mkdir()
    article = templates / "article.html"
    article.write_text(
        '{% extends "syndicate/article.html" %}\n{% block nav %}\n'
        "<p>{{ article.Headline }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    err = _export_errors(site, capsys)
    assert (
        "templates/article.html:3: error: 'dict object' has no attribute 'Headline'; did you"
        " mean 'headline'? (making html/"
    ) in err
    article.write_text(article.read_text("utf-8").replace("Headline", "wordcount"), "utf-8")
    err = _export_errors(site, capsys)
    assert "has no attribute 'wordcount' (it has body, byline, correction, dateline," in err
    article.write_text(
        '{% extends "syndicate/article.html" %}\n{% block nav %}\n'
        "<p>{{ .Title }}</p>{% endblock %}\n",
        encoding="utf-8",
    )
    code, err = _validate(site, capsys)
    assert code == 2 and "Traceback" not in err
    assert (
        "templates/article.html:3: error: unexpected '.' (this line is written as a Hugo"
        " template; syndicate's are Jinja2: {{ article.headline }} for {{ .Title }},"
    ) in err
    err = _export_errors(site, capsys)
    assert "templates/article.html:3: error: unexpected '.' (this line is written as a Hugo" in err


def test_a_template_whose_markup_the_parser_mends_is_a_warning_at_it(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `<div>` left open and an end tag of no element were mended by the parser in silence:
    the page's `<main>` and `<footer>` ended up inside its `<header>` (the W3C checker's
    errors), and nothing said so."""
    templates = site / "templates"
    templates.mkdir()
    (templates / "article.html").write_text(
        '{% extends "syndicate/article.html" %}\n'
        "{% block nav %}<div><p>open <b>bold</i></p>{% endblock %}\n",
        encoding="utf-8",
    )
    err = _export_errors(site, capsys)
    assert (site / "out" / "html" / f"{SAMPLE_SLUG}.en.html").is_file()  # made all the same
    assert (
        "templates/article.html: warning: the article.html page's markup is mis-nested, and"
        " browsers nest what follows elsewhere (a page's main part inside its header):"
        " Unexpected end tag : i, in '{% block nav %}"
    ).replace("{% block nav %}", "<div><p>open <b>bold</i></p>") in err
    assert "close each element in the template that opens it" in err
    assert err.count("mis-nested") == 1  # once, with the count of the other pages
    (templates / "article.html").unlink()
    (templates / "base.html").write_text(
        (PACKAGED / "base.html").read_text("utf-8").replace("</div></header>", "</header>"),
        encoding="utf-8",
    )
    err = _export_errors(site, capsys)
    assert "templates/base.html: warning: the article.html page's markup is mis-nested" in err
    assert "the home.html page's markup is mis-nested" in err
    for name in ("base.html", "article.html", "macros.html"):  # syndicate's own: none
        shutil.copy(PACKAGED / name, templates / name)
    assert "mis-nested" not in _export_errors(site, capsys)


def test_what_no_page_shows_is_looked_for_in_odd_templates_without_a_traceback(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Templates that extend each other in a loop, a long chain, a number, or one that does
    not parse are passed over by the look for lost blocks (other checks tell them)."""
    templates = site / "templates"
    templates.mkdir()
    for i in range(1, 26):
        (templates / f"c{i}.html").write_text(
            f'{{% extends "c{i + 1}.html" %}}{{% block b{i} %}}{{% endblock %}}\n', "utf-8"
        )
    (templates / "one.html").write_text("{% extends 1 %}\n", encoding="utf-8")
    (templates / "loop1.html").write_text('{% extends "loop2.html" %}\n', encoding="utf-8")
    (templates / "loop2.html").write_text('{% extends "loop1.html" %}\n', encoding="utf-8")
    (templates / "home.html").write_text(
        '{% extends "base.html" %}\n{% block main %}{% include "c1.html" %}{% endblock %}\n',
        encoding="utf-8",
    )
    code, err = _validate(site, capsys)
    assert code == 0 and "Traceback" not in err and "[writer.failed]" not in err
    said = {line.split("/site/")[-1].split(":")[0] for line in err.splitlines() if "[html" in line}
    assert said == {"templates/one.html", "templates/loop1.html", "templates/loop2.html"}


def test_a_full_export_tells_a_page_s_link_to_a_file_templates_lacks(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only a partial run looked for dead links (a full run's own are right by construction):
    `export --format all`, cron's and the preview's, said nothing of a site template's
    `<script src="js/app.js">` with no such file in templates/."""
    from conftest import PLAIN_COVERS

    (site / "templates").mkdir()
    base = (PACKAGED / "base.html").read_text(encoding="utf-8")
    custom = base.replace("</head>", '<script src="js/app.js"></script></head>', 1)
    (site / "templates" / "base.html").write_text(custom, encoding="utf-8")
    args = [
        "export",
        "-q",
        "-f",
        "all",
        "--now",
        FIXED_NOW,
        "--jobs",
        "1",
        "--out",
        str(site / "out"),
    ]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    capsys.readouterr()
    assert main(args, registry=PLAIN_COVERS) == 0
    err = capsys.readouterr().err
    dead = [line for line in err.splitlines() if "[export.dead-link]" in line]
    assert len(dead) == 1 and "html/js/app.js: warning: linked from html/" in dead[0], err
    assert "no format makes it: correct the link, or add the file" in dead[0]
    (site / "templates" / "js").mkdir()
    (site / "templates" / "js" / "app.js").write_text("let x = 1;\n", encoding="utf-8")
    assert main(args, registry=PLAIN_COVERS) == 0
    assert "dead-link" not in capsys.readouterr().err


def test_a_stylesheet_s_url_to_a_file_templates_lacks_is_a_dead_link(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`style.css`'s `url(fonts/brand.woff2)` (the docs' own example) with no such file in
    templates/ was never told: only `href` and `src` were looked at. A story's text that
    quotes CSS is no link, nor one in a comment of the stylesheet (review)."""
    (site / "templates").mkdir()
    (site / "templates" / "style.css").write_text(
        "@font-face { font-family: B; src: url(fonts/brand.woff2) }\n"
        "body { background: url('img/bg.png') } a { mask: url(#m) }\n"
        "i { background: url(data:image/png;base64,AAAA) }\n"
        "/* .hero { background: url(img/old-hero.jpg) } */\n",  # a rule commented out
        encoding="utf-8",
    )
    body = site / "articles" / SAMPLE_SLUG / "en.md"
    body.write_text(body.read_text("utf-8") + "\nWrite `url(quoted.png)` in CSS.\n", "utf-8")
    assert export(site) == 0
    err = capsys.readouterr().err
    dead = sorted(
        line.split("/out/")[-1].split(":")[0]
        for line in err.splitlines()
        if "[export.dead-link]" in line and "/out/html/" in line
    )
    assert dead == ["html/fonts/brand.woff2", "html/img/bg.png"], err
    _, err = _validate(site, capsys, "--outputs", str(site / "out"))
    assert "html/fonts/brand.woff2: warning" in err and "quoted.png" not in err
    assert "old-hero" not in err
    (said,) = [line for line in err.splitlines() if "html/fonts/brand.woff2: warning" in line]
    assert "add it to templates/ at the same path" in said and "--format html" not in said, said


def test_a_site_s_own_index_template_makes_the_section_pages_too(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site's `index.html` written before section pages existed (no `section` in it) makes
    them as it makes its language lists, with the section's name as `heading`; its own
    `base.html`, which says nothing of a `<base>`, gets one on them, so its script and the
    stories' links lead where they lead from every other page (no dead link)."""
    templates = site / "templates"
    (templates / "js").mkdir(parents=True)
    (templates / "js" / "app.js").write_text("console.log(1);\n", encoding="utf-8")
    (templates / "base.html").write_text(
        '<!DOCTYPE html>\n<html lang="{{ lang }}" dir="{{ dir }}">\n<head>\n'
        '<meta charset="utf-8">\n<title>{{ title }}</title>\n{% block head %}{% endblock %}\n'
        '<script src="js/app.js"></script>\n</head>\n<body>\n'
        '<a class="brand" href="{{ home }}">{{ site.name }}</a>\n'
        "{% block nav %}{% endblock %}{% block main %}{% endblock %}{% block footer %}"
        "{% endblock %}\n</body>\n</html>\n",
        encoding="utf-8",
    )
    (templates / "index.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<main class="house">'
        '<h1 class="house-title">{{ heading }}</h1>\n<ul>\n'
        "{% for story in stories %}"
        '<li><a href="{{ story.href }}">{{ story.headline }}</a></li>\n'
        "{% endfor %}</ul></main>\n{% endblock %}\n",
        encoding="utf-8",
    )
    assert export(site) == 0
    dead = [line for line in capsys.readouterr().err.splitlines() if "dead-link" in line]
    assert dead and not [line for line in dead if "/out/html/" in line]  # (feeds, books: not made)
    doc = page(site, "fr/politics.html")
    assert doc.xpath("//h1[@class='house-title']/text()") == ["Politique"]
    assert doc.xpath("//head/base/@href") == ["../"]
    assert doc.xpath("//head/*[2]")[0].tag == "base"  # right after the charset
    assert doc.xpath("//main//a/@href") == [f"{SAMPLE_SLUG}.fr.html"]
    assert doc.xpath("//a[@class='brand']/@href") == ["index.fr.html"]
    language = page(site, "index.fr.html")
    assert language.xpath("//h1[@class='house-title']/text()") == ["Dernières nouvelles"]
    assert not language.xpath("//base")  # a page of out/html/ itself needs none
    # A template that knows them tells a section's list by its `section`.
    (templates / "index.html").write_text(
        '{% extends "syndicate/index.html" %}\n{% block main %}'
        '{% if section %}<p class="house-section" data-code="{{ section.code }}"'
        "{{ section.attrs }}>{{ section.name }}</p>{% endif %}{{ super() }}{% endblock %}\n",
        encoding="utf-8",
    )
    assert export(site) == 0
    (flag,) = page(site, "ar/politics.html").xpath("//p[@class='house-section']")
    assert (flag.get("data-code"), flag.text) == ("politics", "سياسة")
    assert not page(site, "index.ar.html").xpath("//p[@class='house-section']")


def test_a_section_page_s_base_comes_first_and_alone() -> None:
    """The `<base href>` a section page gets (`page_bytes(markup, base)`) comes right after
    the `<meta charset>` (which must come first), before any link of the head, and replaces
    one a template wrote; a page whose template has no head gets one."""
    written = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="i.png">'
        '<base href="https://elsewhere.example/"><title>t</title></head><body><p>x</p></body></html>'
    )
    page = lxml_html.fromstring(templating.page_bytes(written, "../"))
    assert [el.tag for el in page.find("head")] == ["meta", "base", "link", "title"]
    assert page.xpath("//base/@href") == ["../"]
    bare = lxml_html.fromstring(templating.page_bytes("<html><body><p>x</p></body></html>", "../"))
    assert bare.xpath("/html/head/base/@href") == ["../"]
    assert b"<base" not in templating.page_bytes(written.replace("<base", "<meta"))


def test_a_site_s_skip_link_to_an_id_leads_to_the_section_page_itself(site: Path) -> None:
    """A site's `base.html` with a skip link (`<a href="#content">`, the way past the
    masthead a keyboard user takes) written for the pages of out/html/: on a section page,
    whose `<base href="../">` would take `#content` to out/html/ (another page, or none), it
    links the page's own `#content`; an absolute link to an id, or one to another page's, is
    left as it is, and the pages of out/html/ keep theirs."""
    templates = site / "templates"
    templates.mkdir()
    (templates / "base.html").write_text(
        '<!DOCTYPE html>\n<html lang="{{ lang }}" dir="{{ dir }}">\n<head>\n'
        '<meta charset="utf-8">\n<title>{{ title }}</title>\n{% block head %}{% endblock %}\n'
        '</head>\n<body>\n<a class="skip" href="#content">Skip</a>\n'
        '{% if url is defined %}<a class="top" href="{{ url }}#content">Top</a>{% endif %}\n'
        '<a class="home" href="{{ home }}#content">Home</a>\n<div id="content">'
        "{% block nav %}{% endblock %}{% block main %}{% endblock %}{% block footer %}"
        "{% endblock %}</div>\n</body>\n</html>\n",
        encoding="utf-8",
    )
    assert export(site) == 0
    doc = page(site, "fr/politics.html")
    assert doc.xpath("//a[@class='skip']/@href") == ["fr/politics.html#content"]
    assert doc.xpath("//a[@class='top']/@href")[0].endswith("/html/fr/politics.html#content")
    assert doc.xpath("//a[@class='home']/@href") == ["index.fr.html#content"]
    for name in ("fr/politics.html", "index.fr.html", f"{SAMPLE_SLUG}.fr.html"):
        skip = page(site, name).xpath("//a[@class='skip']/@href")[0]
        base = "".join(page(site, name).xpath("//head/base/@href"))
        target = urljoin(urljoin(f"https://x.example/html/{name}", base), skip)
        assert target == f"https://x.example/html/{name}#content", name


def test_the_stylesheet_is_read_once_while_it_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page inlines the stylesheet: it is read again only once Jinja would take it as
    out of date (changed, or a site's own added or removed since), not once a page."""
    templates = tmp_path / "templates"
    templates.mkdir()
    reads: list[str] = []
    real = templating._SiteFirst.get_source

    def counted(self: templating._SiteFirst, env: object, name: str) -> object:
        reads.append(name)
        return real(self, env, name)  # type: ignore[arg-type]

    monkeypatch.setattr(templating._SiteFirst, "get_source", counted)
    monkeypatch.setattr(safefile, "RACY_NS", 0)  # (a file changed a moment ago is read again)
    ours = (PACKAGED / "style.css").read_text(encoding="utf-8")
    assert [str(templating.stylesheet(templates)) for _ in range(5)] == [ours] * 5
    assert reads == ["style.css"]
    style = templates / "style.css"
    style.write_text("p { margin: 0; }\n", encoding="utf-8")
    assert str(templating.stylesheet(templates)) == "p { margin: 0; }\n"
    style.write_text("p { margin: 1em; }\n", encoding="utf-8")
    os.utime(style, ns=(1_000_000_000, 1_000_000_000))  # (another time, however fast the disk)
    assert [str(templating.stylesheet(templates)) for _ in range(3)] == ["p { margin: 1em; }\n"] * 3
    assert reads == ["style.css"] * 3
    style.unlink()
    assert str(templating.stylesheet(templates)) == ours


def test_a_site_s_stylesheet_changed_and_given_its_old_time_is_read_again(tmp_path: Path) -> None:
    """`syndicate serve` and a long-running process show the site's `style.css` as it is now:
    a second write in the same tick of the disk's clock leaves the time as it was, as do
    `cp -p`, `touch -r` and rsync, and an editor's save by rename can keep it; the file's
    signature (its inode and change time too) tells it, as the build's inputs are told."""
    templates = tmp_path / "templates"
    templates.mkdir()
    style = templates / "style.css"

    def same_time(path: Path, text: str) -> None:
        """`text` written to `path`, given the times `style` has."""
        was = style.stat()
        path.write_text(text, encoding="utf-8")
        os.utime(path, ns=(was.st_atime_ns, was.st_mtime_ns))

    style.write_text("p { color: red; }\n", encoding="utf-8")
    assert str(templating.stylesheet(templates)) == "p { color: red; }\n"
    same_time(style, "p { color: tan; }\n")  # (as fast as a test writes it)
    assert str(templating.stylesheet(templates)) == "p { color: tan; }\n"
    time.sleep(safefile.RACY_NS / safefile.FINE_SHARE / 1e9 + 0.05)  # (its times trusted now)
    assert str(templating.stylesheet(templates)) == "p { color: tan; }\n"
    assert str(templating.stylesheet(templates)) == "p { color: tan; }\n"
    same_time(style, "p { color: fir; }\n")
    assert str(templating.stylesheet(templates)) == "p { color: fir; }\n"
    time.sleep(safefile.RACY_NS / safefile.FINE_SHARE / 1e9 + 0.05)
    assert str(templating.stylesheet(templates)) == "p { color: fir; }\n"
    saved = templates / "style.css~"
    same_time(saved, "h1 { font-size: 2em; }\n")
    os.replace(saved, style)  # (an editor's save: a new file in its place, the old time)
    assert str(templating.stylesheet(templates)) == "h1 { font-size: 2em; }\n"


def test_a_site_s_template_changed_and_given_its_old_time_is_rendered_anew(tmp_path: Path) -> None:
    """A template Jinja keeps compiled is told out of date as the stylesheet is: written again
    with its old time, it renders what it says now (`syndicate serve` after a quick save)."""
    templates = tmp_path / "templates"
    templates.mkdir()
    own = templates / "own.html"
    for word in ("first", "again", "third"):
        was = own.stat() if own.exists() else None
        own.write_text(f"<!DOCTYPE html><html><body><p>{word}</p></body></html>\n", "utf-8")
        if was is not None:
            os.utime(own, ns=(was.st_atime_ns, was.st_mtime_ns))
        assert f"<p>{word}</p>" in templating.render_page(templates, "own.html").decode()
        time.sleep(safefile.RACY_NS / safefile.FINE_SHARE / 1e9 + 0.05)
        assert f"<p>{word}</p>" in templating.render_page(templates, "own.html").decode()
