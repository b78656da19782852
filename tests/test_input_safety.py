"""Hostile files between the disk and the model that git cannot keep as fixtures (FIFOs, hard
links, links out of a story, huge sparse files, names with a newline), the budgets, and the
story snapshot the build hashes: never a hang, never a traceback, never a byte the key does not
name, never a file the story does not use."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tracemalloc
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, REPO, SAMPLE_SLUG
from PIL import Image as PILImage
from test_reader import STORY, VARIANT, read, write_story

from syndicate.build import inputs, workers
from syndicate.build.engine import CACHE_ENV
from syndicate.build.sources import Mirror, snapshot
from syndicate.cli import main
from syndicate.diagnostics import Diagnostic, Diagnostics
from syndicate.formats.newsml.reader import read_newsml
from syndicate.model import Image, Localized, SiteConfig, SourceRef
from syndicate.readers import budgets, safefile
from syndicate.readers.articles import read_story
from syndicate.readers.config import load_config
from syndicate.readers.folders import shown_path
from syndicate.readers.images import ImageFacts, ImageProblem, inspect_image
from syndicate.readers.storyfiles import StoryFiles
from syndicate.readers.yamlsource import YamlProblem, parse_yaml

TIMEOUT = 120
"""Seconds a run may take before it counts as hung (a FIFO opened for reading blocks)."""
IMAGES = "images:\n  - file: {0}\n    alt: A picture\n"
SECRET = "TOP SECRET"


def png(width: int = 8, height: int = 8) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def errors(articles: Path, config: SiteConfig) -> list[Diagnostic]:
    stories, diags = read(articles, config)
    assert stories == []
    return diags.errors


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m syndicate ARGS` on `site/articles` with the sample configuration, in a
    process of its own, with a timeout: a hang fails the test instead of stalling it."""
    config = ["--config", str(REPO / "syndicate.yaml"), "--articles", "articles"]
    return subprocess.run(
        [sys.executable, "-m", "syndicate", *args, *config],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def sample_config() -> str:
    """The sample's syndicate.yaml, its logo and icon named where they are."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    return config.replace("articles/_site", str(REPO / "articles/_site"))


def validate_config(tmp_path: Path, config: str, articles: Path | str = "x") -> int:
    """`syndicate validate` of the configuration `config`, written in `tmp_path`."""
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    return main(
        ["validate", "--config", str(tmp_path / "syndicate.yaml"), "--articles", str(articles)]
    )


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path syndicate's readers open, in order."""
    paths: list[str] = []
    real_open = os.open

    def spy(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        paths.append(str(path))
        return int(real_open(path, flags, *args, **kwargs))

    monkeypatch.setattr(os, "open", spy)
    return paths


# Files that are not plain files of the story --------------------------------------------------


@pytest.mark.parametrize("name", ["en.md", "story.yaml", "fr.md"])
def test_a_fifo_story_file_is_refused_without_hanging(tmp_path: Path, name: str) -> None:
    folder = write_story(tmp_path / "articles", "fifo")
    (folder / name).unlink(missing_ok=True)
    os.mkfifo(folder / name)
    for command in (["validate"], ["export", "-q", "-f", "model", "--out", "out"]):
        result = run(tmp_path, *command)
        assert result.returncode == 2, result.stderr
        assert f"articles/fifo/{name}: error: not a regular file but a FIFO" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "model").exists()


def test_a_fifo_the_story_does_not_list_is_never_opened(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "articles", "unused-fifo")
    (folder / "images").mkdir()
    os.mkfifo(folder / "images" / "pipe.png")
    result = run(tmp_path, "export", "-q", "-f", "model", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "model" / "unused-fifo.json").is_file()


def test_a_fifo_listed_as_an_image_is_refused(tmp_path: Path, site_config: SiteConfig) -> None:
    story = STORY + IMAGES.format("images/pipe.png")
    folder = write_story(tmp_path / "articles", "fifo-image", story)
    (folder / "images").mkdir()
    os.mkfifo(folder / "images" / "pipe.png")
    (error,) = errors(tmp_path / "articles", site_config)
    assert (error.code, error.line) == ("file.special", 10)
    assert (
        error.message == "image 'images/pipe.png': not a regular file but a FIFO; use a plain file"
    )


def test_story_yaml_linked_outside_the_story_is_refused(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    folder = write_story(tmp_path / "articles", "linked-meta")
    outside = tmp_path / "outside.yaml"
    (folder / "story.yaml").rename(outside)
    (folder / "story.yaml").symlink_to(outside)
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "story.outside" and error.path.endswith("linked-meta/story.yaml")
    assert error.message == (
        "a link to a place outside the story folder; replace the link with a copy of what it"
        " links to"
    )


def test_a_story_file_linked_to_a_link_to_nothing_names_where_the_links_end(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`fr.md -> fr-old.md -> /mnt/newsroom/gone.md` said "a link to 'fr-old.md', which is not
    there", of a link that is there: where the links end is what is missing."""
    folder = write_story(tmp_path / "articles", "chained")
    (folder / "fr.md").symlink_to("drafts/fr-old.md")
    (folder / "drafts").mkdir()
    (folder / "drafts" / "fr-old.md").symlink_to("/mnt/newsroom/gone.md")
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "file.missing" and error.path.endswith("chained/fr.md")
    assert error.message == (
        "a link to 'drafts/fr-old.md', which links to '/mnt/newsroom/gone.md', which is not"
        " there (a share not mounted?): mount it, or replace the link with the file"
    )


@pytest.mark.parametrize("name", ["story.yaml", "en.md", "fr.md"])
def test_a_story_file_linked_to_nothing_names_its_target_and_the_fix(
    tmp_path: Path, site_config: SiteConfig, name: str
) -> None:
    """A story file that is a link to nothing (a share not mounted) said "a link to nothing"
    alone: neither where it leads nor what to do (found by mutation fuzzing). An image's
    names its target already (`image.missing`)."""
    folder = write_story(tmp_path / "articles", "dangling")
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to("/mnt/newsroom/gone.txt")
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "file.missing" and error.path.endswith(f"dangling/{name}")
    assert error.message == (
        "a link to '/mnt/newsroom/gone.txt', which is not there (a share not mounted?): mount"
        " it, or replace the link with the file"
    )


@pytest.mark.parametrize("name", ["story.yaml", "en.md", "images/chart.png"])
def test_a_hard_link_is_refused_with_the_fix(
    tmp_path: Path, site_config: SiteConfig, name: str
) -> None:
    """A hard link can be any file of the machine under another name: only a file of the story's
    own is read, and the message says how to make one."""
    folder = write_story(tmp_path / "articles", "hard", STORY + IMAGES.format("images/chart.png"))
    (folder / "images").mkdir()
    (folder / "images" / "chart.png").write_bytes(png())
    elsewhere = tmp_path / "elsewhere"
    os.link(folder / name, elsewhere)
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "file.hard-link"
    assert "2 names on disk" in error.message and "replace it with a copy" in error.message


def test_language_files_are_named_by_the_canonical_tag(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    folder = write_story(tmp_path / "articles", "two-english", en=VARIANT)
    (folder / "EN.md").write_text(VARIANT, encoding="utf-8")
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "story.language" and error.path.endswith("two-english/EN.md")
    assert error.message.startswith("name the file en.md")


@pytest.mark.parametrize(
    ("slug", "problem"),
    [
        ("2030-01-01-test\n", "is not a valid story slug"),
        ("a" * 250, "slug is 250 characters long; keep it under 120"),
        ("index", "taken by the index pages"),
        ("catalog", "taken by the OPDS and NewsML-G2 catalogs"),
        ("pages-2", "taken by the sitemap of pages' files"),
        # spelled as a language of the site: its feeds, catalogs and books (`atom/fr.xml`)
        ("fr", "taken by the files of the language fr (atom/fr.xml, opds/fr.xml)"),
        ("zh-hans", "taken by the files of the language zh-Hans"),
        ("edition-de", "taken by the files of the language de (epub/edition-de.epub)"),
        ("news-ar", "taken by the files of the language ar (sitemaps/news-ar.xml)"),
        # a partner profile's logo, and a news sitemap's later files (over 1,000 URLs)
        ("brand", "taken by the partner profiles' copy of the publisher's logo"),
        ("news-zh-hans-2", "the language zh-Hans (sitemaps/news-zh-Hans-2.xml)"),
    ],
)
def test_a_slug_that_cannot_become_file_names_is_refused(
    tmp_path: Path, site_config: SiteConfig, slug: str, problem: str
) -> None:
    write_story(tmp_path / "articles", slug)
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "story.slug" and problem in error.message


def test_a_slug_spelled_as_a_static_file_at_the_top_of_templates_is_refused(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`templates/ads.txt` is published as `html/ads.txt`, which a delivery took for a file
    of a story slugged `ads`: a target filtered by section lost it with that story. A static
    file in a folder (`js/app.js`) names no story."""
    import dataclasses

    config = dataclasses.replace(site_config, static=("ads.txt", "js/app.js"))
    write_story(tmp_path / "articles", "ads")
    write_story(tmp_path / "articles", "app")
    stories, diags = read(tmp_path / "articles", config)
    assert [story.slug for story in stories] == ["app"]
    (error,) = diags.errors
    assert error.code == "story.slug" and error.path.endswith("articles/ads")
    assert "the slug 'ads' is taken by the templates' static file ads.txt (html/ads.txt)" in (
        error.message
    )


# Budgets ----------------------------------------------------------------------------------------


def test_a_100_kb_value_aliased_2000_times_is_refused_cheaply(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """The 108 KB story.yaml of issue 18: it expanded to 200 MB of keywords."""
    value = "x" * 100_000
    aliases = ", ".join(["*big"] * 2000)
    story = STORY + f"keywords: [&big {value}, {aliases}]\n"
    write_story(tmp_path / "articles", "expansion", story)
    assert 100_000 < len(story.encode()) < 120_000
    tracemalloc.start()
    (error,) = errors(tmp_path / "articles", site_config)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (error.code, error.line) == ("article.yaml", 9)
    assert "expands to more than 2097152 characters" in error.message
    assert peak < 32 * 1024 * 1024


def test_huge_files_are_judged_by_their_size_and_unused_ones_never_opened(
    tmp_path: Path, site_config: SiteConfig, opened: list[str]
) -> None:
    """A 3 GiB image (sparse: no disk used) is refused from `stat`; a 3 GiB file the story
    does not list is not opened at all, by the reader or by the build that hashes the story."""
    folder = write_story(tmp_path / "articles", "huge", STORY + IMAGES.format("images/huge.png"))
    (folder / "images").mkdir()
    for name in ("huge.png", "unlisted.bin"):
        with (folder / "images" / name).open("wb") as sparse:
            sparse.truncate(3 * 1024**3)
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "image.format"
    assert error.message == f"images/huge.png: image is {3 * 1024**3} bytes; the limit is 20971520"
    assert not [path for path in opened if path.endswith((".png", ".bin"))]

    (folder / "story.yaml").write_text(STORY.format(slug="huge"), encoding="utf-8")
    (folder / "images" / "huge.png").unlink()
    args = ["export", "-q", "-f", "model", "--articles", str(tmp_path / "articles")]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    assert not [path for path in opened if path.endswith(".bin")]


def test_an_unchanged_story_has_its_images_hashed_in_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run after an export reads each listed image in chunks to hash it (never whole into
    memory) and parses nothing."""
    story = STORY + IMAGES.format("images/chart.png")
    folder = write_story(tmp_path / "articles", "pictured", story)
    (folder / "images").mkdir()
    (folder / "images" / "chart.png").write_bytes(png(64, 64))
    args = ["export", "-q", "-f", "model", "--articles", str(tmp_path / "articles")]
    args += ["--out", str(tmp_path / "out"), "--config", str(REPO / "syndicate.yaml")]
    assert main(args) == 0
    # Touched, not changed: its signature moved, so the run must hash it to know (a signature
    # kept from the export, when the image was older than a tenth of a second then, would
    # tell it unchanged without opening it, and the test would depend on the machine's speed).
    chart = folder / "images" / "chart.png"
    then = chart.stat().st_mtime_ns - 5_000_000_000
    os.utime(chart, ns=(then, then))
    reads: list[tuple[str, int]] = []
    real_read = os.read

    def spy(fd: int, size: int) -> bytes:
        reads.append((os.readlink(f"/proc/self/fd/{fd}"), size))
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", spy)
    monkeypatch.setattr(workers, "read_story", lambda *a: pytest.fail("a story was parsed"))
    assert main(args) == 0
    image_reads = [size for path, size in reads if path.endswith("chart.png")]
    assert image_reads and max(image_reads) <= safefile.CHUNK


# The snapshot the build hashes ---------------------------------------------------------------


def test_a_story_edited_during_an_export_and_reverted_is_published_as_reverted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine hashes the story, a worker then reads it: if it changed in between, what is
    recorded is the key of what the worker read, so reverting the edit rebuilds the story
    (issue 18: the edited text was kept for the original key)."""
    folder = write_story(tmp_path / "articles", "racing")
    en = folder / "en.md"
    original = en.read_text(encoding="utf-8")
    args = ["export", "-q", "-f", "html", "-j", "1", "--articles", str(tmp_path / "articles")]
    args += ["--out", str(tmp_path / "out"), "--config", str(REPO / "syndicate.yaml")]
    page = tmp_path / "out" / "html" / "racing.en.html"
    snapshots: list[Path] = []

    def edited_after_the_first_look(
        folder: Path, *, read: bool = True, root: Path | None = None
    ) -> StoryFiles:
        if read:  # (a listing that only takes signatures reads nothing)
            snapshots.append(folder)
        if len(snapshots) == 2:  # the engine has hashed it; the worker is about to read it
            en.write_text(original.replace("A paragraph of the body.", "EDITED"), "utf-8")
        return StoryFiles(folder, read=read, root=root)

    with monkeypatch.context() as patch:
        patch.setattr(inputs, "StoryFiles", edited_after_the_first_look)
        assert main(args, registry=PLAIN_COVERS) == 0
    assert len(snapshots) == 2
    assert "EDITED" in page.read_text(encoding="utf-8")
    en.write_text(original, encoding="utf-8")
    assert main(args, registry=PLAIN_COVERS) == 0
    text = page.read_text(encoding="utf-8")
    assert "EDITED" not in text and "A paragraph of the body." in text


# Images -----------------------------------------------------------------------------------------


def test_an_exif_turned_photo_has_its_displayed_size(tmp_path: Path) -> None:
    photo = PILImage.new("RGB", (40, 20), (10, 20, 30))
    exif = PILImage.Exif()
    exif[0x0112] = 6  # turned a quarter clockwise when shown
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif.tobytes())
    facts = inspect_image(buffer.getvalue())
    assert (facts.media_type, facts.width, facts.height) == ("image/jpeg", 20, 40)


def test_a_jpeg_cut_inside_its_header_is_a_damaged_image() -> None:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 20), (10, 20, 30)).save(buffer, format="JPEG")
    for cut in (30, 60, 100):
        with pytest.raises(ImageProblem, match=r"^the image file is damaged \("):
            inspect_image(buffer.getvalue()[:cut])


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "the file is empty (0 bytes): copy or export the image again"),
        (bytes(4096), "the file holds only zero bytes (4096): a copy or a sync that never"),
    ],
)
def test_an_image_a_sync_left_empty_is_said_so(data: bytes, said: str) -> None:
    """A photo a copy or a sync left at 0 bytes (or its size in zeros, as some do) was told
    to be converted to PNG or JPEG, which it was."""
    with pytest.raises(ImageProblem) as raised:
        inspect_image(data)
    assert str(raised.value).startswith(said) and "convert" not in str(raised.value)


def test_pillow_warnings_become_image_warnings(
    tmp_path: Path, site_config: SiteConfig, capfd: pytest.CaptureFixture[str]
) -> None:
    photo = PILImage.new("RGB", (40, 20), (10, 20, 30))
    exif = PILImage.Exif()
    exif[0x0112] = 1
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif.tobytes())
    data = bytearray(buffer.getvalue())
    start = data.index(b"Exif\x00\x00") + 6
    data[start + 8 : start + 10] = b"\xff\xff"  # an IFD claiming 65,535 entries
    story = STORY + IMAGES.format("images/photo.jpg")
    folder = write_story(tmp_path / "articles", "odd-exif", story)
    (folder / "images").mkdir()
    (folder / "images" / "photo.jpg").write_bytes(data)
    stories, diags = read(tmp_path / "articles", site_config)
    assert len(stories) == 1
    (warning,) = diags.warnings
    assert warning.code == "image.format" and warning.line == 10
    assert warning.message.startswith("images/photo.jpg: Corrupt EXIF data")
    assert "Warning" not in capfd.readouterr().err


def _located_photo(fmt: str = "JPEG", *, xmp: bytes = b"", zeros: bool = False) -> bytes:
    """A photo whose EXIF (or XMP) gives where it was taken: 50°51'1.1"N 4°21'6.12"W."""
    from PIL.TiffImagePlugin import IFDRational

    photo = PILImage.new("RGB", (40, 20), (10, 20, 30))
    buffer = io.BytesIO()
    if xmp:
        photo.save(buffer, format=fmt, xmp=xmp)
        return buffer.getvalue()
    exif = PILImage.Exif()
    parts = (0, 0, 0) if zeros else (50, 51, 1.1), (0, 0, 0) if zeros else (4, 21, 6.12)
    lat, lon = (tuple(IFDRational(p) for p in part) for part in parts)
    exif[0x8825] = {1: "N", 2: lat, 3: "W", 4: lon}
    photo.save(buffer, format=fmt, exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_that_says_where_it_was_taken_is_warned_of(
    tmp_path: Path, site_config: SiteConfig, fmt: str
) -> None:
    """A reporter's phone photo carries the GPS position it was taken at, and every copy
    published as it is (pages, NewsML-G2 and ninjs media, EPUB books) kept it unsaid: the
    place of a source's home, to anyone who downloads the picture. `gps: keep` says the
    place is meant to be public."""
    name = f"images/photo.{fmt.lower()}"
    folder = write_story(tmp_path / "articles", "located", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_located_photo(fmt))
    stories, diags = read(tmp_path / "articles", site_config)
    assert len(stories) == 1 and len(stories[0].images) == 1
    (warning,) = diags.warnings
    assert warning.code == "image.location" and warning.line == 10
    assert warning.message.startswith(
        f"{name}: its metadata gives the place it was taken (GPS 50.85031, -4.35170)"
    )
    assert "write gps: keep in its images entry" in warning.message
    (folder / "story.yaml").write_text(
        (STORY + IMAGES.format(name) + "    gps: keep\n").format(slug="located"), "utf-8"
    )
    stories, diags = read(tmp_path / "articles", site_config)
    assert len(stories) == 1 and not list(diags)


def test_an_editors_word_on_an_image_its_file_does_not_need_is_a_warning_at_its_line(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`animation: checked` of a still image was taken without a word, and would vouch, unseen,
    for an animation later put in its place (one nobody played through); so would `gps: keep`
    of a photo whose metadata gives no place, for a located photo put in its place. Each is
    an `image.needless` warning at its own line, saying to remove it; the words of a file that
    needs them (an animated GIF checked, a located photo kept) are taken silently, and the
    site's `images: {gps: keep}` is no entry's word."""
    still = "images/still.png"
    words = "    animation: checked\n    gps: keep\n"
    folder = write_story(tmp_path / "articles", "still", STORY + IMAGES.format(still) + words)
    (folder / "images").mkdir()
    (folder / still).write_bytes(png())
    stories, diags = read(tmp_path / "articles", site_config)
    assert len(stories) == 1 and len(stories[0].images) == 1
    assert [(d.code, d.line) for d in diags.warnings] == [
        ("image.needless", 12),
        ("image.needless", 13),
    ], [d.format_text() for d in diags]
    animation, gps = (d.message for d in diags.warnings)
    assert animation.startswith(f"{still}: animation: checked, but it is a still image")
    assert gps.startswith(f"{still}: gps: keep, but its metadata gives no place it was taken")
    assert "remove the line" in animation and "remove the line" in gps

    frames = [PILImage.new("RGB", (16, 9), colour) for colour in ("white", "black")]
    moving, located = "images/calm.gif", "images/photo.jpeg"
    entries = IMAGES.format(moving) + "    animation: checked\n"
    entries += IMAGES.format(located).removeprefix("images:\n") + "    gps: keep\n"
    (folder / "story.yaml").write_text((STORY + entries).format(slug="still"), "utf-8")
    frames[0].save(folder / moving, "GIF", save_all=True, append_images=frames[1:], loop=1)
    (folder / located).write_bytes(_located_photo("JPEG"))
    stories, diags = read(tmp_path / "articles", site_config)
    assert len(stories[0].images) == 2 and not list(diags), [d.format_text() for d in diags]


def test_the_site_s_gps_keep_is_no_needless_word_of_a_photo_without_a_place(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`images: {gps: keep}` in syndicate.yaml is the site's word for every photo: most have
    no place in their metadata, and none of them is an `image.needless` warning (only an
    entry's own `gps: keep` is); a located photo is taken silently under it."""
    import dataclasses

    keeping = dataclasses.replace(site_config, image_gps="keep")
    still, located = "images/still.png", "images/photo.jpeg"
    entries = IMAGES.format(still) + IMAGES.format(located).removeprefix("images:\n")
    folder = write_story(tmp_path / "articles", "still", STORY + entries)
    (folder / "images").mkdir()
    (folder / still).write_bytes(png())
    (folder / located).write_bytes(_located_photo("JPEG"))
    stories, diags = read(tmp_path / "articles", keeping)
    assert len(stories) == 1 and len(stories[0].images) == 2
    assert not list(diags), [d.format_text() for d in diags]


def _multi_picture(located: bool = False) -> bytes:
    """A phone's multi-picture JPEG (MPO): a photo, then a second view; with `located`, only
    the second view's EXIF gives the place it was taken (an APP1 segment after its SOI)."""
    views = [PILImage.new("RGB", (40, 20), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    views[0].save(buffer, "MPO", save_all=True, append_images=views[1:])
    data = buffer.getvalue()
    if not located:
        return data
    exif = PILImage.open(io.BytesIO(_located_photo())).getexif().tobytes()
    segment = b"\xff\xe1" + (len(exif) + 8).to_bytes(2) + b"Exif\x00\x00" + exif
    second = data.index(b"\xff\xd8", 2) + 2
    return data[:second] + segment + data[second:]


def test_a_multi_picture_jpeg_is_read_as_a_jpeg_and_its_other_views_places_are_said(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A phone's or a 3D camera's `.jpg` is often an MPO (a JPEG followed by more pictures):
    it was refused, "unsupported format (MPO): convert it to PNG or JPEG", though it is one.
    It is a JPEG, published as it is; a GPS position in its second view's metadata only is
    said as any photo's (published with the file, anyone can read it)."""
    name = "images/photo.jpg"
    folder = write_story(tmp_path / "articles", "twin", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_multi_picture())
    stories, diags = read(tmp_path / "articles", site_config)
    assert not list(diags), [d.format_text() for d in diags]
    (image,) = stories[0].images
    assert (image.media_type, image.width, image.height) == ("image/jpeg", 40, 20)
    (folder / name).write_bytes(_multi_picture(located=True))
    stories, diags = read(tmp_path / "articles", site_config)
    assert len(stories[0].images) == 1
    (warning,) = diags.warnings
    assert warning.code == "image.location" and warning.line == 10
    assert "(GPS 50.85031, -4.35170)" in warning.message


def test_a_multi_picture_jpeg_s_place_is_told_how_to_remove_from_every_picture(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """exiftool edits a multi-picture JPEG's first picture alone: the advised `exiftool
    -gps:all= -xmp:gps*=` left the place in its second view's metadata, and the warning came
    back. Its other pictures (and the MP index pointing at them) go too; a plain photo's
    advice is as it was. The count of pictures is remembered with the other facts."""
    name = "images/photo.jpg"
    folder = write_story(tmp_path / "articles", "twin", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_multi_picture(located=True))
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    assert "(exiftool -gps:all= '-xmp:gps*=' -mpf:all= -trailer:all= " in warning.message
    (folder / name).write_bytes(_located_photo())
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    assert "(exiftool -gps:all= '-xmp:gps*=' " in warning.message
    assert "-mpf:all=" not in warning.message
    for data in (_multi_picture(), _multi_picture(located=True), _located_photo()):
        facts = inspect_image(data)
        assert ImageFacts.recalled(facts.remembered(), data, facts.sha256) == facts
    assert inspect_image(_multi_picture()).pictures == 2
    assert inspect_image(_located_photo()).pictures == 1


def test_a_multi_picture_jpeg_is_budgeted_by_every_picture_it_holds(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """An MPO's pixels were its first picture's size times its count of pictures: a 40x20
    photo followed by a 12000x12000 second picture (144 million pixels, 1.7 MB) was decoded
    whole, charged 1,600 pixels, and published with Pillow's "decompression bomb" text for a
    warning. Each picture's own size counts, read off its header before anything is
    decoded."""
    name = "images/photo.jpg"
    folder = write_story(tmp_path / "articles", "twin", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    views = [PILImage.new("RGB", (40, 20), "red"), PILImage.new("L", (12000, 12000), 255)]
    buffer = io.BytesIO()
    views[0].save(buffer, "MPO", save_all=True, append_images=views[1:])
    (folder / name).write_bytes(buffer.getvalue())
    stories, diags = read(tmp_path / "articles", site_config)
    assert not stories
    (error,) = diags.errors
    assert error.code == "image.format" and error.line == 10
    assert "holds 2 pictures (a multi-picture JPEG) of 144,000,800 pixels" in error.message
    assert f"over the limit of {budgets.MAX_IMAGE_PIXELS:,} pixels" in error.message
    assert inspect_image(_multi_picture()).pixels == 2 * 40 * 20


def test_a_site_that_publishes_its_photos_places_says_so_once(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A newsroom that keeps the places on purpose had no site-wide word for it: every
    located photo failed `--strict` until its entry said `gps: keep`. `images: {gps: keep}`
    in syndicate.yaml says it for every photo; an entry's own `gps: warn` still wins."""
    name = "images/photo.jpeg"
    folder = write_story(tmp_path / "articles", "located", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_located_photo("JPEG"))
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    assert warning.message.endswith(
        "write gps: keep in its images entry (every photo of the site: images: {gps: keep} in"
        " syndicate.yaml)"
    )
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles/_site", site / "articles/_site")
    base = (REPO / "syndicate.yaml").read_text("utf-8")
    (site / "syndicate.yaml").write_text(base + "images:\n  gps: keep\n", "utf-8")
    diags = Diagnostics()
    keeping = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert keeping is not None and not list(diags), [d.format_text() for d in diags]
    assert keeping.image_gps == "keep" and "images" not in keeping.sections
    stories, diags = read(tmp_path / "articles", keeping)
    assert len(stories[0].images) == 1 and not list(diags), [d.format_text() for d in diags]
    (folder / "story.yaml").write_text(
        (STORY + IMAGES.format(name) + "    gps: warn\n").format(slug="located"), "utf-8"
    )
    _, diags = read(tmp_path / "articles", keeping)
    (warning,) = diags.warnings
    assert warning.code == "image.location"
    assert warning.message.endswith("write gps: keep in its images entry")
    (site / "syndicate.yaml").write_text(base + "images:\n  gps: yes\n", "utf-8")
    diags = Diagnostics()
    assert load_config(site / "syndicate.yaml", "syndicate.yaml", diags) is None
    (error,) = diags.errors
    assert (error.code, error.line) == ("config.schema", base.count("\n") + 2), error


def test_a_photo_s_place_is_read_from_xmp_and_a_camera_s_zeros_are_no_place() -> None:
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-'
        b'rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        b' exif:GPSLatitude="48,51.4N" exif:GPSLongitude="2,21,3.2E"/></rdf:RDF></x:xmpmeta>'
    )
    assert inspect_image(_located_photo(xmp=xmp)).location == "48.85667, 2.35089"
    assert inspect_image(_located_photo(zeros=True)).location == ""
    assert inspect_image(png()).location == ""


def test_a_camera_s_empty_rationals_are_no_place_and_any_xmp_prefix_is_read() -> None:
    """A camera without a fix may write its GPS position as 0/0 rationals: read as NaN, they
    were warned of as `GPS nan, nan` (and kept its XMP from being read). An XMP packet may
    bind the EXIF namespace to a prefix of its own: its position was not read."""
    from PIL.TiffImagePlugin import IFDRational

    photo = PILImage.new("RGB", (40, 20), (10, 20, 30))
    exif = PILImage.Exif()
    empty = (IFDRational(0, 0),) * 3
    exif[0x8825] = {1: "N", 2: empty, 3: "E", 4: empty}
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif)
    assert inspect_image(buffer.getvalue()).location == ""
    xmp = (
        b'<rdf:Description xmlns:ex="http://ns.adobe.com/exif/1.0/"'
        b' ex:GPSLatitude="48,51.4N" ex:GPSLongitude="2,21,3.2E"/>'
    )
    assert inspect_image(_located_photo(xmp=xmp)).location == "48.85667, 2.35089"
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", exif=exif, xmp=xmp)
    assert inspect_image(buffer.getvalue()).location == "48.85667, 2.35089"


def test_a_photo_s_place_is_said_again_when_its_checks_are_remembered(tmp_path: Path) -> None:
    """The facts of an image checked once are remembered (`ImageFacts.remembered`), and the
    next reading of the story takes them from there: its place with them."""
    site = tmp_path / "site"
    folder = write_story(site / "articles", "located", STORY + IMAGES.format("images/p.jpg"))
    (folder / "images").mkdir()
    (folder / "images" / "p.jpg").write_bytes(_located_photo())
    for _ in range(2):  # the second reads the story again (its text changed), not the photo
        done = run(site, "export", "-f", "model", "-j", "1", "--out", "out")
        assert done.returncode == 0, done.stderr
        assert done.stderr.count("[image.location]") == 1, done.stderr
        (folder / "en.md").write_text(VARIANT + "\nOne more paragraph.\n", encoding="utf-8")


def test_a_photo_s_exiftool_advice_names_it_from_where_syndicate_was_started(
    tmp_path: Path,
) -> None:
    """The exiftool command of the warning named the photo relative to the site folder (where
    the command runs): run with `--site DIR` from elsewhere, the pasted command found no file.
    It names it as the warning's own place is shown, from where syndicate was started (from
    the folder holding the site, `my site/articles/...`; from elsewhere, absolute), also when
    the warning is said again from the build state."""
    site = tmp_path / "my site"
    folder = write_story(site / "articles", "located", STORY + IMAGES.format("images/p 1.jpg"))
    (folder / "images").mkdir()
    (folder / "images" / "p 1.jpg").write_bytes(_located_photo())
    (site / "syndicate.yaml").write_text(sample_config(), encoding="utf-8")
    photo = folder / "images" / "p 1.jpg"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, shown in (
        (tmp_path, "my site/articles/located/images/p 1.jpg"),
        (elsewhere, str(photo)),
        (folder, "images/p 1.jpg"),
        (site, None),
    ):
        for command in ("validate", "export"):
            done = subprocess.run(
                [sys.executable, "-m", "syndicate", command, "--site", str(site)]
                + (
                    ["-f", "model", "-j", "1", "--log-format", "json"]
                    if command == "export"
                    else []
                ),
                cwd=cwd,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            said = done.stderr
            if command == "export":
                (said,) = (
                    json.loads(line)["message"]
                    for line in done.stderr.splitlines()
                    if '"image.location"' in line
                )
            quoted = shlex.quote(shown or "articles/located/images/p 1.jpg")
            assert f"-overwrite_original {quoted})" in said, said


def test_a_photo_s_exiftool_advice_names_a_dashed_photo_as_no_option(tmp_path: Path) -> None:
    """Shown from the photo's own folder, a photo named `-p.jpg` was written bare in the
    command, `-p.jpg`, which exiftool takes for its option `-p` (and mv, for a JPEG named
    .png, for its own): it is written `./-p.jpg`, as is the piped command's spare file."""
    site = tmp_path / "site"
    body = STORY + "images:\n  - file: images/-p.jpg\n    alt: A\n  - file: images/-q.png\n"
    folder = write_story(site / "articles", "located", body + "    alt: B\n")
    (folder / "images").mkdir()
    (folder / "images" / "-p.jpg").write_bytes(_located_photo())
    (folder / "images" / "-q.png").write_bytes(_located_photo())  # a JPEG, named .png
    (site / "syndicate.yaml").write_text(sample_config(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "syndicate", "validate", "--site", str(site)],
        cwd=folder / "images",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "-overwrite_original ./-p.jpg)" in done.stderr, done.stderr
    assert "- < ./-q.png > ./-q.png.tmp && mv ./-q.png.tmp ./-q.png;" in done.stderr


@pytest.mark.parametrize(
    ("file", "name", "url_name"),
    [
        ("images/troop chart.png", "troop-chart.png", "troop-chart.png"),
        ("images/图表.PNG", "图表.png", "%E5%9B%BE%E8%A1%A8.png"),
        ("images/a#b?.png", "a-b.png", "a-b.png"),
        ("images/photo.jpeg", "photo.jpeg", "photo.jpeg"),
    ],
)
def test_published_image_names_are_one_safe_segment_and_percent_encoded(
    site_config: SiteConfig, file: str, name: str, url_name: str
) -> None:
    from syndicate.formats.contract import Urls

    media = "image/jpeg" if file.endswith(".jpeg") else "image/png"
    sha256 = "0123456789ab" + "0" * 52
    image = Image(file, "", media, 1, 1, 1, sha256, Localized.same("x"), None, None, SourceRef("x"))
    assert image.name == name
    assert Urls(site_config).image("a-story", image) == (
        f"https://ycpress.example/syndicate/html/media/a-story/{url_name}?v=0123456789ab"
    )


def test_an_image_path_with_a_space_is_placed_with_angle_brackets(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    story = STORY + IMAGES.format("images/troop chart.png")
    body = VARIANT + "\n![](<images/troop chart.png>)\n"
    folder = write_story(tmp_path / "articles", "spaced", story, en=body)
    (folder / "images").mkdir()
    (folder / "images" / "troop chart.png").write_bytes(png())
    (story_read,), diags = read(tmp_path / "articles", site_config)
    assert not diags.errors
    assert story_read.images[0].name == "troop-chart.png"
    assert "Figure(image=0" in repr(story_read.original.body)


# Link templates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{base_url}html/{slug}.{id}.html", "unknown placeholder {id}"),
        ("{base_url}html/{slug}.{lang}.html?v={digest}", "unknown placeholder {digest}"),
        ("{base_url.__class__}{slug}{lang}", "unknown placeholder {base_url.__class__}"),
        ("{base_url}{slug}{lang!r}", "write {lang} without a format or conversion"),
        ("javascript:alert({slug},{lang})", "not an absolute http(s) URL"),
        ("{base_url}html/{slug}.html", "add {lang}: without it, different articles"),
        ("{base_url}html/{slug.{lang}.html", "a { or } is not closed"),
        # What base_url is held to (these went into every page and feed, unchecked):
        ("HTTPS://news.example/{lang}/{slug}", "write HTTPS:// in lowercase"),
        ("https://news.example/a|b/{lang}/{slug}^", "which a URL cannot hold ('^', '|')"),
        ("https://news.example/my news/{lang}/{slug}", "which a URL cannot hold (a space)"),
        ("https://news.example:99999/{lang}/{slug}", "is not a valid URL (port out of range"),
        ("{base_url}html/{slug}.{lang}.html ", "remove the space around it: '{base_url}html/"),
    ],
)
def test_link_templates_hold_only_their_placeholders_and_give_http_urls(
    tmp_path: Path, template: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = sample_config()
    lines = config.split("\n")
    assert validate_config(tmp_path, config + f"links:\n  article: {template!r}\n") == 2
    err = capsys.readouterr().err
    assert f"syndicate.yaml:{len(lines) + 1}: error: links: article: " in err
    assert problem in err and "[config.links]" in err


@pytest.mark.parametrize(
    ("template", "refused"),
    [
        ("https://cdn.example/{slug}/{name}?v=2", True),
        ("https://img.example/fit?src={slug}/{name}&v=2#photo", True),
        ("{base_url}media/{slug}/{name}?w=1200&v", True),
        ("{base_url}media/{slug}/{name}?%76=2", True),  # `v`, as a server decodes it
        ("{base_url}media/{slug}/{name}?w=1200&v={digest}", False),
        ("https://cdn.example/{digest}/{slug}/{name}?v=2", False),  # nothing added to it
        ("{base_url}media/{slug}/{name}?version=2#v=1", False),
    ],
)
def test_an_image_template_with_a_v_of_its_own_is_refused_at_its_line(
    tmp_path: Path, template: str, refused: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """An image URL ends its query with `v=<digest>` unless the template places `{digest}`:
    one whose query had a `v` of its own (a cache-buster written by hand) gave URLs with two
    (`?v=2&v=be9dd0fa012a`), of which servers and CDNs may read the first, so a replaced
    photo kept its URL. It is refused at its line, saying to write `v={digest}`."""
    said = _image_template_said(tmp_path, template, refused, capsys)
    assert said("its query has a v= of its own", "write v={digest} where the digest goes")


def _image_template_said(
    tmp_path: Path, template: str, refused: bool, capsys: pytest.CaptureFixture[str]
) -> Callable[[str, str], bool]:
    """Validate the sample with `links.image: template`; the status is 2 when `refused`, else
    0. Gives a check that the error (its start after `links: image: `, and a fix it offers)
    was said at the template's line exactly when refused."""
    config = sample_config()
    line = len(config.split("\n")) + 1
    status = validate_config(
        tmp_path, config + f"links:\n  image: {template!r}\n", REPO / "articles"
    )
    err = capsys.readouterr().err
    assert status == (2 if refused else 0), err

    def said(start: str, fix: str) -> bool:
        told = f"syndicate.yaml:{line}: error: links: image: {start}"
        return (told in err and fix in err) is refused

    return said


@pytest.mark.parametrize(
    ("template", "refused"),
    [
        ("{base_url}media/{slug}/{name}#{digest}", True),
        ("{base_url}media/{slug}/{name}?v=2#{digest}", True),
        ("{base_url}media/{slug}/{name}?v={digest}#{digest}", False),
        ("https://cdn.example/{digest}/{slug}/{name}#photo", False),
    ],
)
def test_an_image_template_with_its_digest_in_the_fragment_only_is_refused(
    tmp_path: Path, template: str, refused: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A template that places `{digest}` gets nothing appended; one that placed it after `#`
    alone was accepted, and its URLs (`...png?v=2#be9dd0fa012a`) were the same for every
    server, CDN and partner whatever the photo's bytes: a fragment is never sent. Refused at
    its line, saying where the digest goes."""
    said = _image_template_said(tmp_path, template, refused, capsys)
    assert said("its {digest} is in the", "put {digest} in the path or the query")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{date:>9999999999}", "write {date} without a format or conversion"),
        ("{publisher.__class__.__mro__}", "unknown placeholder {publisher.__class__.__mro__}"),
        ("{publisher[0]} {date}", "unknown placeholder {publisher[0]}"),
        ("{publisher} {date!r}", "write {date} without a format or conversion"),
        ("{", "a { or } is not closed"),
    ],
)
def test_the_edition_title_holds_only_its_placeholders(
    tmp_path: Path, template: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was a Python format string, checked by nothing before the export: a padding spec
    took 23 GB of memory, an attribute lookup reached Python's internals, a lone brace was a
    ValueError of the epub writer."""
    config = sample_config()
    lines = config.split("\n")
    assert validate_config(tmp_path, config + f"epub:\n  edition_title: {template!r}\n") == 2
    err = capsys.readouterr().err
    assert f"syndicate.yaml:{len(lines) + 1}: error: epub: edition_title: {problem}" in err


# The polyglot image in a browser --------------------------------------------------------------


@pytest.mark.slow
def test_a_png_listed_as_html_is_an_image_in_a_browser(tmp_path: Path) -> None:
    """Issue 18: `images/evil.html`, a real PNG with a script in a text chunk, was published as
    a page the browser ran. Published under its format's extension, Chromium shows it as an
    image; the same bytes named `.html` (the control) do run the script."""
    chromium = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI")
        pytest.skip("chromium is not installed")
    hostile = Path(__file__).parent / "fixtures" / "hostile"
    site = tmp_path / "site"
    shutil.copytree(hostile / "articles" / "evil-html", site / "articles" / "evil-html")
    out = tmp_path / "out"
    args = ["export", "-q", "-f", "html", "--articles", str(site / "articles"), "--out", str(out)]
    assert main([*args, "--config", str(REPO / "syndicate.yaml")]) == 0
    published = out / "html" / "media" / "evil-html" / "evil.png"
    control = tmp_path / "evil.html"
    control.write_bytes(published.read_bytes())

    def dom(page: Path) -> str:
        return subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        ).stdout

    assert "PWNED" in dom(control)
    assert "PWNED" not in dom(published)


# Never a traceback ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "keywords: &a [*a]\n",
        "a: &a {b: *a}\n",
        "\n".join(["l0: &l0 [x]"] + [f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, 300)]),
        "headline: !python/object:os.system x\n",
    ],
)
def test_aliases_and_tags_are_problems_not_exceptions(text: str) -> None:
    with pytest.raises(YamlProblem):
        parse_yaml(text)


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("keywords: !!python/object/apply:os.system [NATO, Iraq]\n", "list", 1),
        ("id: x\nrights: !x\n  holder: Y\n", "mapping", 2),
        ("subjects:\n  - !!set {a: 1}\n", "mapping", 2),
    ],
)
def test_a_tag_on_a_list_or_mapping_is_refused_as_on_a_text(
    text: str, kind: str, line: int
) -> None:
    """The docs say tags are refused: on a plain value they were, but a list or a mapping
    behind one was read as if untagged, silently."""
    with pytest.raises(YamlProblem) as raised:
        parse_yaml(text)
    assert raised.value.line == line
    assert str(raised.value).startswith("the YAML tag !")
    assert f"is not supported; remove it from before the {kind}" in str(raised.value)


# NewsML-G2 items from partners ------------------------------------------------------------------

PICTURE = "picture-nato-iraq-mission.png"
REMOTE = f'remoteContent id="{PICTURE}" href="https://ycpress.example/syndicate/newsml/media/'
TAMPERED = [
    (
        REMOTE,
        f'remoteContent id="{PICTURE}" href="/etc/passwd" x="',
        "remoteContent href='/etc/passwd'",
    ),
    (
        REMOTE,
        f'remoteContent id="{PICTURE}" href="javascript:alert(1)" x="',
        "href='javascript:alert(1)'",
    ),
    (
        REMOTE,
        f'remoteContent id="{PICTURE}" href="data:image/png;base64,AAAA" x="',
        "href='data:image/png",
    ),
    ('size="49710"', 'size="many"', "remoteContent size='many' is not a whole number"),
    ('seq="1"', 'seq="first"', "partMeta seq='first' is not a whole number"),
    ('contenttype="image/png"', 'contenttype="text/html"', "contenttype='text/html'"),
    (
        '<link rel="irel:seeAlso" href="',
        '<link rel="irel:seeAlso" href="javascript:x()" y="',
        "link href='javascript:x()' is not an absolute http(s) URL",
    ),
    ('latitude="50.8503"', 'latitude="north"', "position latitude='north' is not a number"),
    ('version="1" standard', 'version="0" standard', "newsItem version='0'"),
    ('xml:lang="fr">', 'xml:lang="xx-Bogus">', "'xx-Bogus' is not a known BCP 47 language tag"),
    ("<p>Le secrétaire", '<p><a href="javascript:steal()">x</a>Le secrétaire', "'javascript:"),
]


@pytest.fixture(scope="module")
def newsml_items(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("newsml") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        assert main(["export", "-q", "-f", "newsml", "--out", str(out), "--now", FIXED_NOW]) == 0
    return out / "newsml"


@pytest.mark.parametrize(("find", "replace", "problem"), TAMPERED)
def test_every_newsml_attribute_is_checked(
    newsml_items: Path, tmp_path: Path, find: str, replace: str, problem: str
) -> None:
    folder = tmp_path / "newsml"
    shutil.copytree(newsml_items, folder)
    item = folder / f"{SAMPLE_SLUG}.fr.xml"
    text = item.read_text(encoding="utf-8")
    assert find in text
    item.write_text(text.replace(find, replace, 1), encoding="utf-8")
    diags = Diagnostics()
    assert read_newsml(folder, diags) == []
    (error,) = list(diags)
    assert error.code == "newsml.read" and error.path == str(item) and error.line > 0
    assert problem in error.message


def test_a_package_cannot_send_the_reader_to_another_file(
    newsml_items: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "newsml"
    shutil.copytree(newsml_items, folder)
    package = folder / f"{SAMPLE_SLUG}.package.xml"
    text = package.read_text(encoding="utf-8")
    item = f"https://ycpress.example/syndicate/newsml/{SAMPLE_SLUG}.en.xml"
    package.write_text(text.replace(item, "https://x/../../../etc/passwd"), encoding="utf-8")
    diags = Diagnostics()
    assert read_newsml(folder, diags) == []
    (error,) = list(diags)
    assert "itemRef href 'https://x/../../../etc/passwd' does not name an item file" in (
        error.message
    )


def test_a_remote_image_is_never_read_from_the_local_disk(tmp_path: Path) -> None:
    from syndicate.formats.contract import Context, NoOptions

    secret = tmp_path / "https:" / "x"
    secret.mkdir(parents=True)
    (secret / "secret.png").write_text(SECRET, encoding="utf-8")
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    ctx = Context(config, datetime.now(UTC), ("en",), NoOptions(), Diagnostics())
    with contextlib.chdir(tmp_path), pytest.raises(FileNotFoundError):
        ctx.read_asset("https://x/secret.png")


# The configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("languages: [en, fr, ar, zh-Hans, de, es]", "languages: &l [en, *l]"), "an alias"),
        (
            ("base_url: https://ycpress.example/syndicate/", 'base_url: "https://x.example/\\n"'),
            "base_url: 'https://x.example/\\n' is not",
        ),
        (("timezone: Europe/Brussels", 'feeds: {hub: "https://hub.example/\\n"}'), "hub"),
        (
            ("languages: [en, fr", "languages: [EN, fr"),
            "language tag (en, fr, ar, zh-Hans, pt-BR); write it 'en'",
        ),
    ],
)
def test_the_configuration_gets_the_same_checks(
    tmp_path: Path, change: tuple[str, str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    assert change[0] in config
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config.replace(*change), encoding="utf-8")
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", "nothing"]) == 2
    err = capsys.readouterr().err
    assert "syndicate.yaml:" in err and problem in err and "Traceback" not in err


WARNING_WRITER = """
import sys, warnings
from syndicate.cli import main
from syndicate.formats.model.writer import ModelWriter
from syndicate.formats.registry import BUILTIN, Registry

class WarningWriter(ModelWriter):
    def story_files(self, story, ctx):
        warnings.warn("Duplicate name: 'EPUB/images/x.png'", UserWarning, stacklevel=1)
        return super().story_files(story, ctx)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], registry=Registry({**BUILTIN, "model": WarningWriter})))
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_library_warnings_never_reach_the_terminal(tmp_path: Path, jobs: str) -> None:
    """What Pillow or zipfile warn about is logged (SYNDICATE_DEBUG=1 shows it), not printed,
    by the command and by its worker processes."""
    write_story(tmp_path / "articles", "warned")
    write_story(tmp_path / "articles", "warned-too")
    args = ["export", "-q", "-j", jobs, "-f", "model", "--out", "out", "--articles", "articles"]
    args += ["--config", str(REPO / "syndicate.yaml")]
    (tmp_path / "warning_writer.py").write_text(WARNING_WRITER, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "warning_writer.py", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_fifo_configuration_is_refused_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "syndicate.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "syndicate", "validate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "syndicate.yaml: error: not a regular file but a FIFO; use a plain file [file.special]\n"
        "syndicate.yaml: not valid: 1 error (above)\n"
    )


def test_a_logo_or_icon_not_there_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`articles/_site/` renamed or not copied with the site: "publisher logo
    'articles/_site/logo.png' does not exist", and nothing of what to do (the path is from
    the site folder; the icon may go)."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", "nothing"]) == 2
    err = capsys.readouterr().err
    lines = config.splitlines()
    logo, icon = (
        1 + next(n for n, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
        for key in ("logo", "icon")
    )
    assert (
        f"syndicate.yaml:{logo}: error: publisher logo 'articles/_site/logo.png' does not exist:"
        " put the image there, or set publisher.logo to the path of yours, from the folder of"
        " syndicate.yaml [config.file]"
    ) in err, err
    assert (
        f"syndicate.yaml:{icon}: error: publisher icon 'articles/_site/icon.png' does not exist:"
        " put the image there, or set publisher.icon to the path of yours, from the folder of"
        " syndicate.yaml, or remove the line (an icon is optional) [config.file]"
    ) in err, err


@pytest.mark.parametrize(
    ("logo", "problem"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "unsupported format (SVG)"),
        (png(64, 64)[:-30], "the PNG file is damaged"),
    ],
)
def test_the_logo_is_checked_as_an_image(
    tmp_path: Path, logo: bytes, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site/logo.png", str(tmp_path / "logo.png"))
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "logo.png").write_bytes(logo)
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", "nothing"]) == 2
    err = capsys.readouterr().err
    assert "error: publisher logo" in err and problem in err and "[config.file]" in err


def test_an_icon_with_the_logo_file_name_is_refused_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`icon: square/logo.png` beside `logo: logo.png`: both are published by their names in
    html/media/site/, so `validate` said OK and the export stopped with "'html/media/site/
    logo.png' is written twice, by html and html [writer.conflict]", naming no line (and the
    feeds named the logo as the icon). Refused at the icon's line; one file named for both
    is no problem."""
    (tmp_path / "square").mkdir()
    shutil.copy(REPO / "articles/_site/logo.png", tmp_path / "logo.png")
    shutil.copy(REPO / "articles/_site/icon.png", tmp_path / "square/logo.png")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site/logo.png", "logo.png")
    line = config.split("\n").index("  icon: articles/_site/icon.png") + 1
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site/icon.png", "square/logo.png"), encoding="utf-8"
    )
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", str(REPO / "articles")]) == 2
        assert main(["export", "-q", "-f", "html", "--articles", str(REPO / "articles")]) == 2
    err = capsys.readouterr().err
    assert (
        f"syndicate.yaml:{line}: error: publisher icon 'square/logo.png' has the file name" in err
    )
    assert "writer.conflict" not in err and not (tmp_path / "out").exists()
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site/icon.png", "./logo.png"), encoding="utf-8"
    )
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", str(REPO / "articles")]) == 0


@pytest.mark.parametrize("icon", ["art/../logo.png", "square/logo.png"])
def test_the_logo_named_as_the_icon_by_another_spelling_is_one_file(
    tmp_path: Path, icon: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One file named for both the logo and the icon is fine, however the path is spelt
    (`art/../logo.png`, or `square/logo.png` a link to it): it was refused as an icon with
    the logo's file name, "one would replace the other; rename one of them", of one file."""
    (tmp_path / "art").mkdir()
    (tmp_path / "square").mkdir()
    shutil.copy(REPO / "articles/_site/logo.png", tmp_path / "logo.png")
    (tmp_path / "square/logo.png").symlink_to("../logo.png")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site/logo.png", "logo.png")
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site/icon.png", icon), encoding="utf-8"
    )
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", str(REPO / "articles")]) == 0
        args = [
            "export",
            "-q",
            "-f",
            "html",
            "-f",
            "jsonfeed",
            "--articles",
            str(REPO / "articles"),
        ]
        assert main(args) == 0
    assert "error" not in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out/html/media/site").iterdir()) == ["logo.png"]
    feed = json.loads((tmp_path / "out/jsonfeed/en.json").read_text(encoding="utf-8"))
    assert feed["icon"].partition("?")[0].endswith("/html/media/site/logo.png")


@pytest.mark.parametrize("disk", ["NFC", "NFD"])
@pytest.mark.parametrize("written", ["NFC", "NFD"])
def test_the_logo_and_icon_are_found_whichever_unicode_form_names_them(
    tmp_path: Path, disk: str, written: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`logo: brand/logé.png` in syndicate.yaml (read composed, NFC) and the file as macOS
    saves it (decomposed, NFD) was "publisher logo 'brand/logé.png' does not exist", though
    a story's picture so named is found (`spelt_on_disk`). Each form on disk and in
    syndicate.yaml: found, and published under the composed name, as story images are."""
    folder = unicodedata.normalize(disk, "marqué")
    (tmp_path / folder).mkdir()
    shutil.copy(
        REPO / "articles/_site/logo.png",
        tmp_path / folder / unicodedata.normalize(disk, "logé.png"),
    )
    shutil.copy(
        REPO / "articles/_site/icon.png",
        tmp_path / folder / unicodedata.normalize(disk, "icône.png"),
    )
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace(
        "articles/_site/logo.png", unicodedata.normalize(written, "marqué/logé.png")
    )
    config = config.replace(
        "articles/_site/icon.png", unicodedata.normalize(written, "marqué/icône.png")
    )
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    args = ["-f", "html", "-f", "jsonfeed", "--articles", str(REPO / "articles")]
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", str(REPO / "articles")]) == 0
        assert main(["export", "-q", *args]) == 0
    assert "error" not in capsys.readouterr().err
    published = sorted(p.name for p in (tmp_path / "out/html/media/site").iterdir())
    assert published == [unicodedata.normalize("NFC", n) for n in ("icône.png", "logé.png")]
    feed = json.loads((tmp_path / "out/jsonfeed/en.json").read_text(encoding="utf-8"))
    assert feed["icon"].partition("?")[0].endswith("/html/media/site/ic%C3%B4ne.png")


def test_a_logo_whose_name_is_on_disk_in_two_unicode_forms_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two files `logé.png`, one composed and one decomposed (a Linux disk holds both): which
    is the logo? Refused at its line, as a story's picture so named is, naming both."""
    for form in ("NFC", "NFD"):
        shutil.copy(
            REPO / "articles/_site/logo.png", tmp_path / unicodedata.normalize(form, "logé.png")
        )
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    line = config.split("\n").index("  logo: articles/_site/logo.png") + 1
    config = config.replace("articles/_site/logo.png", "logé.png")
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    err = capsys.readouterr().err
    assert f"syndicate.yaml:{line}: error: publisher logo 'logé.png': 2 files have this name" in err
    assert "decomposed (NFD: macOS)" in err and "[config.file]" in err, err


@pytest.mark.parametrize(("logo", "icon"), [("Logo.png", "logo.png"), ("LOGO.PNG", "logo.png")])
def test_an_icon_with_the_logo_file_name_in_other_letters_is_refused(
    tmp_path: Path, logo: str, icon: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`logo: brand/Logo.png` and `icon: square/logo.png` were accepted: two files of
    html/media/site/ that a Mac's or Windows' file system holds as one, where one replaces
    the other (the masthead showed the icon). Refused at the icon's line, as story images
    whose published names differ so are (`image.name`)."""
    (tmp_path / "brand").mkdir()
    (tmp_path / "square").mkdir()
    shutil.copy(REPO / "articles/_site/logo.png", tmp_path / "brand" / logo)
    shutil.copy(REPO / "articles/_site/icon.png", tmp_path / "square" / icon)
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site/logo.png", f"brand/{logo}")
    line = config.split("\n").index("  icon: articles/_site/icon.png") + 1
    (tmp_path / "syndicate.yaml").write_text(
        config.replace("articles/_site/icon.png", f"square/{icon}"), encoding="utf-8"
    )
    with contextlib.chdir(tmp_path):
        assert main(["validate", "--articles", str(REPO / "articles")]) == 2
    err = capsys.readouterr().err
    said = f"syndicate.yaml:{line}: error: publisher icon 'square/{icon}' has the file name"
    assert said in err and "but for letter case" in err, err


FAILING_DISK = Path("/proc/self/mem")
"""A file that stands in for one on a failing disk or a network share gone: `stat` says a
regular file of no size, and reading it from its start fails with EIO."""
needs_failing_disk = pytest.mark.skipif(
    not FAILING_DISK.exists(), reason="needs /proc/self/mem (Linux) for a read error"
)


@needs_failing_disk
@pytest.mark.parametrize("command", [["validate"], ["export", "-q", "-f", "all"]])
def test_a_logo_that_cannot_be_read_is_an_error_at_its_line(
    tmp_path: Path, command: list[str]
) -> None:
    """A read error (EIO) after every check passed was an OSError traceback from `os.read`."""
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    config = config.replace("articles/_site/logo.png", str(FAILING_DISK))
    config = config.replace("articles/_site", str(REPO / "articles/_site"))
    (tmp_path / "syndicate.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "articles").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "syndicate", *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    line = 1 + config.splitlines().index(f"  logo: {FAILING_DISK}")
    assert (
        f"syndicate.yaml:{line}: error: publisher logo '{FAILING_DISK}': cannot read file:"
        " Input/output error; check the disk or share it is on" in result.stderr
    )


@needs_failing_disk
def test_a_story_file_or_image_that_cannot_be_read_is_refused_with_the_fix(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A language file and an image whose reading fails (EIO) are `file.unreadable` errors
    naming them. The story folder's real path is given as the file system's root, so that
    the links to the failing file count as inside the story (a share mounted in it); its
    `story.yaml`, a plain file, is then looked for at the root and not found."""
    folder = write_story(tmp_path / "articles", "eio", STORY + IMAGES.format("images/chart.png"))
    (folder / "images").mkdir()
    for name in ("en.md", "images/chart.png"):
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to(FAILING_DISK)
    files = StoryFiles(folder, root=Path("/"))
    refused = files.text("en.md")
    assert isinstance(refused, safefile.Refused) and refused.code == "file.unreadable"
    with pytest.raises(safefile.Refused) as image:
        files.image("images/chart.png")
    for exc in (refused, image.value):
        assert exc.code == "file.unreadable"
        assert exc.message.startswith("cannot read file: Input/output error; check the disk")
    assert not files.unchanged({"images/chart.png": "0" * 64})  # hashed: refused, not raised
    diags = Diagnostics()
    assert read_story(StoryFiles(folder, root=Path("/")), site_config, diags) is None
    said = [d for d in diags.errors if d.code == "file.unreadable"]
    assert [Path(d.path).name for d in said] == ["en.md"], diags.errors


def sample_site(tmp_path: Path) -> Path:
    """A copy of the sample site (its configuration and stories) in a folder of its own."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    return site


def in_site(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m syndicate --site SITE ARGS`, its build state in the site's own `.syndicate/`
    (as a site without SYNDICATE_CACHE_DIR keeps it), with a timeout."""
    env = {k: v for k, v in os.environ.items() if k != CACHE_ENV}
    return subprocess.run(
        [sys.executable, "-m", "syndicate", "--site", ".", *args],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_a_story_folder_that_links_to_itself_is_a_broken_story(tmp_path: Path) -> None:
    """Python's `Path.resolve` raised RuntimeError on the loop: a traceback from validate and
    export, and `--keep-going` published nothing, the healthy story included."""
    site = sample_site(tmp_path)
    (site / "articles" / "2026-01-01-loop").symlink_to("2026-01-01-loop")
    said = (
        "articles/2026-01-01-loop: error: the story folder is a link that leads back to itself"
        " (a loop of links): replace the link with the story's folder"
    )
    checked = in_site(site, "validate")
    assert checked.returncode == 2, checked.stderr
    assert said in checked.stderr and "[story.broken-link]" in checked.stderr
    exported = in_site(site, "export", "-q", "-f", "html", "--keep-going")
    assert exported.returncode == 3, exported.stderr
    assert said in exported.stderr and "Traceback" not in exported.stderr
    assert (site / "out" / "html" / f"{SAMPLE_SLUG}.en.html").is_file()


def test_a_story_folder_that_links_to_itself_travels_as_one(tmp_path: Path) -> None:
    """Sent to a worker with no shared file system, its mirror is a loop too, refused the same
    way at the driver's path (the snapshot resolved the folder, and crashed)."""
    folder = tmp_path / "articles" / "loop"
    folder.parent.mkdir()
    folder.symlink_to("loop")
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", Diagnostics())
    assert config is not None
    here, there = Diagnostics(), Diagnostics()
    assert read_story(folder, config, here) is None
    snap = snapshot(folder)
    assert snap.loop and snap.entries == ()
    with Mirror(snap) as mirror:
        assert read_story(mirror.folder, config, there) is None
        moved = mirror.relocate(there.errors)
    assert [(d.code, d.path) for d in moved] == [(d.code, d.path) for d in here.errors]
    assert [d.code for d in moved] == ["story.broken-link"]


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        ("out", "error: --out out: it is a link that leads back to itself (a loop of links);"),
        ("templates", "templates: error: the site's templates folder is a link that leads"),
        ("terms", "terms: error: the site's terms folder is a link that leads back to itself"),
        (".syndicate", ".syndicate: error: the folder of the site's build states is a link"),
    ],
)
def test_a_site_folder_that_links_to_itself_is_an_error_naming_it(
    tmp_path: Path, folder: str, said: str
) -> None:
    """out/, templates/, terms/ or the cache folder linked to itself was a RuntimeError
    traceback from export (a templates/ or terms/ loop passed `validate`, read as no folder:
    the default look and syndicate's phrases, without a word)."""
    site = sample_site(tmp_path)
    (site / folder).symlink_to(folder)
    commands = [["export", "-q", "-f", "all"]]
    if folder in ("templates", "terms"):
        commands.append(["validate"])
    for command in commands:
        result = in_site(site, *command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert said in result.stderr and "replace the link with a folder" in result.stderr
    assert in_site(site, "validate").returncode in (0, 2)  # (never a traceback)


def test_loop_in_names_the_part_of_a_path_that_links_to_itself(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    assert safefile.loop_in(tmp_path / "loop" / "builds") == tmp_path / "loop"
    assert safefile.loop_in(tmp_path / "nothing" / "builds") is None
    with pytest.raises(safefile.Refused) as refused:
        safefile.resolved(tmp_path / "loop")
    assert refused.value.code == "file.link-loop"


def test_a_loop_is_told_where_resolve_gives_it_back_as_python_3_13_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.13's `Path.resolve()` (not strict) no longer raises on a loop of links: it
    gives the path back, and the loop went on as a folder that is not there (review, with
    3.13). The `stat` of the path tells it on every version; here 3.13's `resolve` is
    played on this interpreter, whose own raises."""
    (tmp_path / "loop").symlink_to("loop")
    real = Path.resolve

    def as_313(self: Path, strict: bool = False) -> Path:
        try:
            return real(self, strict=strict)
        except RuntimeError:  # 3.11, 3.12: what 3.13 does instead
            if strict:
                raise OSError(errno.ELOOP, "Too many levels of symbolic links") from None
            return Path(os.path.abspath(self))

    monkeypatch.setattr(Path, "resolve", as_313)
    for path in (tmp_path / "loop", tmp_path / "loop" / "builds"):
        with pytest.raises(safefile.Refused) as refused:
            safefile.resolved(path)
        assert refused.value.code == "file.link-loop"
    assert safefile.loop_in(tmp_path / "loop" / "builds") == tmp_path / "loop"
    assert safefile.resolved(tmp_path / "not-yet") == tmp_path / "not-yet"


# Per-story budgets --------------------------------------------------------------------------------


def budget_story(tmp_path: Path) -> Path:
    """A story with three images (24x24 pixels each) and three language files."""
    listed = "".join(f"  - file: images/{n}.png\n    alt: A picture\n" for n in ("a", "b", "c"))
    folder = write_story(
        tmp_path / "articles", "budget", STORY + "images:\n" + listed, en=VARIANT, fr=VARIANT
    )
    (folder / "de.md").write_text(VARIANT, encoding="utf-8")
    (folder / "images").mkdir()
    for n, colour in zip("abc", (10, 20, 30), strict=True):
        buffer = io.BytesIO()
        PILImage.new("L", (24, 24), colour).save(buffer, format="PNG")
        (folder / "images" / f"{n}.png").write_bytes(buffer.getvalue())
    return folder


@pytest.mark.parametrize(
    ("budget", "value", "code", "problem"),
    [
        ("MAX_STORY_TEXT_BYTES", 600, "file.too-large", "the story's text files together"),
        ("MAX_STORY_YAML_CHARS", 300, "article.yaml", "YAML expands to more than"),
        ("MAX_STORY_IMAGE_BYTES", 200, "image.format", "the story's images together are over"),
        ("MAX_STORY_PIXELS", 1500, "image.format", "over the limit of"),
    ],
)
def test_a_story_is_read_within_its_budgets(
    tmp_path: Path,
    site_config: SiteConfig,
    monkeypatch: pytest.MonkeyPatch,
    budget: str,
    value: int,
    code: str,
    problem: str,
) -> None:
    """Each file is under its own limit; the story as a whole is not (the budgets are made
    small here: the real ones are in syndicate/readers/budgets.py)."""
    budget_story(tmp_path)
    assert read(tmp_path / "articles", site_config)[0]
    monkeypatch.setattr(budgets, budget, value)
    found = errors(tmp_path / "articles", site_config)
    assert found and all(e.code == code and problem in e.message for e in found), found


def test_a_published_image_name_must_fit_file_systems(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    name = "é" * 70 + ".png"  # 144 bytes in UTF-8
    story = STORY + IMAGES.format(f"images/{name}")
    folder = write_story(tmp_path / "articles", "long-name", story)
    (folder / "images").mkdir()
    (folder / "images" / name).write_bytes(png())
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "image.name" and "a 144-byte file name" in error.message


@pytest.mark.parametrize("name", ["CON.png", "aux.PNG", "com1 .png", "Nul.jpeg"])
def test_a_published_image_name_windows_keeps_for_a_device_is_refused(
    tmp_path: Path, site_config: SiteConfig, name: str
) -> None:
    """`CON.png`, `aux.png`: names Windows keeps for its devices, whatever the extension. They
    were published as they are, and out/ could not be copied to a Windows share, delivered
    to an IIS FTP server, or a book unpacked on a reader's Windows disk."""
    story = STORY + IMAGES.format(f"images/{name}")
    folder = write_story(tmp_path / "articles", "device-name", story)
    (folder / "images").mkdir()
    (folder / "images" / name).write_bytes(png())
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "image.name" and "a name Windows keeps for a device" in error.message


@pytest.mark.parametrize("code", ["nul", "con", "com1", "aux"])
def test_a_section_windows_keeps_for_a_device_is_refused(
    tmp_path: Path, site_config: SiteConfig, code: str
) -> None:
    """A section `con` published `atom/fr/con.xml` and `html/fr/con.html`: Windows reads each
    as its device `CON`, as it did a slug's files (which were refused)."""
    write_story(tmp_path / "articles", "story", STORY.replace("politics", code))
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "story.section" and error.line == 3
    assert f"the section {code!r} is a name Windows keeps for a device" in error.message
    write_story(tmp_path / "other", "story", STORY.replace("politics", f"{code}-sports"))
    stories, diags = read(tmp_path / "other", site_config)
    assert [s.section for s in stories] == [f"{code}-sports"] and not diags.errors


@pytest.mark.parametrize("slug", ["nul", "con", "com1", "lpt9"])
def test_a_slug_windows_keeps_for_a_device_is_refused(
    tmp_path: Path, site_config: SiteConfig, slug: str
) -> None:
    """A story folder `nul` published `nul.package.xml`, `nul.en.epub`: Windows reads each as
    its device `NUL`."""
    write_story(tmp_path / "articles", slug)
    (error,) = errors(tmp_path / "articles", site_config)
    assert error.code == "story.slug" and "a name Windows keeps for a device" in error.message
    write_story(tmp_path / "other", f"{slug}-report")  # a slug that only starts so is fine
    stories, diags = read(tmp_path / "other", site_config)
    assert [s.slug for s in stories] == [f"{slug}-report"] and not diags.errors


def test_a_date_that_overflows_in_the_story_zone_is_refused(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    story = STORY.replace("published: 2026-01-05T10:00:00+01:00", "published: 9999-12-31T20:00:00Z")
    write_story(tmp_path / "articles", "far", story + "timezone: Pacific/Kiritimati\n")
    found = errors(tmp_path / "articles", site_config)
    assert [(e.code, e.line) for e in found] == [("article.date", 5)]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: &x 1\nb: &x 2\n", 2, "the anchor &x is defined twice (first on line 1); rename one"),
        ("a: [x, y\nb: 1\n", 1, "the [ that opens the a is not closed with ]"),
        ("headline:\tx\n", 1, "replace the tab on this line with spaces"),
        ("headline: @home\n", 1, "quote the headline: it starts with '@'"),
        # An anchor's name nothing refers to: the word was left out of the text, unsaid.
        (
            "x: 1\nheadline: &Beyond wins the award\n",
            2,
            "the headline starts with '&', which YAML reads as the name of an anchor:"
            " '&Beyond' is left out of the text; quote the headline:"
            ' "&Beyond wins the award"',
        ),
        ("headline: & more\n", 1, "quote the headline: it starts with '&', which YAML reserves"),
        # A quote half typed, a later line's quoted value closing it: blamed on that value,
        # with a fix that quoted it again and again.
        (
            'headline: "Port strike enters\nsummary: Ships wait.\nbyline:\n'
            '  organisation: "Gulf Daily"\n',
            1,
            "the quote that opens the headline is never closed; close it at the end of the line",
        ),
        # A quoted value that goes on over two lines as it should is not the one to blame
        # for an error below it (it was, with a fix that broke it); nor `"C:\\"`, closed.
        (
            'headline: "Port strike\n  enters day two"\nsummary: "Ships wait" at anchor\n',
            3,
            "text follows a quoted part or a [ ] or { }: remove what follows, or quote the"
            " whole value of summary",
        ),
        (
            "headline: 'Port strike\n  enters day two'\nx: 1\nsummary: \"Ships\" at anchor\n",
            4,
            "text follows a quoted part or a [ ] or { }: remove what follows, or quote the"
            " whole value of summary",
        ),
        (
            'path: "C:\\\\"\nsummary: "Ships wait" at anchor\n',
            2,
            "text follows a quoted part or a [ ] or { }: remove what follows, or quote the"
            " whole value of summary",
        ),
        # a list key's advice reads right too ("quote the whole languages" did not)
        (
            "languages: [en, fr] extra\n",
            1,
            "text follows a quoted part or a [ ] or { }: remove what follows, or quote the"
            ' whole value of languages (write languages: "[en, fr] extra")',
        ),
        (
            "keywords: [&NATO, Iraq]\n",
            1,
            "an item starts with '&', which YAML reads as the name of an anchor: '&NATO' is left"
            ' out of it; quote the item: "&NATO"',
        ),
        ("keywords:\n  - &NATO\n  - Iraq\n", 2, "an item starts with '&'"),
        ("headline: * more\n", 1, "quote the headline: it starts with '*', which YAML reserves"),
        # A bracket the file ends inside: PyYAML's jargon ("expected the node content, but
        # found '<stream end>'") at a line past the end of the file.
        ("x: 1\nkeywords: [\n", 2, "the [ that opens the keywords is not closed with ]"),
        ("x: 1\nkeywords: {\n\n\n", 2, "the { that opens the keywords is not closed with }"),
        ("related:\n  - {url: x,\n", 2, "the { that opens the value is not closed with }"),
        # A list item's field indented one space too far, and a field in a list that is no
        # item: "expected <block end>, but found '<block mapping start>'" and "'?'".
        (
            "related:\n  - url: https://a.example/\n   title: A\n",
            3,
            "this line is indented differently from the lines above it: line it up with the"
            " other fields of its list item",
        ),
        ("keywords:\n  - Iraq\n  count: 2\n", 3, "this line does not fit the list above it"),
        # YAML's document markers, told in its own words ("but found another document").
        ("a: 1\n---\nb: 2\n", 2, "a line '---' (or '...') here starts a second YAML document"),
        ("...\na: 1\n", 1, "a line '...' here ends the YAML document before its value"),
        ("a: 1\n...\nb: 2\n", 2, "a line '...' here ends the YAML document, so the lines"),
        ("%YAML 1.1\na: 1\n", 1, "a line starting with % is a YAML directive"),
        # A character YAML did not expect where it stands was told in PyYAML's words
        # ("expected <block end>, but found ']'", "sequence entries are not allowed here"),
        # found by mutation fuzzing: a bracket, comma or mark after a value or starting a line.
        ("x: 1\nkeywords: [NATO, Iraq]]\n", 2, "']' comes after the end of the keywords: remove"),
        ("profiles:\n  msn: {languages: [en]}}\n", 2, "'}' comes after the end of the msn"),
        ("keywords: [NATO] &a\n", 1, "'&a' comes after the end of the keywords"),
        ('rights:\n  holder: "YCPress" *x\n', 2, "'*x' comes after the end of the holder"),
        ("x: 1\n]summary: Ships wait.\n", 2, "this line starts with ']', which YAML reserves"),
        ("x: 1\n,summary: Ships wait.\n", 2, "this line starts with ',', which YAML reserves"),
        ("x: 1\n: summary\n", 2, "this line starts with ':', with no field name before it"),
        # Told "indent it under the field whose list it is, or remove the '- '": the field
        # above (a mapping) has no list, and 'x' is no field: neither mended it.
        (
            "byline:\n  name: A\n- x\n",
            3,
            "this list item ('- ') stands where a field belongs: move it under the field whose"
            " list it is, indented like that list's items, or remove the line",
        ),
        (
            "x: 1\n- summary: y\n",
            2,
            "this list item ('- ') stands where a field belongs: move it under the field whose"
            " list it is, indented like that list's items, or remove the '- '",
        ),
        (
            "headline: }Ships\n",
            1,
            "quote the headline: it starts with '}', which YAML reserves"
            ' (write headline: "}Ships")',
        ),
        ("publisher: - x\n", 1, "a list item ('- ') cannot follow 'publisher:' on its line"),
        ("!# note\na: 1\n", 1, "a '!' here starts a YAML tag, which syndicate's files do not"),
        # A field's name starting with a reserved character was told to quote its value
        # (`write @en: "politics"`), which YAML refuses as it did.
        (
            "name:\n  @en: politics\n",
            2,
            "quote the @en: it starts with '@', which YAML reserves (write \"@en\": politics)",
        ),
        (
            "x: 1\n*en: politics\n",
            2,
            'quote the *en: YAML reads the * at its start as an alias (write "*en"',
        ),
        # PyYAML's "found undefined tag handle '!Breaking!'", in its words still.
        (
            "x: 1\nheadline: !Breaking! Port strike\n",
            2,
            "quote the headline: it starts with '!', which YAML reserves (write headline:"
            ' "!Breaking! Port strike")',
        ),
        ("keywords: [!a!b c]\n", 1, "a '!' here starts a YAML tag, which syndicate's files do not"),
        # The same stray character after a list item's value was told "start it with '- '"
        # (the line does), and after a top-level [ ] or { } "a line starting with % is a YAML
        # directive": the advice for a line out of its block, tried before it was seen stray.
        ('keywords:\n  - "NATO" ]\n', 2, "']' comes after the end of the item: remove it"),
        ("keywords:\n  - NATO\n  - 'Iraq' ,\n", 3, "',' comes after the end of the item"),
        ("keywords:\n  - [NATO]]\n", 2, "']' comes after the end of the item"),
        ("[NATO, Iraq]]\n", 1, "']' comes after the end of the value: remove it"),
        ("- x\ny: 1\n", 2, "this line does not fit the list above it: start it with '- '"),
        # DEL (U+007F), the one control character the text checks leave to YAML: PyYAML's
        # "unacceptable character #x007f ... in "<unicode string>", position 9", at line 1.
        ("x: 1\nheadline: Port\x7f strike\n", 2, "character U+007F (an invisible control"),
        ("x: 1\ny: 2\n\x7f\n", 3, "character U+007F (an invisible control character) is not"),
    ],
)
def test_yaml_problems_say_what_to_do(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlProblem) as problem:
        parse_yaml(text)
    assert problem.value.line == line and problem.value.message.startswith(message)


def test_an_anchor_an_alias_refers_to_is_yaml_meant() -> None:
    assert parse_yaml("a: &x hello\nb: *x\n").data == {"a": "hello", "b": "hello"}
    # An anchor alone on its line, the text after it, nothing referring to it: the text was
    # published without the word (`&Co wins the award` as "wins the award"), unsaid.
    for text, line in (
        ("headline: &Co\n  wins the award\n", 1),
        ("keywords:\n  - &Co\n    wins\n", 2),
    ):
        with pytest.raises(YamlProblem) as problem:
            parse_yaml(text)
        assert problem.value.line == line and "'&Co' is left out of" in problem.value.message
    assert parse_yaml("a: &h\n  Some text\nb: *h\n").data == {"a": "Some text", "b": "Some text"}


@pytest.mark.parametrize(
    ("path", "root"),
    [
        ("/site/articles/story/en.md", "/site/articles/story"),
        ("/site/articles/story", "/site/articles/story"),
        ("/site/articles/story-2/en.md", "/site/articles/story"),
        ("/site/articles/stor", "/site/articles/story"),
        ("/site/articles", "/site/articles/story"),
        ("/etc/passwd", "/site/articles/story"),
        ("/site/articles/story/images/a.png", "/"),
        ("/", "/"),
    ],
)
def test_inside_tells_what_is_relative_to_tells(path: str, root: str) -> None:
    """The check that a resolved file stays in its story folder is a string comparison (it
    runs for every file of every story on every run): it answers as `is_relative_to` does,
    a sibling folder whose name begins like the story's included."""
    from syndicate.readers.safefile import _inside

    assert _inside(Path(path), Path(root)) == Path(path).is_relative_to(Path(root))


# Values and names the build cannot store ------------------------------------------------------


def test_a_version_too_large_to_store_is_an_error_at_its_line(tmp_path: Path) -> None:
    """A version past what the build state (SQLite, 64 bits) holds crashed every export with
    an OverflowError; it is refused by the schema, and the healthy story still publishes."""
    write_story(tmp_path / "articles", "healthy")
    huge = STORY + "version: 9223372036854775808\n"
    write_story(tmp_path / "articles", "huge", huge)
    checked = run(tmp_path, "validate")
    assert checked.returncode == 2
    assert (
        "huge/story.yaml:" in checked.stderr
        and "expected a whole number from 1 to 999999" in checked.stderr
    )
    exported = run(tmp_path, "export", "-f", "all", "--keep-going", "--out", "out")
    assert exported.returncode == 3, exported.stderr
    assert "Traceback" not in exported.stderr
    assert (tmp_path / "out" / "model" / "healthy.json").exists()


@pytest.mark.parametrize(
    "where",
    [b"articles/notes-\xff.txt", b"articles/healthy/sub-\xff/", b"articles/bad-\xff/"],
    ids=["stray-file", "folder-in-a-story", "story-folder"],
)
def test_names_that_are_not_utf8_never_crash_an_export(tmp_path: Path, where: bytes) -> None:
    """Python gives such names as lone surrogates, which no hash, JSON or SQLite text takes:
    each made `export --format all` die with a UnicodeEncodeError."""
    write_story(tmp_path / "articles", "healthy")
    path = os.path.join(os.fsencode(tmp_path), where)
    if where.endswith(b"/"):
        os.mkdir(path)
    else:
        with open(path, "wb") as file:
            file.write(b"x")
    for _ in range(2):  # the second run goes by the first one's record
        exported = run(tmp_path, "export", "-f", "all", "--keep-going", "--out", "out")
        assert "Traceback" not in exported.stderr, exported.stderr
        assert exported.returncode in (0, 3), exported.stderr
        assert (tmp_path / "out" / "model" / "healthy.json").exists()


def test_an_image_that_is_a_link_to_nothing_says_so(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """It was "file not found; did you mean 'images/chart.png'?", the very name written."""
    folder = write_story(tmp_path / "articles", "linked", STORY + IMAGES.format("images/chart.png"))
    (folder / "images").mkdir()
    (folder / "images" / "chart.png").symlink_to(tmp_path / "nowhere.png")
    [problem] = [d.message for d in errors(tmp_path / "articles", site_config)]
    assert problem.endswith("which does not exist"), problem
    assert "did you mean" not in problem


def test_an_image_whose_folder_is_spelt_otherwise_is_given_the_folder_as_on_disk(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`images/chart.png` written, the folder `Images/` on disk (a case-insensitive disk's
    copy): "file not found" with no hint, where a case slip in the file's own name had one."""
    folder = write_story(tmp_path / "articles", "cased", STORY + IMAGES.format("images/chart.png"))
    (folder / "Images").mkdir()
    (folder / "Images" / "chart.png").write_bytes(b"x")
    [problem] = [d.message for d in errors(tmp_path / "articles", site_config)]
    assert problem.endswith("file not found; did you mean 'Images/chart.png'?"), problem


def test_an_image_listed_twice_in_two_unicode_forms_is_said_listed_twice(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """`café.png` listed as written on Windows and as a Mac writes it (NFD): two names that
    look the same were "would be published as 'café.png', like 'images/café.png'; rename one of
    them", which no rename of what the editor sees mends. They are one name: listed twice."""
    nfd = "images/cafe\u0301.png"
    listed = IMAGES.format("images/café.png") + f"  - file: {nfd}\n    alt: B\n"
    folder = write_story(tmp_path / "articles", "twice", STORY + listed)
    (folder / "images").mkdir()
    PILImage.new("RGB", (8, 8)).save(folder / "images" / "café.png")
    [problem] = [d.message for d in errors(tmp_path / "articles", site_config)]
    assert problem.startswith("image 'images/café.png' is listed twice (also at line "), problem
    assert problem.endswith("names in another Unicode form are one name): list it once")


# URLs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ('https://example.org/"><script>', "is not an absolute http(s) URL"),
        ("https://example.org:99999/a", "is not a valid URL (port out of range 0-65535)"),
        ("https://[::1/a", "is not a valid URL (invalid IPv6 URL)"),
        ("https://user:secret@example.org/a", "holds a user name or password"),
        ("https://ex☃ample.org/a", "holds a host name that is no valid international domain"),
    ],
    ids=["markup", "port", "ipv6", "userinfo", "idna"],
)
def test_a_url_its_pattern_would_pass_is_checked_as_a_url(
    tmp_path: Path, site_config: SiteConfig, url: str, said: str
) -> None:
    """Each passed validation and reached the outputs (JSON ones raw)."""
    related = f"related:\n  - url: {json.dumps(url)}\n    title: {{{{en: Related}}}}\n"
    write_story(tmp_path / "articles", "linked", STORY + related)
    [problem] = [d.message for d in errors(tmp_path / "articles", site_config)]
    assert problem.startswith("related, 1st related link: url: ") and said in problem, problem


def test_a_link_in_any_script_is_read_as_the_uri_every_format_writes(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A link pasted as a browser shows it went out raw in ninjs and NewsML-G2 (an IRI, which
    ninjs's `"format": "uri"` refuses) and encoded in the pages; what is encoded is kept."""
    url = "https://ar.wikipedia.org/wiki/ميناء_جدة?q=جدة%20x#م"
    uri = (
        "https://ar.wikipedia.org/wiki/%D9%85%D9%8A%D9%86%D8%A7%D8%A1_%D8%AC%D8%AF%D8%A9"
        "?q=%D8%AC%D8%AF%D8%A9%20x#%D9%85"
    )
    related = f"related:\n  - url: {json.dumps(url)}\n    title: {{{{en: Related}}}}\n"
    person = f"byline:\n  people:\n    - name: Sara\n      url: {json.dumps(url)}\n"
    write_story(tmp_path, "linked", STORY + related, en=VARIANT.replace("byline:\n", person))
    (story,), diags = read(tmp_path, site_config)
    assert not diags.errors, [d.format_text() for d in diags]
    assert story.related[0].url == uri
    assert story.variant("en").byline.people[0].url == uri


def test_a_link_to_an_international_host_name_is_read_in_its_idna_form(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A link to a host in another script, pasted from a browser's address bar, was refused
    (write it xn--...): it is read as a browser reads it (UTS 46, non-transitional), its
    host in IDNA form and its path percent-encoded."""
    url = "https://пример.рф/новости"
    related = f"related:\n  - url: {json.dumps(url)}\n    title: {{{{en: Related}}}}\n"
    write_story(tmp_path, "linked", STORY + related)
    (story,), diags = read(tmp_path, site_config)
    assert not diags.errors, [d.format_text() for d in diags]
    assert story.related[0].url == (
        "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
    )


def test_a_story_url_with_a_space_is_given_back_written_right(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    related = "related:\n  - url: https://example.org/my page\n    title: {{en: Related}}\n"
    write_story(tmp_path / "articles", "spaced", STORY + related)
    [problem] = [d.message for d in errors(tmp_path / "articles", site_config)]
    assert problem == (
        "related, 1st related link: url: 'https://example.org/my page' is not an absolute"
        " http(s) URL; write each space as %20: 'https://example.org/my%20page'"
    )


NOT_BASE = "is not an http(s) URL ending in /, where out/ is published"
SPACED = "https://x.example/my%20news/"


@pytest.mark.parametrize(
    ("base_url", "said"),
    [
        ('https://x.example/"<script>/', "is not an http(s) URL ending in /"),
        ("https://x.example:99999/syn/", "is not a valid URL (port out of range"),
        # These were only "not an http(s) URL ending in /", naming nothing wrong.
        ("https://x.example/my news/", f"{NOT_BASE}; write each space as %20: {SPACED!r}"),
        (
            "HTTPS://x.example/syn/",
            f"{NOT_BASE}; write HTTPS:// in lowercase: 'https://x.example/syn/'",
        ),
        (
            "https://x.example/my news",
            f"{NOT_BASE}; write each space as %20 and end it with /: {SPACED!r}",
        ),
        ("https://x.example/a|b/", f"{NOT_BASE}; write | as %7C: 'https://x.example/a%7Cb/'"),
        ("https://x.example/?page=1", f"{NOT_BASE}; a URL things are published under has no query"),
        ("ftp://x.example/", f"{NOT_BASE}; start it with https:// (or http://)"),
        # A space pasted at the end was told to be a folder, `.../wire/%20/`.
        (
            "https://x.example/wire/ ",
            f"{NOT_BASE}; remove the space around it: 'https://x.example/wire/'",
        ),
        (
            " https://x.example/wire ",
            f"{NOT_BASE}; remove the space around it and end it with /: 'https://x.example/wire/'",
        ),
    ],
)
def test_base_url_is_checked_as_a_url(
    tmp_path: Path, base_url: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = re.sub(r"(?m)^base_url: .*$", f"base_url: {json.dumps(base_url)}", sample_config())
    assert validate_config(tmp_path, config) == 2
    assert f"base_url: {base_url!r} {said}" in capsys.readouterr().err


def test_a_bidi_control_in_the_publishers_name_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stories got the warning; the name every output carries did not."""
    config = sample_config().replace("  name: YCPress", '  name: "YC\\u202ePress"', 1)
    status = validate_config(tmp_path, config, REPO / "articles")
    err = capsys.readouterr().err
    assert status == 0, err
    assert (
        "syndicate.yaml:3: warning: publisher.name contains the invisible bidi control U+202E"
        in err
    )


# The site's templates and terms files, checked as a story's files are -------------------------


def _plant(site: Path, name: str, kind: str, secret: Path) -> None:
    """`name` in `site` made a file of `kind`: a link or a hard link to `secret` (outside
    the site), or a FIFO."""
    path = site / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "link":
        path.symlink_to(secret)
    elif kind == "hard link":
        os.link(secret, path)
    else:
        os.mkfifo(path)


def run_site(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`run`, with the site's own syndicate.yaml (its templates and terms beside it)."""
    return subprocess.run(
        [sys.executable, "-m", "syndicate", *args, "--articles", "articles"],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


SITE_FILE_REFUSALS = {
    "link": (
        "file is a link to a place outside the site folder; replace the link with a copy of"
        " the file [site.outside]"
    ),
    "hard link": "file is a hard link (one file with 2 names on disk)",
    "FIFO": "not a regular file but a FIFO; use a plain file [file.special]",
}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("templates/base.html", "link"),
        ("templates/partials/promo.html", "link"),
        ("templates/base.html", "hard link"),
        ("templates/article.html", "FIFO"),
        ("templates/style.css", "FIFO"),
        ("terms/en.yaml", "link"),
        ("terms/en.yaml", "hard link"),
        ("terms/fr.yaml", "FIFO"),
    ],
)
def test_site_templates_and_terms_are_refused_as_story_files_are(
    site: Path, tmp_path: Path, name: str, kind: str
) -> None:
    """`templates/base.html -> /etc/passwd` was read and published in every page, and
    `terms/en.yaml -> /etc/passwd` read; a FIFO template or terms file was left out without a
    word (Jinja's loader, and the empty-file check, looked at it as a file of size 0)."""
    secret = tmp_path / "secret.html"
    secret.write_text(f"<p>{SECRET}</p>\n", encoding="utf-8")
    _plant(site, name, kind, secret)
    for command in (["validate"], ["export", "-q", "-f", "html", "--out", "out"]):
        result = run_site(site, *command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"{name}: error: {SITE_FILE_REFUSALS[kind]}" in result.stderr, result.stderr
    assert not (site / "out").exists() or not any(
        SECRET in p.read_text(encoding="utf-8") for p in (site / "out").rglob("*.html")
    )


SITE_CONFLICTS = {
    "terms/en.yaml": "<<<<<<< HEAD\nupdated: Updated {date}\n=======\nupdated: Revised {date}\n"
    ">>>>>>> theirs\n",
    "templates/article.html": '{% extends "syndicate/article.html" %}\n<<<<<<< HEAD\n'
    "{% block footer %}<p>ours</p>{% endblock %}\n=======\n"
    "{% block footer %}<p>theirs</p>{% endblock %}\n>>>>>>> theirs\n",
}


@pytest.mark.parametrize(
    ("name", "line"),
    [("syndicate.yaml", 2), ("terms/en.yaml", 1), ("templates/article.html", 2)],
)
def test_a_site_file_with_an_unresolved_merge_conflict_is_an_error_at_its_marker(
    site: Path, name: str, line: int
) -> None:
    """Git's conflict markers in the configuration or a terms file were a YAML syntax error
    that never said merge; in a template, Jinja rendered both sides and the markers into
    every page."""
    if name == "syndicate.yaml":
        first, second, rest = (site / name).read_text(encoding="utf-8").split("\n", 2)
        text = f"{first}\n<<<<<<< HEAD\n{second}\n=======\n{second}\n>>>>>>> theirs\n{rest}"
    else:
        text = SITE_CONFLICTS[name]
        (site / name).parent.mkdir()
    (site / name).write_text(text, encoding="utf-8")
    result = run_site(site, "validate")
    assert result.returncode == 2, result.stderr
    assert f"{name}:{line}: error: an unresolved merge conflict (git's markers" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_link_inside_the_site_folder_is_a_templates_own(site: Path) -> None:
    """As for the static files beside them: the site folder is the boundary, so a template
    shared through a link to another of the site's folders is read."""
    (site / "shared").mkdir()
    (site / "shared" / "article.html").write_text(
        '{% extends "syndicate/article.html" %}{% block footer %}<p>LINKED</p>{% endblock %}\n',
        encoding="utf-8",
    )
    (site / "templates").mkdir()
    (site / "templates" / "article.html").symlink_to(Path("..", "shared", "article.html"))
    result = run_site(site, "export", "-q", "-f", "html", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "LINKED" in (site / "out" / "html" / f"{SAMPLE_SLUG}.en.html").read_text("utf-8")


def test_a_template_refused_after_the_configuration_loaded_is_a_diagnostic(
    tmp_path: Path,
) -> None:
    """The loader checks each template as it reads it (one replaced by a link during a
    run): a `TemplateError` naming it, never its bytes."""
    from syndicate.formats.html.templating import TemplateError, render_page

    folder = tmp_path / "site" / "templates"
    folder.mkdir(parents=True)
    (tmp_path / "secret.html").write_text(SECRET, encoding="utf-8")
    (folder / "article.html").symlink_to(tmp_path / "secret.html")
    with pytest.raises(TemplateError) as caught:
        render_page(folder, "article.html")
    assert caught.value.where == "templates/article.html:1"
    assert "outside the site folder" in caught.value.message


def test_a_template_refused_before_it_is_sent_to_the_workers_stops_the_run(
    site: Path, tmp_path: Path
) -> None:
    """What a Dask run sends its workers is read as checked as the loader reads it: a template
    replaced by a link leaving the site after the configuration loaded stops the run with a
    message naming it (pages made without it would publish the default look), never its
    bytes sent."""
    from syndicate.build.sources import TemplateRefused, site_files

    (site / "templates").mkdir()
    article = site / "templates" / "article.html"
    article.write_text('{% extends "syndicate/article.html" %}\n', encoding="utf-8")
    diags = Diagnostics()
    config = load_config(site / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None and not diags.has_errors()
    assert [rel for rel, _ in site_files(config).templates] == ["article.html"]
    (tmp_path / "secret.html").write_text(SECRET, encoding="utf-8")
    article.unlink()
    article.symlink_to(tmp_path / "secret.html")
    with pytest.raises(TemplateRefused, match=r"templates/article\.html changed during the run"):
        site_files(config)
    article.unlink()
    os.mkfifo(article)  # not opened: a FIFO would block the read
    with pytest.raises(TemplateRefused, match=r"templates/article\.html changed during the run"):
        site_files(config)
    article.unlink()
    article.symlink_to(tmp_path / "nothing.html")
    with pytest.raises(TemplateRefused, match=r"templates/article\.html changed during the run"):
        site_files(config)


def test_an_animation_of_too_many_frames_is_refused_before_they_are_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 19.5 MB GIF of 1,300,000 frames of one pixel (1.3 million pixels, under the limit)
    took 75 s to check, each frame decoded: frames past `MAX_IMAGE_FRAMES` are refused,
    looking no further."""
    import io

    from PIL import Image

    from syndicate.readers import budgets
    from syndicate.readers.images import ImageProblem, inspect_image

    def gif(frames: int) -> bytes:
        images = [Image.new("RGB", (2, 2), (index * 20, 0, 0)) for index in range(frames)]
        buffer = io.BytesIO()
        images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=40)
        return buffer.getvalue()

    monkeypatch.setattr(budgets, "MAX_IMAGE_FRAMES", 10)
    assert inspect_image(gif(10)).pixels == 2 * 2 * 10
    with pytest.raises(ImageProblem, match="image has more than 10 frames"):
        inspect_image(gif(11))


def test_the_frames_of_a_gif_are_counted_without_decoding_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting a GIF's frames up to the limit with Pillow's `seek` decoded each frame it
    passed, on the whole canvas: a 6000x6000 GIF of 300 one-pixel frames (7 KB) took 47 s
    before its pixels were found over the limit. The frames' headers are walked instead."""
    import io

    from PIL import GifImagePlugin, Image

    from syndicate.readers.images import inspect_image

    images = [Image.new("RGB", (8, 8), (index * 20, 0, 0)) for index in range(12)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=40)
    loads = []
    load = GifImagePlugin.GifImageFile.load

    def counted(self: Any) -> Any:
        loads.append(self.tell())
        return load(self)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "load", counted)
    assert inspect_image(buffer.getvalue(), decoded=True).pixels == 8 * 8 * 12
    assert len(loads) <= 1, f"frames decoded to count them: {loads}"


def test_c1_control_characters_are_errors_with_what_they_most_likely_were(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """U+0080 to U+009F reached every output (U+009B starts a terminal's control sequences,
    HTML calls each a parse error, XML 1.1 forbids them): in a file's text, and written as a
    YAML escape. Each is an error at its line, with the Windows-1252 character it most likely
    was."""
    variant = VARIANT.replace("A paragraph of the body.", "It\x92s a\n\x9b31m trap.")
    write_story(tmp_path / "articles", "c1-body", en=variant)
    found = errors(tmp_path / "articles", site_config)
    assert [(e.code, e.line) for e in found] == [
        ("text.control-char", 8),
        ("text.control-char", 9),
    ], found
    assert "U+0092" in found[0].message and "most likely a '’'" in found[0].message
    assert "U+009B" in found[1].message and "most likely a '›'" in found[1].message
    escaped = VARIANT.replace("headline: A headline", 'headline: "A \\u0085 headline"')
    write_story(tmp_path / "more", "c1-escape", en=escaped)
    (error,) = errors(tmp_path / "more", site_config)
    assert "U+0085" in error.message and "(written as an escape)" in error.message


def test_a_photo_whose_extension_names_another_type_is_told_a_removal_that_works(
    tmp_path: Path, site_config: SiteConfig
) -> None:
    """A JPEG saved as `photo.png` (read as the JPEG it is) was told `exiftool -gps:all=
    -xmp:gps*= images/photo.png`, which exiftool refuses ("Not a valid PNG (looks more like a
    JPEG)"): such a file is piped through exiftool, which reads the type from the bytes, and
    keeps its name. A file whose extension is its type's is told as before."""
    name = "images/photo.png"
    folder = write_story(tmp_path / "articles", "lying", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_located_photo())
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    path = shlex.quote(shown_path(folder / name))
    spare = shlex.quote(shown_path(folder / name) + ".tmp")
    advice = f"exiftool -gps:all= '-xmp:gps*=' - < {path} > {spare} && mv {spare} {path}"
    assert f"({advice}; exiftool refuses" in warning.message
    assert "its name ending .png where it is a JPEG" in warning.message
    if shutil.which("exiftool"):  # the advice, run as written, removes the place
        subprocess.run(["sh", "-c", advice], check=True, capture_output=True)
        _, diags = read(tmp_path / "articles", site_config)
        assert not list(diags), [d.format_text() for d in diags]
    (folder / name).unlink()
    (folder / "story.yaml").write_text(
        (STORY + IMAGES.format("images/p.JPEG")).format(slug="lying"), "utf-8"
    )
    (folder / "images/p.JPEG").write_bytes(_located_photo())
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    assert "(exiftool -gps:all= '-xmp:gps*=' " in warning.message and " - < " not in warning.message


@pytest.mark.parametrize("name", ["images/p.jpg", "images/p.png"])
def test_the_exiftool_advice_pastes_into_a_shell_that_refuses_unmatched_globs(
    tmp_path: Path, site_config: SiteConfig, name: str
) -> None:
    """The advice is pasted into a shell: its `-xmp:gps*=` unquoted, zsh (macOS's shell,
    which refuses a pattern that matches no file) said "no matches found" and ran nothing.
    Run as written in a shell that refuses them as zsh does (bash's failglob), with exiftool
    replaced by printf, it gives exiftool the words it is meant to."""
    folder = write_story(tmp_path / "articles", "globbed", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_located_photo())
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    advice = warning.message.split("Remove it from the file (", 1)[1].split("; exiftool", 1)[0]
    advice = advice.split("),", 1)[0].split(" > ", 1)[0]  # (a JPEG saved as .png: piped)
    assert advice.startswith("exiftool "), advice
    said = subprocess.run(
        ["bash", "-O", "failglob", "-c", "printf '%s\\n' " + advice.removeprefix("exiftool ")],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert said.returncode == 0, said.stderr
    assert said.stdout.splitlines()[:2] == ["-gps:all=", "-xmp:gps*="], said.stdout


@pytest.mark.parametrize("name", ["images/photo.jpg", "images/photo.png"])
def test_the_exiftool_advice_leaves_no_copy_that_holds_the_place(
    tmp_path: Path, site_config: SiteConfig, name: str
) -> None:
    """The advice for a photo edited in place (`exiftool -gps:all= '-xmp:gps*=' FILE`) left
    exiftool's copy of the photo as it was beside it (`photo.jpg_original`), the place in it,
    in the story folder a newsroom commits. Run as written with the real exiftool, it leaves
    the story folder with the photo alone, and the warning gone; so does the piped form a
    lying extension gets."""
    exiftool = shutil.which("exiftool")
    if exiftool is None:
        if os.environ.get("CI"):
            pytest.fail("exiftool is missing: .ci/setup test installs libimage-exiftool-perl")
        pytest.skip("exiftool is not installed (apt-get install libimage-exiftool-perl)")
    folder = write_story(tmp_path / "articles", "placed", STORY + IMAGES.format(name))
    (folder / "images").mkdir()
    (folder / name).write_bytes(_located_photo())
    _, diags = read(tmp_path / "articles", site_config)
    (warning,) = diags.warnings
    advice = warning.message[warning.message.index("(exiftool ") + 1 :]
    advice = advice[: advice.index(";" if name.endswith(".png") else ")")]
    assert ("-overwrite_original" in advice) is name.endswith(".jpg"), advice
    subprocess.run(["sh", "-c", advice], check=True, capture_output=True)
    assert sorted(p.name for p in (folder / "images").iterdir()) == [name.split("/")[1]]
    _, diags = read(tmp_path / "articles", site_config)
    assert not list(diags), [d.format_text() for d in diags]


def _laughs(key: str) -> str:
    """A billion laughs as the fuzzer wrote it: ten levels of nine aliases, 9**10 ≈ 3.5
    billion values once expanded, bound to KEY (which must be the last line's)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 10)]
    return "\n".join([*lines, f"{key}: *a9"]) + "\n"


@pytest.mark.parametrize("where", ["syndicate.yaml", "story.yaml", "front matter"])
def test_an_alias_bomb_is_refused_within_a_memory_cap(site: Path, where: str) -> None:
    """A fuzzing run was killed by the kernel at 23 GB with a billion laughs in the site (the
    fuzzer's own walk of it, it turned out); syndicate itself must refuse one wherever it is,
    at the line where it passes the limit, in a process held to 1 GB of address space, without
    a traceback."""
    story = site / "articles" / SAMPLE_SLUG
    if where == "syndicate.yaml":
        path, key = site / "syndicate.yaml", "x"
        path.write_text(path.read_text(encoding="utf-8") + _laughs(key), encoding="utf-8")
    elif where == "story.yaml":
        path, key = story / "story.yaml", "keywords"
        path.write_text(path.read_text(encoding="utf-8") + _laughs(key), encoding="utf-8")
    else:
        path, key = story / "en.md", "keywords"
        text = path.read_text(encoding="utf-8").replace("keywords: [", "x: [", 1)
        path.write_text(text.replace("---\n", "---\n" + _laughs(key), 1), encoding="utf-8")
    # said at a5, the first anchor past 100,000 values (9**6 of them)
    line = next(
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("a5: ")
    )
    cap = "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30));"
    start = f"{cap} sys.argv[0] = 'syndicate'; runpy.run_module('syndicate', run_name='__main__')"
    done = subprocess.run(
        [sys.executable, "-c", start, "validate", "--now", FIXED_NOW],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert re.search(
        rf"{re.escape(path.name)}:{line}: error: YAML expands to more than", done.stderr
    )


def _validate_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str) -> str:
    """What `validate` says, refusing it (exit 2), of a site whose second story's version
    and whose feeds' archive_size (a story's field, a setting) are each written `written`."""
    from sites import SECOND_SLUG, Site

    site = Site(tmp_path / "newsroom")
    site.replace(SECOND_SLUG, "story.yaml", "version: 1", f"version: {written}")
    site.configure(f"feeds:\n  archive_size: {written}\n")
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("digits", [4000, 5000])
def test_a_huge_number_is_quoted_shortened(
    tmp_path: Path, digits: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story's field or a setting given as a number of thousands of digits was quoted
    whole in its message (a screenful of 9s), and one over the digits Python reads (YAML's
    reader keeps it as text) was said quoted, which it was not. Quoted as every long value
    is (`shortened`): its start and its end, and how many digits it has."""
    big = "9" * digits
    err = _validate_refused(tmp_path, capsys, big)
    assert "9" * 100 not in err, err[:2000]
    said = [
        line for line in err.splitlines() if "error:" in line and f"({digits:,} digits)" in line
    ]
    assert len(said) == 2, err[:2000]
    assert all(len(line) < 400 for line in said), said
    assert "quoted, YAML reads it as text" not in err, err[:2000]


@pytest.mark.parametrize(
    "number",
    ["0x" + "F" * 4000, "0b" + "1" * 15_000, "0x" + "f" * 3588],
    ids=["hexadecimal", "binary", "just-over"],
)
def test_a_huge_hexadecimal_or_binary_number_is_said_not_a_traceback(
    tmp_path: Path, number: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML reads `0x...` and `0b...` with no limit on their digits (Python limits decimal
    ones: those over 4,300 are kept as text), and a message wrote the number in decimal
    digits, over 4,300 of them: "Exceeds the limit (4300 digits) for integer string
    conversion", a traceback. One Python cannot write in digits is kept as text, as a decimal
    one it cannot read is, and quoted shortened (`shortened`)."""
    err = _validate_refused(tmp_path, capsys, number)
    said = [line for line in err.splitlines() if "error:" in line and number[:20] in line]
    assert len(said) == 2, err[:2000]
    assert all(len(line) < 400 for line in said), said
    assert "Traceback" not in err and "integer string conversion" not in err, err[:2000]


def test_a_quoted_number_with_python_s_digit_limit_lifted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With Python's limit on a number's digits lifted (`PYTHONINTMAXSTRDIGITS=0`, `sys.
    set_int_max_str_digits(0)`), YAML reads a number of any length: a quoted one is told to
    lose its quotes, not (every whole number being over a limit of 0) to be made smaller."""
    from sites import SECOND_SLUG, Site

    site = Site(tmp_path / "newsroom")
    site.replace(SECOND_SLUG, "story.yaml", "version: 1", 'version: "12"')
    capsys.readouterr()
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        assert site.cli("validate", "--articles", str(site.articles)) == 2
    finally:
        sys.set_int_max_str_digits(limit)
    err = capsys.readouterr().err
    assert "quoted, YAML reads it as text: write it without quotes (12)" in err, err
    assert "more than syndicate reads" not in err, err


@pytest.mark.parametrize(
    "value",
    [
        "_" * 70,  # a blank to fill in, no number
        "न" + "कि" * 40,  # (Devanagari: each letter's vowel sign where a cut falls)
        "ب" + "بَ" * 40,  # (Arabic: each letter's vowel mark where a cut falls)
    ],
    ids=["underscores", "devanagari", "arabic"],
)
def test_a_long_value_is_shortened_between_its_letters(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value quoted shortened (`shortened`) is cut where a letter ends: a Devanagari vowel
    sign or an Arabic vowel mark after the `...` showed on the dots (a dotted circle in a
    terminal), the letter before it cut from its mark; and a run of underscores, a blank to
    fill in, was said to have "(0 digits)"."""
    import unicodedata

    err = _validate_refused(tmp_path, capsys, f'"{value}"')
    said = [line for line in err.splitlines() if "error:" in line and "..." in line]
    assert len(said) == 2, err
    assert "digits)" not in err, err
    for line in said:
        at = line.index("...")
        head = line[:at].rsplit("'", 1)[1]
        tail = line[at + 3 :].split("'", 1)[0]
        assert value.startswith(head) and value.endswith(tail), line
        for char in (value[len(head)], tail[0]):  # (no letter's mark cut from it)
            assert unicodedata.category(char) not in ("Mn", "Mc"), (line, char)


def test_a_value_its_quotes_lengthen_is_shortened_without_a_repeat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value under 60 characters whose quoting writes some of them as escapes (Persian's
    zero-width non-joiner, `\\u200c`, six characters each) is over 60 once quoted: it was
    cut by its characters, not by what the quotes write of them, and its start and end,
    each taken whole, overlapped: 'را ببینند و...ا ببینند و', words said twice around an
    elision of nothing. Its start and end are measured as quoted, and never overlap."""
    from sites import SECOND_SLUG, Site

    value = "می\u200cخواهند به\u200cروزرسانی\u200cها را ببینند و می\u200cگویند"
    assert len(value) < 60 < len(repr(value))
    site = Site(tmp_path / "newsroom")
    site.replace(SECOND_SLUG, "story.yaml", "version: 1", f'version: "{value}"')
    capsys.readouterr()
    assert site.cli("validate", "--articles", str(site.articles)) == 2
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if "error: version:" in line]
    quoted = line.split("found '", 1)[1].split("'", 1)[0]
    assert len(quoted) + 2 <= 60, quoted
    head, tail = quoted.replace("\\u200c", "\u200c").split("...")
    assert value.startswith(head) and value.endswith(tail), quoted
    assert len(head) + len(tail) < len(value), quoted
