"""`syndicate new`: files valid as created whatever the publisher is called, every field to
fill marked TODO (errors once the story is usable), only languages the site has (or adds)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import REPO, unwritable

from syndicate.cli import main

SLUG = "2026-11-24-budget-vote"


def make_site(root: Path, publisher: str = "YCPress", languages: str = "[en, fr]") -> Path:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    config = config.replace("name: YCPress", f"name: {json.dumps(publisher)}")
    lines = [line for line in config.split("\n") if not line.startswith("languages:")]
    (root / "syndicate.yaml").write_text("\n".join(lines) + f"languages: {languages}\n", "utf-8")
    (root / "articles").mkdir()
    return root


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_site(tmp_path)


@pytest.mark.parametrize("publisher", ["ACME: News", "News #1 Daily", 'L\'Écho "du" soir'])
def test_any_publisher_name_gives_valid_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, publisher: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make_site(tmp_path, publisher)
    assert main(["new", SLUG, "--lang", "en"]) == 0
    folder = tmp_path / "articles" / SLUG
    story = yaml.safe_load((folder / "story.yaml").read_text(encoding="utf-8"))
    assert story["rights"]["holder"] == publisher
    assert publisher in story["rights"]["notice"]
    front = (folder / "en.md").read_text(encoding="utf-8").split("---\n")[1]
    assert yaml.safe_load(front)["byline"]["organisation"] == publisher
    assert main(["validate", "--strict"]) == 0


def test_every_field_to_fill_is_todo_and_an_error_once_usable(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", SLUG, "--lang", "fr", "--lang", "en"]) == 0
    folder = site / "articles" / SLUG
    meta = (folder / "story.yaml").read_text(encoding="utf-8")
    facts = yaml.safe_load(meta)
    assert (facts["section"], facts["subjects"], facts["status"]) == ("todo", [], "withheld")
    assert "section: todo  # TODO" in meta
    assert main(["validate", "--strict"]) == 0  # withheld: placeholders are expected
    capsys.readouterr()
    (folder / "story.yaml").write_text(meta.replace("status: withheld", "status: usable"), "utf-8")
    assert main(["validate"]) == 2
    placeholders = [
        line.split(": error: ")[0].removeprefix(f"articles/{SLUG}/")
        for line in capsys.readouterr().err.splitlines()
        if "[story.placeholder]" in line
    ]
    assert placeholders == [
        "en.md:2",
        "en.md:3",
        "en.md:6",
        "en.md:9",
        "fr.md:2",
        "fr.md:3",
        "fr.md:6",
        "fr.md:9",
        "story.yaml:5",
    ]


def test_a_language_the_site_does_not_have_is_refused(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", SLUG, "--lang", "en", "--lang", "ja"]) == 2
    err = capsys.readouterr().err
    assert "'ja' is not one of the site's languages (en, fr)" in err and "--add-language" in err
    assert not (site / "articles" / SLUG).exists()
    # Tags match case-insensitively: EN is the site's en, written as the site writes it.
    assert main(["new", SLUG, "--lang", "EN"]) == 0
    assert sorted(p.name for p in (site / "articles" / SLUG).glob("*.md")) == ["en.md"]


@pytest.mark.parametrize("languages", ["[en, fr]  # the newsroom's", "\n  - en\n  - fr"])
def test_add_language_adds_it_to_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, languages: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make_site(tmp_path, languages=languages)
    before = (tmp_path / "syndicate.yaml").read_text(encoding="utf-8")
    assert main(["new", SLUG, "--lang", "ja", "--lang", "en", "--add-language"]) == 0
    after = (tmp_path / "syndicate.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(after)["languages"] == ["en", "fr", "ja"]
    assert after.startswith(before.split("languages:")[0])  # the rest is kept as written
    assert sorted(p.name for p in (tmp_path / "articles" / SLUG).iterdir()) == [
        "en.md",
        "ja.md",
        "story.yaml",
    ]
    assert main(["validate"]) == 0


def test_add_language_refuses_a_language_the_site_has_under_another_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--lang he --add-language` on a site of `iw` added `he` beside it: the configuration
    then listed one language twice, and no command of the site ran until it was mended."""
    monkeypatch.chdir(tmp_path)
    make_site(tmp_path, languages="[en, iw]")
    before = (tmp_path / "syndicate.yaml").read_text(encoding="utf-8")
    assert main(["new", SLUG, "--lang", "he", "--add-language"]) == 2
    assert (
        "'he' and 'iw' are one language, which the site's languages write 'iw': write --lang iw"
    ) in capsys.readouterr().err
    assert (tmp_path / "syndicate.yaml").read_text(encoding="utf-8") == before
    assert not (tmp_path / "articles" / SLUG).exists()


def test_the_language_defaults_to_the_sites_first(site: Path) -> None:
    assert main(["new", SLUG]) == 0
    folder = site / "articles" / SLUG
    assert sorted(p.name for p in folder.iterdir()) == ["en.md", "story.yaml"]
    assert yaml.safe_load((folder / "story.yaml").read_text("utf-8"))["original_language"] == "en"
    assert main(["validate", "--strict"]) == 0


@pytest.mark.parametrize(
    ("given", "suggested"),
    [
        ("Wahl in Berlin: Ergebnis", "2026-12-03-wahl-in-berlin-ergebnis"),
        ("Straße nach Köln — Ärger", "2026-12-03-strasse-nach-koln-arger"),
        ("2026-12-01 Harbour Reopens", "2026-12-01-harbour-reopens"),
        ("İstanbul'da ılık kış: IĞDIR", "2026-12-03-istanbul-da-ilik-kis-igdir"),  # not 'lk ks'
        ("Œuvre æsir ø Łódź", "2026-12-03-oeuvre-aesir-o-lodz"),
        ("انتخابات", None),
        ("افتتاح الميناء بعد 3 أسابيع", None),  # not 2026-12-03-3
        ("港が3週間ぶりに再開", None),
        ("2026-12-04-افتتاح-الميناء", None),  # not 2026-12-04, which the next would take
        ("Port 3: ميناء", "2026-12-03-port-3"),
    ],
)
def test_a_headline_given_as_the_slug_gets_a_slug_suggested(
    site: Path, capsys: pytest.CaptureFixture[str], given: str, suggested: str | None
) -> None:
    from syndicate.cli.new import suggest_slug

    assert main(["new", given, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"the slug {given!r} is not a valid story slug" in err
    assert not list((site / "articles").iterdir()), "nothing is created"
    if suggested is None:
        assert "try the slug" not in err, "no Latin letter left: nothing to suggest"
        assert "write the slug's words in Latin letters" in err
        assert suggest_slug(given, "2026-12-03") == ""
        return
    assert "try the slug '" in err
    assert suggest_slug(given, "2026-12-03") == suggested
    assert main(["new", err.split("try the slug '")[1].split("'")[0], "--lang", "en"]) == 0


@pytest.mark.parametrize("given", ["2026-12-06-", "!!!", "2026-12-06--"])
def test_a_slug_with_no_word_is_told_to_give_the_words(
    site: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    """`new 2026-12-06-` (the date typed, the words forgotten) was told that no slug can be
    made "from a text without Latin letters" and to transliterate, which it has none of."""
    assert main(["new", given, "--lang", "en", "--now", "2026-12-06T10:00:00Z"]) == 2
    err = capsys.readouterr().err
    assert "it holds no word: give the story's words, such as 2026-12-06-nato-summit" in err
    assert "Latin letters" not in err.split("(e.g.")[1]
    assert not list((site / "articles").iterdir()), "nothing is created"


@pytest.mark.parametrize("length", [244, 245, 400])
def test_a_slug_too_long_for_a_file_name_is_a_slug_error(
    site: Path, capsys: pytest.CaptureFixture[str], length: int
) -> None:
    """A name of 245 letters ended in a traceback (`File name too long`): the dated slug
    suggested for it was looked for in articles/ before it was checked."""
    assert main(["new", "a" * length, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert f"slug is {length} characters long; keep it under 120" in err
    assert "Traceback" not in err and "[new.slug]" in err
    assert not list((site / "articles").iterdir())


def test_the_scaffold_is_dated_by_now(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--now` dates the new story and the slug suggested (both took the clock)."""
    now = "2026-12-31T23:30:00-05:00"
    assert main(["new", "Year End Fireworks", "--now", now]) == 2
    assert "try the slug '2027-01-01-year-end-fireworks'" in capsys.readouterr().err  # Brussels
    assert main(["new", "2027-01-01-fireworks", "--now", now]) == 0
    facts = yaml.safe_load((site / "articles/2027-01-01-fireworks/story.yaml").read_text("utf-8"))
    assert str(facts["published"]) == "2027-01-01 05:30:00+01:00"


@pytest.mark.parametrize(
    ("languages", "lang", "notice"),
    [
        ("[ar]", "ar", "© 2026 YCPress. جميع الحقوق محفوظة."),
        ("[ja]", "ja", "© 2026 YCPress。無断転載を禁じます。"),
        ("[ar-SA]", "ar-SA", "© 2026 YCPress. جميع الحقوق محفوظة."),
        ("[en]", "en", "© 2026 YCPress. All rights reserved."),
    ],
)
def test_the_rights_notice_is_in_the_storys_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, languages: str, lang: str, notice: str
) -> None:
    """The notice is published as written (page footers, JSON-LD, NewsML-G2, ninjs): it is
    `init`'s, the feeds' phrase in the story's language."""
    monkeypatch.chdir(tmp_path)
    make_site(tmp_path, languages=languages)
    assert main(["new", SLUG, "--now", "2026-12-04T09:00:00+01:00"]) == 0
    facts = yaml.safe_load((tmp_path / "articles" / SLUG / "story.yaml").read_text("utf-8"))
    assert facts["rights"]["notice"] == notice
    assert main(["validate", "--strict"]) == 0


def test_a_story_in_languages_whose_notices_differ_has_one_notice_each(site: Path) -> None:
    assert main(["new", SLUG, "--lang", "fr", "--lang", "en", "--now", "2026-12-04T09:00:00Z"]) == 0
    facts = yaml.safe_load((site / "articles" / SLUG / "story.yaml").read_text("utf-8"))
    assert facts["rights"]["notice"] == {
        "fr": "© 2026 YCPress. Tous droits réservés.",
        "en": "© 2026 YCPress. All rights reserved.",
    }
    assert main(["validate", "--strict"]) == 0


def _articles_read_only(site: Path) -> contextlib.AbstractContextManager[None]:
    return unwritable(site / "articles")


def _articles_a_file(site: Path) -> contextlib.AbstractContextManager[None]:
    (site / "articles").rmdir()
    (site / "articles").write_text("not a folder", encoding="utf-8")
    return contextlib.nullcontext()


@pytest.mark.parametrize(
    ("block", "said"),
    [
        (_articles_read_only, "cannot write articles: "),
        (_articles_a_file, "cannot write articles: Not a directory (a file is where a folder"),
    ],
    ids=["read-only", "file-in-the-way"],
)
@pytest.mark.parametrize("adding", [[], ["--lang", "de", "--add-language"]], ids=["", "add"])
def test_a_story_that_cannot_be_written_changes_nothing(
    site: Path,
    capsys: pytest.CaptureFixture[str],
    block: Callable[[Path], contextlib.AbstractContextManager[None]],
    said: str,
    adding: list[str],
) -> None:
    config = (site / "syndicate.yaml").read_bytes()
    with block(site):
        assert main(["new", SLUG, "--lang", "en", *adding]) == 2
    err = capsys.readouterr().err
    assert said in err and "nothing was created [new.write]" in err
    assert "Traceback" not in err
    assert (site / "syndicate.yaml").read_bytes() == config  # not a language added for nothing
    assert not (site / "articles" / SLUG).exists()


def test_a_mistyped_articles_folder_is_told_and_nothing_is_created(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--articles /nonexistent/dir` made both folders and the story outside any site; an
    articles folder not made yet, in a folder that is there, is made as before."""
    wrong = tmp_path / "nonexistent" / "dir"
    assert main(["new", SLUG, "--lang", "en", "--articles", str(wrong)]) == 2
    err = capsys.readouterr().err
    assert f"no articles folder {wrong}, nor a folder {wrong.parent} to make it in" in err
    assert not wrong.parent.exists()
    fresh = site / "stories"
    assert main(["new", SLUG, "--lang", "en", "--articles", str(fresh)]) == 0
    assert (fresh / SLUG / "story.yaml").is_file()


def test_a_read_only_configuration_is_told_and_nothing_is_created(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (site / "syndicate.yaml").read_bytes()
    with unwritable(site / "syndicate.yaml"):
        assert main(["new", SLUG, "--lang", "de", "--add-language"]) == 2
    err = capsys.readouterr().err
    assert "error: cannot write syndicate.yaml: " in err and "nothing was created" in err
    assert (site / "syndicate.yaml").read_bytes() == config
    assert not (site / "articles" / SLUG).exists()


def test_a_configuration_that_cannot_be_replaced_takes_the_story_back(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (site / "syndicate.yaml").read_bytes()

    def full_disk(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("syndicate.cli.new.os.replace", full_disk)
    assert main(["new", SLUG, "--lang", "de", "--add-language"]) == 2
    err = capsys.readouterr().err
    assert "cannot write syndicate.yaml: No space left on device; nothing was created" in err
    assert (site / "syndicate.yaml").read_bytes() == config
    assert not (site / "articles" / SLUG).exists()
    assert sorted(p.name for p in site.iterdir()) == ["articles", "syndicate.yaml"]  # no temp


@pytest.mark.parametrize("languages", ["[en, fr]", "\n  - en\n  - fr"], ids=["flow", "block"])
def test_add_language_keeps_line_endings_bom_and_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, languages: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make_site(tmp_path, languages=languages)
    path = tmp_path / "syndicate.yaml"
    lf = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + lf.replace(b"\n", b"\r\n"))
    path.chmod(0o640)
    assert main(["new", SLUG, "--lang", "de", "--add-language"]) == 0
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and b"\r\n" in after
    assert b"\n" not in after.replace(b"\r\n", b"")  # every line still ends in CRLF
    assert yaml.safe_load(after.decode("utf-8-sig"))["languages"] == ["en", "fr", "de"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_the_rights_notice_is_the_sites_own_phrase_where_it_has_one(site: Path) -> None:
    """`new` took syndicate's phrase, not the site's `terms/<lang>.yaml`, which every feed
    and page of the site says."""
    (site / "terms").mkdir()
    (site / "terms" / "en.yaml").write_text(
        "feed_rights: © {publisher}. Reproduction only with written permission.\n", "utf-8"
    )
    assert main(["new", SLUG, "--lang", "en"]) == 0
    facts = yaml.safe_load((site / "articles" / SLUG / "story.yaml").read_text("utf-8"))
    assert facts["rights"]["notice"].endswith("YCPress. Reproduction only with written permission.")


def test_what_new_made_is_named_from_the_folder_it_was_started_in(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """From a story's folder, `new` said "created articles/<slug>" and "the languages of
    syndicate.yaml", paths that are not there from where the editor is (validate's are)."""
    assert main(["new", SLUG]) == 0
    monkeypatch.chdir(site / "articles" / SLUG)
    capsys.readouterr()
    assert main(["new", "2026-11-25-second", "--lang", "de", "--add-language"]) == 0
    err = capsys.readouterr().err
    assert "added de to the languages of ../../syndicate.yaml" in err
    assert "created ../2026-11-25-second: fill in the TODOs" in err
