"""The articles reader: the sample story's model, source lines, and the rules on bad input."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SAMPLE_SLUG
from PIL import Image

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.model import BlockQuote, Figure, Heading, Paragraph, SiteConfig, Story, inline_text
from syndicate.readers.articles import claimed_id, read_articles
from syndicate.readers.storyfiles import StoryFiles
from syndicate.readers.yamlsource import YamlProblem, parse_yaml

LANGS = ("en", "ar", "de", "es", "fr", "zh-Hans")

STORY = """\
id: tag:ycpress.example,2026-01-05:{slug}
original_language: en
section: politics
first_created: 2026-01-05T09:00:00+01:00
published: 2026-01-05T10:00:00+01:00
rights:
  holder: YCPress
  notice: © 2026 YCPress
"""
VARIANT = """\
---
headline: A headline
summary: A summary.
byline:
  organisation: YCPress
dateline: Brussels
---
A paragraph of the body.
"""


def write_story(root: Path, slug: str, story: str = STORY, **files: str) -> Path:
    folder = root / slug
    folder.mkdir(parents=True)
    (folder / "story.yaml").write_text(story.format(slug=slug), encoding="utf-8")
    for name, text in (files or {"en": VARIANT}).items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return folder


def read(root: Path, config: SiteConfig) -> tuple[list[Story], Diagnostics]:
    diags = Diagnostics()
    return read_articles(root, config, diags), diags


def test_sample_story_has_every_language_original_first(sample_story: Story) -> None:
    assert sample_story.languages == LANGS
    assert sample_story.original.lang == "en"
    assert sample_story.id == "tag:ycpress.example,2021-02-18:nato-iraq-deployment"
    assert sample_story.section == "politics"
    assert sample_story.published.isoformat() == "2021-02-18T19:30:00+01:00"
    assert sample_story.timezone == "Europe/Brussels"


def test_translations_are_complete_and_parallel(sample_story: Story) -> None:
    shapes = {v.lang: [type(b).__name__ for b in v.body] for v in sample_story.variants}
    assert all(shape == shapes["en"] for shape in shapes.values()), shapes
    for variant in sample_story.variants:
        assert variant.headline and variant.summary and variant.dateline
        assert variant.byline.organisation == "YCPress"


def test_english_text_is_the_seed_verbatim(sample_story: Story) -> None:
    seed = Path(__file__).resolve().parents[2] / "shared/seeds/000_a476a5657c73bed7.txt"
    if not seed.is_file():
        pytest.skip("../shared is not present")
    text = seed.read_text(encoding="utf-8")
    en = sample_story.variant("en")
    assert en.headline in text
    for block in en.body:
        match block:
            case Paragraph(children) | Heading(_, children):
                assert inline_text(children) in text
            case BlockQuote(children):
                for quoted in children:
                    assert isinstance(quoted, Paragraph)
                    assert inline_text(quoted.children) in text


def test_body_tree_knows_its_source_lines(sample_story: Story) -> None:
    fr = sample_story.variant("fr")
    first, figure, heading = fr.body[:3]
    assert first.source.path == "articles/2021-02-18-nato-iraq-deployment/fr.md"
    lines = Path(first.source.path).read_text(encoding="utf-8").split("\n")
    assert isinstance(figure, Figure) and "nato-iraq-mission.png" in lines[figure.source.line - 1]
    assert isinstance(heading, Heading) and lines[heading.source.line - 1].startswith("## ")


def test_image_facts_are_read_from_the_file(sample_story: Story) -> None:
    (image,) = sample_story.images
    assert (image.width, image.height, image.media_type) == (1600, 900, "image/png")
    assert image.width >= 1200
    for lang in LANGS:
        assert image.alt.get(lang) and lang in image.alt.languages()


def test_translations_are_linked(sample_story: Story) -> None:
    others = [v.lang for v in sample_story.translations("fr")]
    assert others == ["en", "ar", "de", "es", "zh-Hans"]
    assert sample_story.variant_id("zh-Hans").endswith(":zh-Hans")


def test_model_is_frozen(sample_story: Story) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_story.section = "world"  # type: ignore[misc]


def test_language_file_may_override_rights(tmp_path: Path, site_config: SiteConfig) -> None:
    fr = VARIANT.replace("dateline:", "rights:\n  notice: © 2026 YCPress, tous droits\ndateline:")
    write_story(tmp_path, "rights-override", en=VARIANT, fr=fr)
    (story,), diags = read(tmp_path, site_config)
    assert not diags.errors
    assert story.rights_for("fr").notice.get("fr") == "© 2026 YCPress, tous droits"
    assert story.rights_for("en").notice.get("en") == "© 2026 YCPress"


@pytest.mark.parametrize(
    ("note", "missing"),
    [
        ('{en: "Corrects a name.", fr: "Corrige un nom."}', "de"),
        ('{en: "Corrects a name."}', "de, fr"),
        ('"Corrects a name."', None),  # one text for every language, on purpose
        ('{en: "Corrects a name.", de: "Berichtigt.", fr: "Corrige un nom."}', None),
    ],
)
def test_a_correction_note_a_language_lacks_is_said(
    tmp_path: Path, site_config: SiteConfig, note: str, missing: str | None
) -> None:
    """A reader of the German page was told the correction in English, with no word to the
    editor: the note's line names the languages that lack it."""
    story = STORY.replace(
        "published:", "version: 2\nupdated: 2026-01-06T10:00:00+01:00\npublished:"
    )
    write_story(
        tmp_path,
        "corrected",
        story + "correction:\n  note: " + note.replace("{", "{{").replace("}", "}}") + "\n",
        en=VARIANT,
        fr=VARIANT,
        de=VARIANT,
    )
    (read_story,), diags = read(tmp_path, site_config)
    assert not diags.errors
    said = [d for d in diags if d.code == "story.correction-language"]
    if missing is None:
        assert said == []
        return
    (warning,) = said
    assert warning.path is not None and warning.path.endswith("corrected/story.yaml")
    assert warning.line == story.count("\n") + 2
    assert f"the correction note has no text in {missing}: the pages" in warning.message
    assert read_story.correction is not None


def test_a_text_under_another_spelling_of_a_story_language_is_told_the_tag(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`notice: {zh-hans: ...}` beside zh-Hans.md was told "this story has no zh-hans.md",
    its Chinese pages showing the English notice; the tag to write is the file's."""
    site = dataclasses.replace(site_config, languages=(*site_config.languages, "he"))
    story = STORY.replace(
        "notice: © 2026 YCPress",
        "notice:\n    en: © 2026 YCPress\n    zh-hans: © 2026 YCPress 版权\n    iw: © 2026 ח",
    )
    write_story(tmp_path, "spelt", story, en=VARIANT, **{"zh-Hans": VARIANT, "he": VARIANT})
    _, diags = read(tmp_path, site)
    said = {d.message for d in diags if d.code == "article.localized-lang"}
    assert said == {
        "text for 'zh-hans', but this story has no zh-hans.md: write it 'zh-Hans', the tag of"
        " zh-Hans.md (as it is, the 'zh-Hans' outputs do not show this text)",
        "text for 'iw', but this story has no iw.md: write it 'he', the tag of he.md (as it is,"
        " the 'he' outputs do not show this text)",
    }


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_a_correction_note_is_not_asked_of_a_version_that_takes_the_story_back(
    tmp_path: Path, site_config: SiteConfig, status: str
) -> None:
    """A withdrawal or kill shows the notice alone, no note in any channel: the warning
    that the French pages "show the en note" was false there, and under --strict it refused
    the withdrawal (a French translation that came out with the correction asks for no note
    until then, and the version that takes the story back made it asked for)."""
    story = STORY.replace(
        "published:",
        f"version: 3\nstatus: {status}\nupdated: 2026-01-07T10:00:00+01:00\npublished:",
    )
    write_story(
        tmp_path,
        "taken-back",
        story + 'correction:\n  note: {{en: "Corrects a name."}}\n',
        en=VARIANT,
        fr=VARIANT,
    )
    (_,), diags = read(tmp_path, site_config)
    assert not diags.errors
    assert [d for d in diags if d.code == "story.correction-language"] == []


def test_every_problem_is_reported_not_only_the_first(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    bad = VARIANT.replace("headline: A headline", "headlin: x")
    write_story(tmp_path, "one", STORY.replace("politics", "Politics!"), en=bad)
    write_story(tmp_path, "two", STORY + "urgency: 12\n")
    stories, diags = read(tmp_path, site_config)
    assert stories == []
    messages = [d.format_text() for d in diags.errors]
    assert any("one/story.yaml:3:" in m and "section" in m for m in messages), messages
    assert any("one/en.md:2:" in m and "did you mean 'headline'" in m for m in messages)
    assert any("two/story.yaml:9:" in m and "urgency" in m for m in messages), messages


def test_a_hashtag_cutting_a_value_short_is_warned_about(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """YAML reads ` #1` and the rest of its line as a comment: the published headline was
    'Port is', and validate said OK. A comment of one's own (`# ...`) is no problem."""
    en = VARIANT.replace("headline: A headline", "headline: Port is #1 in Europe again")
    story = STORY + "keywords:\n  - port\n  - harbour #ports\nurgency: 4  # the desk's call\n"
    write_story(tmp_path, "hashtag", story, en=en)
    (found,), diags = read(tmp_path, site_config)
    assert found.variants[0].headline == "Port is", "YAML's reading is kept: a warning"
    assert [d.format_text() for d in diags.warnings] == [
        f"{tmp_path}/hashtag/story.yaml:11: warning: the item ends at 'harbour': YAML reads"
        " ' #ports' and the rest of the line as a comment; quote the whole item:"
        ' - "harbour #ports" [yaml.comment]',
        f"{tmp_path}/hashtag/en.md:2: warning: the headline ends at 'Port is': YAML reads ' #1'"
        " and the rest of the line as a comment; quote the whole value of headline: headline:"
        ' "Port is #1 in Europe again" [yaml.comment]',
    ]
    assert not diags.errors


def test_what_editors_leave_behind_is_left_out_with_a_warning(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A journalist with fr.md open in emacs (`#fr.md#`), a saved backup (`fr.md~`), Windows'
    Thumbs.db: each stopped the export as "not a story file"; they are left out, said once
    each. Another file (`notes.txt`) is still an error: it may be a misnamed language file."""
    folder = write_story(tmp_path, "backups")
    for name in ("en.md~", "#en.md#", "Thumbs.db", "en.md.bak"):
        (folder / name).write_text("x", encoding="utf-8")
    (story,), diags = read(tmp_path, site_config)
    assert story.slug == "backups" and not diags.errors
    assert sorted((d.code, d.path.rsplit("/", 1)[-1]) for d in diags.warnings) == [
        ("story.left-behind", name) for name in ("#en.md#", "Thumbs.db", "en.md.bak", "en.md~")
    ]
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    _, diags = read(tmp_path, site_config)
    assert [d.code for d in diags.errors] == ["story.unexpected-file"]


def test_downloads_and_office_leftovers_are_left_behind_and_story_yaml_copies_are_named(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A download not finished, the Zone.Identifier file Windows leaves on a folder WSL shares
    and an Office lock file were errors, as a misnamed language file is; a `Story.yaml` or a
    sync's copy of story.yaml was "language files are named <tag>.md"."""
    folder = write_story(tmp_path, "downloads")
    left = ("photo.jpg.crdownload", "photo.jpg.part", "en.md:Zone.Identifier", "~$notes.docx")
    for name in left:
        (folder / name).write_text("x", encoding="utf-8")
    (story,), diags = read(tmp_path, site_config)
    assert story.slug == "downloads" and not diags.errors
    assert sorted(d.path.rsplit("/", 1)[-1] for d in diags.warnings) == sorted(left)
    assert {d.code for d in diags.warnings} == {"story.left-behind"}
    for name in left:
        (folder / name).unlink()
    (folder / "Story.yaml").write_text("x", encoding="utf-8")
    (folder / "story (conflicted copy 2026-12-01).yaml").write_text("x", encoding="utf-8")
    _, diags = read(tmp_path, site_config)
    said = {d.path.rsplit("/", 1)[-1]: d.message for d in diags.errors}
    assert said["Story.yaml"].endswith("is read; rename it story.yaml")
    assert "a copy of story.yaml?" in said["story (conflicted copy 2026-12-01).yaml"]


SYSTEM_FOLDERS = (
    "@eaDir",
    "#recycle",
    "#snapshot",
    "$RECYCLE.BIN",
    "$Recycle.Bin",
    "System Volume Information",
    "lost+found",
    "Temporary Items",
    "Network Trash Folder",
    ".TemporaryItems",
    ".AppleDouble",
)
"""Folders NAS boxes and operating systems make by themselves in a shared folder."""


def test_folders_a_nas_or_a_system_makes_are_not_stories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Synology's `@eaDir` and `#recycle`, Windows' `$RECYCLE.BIN`, `lost+found`, a Mac's
    `Temporary Items` on a share: each was a `story.slug` error in articles/ that stopped
    every export (`--keep-going` exited 3 for good, `list` showed them as stories). They are
    ignored wherever syndicate lists a folder of the articles, as `.DS_Store` is: out/ is
    the one a run without them makes."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    export = ["export", "--site", str(site), "-q", "-f", "html", "-f", "newsml", "-f", "atom"]
    assert main([*export, "--out", str(tmp_path / "clean")]) == 0
    story = site / "articles" / SAMPLE_SLUG
    for folder in (site / "articles", story, story / "images"):
        for name in SYSTEM_FOLDERS:
            (folder / name).mkdir()
            (folder / name / "SYNOINDEX_MEDIA_INFO").write_bytes(b"x")
    capsys.readouterr()
    assert main([*export, "--out", str(tmp_path / "out")]) == 0
    assert main(["validate", "--site", str(site)]) == 0
    assert main(["list", "--site", str(site)]) == 0
    captured = capsys.readouterr()
    assert "error:" not in captured.err and "[story." not in captured.err, captured.err
    assert not any(name in captured.out for name in SYSTEM_FOLDERS), captured.out

    def tree(out: Path) -> dict[str, bytes]:
        files = (p for p in out.rglob("*") if p.is_file())
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in files}

    assert tree(tmp_path / "out") == tree(tmp_path / "clean")
    files = StoryFiles(story)  # nor in a story's listing, which names its texts' key
    assert not {e.name for e in files.entries} & set(SYSTEM_FOLDERS)
    assert not {n.split("/")[1] for n in files.neighbours("images/x.png")} & set(SYSTEM_FOLDERS)


def test_a_folder_left_with_only_what_syndicate_ignores_is_told_how_to_take_the_story_down(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """After `git rm -r` of a story, an untracked `.DS_Store` kept its folder: every export
    stopped on "no story.yaml: every story folder needs one", which points at the wrong fix.
    The message names what the folder holds and says deleting it takes the story down. Still
    an error: a folder a sync has not filled yet looks the same."""
    folder = tmp_path / "2026-01-05-gone"
    (folder / "images" / "@eaDir").mkdir(parents=True)
    for name in (".DS_Store", "Thumbs.db", "images/.DS_Store", "images/@eaDir/x.jpg"):
        (folder / name).write_bytes(b"Bud1")
    _, diags = read(tmp_path, site_config)
    (error,) = diags.errors
    assert error.code == "story.meta-missing" and error.path.endswith("2026-01-05-gone")
    assert error.message == (
        "no story.yaml, nor any other story file: the folder holds only files syndicate ignores"
        " (.DS_Store, Thumbs.db, images/.DS_Store, images/@eaDir/), as a story deleted (git rm"
        " -r, or on a synced share) leaves them behind; to take the story down, delete the"
        " folder, those files with it (the next export takes it down: story.deleted); else put"
        " story.yaml and the language files back (a sync not finished?)"
    )
    for i in range(5):
        (folder / f"._photo-{i}.jpg").write_bytes(b"")
    message = read(tmp_path, site_config)[1].errors[0].message
    assert (
        "(.DS_Store, ._photo-0.jpg, ._photo-1.jpg, ._photo-2.jpg, ._photo-3.jpg and 4 more)"
        in message
    )
    shutil.rmtree(folder)
    folder.mkdir()
    (error,) = read(tmp_path, site_config)[1].errors
    assert error.message.startswith("no story.yaml, nor any other story file: the folder holds")
    assert " no file; to take the story down, delete the folder (the next" in error.message
    (folder / "notes.txt").write_text("x", encoding="utf-8")  # a story's file lost? told so
    errors = read(tmp_path, site_config)[1].errors
    assert errors[0].message.startswith("no story.yaml: every story folder needs one")


def test_the_files_an_editor_saves_through_are_left_behind(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """Editors that save by writing a file beside the story's and renaming it over it leave
    that file there while they save (and after a crash): a sandboxed macOS app's
    `en.md.sb-5fd6bd25-0xLAd8` (TextEdit, Pages), a browser editor's `en.md.crswap` (Chrome's
    file system access, while the editor writes). The preview, exporting at each change, saw
    them: "not a story file", an error that held the story being edited as last exported."""
    folder = write_story(tmp_path, "saving")
    left = ("en.md.sb-5fd6bd25-0xLAd8", "story.yaml.sb-7A7FB01E-gEX9n4", "en.md.crswap")
    for name in left:
        (folder / name).write_text("x", encoding="utf-8")
    (story,), diags = read(tmp_path, site_config)
    assert story.slug == "saving" and not diags.errors, [d.message for d in diags.errors]
    assert sorted(d.path.rsplit("/", 1)[-1] for d in diags.warnings) == sorted(left)
    assert {d.code for d in diags.warnings} == {"story.left-behind"}


def test_a_language_file_named_by_another_tool_is_told_its_name(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`fr.markdown` (another editor's suffix) got the general "not a story file" without the
    name to give it; vim's `4913` (the file it writes and removes to test a folder before a
    save, seen by the preview now and then) was "not a story file", an error."""
    folder = write_story(tmp_path, "suffixes")
    for name in ("fr.markdown", "de.MD", "es.txt"):
        (folder / name).write_text(VARIANT, encoding="utf-8")
    (folder / "4913").write_bytes(b"")
    _, diags = read(tmp_path, site_config)
    told = {d.path.rsplit("/", 1)[-1]: d.message for d in diags.errors}
    assert told == {
        name: f"not a story file: language files end in .md; rename it {name[:2]}.md"
        for name in ("fr.markdown", "de.MD", "es.txt")
    }
    assert [(d.code, d.path.rsplit("/", 1)[-1]) for d in diags.warnings] == [
        ("story.left-behind", "4913")
    ]


def test_copies_of_a_language_file_are_not_taken_for_languages(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`en.draft.md` was read as a language 'en.draft' (babel drops `.draft` as a POSIX
    encoding) with the advice to add it to languages:, a schema error; `fr-copy.md` as a
    script 'Copy' of French, to be renamed fr-Copy.md and published as lang="fr-Copy"."""
    folder = write_story(tmp_path, "copies")
    copies = {
        "en.draft.md": "en",
        "fr.old.md": "fr",
        "en.sync-conflict-20261204-120000-abcdefg.md": "en",  # Syncthing's
        "fr-copy.md": "fr",
        "fr-Copy.md": "fr",
        "en (1).md": "en",
    }
    for name in copies:
        (folder / name).write_text(VARIANT, encoding="utf-8")
    _, diags = read(tmp_path, site_config)
    assert not diags.warnings
    found = {d.path.rsplit("/", 1)[-1]: d for d in diags.errors}
    assert set(found) == set(copies)
    for name, original in copies.items():
        assert found[name].code == "story.unexpected-file"
        assert f"a copy of {original}.md? " in found[name].message
        assert "move copies and drafts out of the story folder" in found[name].message


def test_a_misspelt_tag_is_a_tag_to_correct_not_a_copy(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    folder = write_story(tmp_path, "misspelt")
    (folder / "en-XY.md").write_text(VARIANT, encoding="utf-8")
    _, diags = read(tmp_path, site_config)
    (error,) = diags.errors
    assert error.code == "story.language"
    assert "'en' is a language, but CLDR knows no script, region or variant 'XY'" in error.message


def test_many_stray_files_are_named_twenty_then_counted(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A story folder holding 10,000 photos beside its texts gave 10,000 error lines."""
    folder = write_story(tmp_path, "photos")
    for i in range(25):
        (folder / f"photo-{i:02}.jpg").write_bytes(b"x")
    _, diags = read(tmp_path, site_config)
    errors = [d for d in diags.errors if d.code == "story.unexpected-file"]
    assert len(errors) == 21
    assert [e.path.rsplit("/", 1)[-1] for e in errors[:20]] == [
        f"photo-{i:02}.jpg" for i in range(20)
    ]
    assert errors[20].message.startswith("5 more files that are not story files (the first 20")
    assert errors[20].path.endswith("photos")


def test_genres_are_iptc_s_and_a_misspelt_one_is_told_the_right_one(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A genre is one of IPTC's, in kebab case; a typo is an error at its line with the genre
    meant, never an invented code sent to partners."""
    write_story(tmp_path, "typo", STORY + "genre: opinon\n")
    write_story(tmp_path, "fine", STORY + "genre: from-the-scene\n")
    stories, diags = read(tmp_path, site_config)
    assert [s.genre for s in stories] == ["from-the-scene"]
    (error,) = [d.format_text() for d in diags.errors]
    assert "typo/story.yaml:9: error: genre: 'opinon' is not allowed" in error
    assert "did you mean 'opinion'?" in error


def test_a_section_code_with_an_accent_is_told_the_letters_a_code_takes(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`économie` is lowercase letters, which the error said a section code is: the French
    editor it refused was left to guess. It says ASCII a-z now, as the slug's does."""
    write_story(tmp_path, "accent", STORY.replace("section: politics", "section: économie"))
    _, diags = read(tmp_path, site_config)
    (error,) = [d.format_text() for d in diags.errors]
    assert "section: 'économie' is not a section code" in error
    assert "ASCII letters a-z" in error


@pytest.mark.parametrize(
    ("written", "code"),
    [("Business", "business"), ("Local News", "local-news"), ("local_news", "local-news")],
)
def test_a_section_written_as_a_name_is_told_the_code_to_write(
    tmp_path: Path, site_config: SiteConfig, written: str, code: str
) -> None:
    """`section: Business` (the section's name, as a menu shows it) was told what a code is
    and not the code to write; it is, when spelling it in a-z is mechanical."""
    write_story(tmp_path, "named", STORY.replace("section: politics", f"section: {written}"))
    _, diags = read(tmp_path, site_config)
    (error,) = [d.format_text() for d in diags.errors]
    assert f"section: {written!r} is not a section code" in error
    assert error.endswith(f"; write {code!r} [article.schema]"), error


def test_a_section_outside_ascii_is_given_no_code_to_write(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """No spelling of `Économie` in a-z is certain (`economie`? `conomie`?): none is made up."""
    write_story(tmp_path, "named", STORY.replace("section: politics", "section: Économie"))
    _, diags = read(tmp_path, site_config)
    (error,) = [d.format_text() for d in diags.errors]
    assert "; write" not in error, error


def test_an_image_may_name_its_own_rights(tmp_path: Path, site_config: SiteConfig) -> None:
    folder = write_story(
        tmp_path,
        "pictured",
        STORY
        + "images:\n  - file: images/p.png\n    alt: A picture\n    credit: Jean Dupont / AgencyX\n"
        + "    rights:\n      holder: AgencyX\n      notice: © 2026 AgencyX\n",
        en=VARIANT + "\n![](images/p.png)\n",
    )
    (folder / "images").mkdir()
    Image.new("RGB", (8, 8)).save(folder / "images" / "p.png")
    stories, diags = read(tmp_path, site_config)
    assert not diags.errors, [d.format_text() for d in diags]
    (image,) = stories[0].images
    assert image.rights is not None and image.rights.holder == "AgencyX"
    assert stories[0].image_rights(image, "en").notice.get("en") == "© 2026 AgencyX"


def test_missing_original_language_file(tmp_path: Path, site_config: SiteConfig) -> None:
    write_story(tmp_path, "no-original", fr=VARIANT)
    _, diags = read(tmp_path, site_config)
    (error,) = diags.errors
    assert error.code == "story.original-missing" and error.line == 2


def test_an_original_language_in_another_case_than_its_file_is_told_the_files(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`original_language: zh-hans` beside zh-Hans.md said only "there is no zh-hans.md"."""
    story = STORY.replace("original_language: en", "original_language: zh-hans")
    write_story(tmp_path, "cased", story, **{"zh-Hans": VARIANT, "en": VARIANT})
    _, diags = read(tmp_path, site_config)
    (error,) = [e for e in diags.errors if e.code == "story.original-missing"]
    assert error.message == (
        "original_language is 'zh-hans' but there is no zh-hans.md; write it 'zh-Hans', as its"
        " file zh-Hans.md"
    )


def test_an_original_language_under_its_old_code_is_told_the_files_tag(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`original_language: iw` beside he.md said only "there is no iw.md"."""
    site = dataclasses.replace(site_config, languages=(*site_config.languages, "he"))
    story = STORY.replace("original_language: en", "original_language: iw")
    write_story(tmp_path, "old-code", story, he=VARIANT, en=VARIANT)
    _, diags = read(tmp_path, site)
    (error,) = [e for e in diags.errors if e.code == "story.original-missing"]
    assert error.message == (
        "original_language is 'iw' but there is no iw.md; write it 'he', as its file he.md"
    )


def test_image_path_cannot_escape_the_story(tmp_path: Path, site_config: SiteConfig) -> None:
    story = STORY + "images:\n  - file: ../../etc/passwd\n    alt: x\n"
    write_story(tmp_path, "escape", story)
    _, diags = read(tmp_path, site_config)
    assert [d.code for d in diags.errors] == ["image.path"]


def test_body_links_must_be_absolute(tmp_path: Path, site_config: SiteConfig) -> None:
    body = VARIANT + "\nSee [this](/relative/page) and [that](https://example.org/).\n"
    write_story(tmp_path, "links", en=body)
    _, diags = read(tmp_path, site_config)
    assert [d.code for d in diags.errors] == ["body.link"]
    assert diags.errors[0].line == 10


def test_yaml_alias_bombs_are_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += (
            f"b{i}: &b{i} [*{'a' if i == 1 else f'b{i - 1}'}"
            + f", *{'a' if i == 1 else f'b{i - 1}'}" * 9
            + "]\n"
        )
    with pytest.raises(YamlProblem, match="expands to more than"):
        parse_yaml(bomb)


def test_yaml_duplicate_keys_are_errors() -> None:
    with pytest.raises(YamlProblem, match="duplicate key 'a'") as info:
        parse_yaml("a: 1\nb: 2\na: 3\n", first_line=2)
    assert info.value.line == 4


def test_dates_stay_text_until_the_reader_checks_them() -> None:
    doc = parse_yaml("published: 2021-02-18T19:30:00+01:00\nversion: 2\n")
    assert doc.data == {"published": "2021-02-18T19:30:00+01:00", "version": 2}


def test_markdown_a_story_cannot_carry_is_said() -> None:
    """A skipped heading level (an axe-core `heading-order` violation on the page, and a broken
    outline in the book), a pipe table and a footnote marker (published as the text they are:
    CommonMark has neither) were accepted without a word."""
    from syndicate.model import SourceRef
    from syndicate.readers.markdown import parse_body

    markdown = (
        "Text.\n\n#### Deep\n\n## Section\n\n### Sub\n\n## Next\n\n"
        "| A | B |\n|---|:--:|\n| 1 | 2 |\n\nA note[^1].\n\nA [link](https://x.example/) | pipe.\n"
    )
    diags = Diagnostics()
    parse_body(markdown, SourceRef("en.md", 8), lambda src: None, diags)
    assert [(d.code, d.line) for d in diags] == [
        ("body.heading-level", 10),
        ("body.table", 18),
        ("body.footnote", 22),
    ], [d.format_text() for d in diags]
    assert "write it ##" in diags.warnings[0].message
    assert not diags.errors


def test_an_image_saved_under_another_unicode_form_is_found(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """macOS saves `café.png` with its é decomposed (NFD); story.yaml is read as NFC. It was
    "file not found; did you mean 'images/café.png'?", naming what looked like the same."""
    import io
    import unicodedata

    from PIL import Image as Pillow

    buffer = io.BytesIO()
    Pillow.new("RGB", (800, 600), (200, 40, 40)).save(buffer, format="PNG")
    story = STORY + "images:\n  - file: images/café.png\n    alt: A café\n"
    en = VARIANT + "\n![](images/café.png)\n"
    folder = write_story(tmp_path, "nfd", story, en=en)
    (folder / "images").mkdir()
    (folder / "images" / unicodedata.normalize("NFD", "café.png")).write_bytes(buffer.getvalue())
    (found,), diags = read(tmp_path, site_config)
    assert not diags.errors, [d.format_text() for d in diags]
    (image,) = found.images
    assert image.file == "images/café.png" and (image.width, image.height) == (800, 600)
    assert Path(image.path).read_bytes() == buffer.getvalue()


@pytest.mark.parametrize("body", ["NFC", "NFD", "%NFC", "%NFD"])
@pytest.mark.parametrize("listed", ["NFC", "NFD"])
@pytest.mark.parametrize("stored", ["NFC", "NFD"])
def test_a_picture_has_one_name_whichever_unicode_form_spells_it(
    tmp_path: Path, site_config: SiteConfig, stored: str, listed: str, body: str
) -> None:
    """`été/café.png` stored, listed in story.yaml and placed in a body composed (NFC) or
    decomposed (NFD, as macOS hands out names), the body's %-escaped too (a link pasted from
    a file manager): one picture, found, published as `café.png` (NFC) with one id. A body
    naming it %-escaped in NFD (`cafe%CC%81.png`) was "not listed under images" beside a
    story.yaml that lists it, the two names shown alike."""
    import unicodedata
    from urllib.parse import quote

    def spelt(form: str) -> str:
        return unicodedata.normalize(form.lstrip("%"), "images/été/café.png")

    src = quote(spelt(body)) if body.startswith("%") else spelt(body)
    story = STORY + f"images:\n  - file: {spelt(listed)}\n    alt: A café\n"
    folder = write_story(tmp_path, "forms", story, en=VARIANT + f"\n![]({src})\n")
    on_disk = folder / unicodedata.normalize(stored, "images/été/café.png")
    on_disk.parent.mkdir(parents=True)
    Image.new("RGB", (80, 60), (200, 40, 40)).save(on_disk, format="PNG")
    (found,), diags = read(tmp_path, site_config)
    assert not diags.errors, [d.format_text() for d in diags]
    (image,) = found.images
    assert image.file == "images/été/café.png" and image.name == "café.png"  # composed
    assert found.picture_id(image) == "picture-caf_xe9_.png"
    assert Path(image.path).read_bytes() == on_disk.read_bytes()
    assert [b.image for b in found.original.body if isinstance(b, Figure)] == [0]


def test_two_files_whose_names_differ_only_in_unicode_form_are_refused(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A Linux disk holds `café.png` composed and decomposed side by side (a Mac's copy next to
    a Windows one): two files that look one, which may be two pictures. The composed one was
    taken without a word; now the story says which files, in which forms, and what to do."""
    import unicodedata

    story = STORY + "images:\n  - file: images/été/café.png\n    alt: A café\n"
    body = VARIANT + "\n![](images/été/café.png)\n"
    folder = write_story(tmp_path, "twins", story, en=body)
    images = folder / "images" / unicodedata.normalize("NFD", "été")  # (a folder in either form)
    images.mkdir(parents=True)
    for form, colour in (("NFC", (200, 40, 40)), ("NFD", (40, 40, 200))):
        name = unicodedata.normalize(form, "café.png")
        Image.new("RGB", (80, 60), colour).save(images / name, format="PNG")
    _, diags = read(tmp_path, site_config)
    [problem] = diags.errors
    assert (problem.code, problem.line) == ("image.name", 10)  # its `file:` line
    said = "image 'images/été/café.png': 2 files have this name"
    assert problem.message.startswith(said), problem
    assert "composed (NFC: Windows, Linux); " in problem.message
    assert "decomposed (NFD: macOS))" in problem.message
    assert problem.message.endswith("keep one (delete or rename the others)")


def test_a_story_s_folders_are_listed_once_however_many_names_are_looked_up(
    tmp_path: Path, site_config: SiteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each picture whose path is not ASCII (`images/été/café-1.png`, stored decomposed as
    macOS writes it) listed every folder on its way again (`spelt_on_disk`), and the "did you
    mean" of a missing one again (`StoryFiles._spelt_folder`, a second loop of its own, in
    any letter case): 14 listings of the three folders here, 6 of the story folder. One
    lookup now, each folder listed once (the story folder by the reader's own listing of
    it); what is found and suggested is the same."""
    import collections
    import os
    import unicodedata

    names = [f"café-{n}.png" for n in range(3)]
    listed = "".join(f"  - file: images/été/{name}\n    alt: A café\n" for name in names)
    missing = "  - file: Images/ÉTÉ/café-9.png\n    alt: A café\n"  # (another letter case)
    folder = write_story(tmp_path, "forms", STORY + f"images:\n{listed}{missing}")
    images = folder / unicodedata.normalize("NFD", "images/été")
    images.mkdir(parents=True)
    for name in names:
        Image.new("RGB", (80, 60), (200, 40, 40)).save(
            images / unicodedata.normalize("NFD", name), format="PNG"
        )
    listings: collections.Counter[str] = collections.Counter()

    def counting(real: Any) -> Any:
        """The real call, counted by the folder it lists."""

        def counted(path: str | Path = ".") -> Any:
            if isinstance(path, str | Path) and Path(path).is_relative_to(folder):
                listings[unicodedata.normalize("NFC", str(Path(path).relative_to(folder)))] += 1
            return real(path)

        return counted

    monkeypatch.setattr(os, "listdir", counting(os.listdir))
    monkeypatch.setattr(os, "scandir", counting(os.scandir))
    _, diags = read(tmp_path, site_config)
    monkeypatch.undo()
    assert listings == {".": 1, "images": 1, "images/été": 1}, listings
    [problem] = diags.errors
    assert problem.code == "image.missing" and "file not found; did you mean" in problem.message
    assert unicodedata.normalize("NFC", problem.message).endswith("'images/été/café-2.png'?")


def test_a_list_a_hash_left_open_is_told_at_its_line() -> None:
    """A ` #` inside `[ ]` hides the closing bracket; the message names that line and the
    item to quote, and never a ` #` inside quotes on another line."""
    with pytest.raises(YamlProblem) as raised:
        parse_yaml("a: 1\nkeywords: [port, #harbour]\nsection: x\n")
    assert raised.value.line == 2
    assert raised.value.message.startswith("the [ that opens the keywords is never closed")
    assert 'quote the item: "#harbour"' in raised.value.message
    with pytest.raises(YamlProblem) as raised:
        parse_yaml('headline: "We are #1"\nkeywords: [a, b\n')
    assert raised.value.line == 2 and "#1" not in raised.value.message


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2026-01-05T10:00:00+05:75", "the offset +05:75 is not a time"),
        ("2026-01-05T10:00:00+24:00", "the offset +24:00 is not a time"),
        ("0999-12-31T10:00:00Z", "is before the year 1000; check the year"),
        ("2026-01-05T10:00:00+0100", "write it '2026-01-05T10:00:00+01:00'"),
        # xs:dateTime (NewsML-G2, sitemaps) stops at ±14:00: said with the UTC form
        ("2026-01-05T10:00:00+15:00", "in UTC it is '2026-01-04T19:00:00Z'"),
        ("2026-01-05T10:00:00-14:01", "beyond the -14:00 to +14:00"),
        ("2026-01-05T10:00:00+1500", "the offset +1500 is beyond -14:00 to +14:00"),
        # the year 1000 in its own offset, the year 999 in UTC (and in Europe/Brussels)
        ("1000-01-01T00:30:00+01:00", "falls outside the years 1000 to 9999"),
        # a field out of its range is named, with what to write (was "not a valid date-time")
        ("2026-02-30T10:00:00+01:00", "February 2026 has no day 30 (01 to 28)"),
        ("2026-01-05T10:61:00+01:00", "there is no minute 61"),
        ("2026-01-05T24:00:00+01:00", "write midnight as 00:00 of the next day"),
        ("2026-01-05T23:59:60Z", ":60 is a leap second, which the outputs' dates"),
    ],
)
def test_dates_are_rfc_3339_with_a_real_offset_from_the_year_1000(
    tmp_path: Path, site_config: SiteConfig, written: str, said: str
) -> None:
    """An offset of 75 minutes moved the time silently (+05:75 read as +06:15); a year before
    1000 passed and made JSON-LD its own validator refuses."""
    story = STORY.replace("2026-01-05T09:00:00+01:00", written).replace(
        "2026-01-05T10:00:00+01:00", written
    )
    write_story(tmp_path, "2026-01-05-dated", story)
    stories, diags = read(tmp_path, site_config)
    assert not stories
    assert any(said in d.message for d in diags.errors), [d.message for d in diags]


def test_offsets_of_14_hours_are_read(tmp_path: Path, site_config: SiteConfig) -> None:
    """Kiribati's +14:00 and Baker Island's -12:00 are the far ends of real zones."""
    story = STORY.replace("2026-01-05T09:00:00+01:00", "2026-01-05T22:00:00+14:00")
    story = story.replace("2026-01-05T10:00:00+01:00", "2026-01-05T23:00:00+14:00")
    write_story(tmp_path, "2026-01-05-dated", story)
    (found,), diags = read(tmp_path, site_config)
    assert not diags.errors and found.published == datetime(2026, 1, 5, 9, tzinfo=UTC)


def test_the_year_1000_is_checked_in_the_story_s_zone_too(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """01:00 UTC on 1 January 1000 is still 999 in St. John's (-03:30): its pages would say
    "December 31, 999"."""
    story = STORY.replace("2026-01-05T09:00:00+01:00", "1000-01-01T01:00:00Z")
    story = story.replace("2026-01-05T10:00:00+01:00", "1000-01-01T01:00:00Z")
    write_story(tmp_path, "2026-01-05-dated", story + "timezone: America/St_Johns\n")
    stories, diags = read(tmp_path, site_config)
    assert not stories
    said = [d.message for d in diags.errors]
    assert any("published:" in m and "falls outside the years 1000" in m for m in said), said


def test_an_embargo_in_the_last_second_of_9999_is_an_error_not_a_crash(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """The whole second after 9999-12-31T23:59:59.5Z is in the year 10000: OverflowError
    stopped validate, list and show, and export said "a worker failed"."""
    write_story(tmp_path, "2026-01-05-dated", STORY + "embargo_until: 9999-12-31T23:59:59.5Z\n")
    stories, diags = read(tmp_path, site_config)
    assert not stories
    (error,) = diags.errors
    assert error.code == "article.date" and "embargo_until:" in error.message
    assert error.line == 9


@pytest.mark.parametrize(
    ("zone", "written", "hint"),
    [
        ("America/St_Johns", "2026-07-30 10:00", "'2026-07-30T10:00:00-02:30' in America/St_Johns"),
        ("America/St_Johns", "2026-01-30 10:00", "'2026-01-30T10:00:00-03:30' in America/St_Johns"),
        ("Asia/Kathmandu", "2026-01-30", "add a time and the offset of its time zone:"
         " '2026-01-30T00:00:00+05:45' in Asia/Kathmandu"),
        ("UTC", "2026-01-30 10:00", "the offset of its time zone: '2026-01-30T10:00:00Z' for UTC"),
        # The hour the clocks skip never happened; the hour they go back happens twice.
        ("Europe/Brussels", "2026-03-29T02:30:00", "02:30 did not happen in Europe/Brussels"
         " that day: its clocks went from +01:00 to +02:00 then; write the time the clocks"
         " showed, with the offset they had: '2026-03-29T03:30:00+02:00' (02:30 by the clocks"
         " before the change), or '2026-03-29T01:30:00+01:00' (02:30 by the clocks after it)"),
        ("Australia/Lord_Howe", "2026-10-04T02:15:00", "02:15 did not happen in"
         " Australia/Lord_Howe that day: its clocks went from +10:30 to +11:00 then; write the"
         " time the clocks showed, with the offset they had: '2026-10-04T02:45:00+11:00'"),
        ("Europe/Brussels", "2026-10-25T02:30:00", "02:30 happened twice in Europe/Brussels"
         " that night, as its clocks went back: write '2026-10-25T02:30:00+02:00' for the first"
         " time, '2026-10-25T02:30:00+01:00' for the second"),
    ],
)  # fmt: skip
def test_a_date_without_offset_is_told_the_offset_of_its_zone_that_day(
    tmp_path: Path, site_config: SiteConfig, zone: str, written: str, hint: str
) -> None:
    """The hint always said +01:00, whatever the story's zone and the season."""
    story = STORY.replace("2026-01-05T10:00:00+01:00", written)
    write_story(tmp_path, "2026-01-05-dated", story + f"timezone: {zone}\n")
    _, diags = read(tmp_path, site_config)
    assert any(hint in d.message for d in diags.errors), [d.message for d in diags]


def test_lowercase_t_and_z_are_rfc_3339_and_an_embargo_ends_on_a_whole_second(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """RFC 3339 allows `t` and `z`. Every output writes whole seconds: an embargo ending at
    .7 s is said to end at the next second, never at the one before (partners would publish
    early)."""
    story = STORY.replace("2026-01-05T10:00:00+01:00", "2026-01-05t10:00:00z")
    story += "embargo_until: 2026-01-05T12:00:00.7Z\n"
    write_story(tmp_path, "2026-01-05-dated", story)
    (read_story,), diags = read(tmp_path, site_config)
    assert not diags.errors
    assert read_story.published == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert read_story.embargo_until == datetime(2026, 1, 5, 12, 0, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "now",
    ["2024-W22-6T12:00:00Z", "20240601T120000Z", "2024-06-01 12:00Z", "2024-06-01T12Z",
     "2024-06-01T12:00:00+05:75", "2024-06-01T12:00:00+0530"],
)  # fmt: skip
def test_now_is_rfc_3339_as_story_dates_are(now: str) -> None:
    from syndicate.cli import parse_now

    with pytest.raises(argparse.ArgumentTypeError, match="is not an RFC 3339 date-time"):
        parse_now(now)
    assert parse_now("2024-06-01t12:00:00z") == datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_now_on_a_day_the_month_does_not_have_is_told_which() -> None:
    from syndicate.cli import parse_now

    with pytest.raises(argparse.ArgumentTypeError, match="April 2026 has no day 31"):
        parse_now("2026-04-31T12:00:00Z")


def test_now_that_is_no_date_is_not_told_to_add_a_time_zone() -> None:
    """`--now yesterday` was told it "needs a time zone offset" (it has a T)."""
    from syndicate.cli import parse_now

    with pytest.raises(argparse.ArgumentTypeError) as raised:
        parse_now("yesterday")
    assert "is not an RFC 3339 date-time, e.g." in str(raised.value)
    assert "offset" not in str(raised.value)
    with pytest.raises(argparse.ArgumentTypeError, match="needs a time zone offset"):
        parse_now("2026-01-01T10:00")


def _png() -> bytes:
    import io

    from PIL import Image as Pillow

    buffer = io.BytesIO()
    Pillow.new("RGB", (800, 600), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("listed", "written"),
    [
        ("./images/chart.png", "./images/chart.png"),
        ("./images/chart.png", "images/chart.png"),
        ("images/chart.png", "./images/chart.png"),
        ("images//chart.png", "images/chart.png"),
        ("images/../images/chart.png", "images//chart.png"),
        ("images/chart.png", "images/./chart.png"),
        ("images/a%20b.png", "images/a%20b.png"),
        ("images/a%20b.png", "images/a%2520b.png"),
        ("images/a b.png", "images/a%20b.png"),
        ("images/a b.png", "<images/a b.png>"),
        ("images/100%.png", "images/100%.png"),
        ("images/é%20x.png", "images/é%20x.png"),
    ],
)
def test_one_image_path_has_one_spelling(
    tmp_path: Path, site_config: SiteConfig, listed: str, written: str
) -> None:
    """`./images/chart.png` listed and placed was "not listed under images:", `images/../`
    "outside the story folder", and a file named `a%20b.png` placed as `a%20b.png` "file not
    found; did you mean 'images/a%20b.png'?": story.yaml's path was taken as written, the
    body's with only `./` taken off, and any `..` as leaving the folder."""
    from syndicate.readers.storyfiles import story_path

    story = STORY + f"images:\n  - file: '{listed}'\n    alt: A chart\n"
    folder = write_story(tmp_path, "paths", story, en=VARIANT + f"\n![]({written})\n")
    (folder / "images").mkdir()
    on_disk = story_path(listed)
    assert on_disk is not None
    (folder / on_disk).write_bytes(_png())
    (found,), diags = read(tmp_path, site_config)
    assert not diags.errors, [d.format_text() for d in diags]
    (image,) = found.images
    assert image.file == on_disk and Path(image.path).read_bytes() == _png()
    assert isinstance(found.original.body[-1], Figure)


def test_a_body_image_outside_the_story_is_told_so(tmp_path: Path, site_config: SiteConfig) -> None:
    """It was "file not found", with a "did you mean" naming what was beside the folder."""
    write_story(tmp_path, "outside", en=VARIANT + "\n![](../other/chart.png)\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "chart.png").write_bytes(_png())
    _, diags = read(tmp_path, site_config)
    (error,) = [d for d in diags.errors if d.code == "body.image"]
    assert "'../other/chart.png': file not found; it is outside the story folder" in error.message


@pytest.mark.parametrize("path", ["../../etc/passwd", "images/../../x.png", "/etc/passwd", ".", ""])
def test_a_story_path_leaving_the_folder_has_no_spelling(path: str) -> None:
    from syndicate.readers.storyfiles import story_path

    assert story_path(path) is None


@pytest.mark.parametrize(
    ("codec", "wide"),
    [
        ("utf-16", "UTF-16"),  # with its byte order mark, as Notepad's "Unicode"
        ("utf-16-le", "UTF-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-32", "UTF-32"),
    ],
)
def test_a_utf16_file_is_told_to_be_saved_as_utf8(
    tmp_path: Path, site_config: SiteConfig, codec: str, wide: str
) -> None:
    """It was "file is binary (contains NUL bytes), not text", with nothing to do about it."""
    folder = write_story(tmp_path, "wide")
    text = VARIANT.replace("A paragraph", "Un paragraphe 中文, été")
    (folder / "en.md").write_bytes(text.encode(codec))
    _, diags = read(tmp_path, site_config)
    (error,) = diags.errors
    assert error.code == "file.encoding" and error.path.endswith("wide/en.md")
    assert error.message.startswith(f"the file is {wide} text")
    assert "save it as UTF-8" in error.message


def test_a_binary_file_is_not_taken_for_utf16() -> None:
    from syndicate.readers.textfile import decode_text, wide_encoding

    assert wide_encoding("中文\n".encode("utf-16-le")) == "UTF-16"
    assert wide_encoding(b"no NUL\n") is None
    diags = Diagnostics()
    assert decode_text(_png(), "en.md", diags, "file is empty") is None
    assert [d.code for d in diags] == ["file.binary"]
    assert "save it as plain UTF-8 text" in diags.errors[0].message  # what to do, not only why


def test_a_file_or_folder_denied_to_the_user_says_to_give_access() -> None:
    """ "cannot read file: Permission denied" and "cannot write to out: Permission denied" said
    nothing of what to do (a cron job's user, a CI runner's): they name the access to give."""
    import errno

    from syndicate.build.publish import _output_error
    from syndicate.readers.safefile import _access

    denied = OSError(errno.EACCES, "Permission denied")
    said = _access(denied)
    assert "give the user syndicate runs as (the cron job's, CI's) read access to it and" in said
    assert "check the disk or share" in _access(OSError(errno.EIO, "Input/output error"))
    said = str(_output_error(Path("out"), denied))
    assert said.startswith("cannot write to out: Permission denied: give the user syndicate runs")
    assert "or export to a folder it can write (--out)" in said


def test_an_out_on_a_read_only_disk_is_not_told_to_give_access() -> None:
    """export onto a read-only mount was told to give the user write access, which no
    permission does: it is told the disk is read-only, and --out."""
    import errno

    from syndicate.build.publish import _output_error

    said = str(_output_error(Path("out"), OSError(errno.EROFS, "Read-only file system")))
    assert "write access" not in said
    assert "mounted read-only; export to a folder on a writable one (--out)" in said


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\v", "\f", "\x1c", "\x1e"])
def test_a_line_break_only_yaml_sees_moves_no_line_number(
    tmp_path: Path, site_config: SiteConfig, char: str
) -> None:
    """YAML breaks lines at U+2028, U+2029 and U+0085 too: one pasted into a quoted headline
    put every later problem of the front matter a line down ("en.md:16" for an editor's 14)."""
    en = VARIANT.replace("headline: A headline", f'headline: "A{char}headline"')
    en = en.replace("dateline: Brussels", "datelin: Brussels")
    story = STORY.replace("section: politics", f'section: "poli{char}tics"\nsectoin: x')
    write_story(tmp_path, "breaks", story, en=en)
    _, diags = read(tmp_path, site_config)
    unknown = sorted(
        (d.path.rsplit("/", 1)[-1], d.line) for d in diags.errors if "unknown" in d.message
    )
    assert unknown == [("en.md", 6), ("story.yaml", 4)], [d.format_text() for d in diags]


@pytest.mark.parametrize("char", ["\u2028", "\x85"])
def test_a_yaml_line_break_in_a_plain_value_is_named(char: str) -> None:
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(f"a: 1\nheadline: A{char}headline\nb: 2\n", first_line=2)
    assert raised.value.line == 3
    assert raised.value.message.startswith(f"this line holds U+{ord(char):04X} (")
    assert "YAML reads as a line break" in raised.value.message


def test_now_beyond_14_hours_is_refused_with_its_utc_form() -> None:
    """--now takes what story dates take: +15:00 would put NewsML-G2 and sitemaps out of
    xs:dateTime's range."""
    from syndicate.cli import parse_now

    with pytest.raises(argparse.ArgumentTypeError, match="in UTC it is '2026-12-01T09:00:00Z'"):
        parse_now("2026-12-02T00:00:00+15:00")
    assert parse_now("2026-12-01T23:00:00+14:00") == datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "ident"),
    [
        ("id: tag:a.example,2021:one\nurgency: [4\n", "tag:a.example,2021:one"),
        ('id: "tag:a.example,2021:two"  # the id\n', "tag:a.example,2021:two"),
        ("id: 'urn:x:three'\n", "urn:x:three"),
        ("id: urn:x:four # note\nversion: 1\n", "urn:x:four"),
        ("version: 1\n", None),  # no id
        ("id: urn:x:a\nid: urn:x:b\n", None),  # two: which one is not known
        ("id: &anchor urn:x:c\n", None),  # only parsing reads it
        ("id: [urn:x:d\n", None),
        ("  id: urn:x:nested\n", None),  # not the top level
        ("id:\n", None),
        ("# saved on Windows\r\nid: urn:x:crlf\r\nurgency: [4\r\n", "urn:x:crlf"),
        ("\ufeffid: urn:x:bom\n", "urn:x:bom"),  # a byte order mark before it
    ],
)
def test_the_id_a_folder_that_cannot_be_read_may_give(
    tmp_path: Path, text: str, ident: str | None
) -> None:
    (tmp_path / "story.yaml").write_text(text, encoding="utf-8")
    assert claimed_id(tmp_path) == ident


def test_a_folder_with_no_story_yaml_gives_no_id(tmp_path: Path) -> None:
    assert claimed_id(tmp_path) is None
    (tmp_path / "story.yaml").symlink_to("/etc/hostname")
    assert claimed_id(tmp_path) is None, "a link is not followed"


def test_a_folder_linked_out_of_the_articles_folder_gives_no_id(tmp_path: Path) -> None:
    """Its files are never read, its id neither: it may hold any story, as a link to
    nothing may."""
    elsewhere = tmp_path / "Dropbox"
    elsewhere.mkdir()
    (elsewhere / "story.yaml").write_text("id: urn:x:elsewhere\n", encoding="utf-8")
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "linked").symlink_to(elsewhere, target_is_directory=True)
    assert claimed_id(elsewhere) == "urn:x:elsewhere"
    assert claimed_id(tmp_path / "articles" / "linked") is None


def test_a_story_yaml_that_cannot_be_read_hides_no_problem_of_the_bodies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every problem in one run: with story.yaml refused, the language files' bodies are
    still read for their own problems (an empty body, a code block, an image that is not
    there), though not for whether an image is listed, which story.yaml says."""
    shutil.copytree(REPO / "articles", tmp_path / "articles")
    shutil.copy(REPO / "syndicate.yaml", tmp_path / "syndicate.yaml")
    story = tmp_path / "articles" / SAMPLE_SLUG
    meta = story / "story.yaml"
    meta.write_text(meta.read_text("utf-8").replace("+01:00\n", "\n", 1), encoding="utf-8")
    (story / "ar.md").write_text(
        "---\nheadline: x\nsummary: y\nbyline:\n  organisation: Y\ndateline: z\n---\n", "utf-8"
    )
    english = story / "en.md"
    extra = "\n![map](images/nowhere.png)\n\n```\ncode\n```\n"
    english.write_text(english.read_text("utf-8") + extra, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--site", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    for code in ("article.schema", "article.empty-body", "body.unsupported", "body.image"):
        assert f"[{code}]" in err, code
    assert "nato-iraq-mission.png" not in err.replace("did you mean 'images/nato-iraq", "")


UUID_ID = "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"


def test_a_uuid_story_gives_each_language_a_uuid_of_its_own(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A `urn:uuid:` id took `:en` after the UUID, which no UUID URN may (RFC 9562): the W3C
    Feed Validator failed every feed holding it, EPUBCheck warned. Each variant's id is the
    UUID the language names in the story's (version 5): valid, distinct, the same every run."""
    import uuid

    upper = "urn:uuid:" + UUID_ID[9:].upper()  # a UUID's hex digits in either case
    story_yaml = STORY.replace("tag:ycpress.example,2026-01-05:{slug}", upper)
    write_story(tmp_path, "uuid", story=story_yaml, en=VARIANT, fr=VARIANT)
    (story,), diags = read(tmp_path, site_config)
    assert not diags.errors
    ids = {lang: story.variant_id(lang) for lang in ("en", "fr")}
    for lang, made in ids.items():
        assert made == f"urn:uuid:{uuid.uuid5(uuid.UUID(UUID_ID[9:]), lang)}"
    assert ids["en"] != ids["fr"]
    from syndicate.model import StorySummary

    assert StorySummary.of(story).variant_id("fr") == ids["fr"]


@pytest.mark.parametrize(
    ("given", "code"),
    [
        (f"{UUID_ID}-v2", "story.id"),  # not one UUID
        ("urn:uuid:harbour", "story.id"),
        ("tag:ycpress.example,2026-03-09:harbour#1", "article.schema"),  # :en inside a fragment
        ("urn:ycpress:harbour?v=1", "article.schema"),  # :en in a q-component
        ("tag:ycpress.example,2026-03-09:élan", "article.schema"),  # an IRI, not a URI
        ("tag:ycpress.example,2026-03-09:100%", "article.schema"),  # % and no two hex digits
    ],
)
def test_an_id_whose_variants_would_share_or_break_their_ids_is_refused(
    tmp_path: Path, site_config: SiteConfig, given: str, code: str
) -> None:
    story_yaml = STORY.replace("tag:ycpress.example,2026-01-05:{slug}", given)
    write_story(tmp_path, "odd", story=story_yaml, en=VARIANT)
    stories, diags = read(tmp_path, site_config)
    assert stories == []
    (error,) = diags.errors
    assert (error.code, error.line) == (code, 1), error


def test_an_id_of_every_uri_character_and_escapes_is_read(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    given = "urn:ycpress:a.b_c~d!$&'()*+,;=:@/%C3%A9lan-1"
    story_yaml = STORY.replace("tag:ycpress.example,2026-01-05:{slug}", f'"{given}"')
    write_story(tmp_path, "ok", story=story_yaml, en=VARIANT)
    (story,), diags = read(tmp_path, site_config)
    assert not diags.errors and story.variant_id("en") == f"{given}:en"


def test_a_thousand_nested_emphases_are_an_error_not_a_recursion(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`*a *a *a ... x ... b* b* b*` a thousand deep ran out of Python's stack while the
    paragraph's tree was built: a RecursionError traceback in validate, a dead worker in
    export (the healthy stories not published)."""
    deep = "*a " * 1000 + "x" + " b*" * 1000
    write_story(tmp_path, "2026-01-05-deep", en=VARIANT + "\n" + deep + "\n")
    write_story(tmp_path, "2026-01-05-fine")
    stories, diags = read(tmp_path, site_config)
    assert [s.slug for s in stories] == ["2026-01-05-fine"]
    (error,) = diags.errors
    assert error.code == "body.nesting" and error.line == 10  # the paragraph's line
    assert error.message.startswith("lists, quotes or inline markup nested 1000 deep, past")


@pytest.mark.parametrize(("field", "value"), [("version", "2.0"), ("urgency", "4.0")])
def test_a_whole_number_written_as_a_decimal_is_refused(
    tmp_path: Path, site_config: SiteConfig, field: str, value: str
) -> None:
    """`version: 2.0` passed the schema (JSON's integer takes 2.0) and was published as
    `version="2.0"`, which NewsML-G2's positiveInteger refuses."""
    write_story(tmp_path, "2026-01-05-dec", STORY + f"{field}: {value}\n")
    stories, diags = read(tmp_path, site_config)
    assert not stories
    (error,) = diags.errors
    whole = value.split(".")[0]
    assert f"{field}: {value} is written as a decimal" in error.message
    assert error.message.endswith(f"write it as a whole number: {field}: {whole}")


def test_a_joiner_or_mark_at_a_names_edge_makes_no_second_name_that_looks_the_same(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`chart.png` and `chart\u200d.png` (a zero-width joiner at its end) were published as two
    names that look one, no `image.name` error: the joiner, part of no word there, is dropped,
    so the two are the one name they look, and the clash is told."""
    listed = (
        "  - file: images/chart.png\n    alt: A\n  - file: images/chart\u200d.png\n    alt: B\n"
    )
    story = STORY + "images:\n" + listed
    folder = write_story(tmp_path, "edges", story, en=VARIANT)
    (folder / "images").mkdir()
    for name in ("chart.png", "chart\u200d.png"):
        Image.new("RGB", (80, 60), (200, 40, 40)).save(folder / "images" / name, format="PNG")
    _, diags = read(tmp_path, site_config)
    [problem] = diags.errors
    assert (problem.code, problem.line) == ("image.name", 12), problem.format_text()
    assert "would be published as 'chart.png', like 'images/chart.png' (line 10)" in problem.message
