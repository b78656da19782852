"""HTML pages come from Jinja2 templates that a site overrides from its own `templates/` folder:
the stylesheet and any page template, file by file; an edit to them redoes the pages; a broken
template is a diagnostic at its line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO, SAMPLE_SLUG
from lxml import html as lxml_html

from syndicate.cli import main

PACKAGED = REPO / "syndicate" / "formats" / "html" / "templates"


def export(site: Path, capsys: pytest.CaptureFixture[str] | None = None) -> int:
    args = ["export", "-q", "-f", "html", "--now", FIXED_NOW, "--jobs", "1"]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    return main([*args, "--out", str(site / "out")])


def page(site: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site / "out" / "html" / name).read_bytes())


def test_a_site_stylesheet_and_template_replace_syndicates(site: Path) -> None:
    templates = site / "templates"
    templates.mkdir()
    (templates / "style.css").write_text("body { color: teal; }\n", encoding="utf-8")
    article = (PACKAGED / "article.html").read_text(encoding="utf-8")
    custom = article.replace(
        '<p class="kicker">{{ article.section }}</p>',
        '<p class="kicker">{{ article.section }}</p><p class="house-flag">{{ site.name }} wire</p>',
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
    custom = article.replace(
        '<p class="kicker">{{ article.section }}</p>',
        '<p class="kicker">{{ article.section }}</p><p class="house-flag">flag</p>',
    )
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
