"""Incremental export: after each kind of change, a re-export that reuses the build manifest gives
the same bytes as a full export, and files whose inputs did not change are left untouched."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, plain_cover
from PIL import Image
from sites import GENERATED_CONFIG, generated_site

from syndicate.build import engine, publish, workers
from syndicate.build.engine import CACHE_ENV
from syndicate.build.state import CACHE_NAME, STATE_FILE, BuildState, state_folder
from syndicate.cli import main
from syndicate.formats.contract import (
    Context,
    NoOptions,
    OutputFile,
    Writer,
    lists_summaries,
)
from syndicate.formats.epub import writer as epub_writer
from syndicate.formats.epub.coverdata import Cover, CoverText
from syndicate.formats.epub.writer import EpubWriter
from syndicate.formats.feeds import documents
from syndicate.formats.feeds.atom import AtomWriter
from syndicate.formats.html import writer as html_writer
from syndicate.formats.jsonfeed import writer as jsonfeed
from syndicate.formats.registry import BUILTIN, Registry
from syndicate.formats.sitemap.writer import SitemapWriter
from syndicate.i18n.terms import term
from syndicate.model import Story, StorySummary
from syndicate.readers import articles

STORIES = 5
LANGS = ("en", "fr")


@pytest.fixture(scope="module", autouse=True)
def cache_in_site() -> Iterator[None]:
    """These sites keep their build state where a site does by default, in their own
    `.syndicate/`: a copy of a site carries it, as a moved site or a CI checkout would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(CACHE_ENV)
        yield


def make_site(root: Path) -> Path:
    return generated_site(root, STORIES)


def run_export(site: Path, out: Path, *extra: str, now: str = FIXED_NOW) -> int:
    args = ["export", "-q", "-f", "all", "--now", now, "--out", str(out), *extra]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    return main(args, registry=PLAIN_COVERS)


def export(site: Path, out: Path, *extra: str, now: str = FIXED_NOW) -> None:
    assert run_export(site, out, *extra, now=now) == 0


def assert_as_full(site: Path, full: Path) -> None:
    """The site's out/ is what a full export (`--force`, into `full`) gives."""
    export(site, full, "--force", "-j", "1")
    assert tree(site / "out") == tree(full)
    assert folders(site / "out") == folders(full), "no empty folder is left behind"


def tree(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".syndicate.lock"
    }


def folders(out: Path) -> list[str]:
    return [p.relative_to(out).as_posix() for p in sorted(out.rglob("*")) if p.is_dir()]


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {
        path: ((out / path).stat().st_ino, (out / path).stat().st_mtime_ns) for path in tree(out)
    }


def edit(articles: Path) -> None:
    md = articles / "bench-000001" / "en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")


def add(articles: Path) -> None:
    new = articles / "bench-000099"
    shutil.copytree(articles / "bench-000001", new)
    meta = new / "story.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("bench-000001", "bench-000099"), encoding="utf-8"
    )


def delete(articles: Path) -> None:
    shutil.rmtree(articles / "bench-000001")


def rename(articles: Path) -> None:
    (articles / "bench-000001").rename(articles / "bench-renamed")


def configure(articles: Path) -> None:
    config = articles.parent / "syndicate.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("name: YCPress", "name: YC Press"),
        encoding="utf-8",
    )


def kill(articles: Path) -> None:
    """The story with a picture canceled: its pages' media folders go too."""
    meta = articles / "bench-000000" / "story.yaml"
    text = meta.read_text(encoding="utf-8").replace(
        "updated: 2020-01-01T12:00:00", "updated: 2020-01-02T12:00:00"
    )
    meta.write_text(text + "status: canceled\nversion: 2\n", encoding="utf-8")


def image(articles: Path) -> None:
    png = articles / "bench-000000" / "images" / "figure.png"
    png.write_bytes(png.read_bytes() + b"\0")


def stylesheet(articles: Path) -> None:
    """A designer's edit of the site's stylesheet (`templates/`)."""
    css = articles.parent / "templates" / "style.css"
    css.parent.mkdir(exist_ok=True)
    text = css.read_text(encoding="utf-8") if css.exists() else "p { margin: 0; }\n"
    css.write_text(text + "/* a comment */\n", encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit": edit,
    "add": add,
    "delete": delete,
    "rename": rename,
    "config": configure,
    "image": image,
    "kill": kill,
    "template": stylesheet,
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site and its first, full export (shared: each test copies it)."""
    root = make_site(tmp_path_factory.mktemp("baseline"))
    export(root, root / "out", "-j", "1")
    return root


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_export_equals_a_full_one(change: str, baseline: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    CHANGES[change](site / "articles")
    export(site, site / "out", "-j", "1")
    assert_as_full(site, tmp_path / "full")


def test_a_one_story_edit_leaves_other_files_untouched(baseline: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2, symlinks=True)
    export(site, site / "out", "-j", "1")  # the copy's files get their own inodes and times
    before = stamps(site / "out")
    edit(site / "articles")
    export(site, site / "out", "-j", "1")
    after = stamps(site / "out")
    changed = sorted(path for path in before if after.get(path) != before[path])
    assert "model/bench-000001.json" in changed and "epub/bench-000001.en.epub" in changed
    assert "epub/bench-000001.fr.epub" not in changed  # the French text did not change
    others = [p for p in changed if "bench-000001" not in p]
    # Only files over several stories may change: feeds, indexes and the catalog.
    assert all(p.split("/")[0] in {"atom", "rss", "jsonfeed", "html", "opds"} for p in others), (
        others
    )
    assert "jsonfeed/en.json" in changed and "ninjs/bench-000001.en.json" in changed
    assert not [p for p in changed if "bench-000003" in p]


def test_an_edit_links_the_stories_it_keeps_before_it_makes_the_edited_one(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The published files of every story an edit keeps whole go to the helper that links
    them into staging (`Staging.link_ahead`) before the edited story is made, and the run
    links none of them itself; the publication is a full export's."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")  # the copy's own paths
    before = stamps(site / "out")
    events: list[str] = []
    sent: list[str] = []
    linked: list[str] = []
    link_ahead, do_unit = publish.Staging.link_ahead, workers.do_unit
    link_published = publish.Staging._link_published

    def ahead(self: publish.Staging, kept: list[str]) -> None:
        events.append("link_ahead")
        sent.extend(kept)
        link_ahead(self, kept)

    def unit(settings: workers.Settings, work: workers.Unit) -> workers.Done:
        events.append("made")
        return do_unit(settings, work)

    def counted(self: publish.Staging, rel: str) -> None:
        linked.append(os.fspath(rel))
        link_published(self, rel)

    monkeypatch.setattr(publish.Staging, "link_ahead", ahead)
    monkeypatch.setattr(workers, "do_unit", unit)
    monkeypatch.setattr(publish.Staging, "_link_published", counted)
    edit(site / "articles")
    export(site, site / "out", "-j", "1")
    assert events == ["link_ahead", "made"]
    kept = [p for p in before if "/bench-0" in p and "bench-000001" not in p]  # other stories'
    assert sorted(sent) == sorted(kept)
    assert not set(linked) & set(sent)
    after = stamps(site / "out")
    assert all(after[path] == before[path] for path in sent)
    assert_as_full(site, tmp_path / "full")


def test_nothing_changed_means_nothing_rewritten(baseline: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    before = stamps(site / "out")
    export(site, site / "out", "-j", "1")
    assert stamps(site / "out") == before


def test_a_touched_output_is_rebuilt(baseline: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")  # the copy's own paths
    page = site / "out" / "model" / "bench-000002.json"
    original = page.read_bytes()
    page.write_bytes(b"{}")
    export(site, site / "out", "-j", "1")
    assert page.read_bytes() == original


def test_an_embargo_lifting_at_now_is_an_input(baseline: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    meta = site / "articles" / "bench-000002" / "story.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8") + "embargo_until: 2026-06-01T00:00:00Z\n",
        encoding="utf-8",
    )
    export(site, site / "out", "-j", "1")
    assert not (site / "out" / "html" / "bench-000002.en.html").exists()
    later = "2026-07-01T00:00:00Z"
    export(site, site / "out", "-j", "1", now=later)
    export(site, tmp_path / "full", "--force", "-j", "1", now=later)
    assert (site / "out" / "html" / "bench-000002.en.html").exists()
    assert tree(site / "out") == tree(tmp_path / "full")


def test_a_run_that_changed_nothing_reads_no_story(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build state keeps each story's summary: unchanged stories are neither parsed nor
    loaded, and no fragment is loaded while no collection has to be rebuilt."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    before = tree(site / "out")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged story was read")

    monkeypatch.setattr(workers, "read_story", refuse)
    monkeypatch.setattr(BuildState, "model", refuse)
    monkeypatch.setattr(BuildState, "fragment", refuse)
    export(site, site / "out", "-j", "1")
    assert tree(site / "out") == before


def test_an_edit_reads_and_renders_that_story_only(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Feeds keep each entry rendered: after an edit only the edited story's entries are
    rendered again (once per feed format and language, JSON Feed items too), and only it is
    parsed."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    edit(site / "articles")
    read: list[str] = []
    rendered: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []
    read_story, make_entry, make_item = workers.read_story, documents.make_entry, jsonfeed.make_item

    def reading(folder: Path, *args: Any, **kwargs: Any) -> Any:
        read.append(folder.name)
        return read_story(folder, *args, **kwargs)

    def rendering(story: Story, lang: str, ctx: Any) -> Any:
        rendered.append((story.slug, lang))
        return make_entry(story, lang, ctx)

    def rendering_item(story: Story, lang: str, ctx: Any) -> Any:
        items.append((story.slug, lang))
        return make_item(story, lang, ctx)

    monkeypatch.setattr(workers, "read_story", reading)
    monkeypatch.setattr(documents, "make_entry", rendering)
    monkeypatch.setattr(jsonfeed, "make_item", rendering_item)
    export(site, site / "out", "-j", "1")
    assert read == ["bench-000001"]
    assert sorted(rendered) == sorted([("bench-000001", "en"), ("bench-000001", "fr")] * 2)
    assert sorted(items) == [("bench-000001", "en"), ("bench-000001", "fr")]
    assert_as_full(site, tmp_path / "full")


def test_a_template_edit_makes_the_html_pages_alone_again(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the HTML format reads the site's templates (`Writer.site_inputs`): an edit of
    one makes every page again and no other format's file, and gives what a full export
    gives."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    stylesheet(site / "articles")
    export(site, site / "out", "-j", "1")  # the site has its templates from now on
    stylesheet(site / "articles")
    made: list[str] = []
    story_files = workers.story_files

    def making(writer: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(writer.name)
        return story_files(writer, *args, **kwargs)

    def collecting(cls: type[Any]) -> Callable[..., Any]:
        collection_files = cls.collection_files

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            made.append(f"{self.name} collection")
            return collection_files(self, *args, **kwargs)

        return counted

    classes = {type(PLAIN_COVERS.get(name)) for name in PLAIN_COVERS.names}
    for cls in classes:
        monkeypatch.setattr(cls, "collection_files", collecting(cls))
    monkeypatch.setattr(workers, "story_files", making)
    export(site, site / "out", "-j", "1")
    assert set(made) == {"html", "html collection"}
    assert made.count("html") == STORIES
    monkeypatch.undo()
    assert_as_full(site, tmp_path / "full")


def test_an_edit_checks_only_the_texts_it_changed_against_the_schema(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story's texts that passed the schema check when it was last read (kept with it in
    the build state) are not checked again: an edit of a body checks nothing (jsonschema is
    not even needed), an edit of a front matter checks that one, and a text with a problem
    is checked, and its problem reported, on every run until it is fixed."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    checked: list[str] = []
    real = articles.check

    def check(
        instance: Any, name: str, pointer: str = "", root: str | None = None, zone: Any = None
    ) -> Any:
        checked.append(pointer)
        return real(instance, name, pointer, root, zone)

    monkeypatch.setattr(articles, "check", check)
    edit(site / "articles")  # the English body
    export(site, site / "out", "-j", "1")
    assert checked == []
    md = site / "articles" / "bench-000001" / "fr.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("headline: ", "headline: Nouveau ", 1), encoding="utf-8")
    export(site, site / "out", "-j", "1")
    assert checked == ["/$defs/variant"]
    checked.clear()
    md.write_text(text.replace("headline: ", "colour: blue\nheadline: ", 1), encoding="utf-8")
    for _ in range(2):
        assert run_export(site, site / "out", "-j", "1") != 0
    assert checked == ["/$defs/variant"] * 2
    md.write_text(text, encoding="utf-8")  # back as it was last published: kept, not read
    export(site, site / "out", "-j", "1")
    assert_as_full(site, tmp_path / "full")


def test_a_configuration_change_checks_no_text_and_decodes_no_image_checked_before(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the schema check of a story's texts nor the decoding of its images reads the
    configuration: a change of syndicate.yaml reads every story again (any of its files may
    change) but checks none of their texts and opens none of their images again (the facts a
    check found, kept with its verdict, are taken back). An image whose bytes change is
    decoded; the output is a full export's."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    checked: list[str] = []
    decodes: list[bool] = []
    real_check, real_inspect = articles.check, articles.inspect_image

    def check(
        instance: Any, name: str, pointer: str = "", root: str | None = None, zone: Any = None
    ) -> Any:
        checked.append(pointer)
        return real_check(instance, name, pointer, root, zone)

    def inspect_image(data: bytes, limit: int, *, sha256: str, decoded: bool) -> Any:
        decodes.append(decoded)
        return real_inspect(data, limit, sha256=sha256, decoded=decoded)

    monkeypatch.setattr(articles, "check", check)
    monkeypatch.setattr(articles, "inspect_image", inspect_image)
    configure(site / "articles")
    export(site, site / "out", "-j", "1")
    assert checked == []
    images = sorted((site / "articles").glob("*/images/*"))
    assert len(images) > 0 and decodes == []
    decodes.clear()
    image(site / "articles")
    export(site, site / "out", "-j", "1")
    assert decodes == [False]
    assert_as_full(site, tmp_path / "full")


def test_an_edit_of_a_story_s_text_opens_no_image_and_draws_nothing(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit of one story's text takes back the facts of its images (kept with their
    check), its covers (`Memo`) and the feeds' logos (kept as published while the
    configuration is the same; their size comes from the logo's header): Pillow opens,
    makes and saves nothing. The output is a full export's."""
    from PIL import Image as PILImage

    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    used: list[str] = []

    def refused(name: str) -> Callable[..., Any]:
        def use(*args: Any, **kwargs: Any) -> Any:
            used.append(name)
            raise AssertionError(f"Pillow's {name} used by an edit")

        return use

    edit(site / "articles")
    with monkeypatch.context() as patched:
        for name in ("open", "new"):
            patched.setattr(PILImage, name, refused(name))
        patched.setattr(PILImage.Image, "save", refused("save"))
        export(site, site / "out", "-j", "1")
    assert used == []
    assert_as_full(site, tmp_path / "full")


def test_an_edit_of_a_body_keeps_the_sitemaps_without_listing_a_story(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sitemap format makes nothing of a story alone, so its files say only what the
    summaries say: an edit of a body keeps them as published without listing the stories
    again; a new headline lists them again. Each time the output is a full export's."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    listed: list[int] = []
    original = SitemapWriter.collection_files

    def counted(self: SitemapWriter, stories: list[Any], ctx: Any) -> Any:
        listed.append(len(stories))
        return original(self, stories, ctx)

    monkeypatch.setattr(SitemapWriter, "collection_files", counted)
    before = {p: s for p, s in stamps(site / "out").items() if p.startswith("sitemaps/")}
    edit(site / "articles")
    export(site, site / "out", "-j", "1")
    assert listed == []
    after = {p: s for p, s in stamps(site / "out").items() if p.startswith("sitemaps/")}
    assert after == before and before
    export(site, site / "out", "-j", "1")  # and the run after it finds them as they were
    assert listed == []
    md = site / "articles" / "bench-000001" / "fr.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace('headline: "', 'headline: "Nouveau : ', 1), encoding="utf-8")
    export(site, site / "out", "-j", "1")
    assert listed == [STORIES]
    assert_as_full(site, tmp_path / "full")


_FIGURE = re.compile(r"""[^\s"'<>()\\]*(bench-00000[03])/figure[^\s"'<>()\\]*""")
"""A URL (or a page's relative link) of the picture of story 0 or 3, and the story's slug."""


def figure_urls(out: Path) -> dict[str, dict[str, set[str]]]:
    """The URLs of the generated stories' pictures each file of out/ names, by story."""
    named: dict[str, dict[str, set[str]]] = {}
    for path in sorted(out.rglob("*")):
        if path.suffix in {".xml", ".json", ".jsonld", ".html"} and path.is_file():
            for found in _FIGURE.finditer(path.read_text(encoding="utf-8")):
                file = named.setdefault(path.relative_to(out).as_posix(), {})
                file.setdefault(found.group(1), set()).add(found.group(0))
    return named


def test_a_photo_replaced_in_place_gets_a_new_url_in_every_file_naming_it(
    tmp_path: Path,
) -> None:
    """A correction that swaps a picture under its name (`images/figure.png`, new bytes):
    partners, CDNs and browsers cache an image by its URL, so every file that names it, in
    every format, is made again with a new URL (the digest of the new bytes), and the story
    whose picture did not change keeps its URLs. Before: the same URL everywhere, and readers
    and MSN kept the wrong photo."""
    site = make_site(tmp_path / "site")
    config = site / "syndicate.yaml"
    config.write_text(  # a profile that makes renditions (16 px wide) of its own
        config.read_text(encoding="utf-8") + "profiles:\n  mine:\n    image_width: 16\n",
        encoding="utf-8",
    )
    png = site / "articles/bench-000000/images/figure.png"
    Image.new("RGB", (64, 32), (200, 30, 30)).save(png)
    export(site, site / "out", "-j", "1")
    before = figure_urls(site / "out")
    Image.new("RGB", (64, 32), (30, 30, 200)).save(png)  # same name, another picture
    export(site, site / "out", "-j", "1")
    after = figure_urls(site / "out")
    assert after.keys() == before.keys()
    naming = {name for name, stories in after.items() if "bench-000000" in stories}
    assert {name.split("/")[0] for name in naming} == {
        "atom", "html", "jsonfeed", "jsonld", "newsml", "ninjs", "partners", "rss",
    }  # fmt: skip
    assert any(name.startswith("partners/mine/") for name in naming)
    for name in naming:
        new, old = after[name]["bench-000000"], before[name]["bench-000000"]
        assert not new & old, f"{name} still names the replaced photo by {new & old}"
    digest = hashlib.sha256(png.read_bytes()).hexdigest()[:12]
    assert (
        f"https://ycpress.example/syndicate/html/media/bench-000000/figure.png?v={digest}"
        in (after["jsonld/bench-000000.en.jsonld"]["bench-000000"])
    )
    kept = {
        name: stories["bench-000003"]
        for name, stories in after.items()
        if "bench-000003" in stories
    }
    assert kept and kept == {
        name: stories["bench-000003"]
        for name, stories in before.items()
        if "bench-000003" in stories
    }
    assert_as_full(site, tmp_path / "full")


def test_a_body_edit_that_places_or_unplaces_an_image_makes_every_language_again(
    baseline: Path, tmp_path: Path
) -> None:
    """An image no body places leads the story in every language (`Story.lead_images`): an
    edit of one language's body that unplaces or places it changes the pages and books of the
    others too. Each run after such an edit gives what a full export gives, byte for byte."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    story = site / "articles" / "bench-000000"
    figure = "![](images/figure.png)\n\n"
    written = {lang: (story / f"{lang}.md").read_text(encoding="utf-8") for lang in LANGS}
    assert all(figure in text for text in written.values())
    fr_page = site / "out" / "html" / "bench-000000.fr.html"
    assert 'class="lead"' not in fr_page.read_text(encoding="utf-8")

    (story / "en.md").write_text(written["en"].replace(figure, ""), encoding="utf-8")
    export(site, site / "out", "-j", "1")  # placed in French alone: no lead image
    assert_as_full(site, tmp_path / "full-fr")
    (story / "fr.md").write_text(written["fr"].replace(figure, ""), encoding="utf-8")
    export(site, site / "out", "-j", "1")  # placed in no body: the lead image of both
    assert_as_full(site, tmp_path / "full-none")
    for lang in LANGS:
        page = (site / "out" / "html" / f"bench-000000.{lang}.html").read_text(encoding="utf-8")
        assert page.count("<figure") == 1 and '<figure class="lead">' in page, lang
        book = site / "out" / "epub" / f"bench-000000.{lang}.epub"
        assert "EPUB/images/bench-000000/figure.png" in zipfile.ZipFile(book).namelist()
    (story / "en.md").write_text(written["en"], encoding="utf-8")
    export(site, site / "out", "-j", "1")  # placed in English again: French shows none
    assert_as_full(site, tmp_path / "full-en")
    assert "<figure" not in fr_page.read_text(encoding="utf-8")
    fr_book = site / "out" / "epub" / "bench-000000.fr.epub"
    assert "EPUB/images/bench-000000/figure.png" not in zipfile.ZipFile(fr_book).namelist()


_SITE_IMAGE = re.compile(
    r"""[^\s"'<>()\\]*(?:media/site/(?:logo|icon)|(?:atom|rss)/logo|mine/(?:logo|brand))"""
    r"""\.png[^\s"'<>()\\]*"""
)
"""A URL (or a page's relative link) of the publisher's logo or icon, or of a feed's image."""


def site_image_urls(out: Path) -> dict[str, set[str]]:
    """The URLs of the logo, the icon and the feeds' images each file of out/ names."""
    named: dict[str, set[str]] = {}
    for path in sorted(out.rglob("*")):
        if path.suffix in {".xml", ".json", ".jsonld", ".html"} and path.is_file():
            for found in _SITE_IMAGE.finditer(path.read_text(encoding="utf-8")):
                named.setdefault(path.relative_to(out).as_posix(), set()).add(found.group(0))
    return named


def test_a_logo_replaced_in_place_gets_a_new_url_in_every_file_naming_it(
    tmp_path: Path,
) -> None:
    """A rebrand that replaces the logo under its name (`site/logo.png`, new bytes): every
    file naming it, in every format, is made again with the new bytes' digest in its URL,
    and the incremental export is the full one. The new logo is large enough for Google
    (JSON-LD names it rather than the icon) and for RSS (its image is drawn from it now).
    Before: the same URLs, and partners, CDNs and browsers kept the old logo."""
    site = make_site(tmp_path / "site")
    config = site / "syndicate.yaml"
    config.write_text(  # a profile that names the logo as it is (snf:logo)
        config.read_text(encoding="utf-8") + "profiles:\n  mine:\n    snf_logo: true\n",
        encoding="utf-8",
    )
    logo = site / "site/logo.png"
    export(site, site / "out", "-j", "1")
    before = site_image_urls(site / "out")
    old = hashlib.sha256(logo.read_bytes()).hexdigest()[:12]
    assert any(f"v={old}" in url for urls in before.values() for url in urls)
    Image.new("RGB", (300, 150), (30, 30, 200)).save(logo)  # same name, another logo
    new = hashlib.sha256(logo.read_bytes()).hexdigest()[:12]
    export(site, site / "out", "-j", "1")
    after = site_image_urls(site / "out")
    assert (site / "out/html/media/site/logo.png").read_bytes() == logo.read_bytes()
    stale = {name: urls for name, urls in after.items() if any(old in url for url in urls)}
    assert not stale, f"files still naming the replaced logo: {stale}"
    naming = {name for name, urls in after.items() if any(f"v={new}" in url for url in urls)}
    assert {name.split("/")[0] for name in naming} == {
        "atom", "html", "jsonld", "partners", "rss",
    }  # fmt: skip
    for name in (
        "atom/en.xml",
        "rss/en.xml",
        "partners/mine/en.xml",
        "jsonld/bench-000000.fr.jsonld",
    ):
        assert name in naming, name
    for name in naming:
        assert all("?v=" in url for url in after[name]), after[name]
    assert_as_full(site, tmp_path / "full")


class _Peeking(Writer[NoOptions]):
    """A format with collection files only, that asks for a whole story."""

    name = "peeking"
    description = "reads a whole story in its collection"
    media_type = "text/plain"
    extension = ".txt"
    scope = "collection"
    Options = NoOptions

    def collection_files(
        self, stories: list[StorySummary], ctx: Context[NoOptions]
    ) -> Iterator[OutputFile]:
        yield OutputFile("peeking/first.txt", ctx.story(stories[0]).slug.encode())


def test_a_format_without_story_files_reads_no_whole_story(
    baseline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its files are kept while the summaries are the same (above): a whole story, which a
    summary does not say, is refused with a message, never a traceback."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    assert lists_summaries(SitemapWriter()) and not lists_summaries(AtomWriter())
    args = ["export", "-q", "-f", "peeking", "--now", FIXED_NOW, "--out", str(site / "out")]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main(args, registry=Registry({**BUILTIN, "peeking": _Peeking})) == 1
    err = capsys.readouterr().err
    assert "[writer.failed]" in err and "reads only the summaries" in err
    assert "Traceback" not in err


DRAWN: list[tuple[str, str]] = []
"""The covers of story books `counting_cover` drew: language and title."""


DRAWN_LOG = "SYNDICATE_TEST_DRAWN"
"""A file each process that draws a counted cover (a pool's workers too) adds a line to."""


def counting_cover(text: CoverText, font_dirs: Sequence[str]) -> Cover:
    """The tests' plain cover, each one of a story book counted (not an edition's)."""
    if text.kicker != term("edition", text.lang):
        DRAWN.append((text.lang, text.title))
        if log := os.environ.get(DRAWN_LOG):
            with open(log, "a", encoding="utf-8") as file:
                file.write(f"{text.lang}\n")
    return plain_cover(text, font_dirs)


COUNTED = Registry({**BUILTIN, "epub": lambda: EpubWriter(covers=counting_cover)})


def test_a_story_s_next_work_takes_back_the_covers_whose_text_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story book's cover is drawn from its headline, section and date, the publication's
    name and the fonts; the story's next work takes it back (`Memo`) while all these, the
    code and the cover's file in out/ are the same. An edit of a body draws no cover, a new
    headline that language's, a cover changed in out/ is drawn again, and another code
    takes none back; the output is a full export's each time."""
    site = make_site(tmp_path)

    def export_counted() -> list[tuple[str, str]]:
        DRAWN.clear()
        args = ["export", "-q", "-f", "all", "--now", FIXED_NOW, "--out", str(site / "out")]
        args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
        assert main([*args, "-j", "1"], registry=COUNTED) == 0
        return sorted(DRAWN)

    assert len(export_counted()) >= 2
    edit(site / "articles")  # the English body of bench-000001
    assert export_counted() == []
    assert_as_full(site, tmp_path / "full-1")
    md = site / "articles" / "bench-000001" / "fr.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace('headline: "', 'headline: "Nouveau ', 1), encoding="utf-8")
    [(lang, title)] = export_counted()
    assert lang == "fr" and title.startswith("Nouveau ")
    assert_as_full(site, tmp_path / "full-2")
    cover = site / "out" / "opds" / "covers" / "bench-000001.en.png"
    cover.write_bytes(cover.read_bytes() + b"\0")  # a cover changed in out/: drawn again
    edit(site / "articles")
    assert [lang for lang, _ in export_counted()] == ["en"]
    assert_as_full(site, tmp_path / "full-3")
    monkeypatch.setattr(engine, "installed_at_start", lambda: ["another-package==1"])
    edit(site / "articles")
    assert [lang for lang, _ in export_counted()] == ["en", "fr"]
    assert_as_full(site, tmp_path / "full-4")


def test_covers_taken_back_travel_with_the_work_to_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change of syndicate.yaml that leaves the covers' text alone makes every story again,
    in a pool of worker processes: each takes its covers back from the memos its unit
    carried, and draws none; the output is a full export's."""
    site = make_site(tmp_path)
    log = tmp_path / "drawn.log"
    monkeypatch.setenv(DRAWN_LOG, str(log))
    args = ["export", "-q", "-f", "all", "--now", FIXED_NOW, "--out", str(site / "out")]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main([*args, "-j", "2"], registry=COUNTED) == 0
    assert len(log.read_text(encoding="utf-8").split()) >= STORIES
    log.unlink()
    config = site / "syndicate.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "feeds:\n  limit: 3\n", "utf-8")
    assert main([*args, "-j", "2"], registry=COUNTED) == 0
    assert not log.exists()
    assert_as_full(site, tmp_path / "full")


def test_an_edit_makes_the_staged_folders_ahead_and_a_no_op_does_not(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that makes a story again starts one helper process that makes the folders
    of the staged format folders (`Staging.ahead`) while the story is made; one that makes
    nothing again starts none. The output is a full export's."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    started: list[list[str]] = []
    popen = publish.subprocess.Popen

    def spawn(args: list[str], **kwargs: Any) -> Any:
        if args[4] == publish._AHEAD:  # (another helper empties the trash)
            started.append(args)
        return popen(args, **kwargs)

    monkeypatch.setattr(publish.subprocess, "Popen", spawn)
    export(site, site / "out", "-j", "1")
    assert started == []
    edit(site / "articles")
    export(site, site / "out", "-j", "1")
    assert len(started) == 1
    _program, _parent, out, _staging, *folders = started[0][4:]
    assert out == str(site / "out")
    assert {"html", "epub", "opds", "atom"} <= set(folders) and folders == sorted(folders)
    assert_as_full(site, tmp_path / "full")


def test_each_run_removes_what_the_last_one_left_in_the_trash(
    baseline: Path, tmp_path: Path
) -> None:
    """The folders a publication replaced go to the build state's trash with the run's
    staging folder (out/ keeps none of it); the next run removes them while it works and is
    done with it when it returns."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    edit(site / "articles")
    export(site, site / "out", "-j", "1")
    (trash,) = (site / ".syndicate" / "builds").glob(f"*/{publish.TRASH}")
    (edited,) = trash.iterdir()
    assert (edited / "staging" / "html").is_dir()  # the html/ the edit replaced
    assert not list((site / "out").glob(".syndicate-staging-*"))
    export(site, site / "out", "-j", "1")  # nothing to publish: no staging folder kept
    assert not edited.exists() and list(trash.iterdir()) == []


def test_lost_fragments_and_stories_are_made_again(baseline: Path, tmp_path: Path) -> None:
    """The state beside out/ may lose what collections need (fragments, whole stories): it is
    made again from the stories' folders, with the same bytes."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")
    with sqlite3.connect(state_folder(site / "out", site / CACHE_NAME) / STATE_FILE) as db:
        db.execute("DELETE FROM fragments")
        db.execute("DELETE FROM models")
    edit(site / "articles")
    export(site, site / "out", "-j", "1")
    assert_as_full(site, tmp_path / "full")


def test_the_state_records_every_file_as_the_run_left_it(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit keeps most files as published: their records stand without a look at the
    files (an archive keeps hundreds of thousands), the files it wrote are recorded as they
    are, and the next run finds every file intact (a no-op writes nothing)."""
    site = tmp_path / "site"
    shutil.copytree(baseline, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")  # the copy's own inodes and times
    edit(site / "articles")
    looked: list[str] = []  # the files the state's save looked at
    saving = False
    real_lstat, real_save = os.lstat, BuildState.save

    def lstat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if saving:
            looked.append(os.fspath(path))
        return real_lstat(path, *args, **kwargs)

    def save(self: BuildState, *args: Any, **kwargs: Any) -> None:
        nonlocal saving
        saving = True
        try:
            real_save(self, *args, **kwargs)
        finally:
            saving = False

    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(BuildState, "save", save)
    export(site, site / "out", "-j", "1")
    monkeypatch.undo()
    with sqlite3.connect(state_folder(site / "out", site / CACHE_NAME) / STATE_FILE) as db:
        rows = {path: (size, mtime) for path, size, mtime in db.execute("SELECT * FROM files")}
    files = set(tree(site / "out"))
    assert set(rows) == files
    for path, row in rows.items():
        status = (site / "out" / path).stat()
        assert row == (status.st_size, status.st_mtime_ns), path
    staged = [Path(p).relative_to(site / "out").as_posix() for p in looked]
    assert all(p.startswith(publish.STAGING_PREFIX) for p in staged)
    looked_at = {p.split("/", 1)[1] for p in staged}
    assert "model/bench-000001.json" in looked_at  # written by this run
    assert "model/bench-000002.json" not in looked_at  # kept as published
    assert len(looked_at) < len(files) // 4
    before = stamps(site / "out")
    export(site, site / "out", "-j", "1")
    assert stamps(site / "out") == before


# Paged feeds and small editions: an incremental export rebuilds only the documents a change
# can reach, and gives what a full export gives --------------------------------------------

PAGED = (
    GENERATED_CONFIG
    + """feeds:
  limit: 2
  archive_size: 3
epub:
  edition: latest
  edition_size: 3
html:
  page_size: 5
"""
)
PAGED_STORIES = 12


def _meta(articles: Path, index: int, add: str = "", **replace: str) -> None:
    meta = articles / f"bench-{index:06d}" / "story.yaml"
    lines = meta.read_text(encoding="utf-8").splitlines()
    for key, value in replace.items():
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in lines]
    meta.write_text("\n".join(lines) + "\n" + add, encoding="utf-8")


def _edit_archived(articles: Path) -> None:
    md = articles / "bench-000001" / "en.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")


def _edit_newest(articles: Path) -> None:
    md = articles / f"bench-{PAGED_STORIES - 1:06d}" / "fr.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nUn paragraphe.\n", encoding="utf-8")


def _published_later(articles: Path) -> None:
    """A story moved after every other: the archive pages' sets and the editions change."""
    _meta(
        articles,
        2,
        published="2021-01-01T10:00:00+00:00",
        updated="2021-01-01T12:00:00+00:00",
        first_created="2021-01-01T09:00:00+00:00",
    )


def _updated(articles: Path) -> None:
    """A correction: newer `updated`, so the story counts as new again in its feeds."""
    _meta(articles, 4, updated="2020-12-01T12:00:00+00:00")


def _killed(articles: Path) -> None:
    _meta(articles, 5, "status: canceled\nversion: 2\n")


def _withheld(articles: Path) -> None:
    """Withdrawn by a new version (within version 1, partners would never be told: an
    error, `story.version`)."""
    _meta(articles, 8, "status: withheld\nversion: 2\n")


def _added(articles: Path) -> None:
    new = articles / "bench-000099"
    shutil.copytree(articles / "bench-000003", new)
    _meta(
        articles,
        99,
        id="urn:newsml:ycpress.example:20210101:bench-000099",
        published="2021-01-01T10:00:00+00:00",
        updated="2021-01-01T12:00:00+00:00",
        first_created="2021-01-01T09:00:00+00:00",
    )


def _deleted(articles: Path) -> None:
    shutil.rmtree(articles / "bench-000006")


def _variant_added(articles: Path) -> None:
    """The story the baseline has in English only gets its French text."""
    shutil.copy(articles / "bench-000004" / "fr.md", articles / "bench-000007" / "fr.md")


def _headline(articles: Path) -> None:
    """A summary's text changes: indexes and catalogs list it."""
    md = articles / "bench-000009" / "en.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("headline: ", "headline: New ", 1), encoding="utf-8")


def _section_emptied(articles: Path) -> None:
    """Both stories of the section `science` deleted: its story lists go."""
    shutil.rmtree(articles / "bench-000003")
    shutil.rmtree(articles / "bench-000009")


def _section_changed(articles: Path) -> None:
    """A story moved from `science` to `politics`: it leaves one section's lists for the
    other's."""
    _meta(articles, 9, section="politics")


def _no_section_pages(articles: Path) -> None:
    """`html: {section_pages: false}`: the section pages go, and no page links them."""
    config = articles.parent / "syndicate.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  page_size: 5\n" in text
    text = text.replace("  page_size: 5\n", "  page_size: 5\n  section_pages: false\n")
    config.write_text(text, encoding="utf-8")


PAGED_CHANGES: dict[str, Callable[[Path], None]] = {
    "edit-archived": _edit_archived,
    "edit-newest": _edit_newest,
    "published-later": _published_later,
    "updated": _updated,
    "killed": _killed,
    "withheld": _withheld,
    "added": _added,
    "deleted": _deleted,
    "variant-added": _variant_added,
    "headline": _headline,
    "section-emptied": _section_emptied,
    "section-changed": _section_changed,
    "no-section-pages": _no_section_pages,
}


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generated_site(tmp_path_factory.mktemp("paged") / "site", PAGED_STORIES, PAGED)
    (root / "articles" / "bench-000007" / "fr.md").unlink()
    export(root, root / "out", "-j", "1")
    assert (root / "out" / "atom" / "en" / "archive" / "3.xml").is_file()
    assert (root / "out" / "html" / "index.en.3.html").is_file()  # the story lists are paged
    return root


@pytest.mark.parametrize("change", sorted(PAGED_CHANGES))
def test_paged_incremental_export_equals_a_full_one(
    change: str, paged: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(paged, site, copy_function=shutil.copy2)
    PAGED_CHANGES[change](site / "articles")
    export(site, site / "out", "-j", "1")
    assert_as_full(site, tmp_path / "full")
    # and once more, after a second change on top of the first
    _edit_newest(site / "articles")
    export(site, site / "out", "-j", "1")
    export(site, tmp_path / "full2", "--force", "-j", "1")
    assert tree(site / "out") == tree(tmp_path / "full2")


def test_an_edit_assembles_only_the_documents_holding_the_story(
    paged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body edit changes no date or summary: the feed documents without the story, the
    indexes, the editions and the catalog are kept as published, not made again."""
    site = tmp_path / "site"
    shutil.copytree(paged, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")  # the copy's own paths
    export(site, site / "out", "-j", "1")  # a run that keeps every collection whole
    made: list[str] = []
    assemble = documents.assemble

    def counting(render: Any, document: Any, ctx: Any, *places: Any) -> bytes:
        made.append(document.path)
        return assemble(render, document, ctx, *places)

    monkeypatch.setattr(documents, "assemble", counting)
    others: list[str] = []
    monkeypatch.setattr(epub_writer._Editions, "book", lambda *a: others.append("edition"))
    monkeypatch.setattr(epub_writer.opds, "catalog", lambda *a: others.append("catalog"))
    monkeypatch.setattr(html_writer, "_language_page", lambda *a: others.append("index"))
    monkeypatch.setattr(html_writer, "_home_page", lambda *a: others.append("home"))
    _edit_archived(site / "articles")
    export(site, site / "out", "-j", "1")
    assert others == []  # the editions hold the newest stories; the summary did not change
    monkeypatch.undo()
    # Only the documents that hold bench-000001 (in both languages: a story's units cover all
    # its files), each once; the others, the language feeds first, are kept.
    assert made and len(made) == len(set(made))
    assert all(b"bench-000001" in (site / "out" / path).read_bytes() for path in made), made
    assert "atom/en/archive/1.xml" in made and "atom/en.xml" not in made
    assert "atom/en/archive/2.xml" not in made
    assert_as_full(site, tmp_path / "full")


def test_a_section_page_is_made_again_only_when_its_stories_change(
    paged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A section's story list (`html/<lang>/<section>.html`) is made again when a story it
    lists changes what it shows, and only then: a body edit makes none, a headline makes its
    section's list in its language alone, and every other section page keeps its file;
    deleting a section's last stories removes its lists."""
    site = tmp_path / "site"
    shutil.copytree(paged, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")  # the copy's own paths
    out = site / "out"
    sections = sorted(p.relative_to(out).as_posix() for p in out.glob("html/*/*.html"))
    assert "html/en/science.html" in sections and "html/fr/politics.html" in sections
    made: list[str] = []
    section_page = html_writer._section_page

    def counting(page: Any, *rest: Any) -> bytes:
        made.append(page.path)
        return section_page(page, *rest)

    monkeypatch.setattr(html_writer, "_section_page", counting)
    _edit_archived(site / "articles")  # a body: the list shows no body
    export(site, out, "-j", "1")
    assert made == []
    before = stamps(out)
    _headline(site / "articles")  # bench-000009, in `science`, in English
    export(site, out, "-j", "1")
    # (the story's summary changed: its section's lists are made in both its languages, as
    # its languages' lists are, and the French one, the same bytes, is kept as it was)
    assert made == ["html/en/science.html", "html/fr/science.html"]
    after = stamps(out)
    changed = [path for path in sections if after[path] != before[path]]
    assert changed == ["html/en/science.html"]
    made.clear()
    _section_emptied(site / "articles")
    export(site, out, "-j", "1")
    assert made == []  # no other section lists either story
    assert not (out / "html/en/science.html").exists()
    assert not (out / "html/fr/science.html").exists()
    left = sorted(p.relative_to(out).as_posix() for p in out.glob("html/*/*.html"))
    assert left == [path for path in sections if not path.endswith("/science.html")]
    assert b"science.html" not in (out / "html/index.en.html").read_bytes()
    monkeypatch.undo()
    assert_as_full(site, tmp_path / "full")


def test_a_headline_changed_elsewhere_makes_the_catalog_and_no_edition(
    paged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new headline changes the OPDS catalog, which lists the story's book and the
    editions. An edition is listed from its stories' summaries, as its book describes it:
    the editions, which hold the newest stories, are not made again for an older story's
    headline (nor their stories recalled whole)."""
    site = tmp_path / "site"
    shutil.copytree(paged, site, copy_function=shutil.copy2)
    export(site, site / "out", "-j", "1")  # the copy's own paths
    books: list[str] = []
    catalogs: list[int] = []
    edition_book, catalog = epub_writer._Books.edition_book, epub_writer.opds.catalog

    def making_book(self: Any, edition: Any) -> Any:
        books.append(edition.lang)
        return edition_book(self, edition)

    def making_catalog(*args: Any) -> Any:
        catalogs.append(1)
        return catalog(*args)

    monkeypatch.setattr(epub_writer._Books, "edition_book", making_book)
    monkeypatch.setattr(epub_writer.opds, "catalog", making_catalog)
    md = site / "articles" / "bench-000001" / "en.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace('headline: "', 'headline: "Older ', 1), encoding="utf-8")
    export(site, site / "out", "-j", "1")
    assert catalogs and books == []
    monkeypatch.undo()
    assert_as_full(site, tmp_path / "full")


def test_a_damaged_list_of_written_files_costs_a_rebuild_not_the_run(tmp_path: Path) -> None:
    """The state's list of the files syndicate wrote, with a size that is not a number and a
    row without a path: the files it cannot vouch for are made again, the run succeeds, and
    out/ is what a full export gives."""
    site = make_site(tmp_path)
    export(site, site / "out")
    with sqlite3.connect(state_folder(site / "out", site / CACHE_NAME) / STATE_FILE) as db:
        db.execute("UPDATE files SET size = 'large' WHERE path = 'model/bench-000002.json'")
        db.execute("INSERT INTO files VALUES (NULL, 1, 1)")
    export(site, site / "out", "-j", "1")
    with sqlite3.connect(state_folder(site / "out", site / CACHE_NAME) / STATE_FILE) as db:
        rows = {path: (size, mtime) for path, size, mtime in db.execute("SELECT * FROM files")}
    status = (site / "out/model/bench-000002.json").stat()
    assert rows["model/bench-000002.json"] == (status.st_size, status.st_mtime_ns)
    assert None not in rows
    assert_as_full(site, tmp_path / "full")


def test_a_build_state_cut_to_nothing_is_a_damaged_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A state file of 0 bytes (a disk that filled up, a copy cut short) was opened by SQLite
    as a new, empty state: the next edit refused every file of out/ it would write as the
    user's (`output.foreign`) until `--force`, where a state overwritten with anything else
    is said discarded and out/'s files taken back."""
    site = make_site(tmp_path)
    export(site, site / "out")
    path = state_folder(site / "out", site / CACHE_NAME) / STATE_FILE
    path.write_bytes(b"")
    edit(site / "articles")
    capsys.readouterr()
    export(site, site / "out", "-j", "1")
    err = capsys.readouterr().err
    assert (
        "the build state was damaged (it was empty: 0 bytes)" in err and "[state.discarded]" in err
    )
    assert "[output.foreign]" not in err
    assert_as_full(site, tmp_path / "full")


def test_a_build_state_that_cannot_be_written_during_the_run_is_an_output_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk that filled up while the run recorded what it read (`database or disk is
    full`, not damage) ended the export in a traceback; out/ was kept. It is an
    `output.write` error naming the build state's folder, and nothing is published."""
    site = make_site(tmp_path)
    export(site, site / "out")
    before = tree(site / "out")

    def full(self: BuildState, *args: Any, **kwargs: Any) -> None:
        with self._tolerating_damage():
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(BuildState, "record_story", full)
    edit(site / "articles")
    capsys.readouterr()
    assert run_export(site, site / "out", "-j", "1") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error: cannot write the build state in " in err and "[output.write]" in err
    assert "database or disk is full; nothing was published" in err
    assert tree(site / "out") == before


@pytest.mark.parametrize("table", ["units", "stories", "files", "history", "fragments", "models"])
def test_a_build_state_damaged_inside_is_replaced_not_written_to_again(
    tmp_path: Path, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page of the state file overwritten (a disk error): the run warned that the state
    was discarded, then tried to save into the same file, failed ("database disk image is
    malformed"), and so did every later run, `--force` included. The file is replaced,
    keeping what could be read of the files syndicate wrote and of the history: the run
    publishes, out/ is what a full export gives, and the next run has nothing to say."""
    site = make_site(tmp_path)
    export(site, site / "out")
    path = state_folder(site / "out", site / CACHE_NAME) / STATE_FILE
    with sqlite3.connect(path) as db:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    db.close()
    assert pages
    with open(path, "r+b") as file:
        for page in pages:
            file.seek((page - 1) * size)
            file.write(bytes(range(256)) * (size // 256))
    edit(site / "articles")
    capsys.readouterr()
    export(site, site / "out", "-j", "1")
    assert "[output.write]" not in capsys.readouterr().err
    assert_as_full(site, tmp_path / "full")
    capsys.readouterr()
    export(site, site / "out", "-j", "1")
    assert "[state.discarded]" not in capsys.readouterr().err
