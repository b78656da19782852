"""`syndicate serve` as a real server on loopback: media types, ETag and Last-Modified with
`304 Not Modified`, `Link: rel=hub` on feeds, bearer tokens on partner folders, and the
`--watch` preview (exported again after an edit, embargoed stories marked, out/ untouched, the
browser reloading)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from conftest import FIXED_NOW, PLAIN_COVERS, SAMPLE_SLUG
from lxml import html as lxml_html
from sites import HOST, SECOND_SLUG, Site
from test_html_render import chromium, stop_browser  # noqa: F401  (the browser fixture)

from syndicate.build import export
from syndicate.build.engine import CACHE_ENV, cache_folder
from syndicate.build.state import STATE_FILE, BuildState, state_folder
from syndicate.formats.contract import Options, Writer
from syndicate.serve.preview import Previewer, PreviewState

TOKEN = "partner-token-7f3a"
HOME_PAGE = "html/index.html"
WAIT = 90.0
"""Seconds a test waits for the server or the preview at most."""


class Server:
    """`syndicate serve ARGS` in a process of its own, on a free port."""

    def __init__(
        self,
        site: Site,
        *args: str,
        start: Sequence[str] = ("-m", "syndicate"),
        cwd: Path | None = None,
    ) -> None:
        command = [sys.executable, *start, "serve", "--port", "0"]
        command += ["--config", str(site.config), "--out", str(site.out), *args]
        env = {**os.environ, "PARTNER_TOKEN": TOKEN}
        self.process = subprocess.Popen(
            command, cwd=cwd or site.root, env=env, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self.url = ""
        started = threading.Event()

        def read() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.lines.append(line.rstrip("\n"))
                found = re.search(r" at (http://\S+/) ", line)
                if found:
                    self.url = found.group(1)
                    started.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        if not started.wait(WAIT):
            self.stop()
            pytest.fail("the server did not start:\n" + "\n".join(self.lines))
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def get(self, path: str, **headers: str) -> httpx.Response:
        return self.client.get(path, headers=headers)

    def log(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def until(check: Callable[[], bool], what: str, server: Server) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {WAIT} s\n{server.log()}")
        time.sleep(0.2)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = Site(tmp_path / "newsroom")
    site.configure(
        "feeds:\n  hub: http://127.0.0.1:9/\n  archive_size: 1\n"
        "deliver:\n  public_target: web\n  targets:\n"
        "    - {name: web, url: 'file:///tmp/unused/', formats: [atom]}\n"
        "serve:\n  protect:\n    - {path: newsml/, token: env:PARTNER_TOKEN}\n"
    )
    return site


def embargo(site: Site) -> None:
    """The second story under embargo until 2099: out/ leaves it out, the preview marks it."""
    site.replace(
        SECOND_SLUG,
        "story.yaml",
        "status: usable",
        "status: usable\nembargo_until: 2099-01-01T00:00:00+01:00",
    )


@pytest.fixture
def serving(site: Site) -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(*args: str) -> Server:
        servers.append(Server(site, *args))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


MEDIA_TYPES = {
    "atom/en.xml": "application/atom+xml",
    "rss/fr/politics.xml": "application/rss+xml",
    "opds/catalog.xml": "application/atom+xml;profile=opds-catalog;kind=navigation",
    "opds/de.xml": "application/atom+xml;profile=opds-catalog;kind=acquisition",
    f"epub/{SAMPLE_SLUG}.ar.epub": "application/epub+zip",
    f"jsonld/{SAMPLE_SLUG}.zh-Hans.jsonld": "application/ld+json",
    f"html/{SAMPLE_SLUG}.es.html": "text/html; charset=utf-8",
    f"html/media/{SAMPLE_SLUG}/nato-iraq-mission.png": "image/png",
    f"opds/covers/{SAMPLE_SLUG}.en.png": "image/png",
}
NEWSML_TYPES = {
    f"newsml/{SAMPLE_SLUG}.en.xml": "application/vnd.iptc.g2.newsitem+xml",
    f"newsml/{SAMPLE_SLUG}.package.xml": "application/vnd.iptc.g2.packageitem+xml",
    "newsml/catalog.syndicate.xml": "application/vnd.iptc.g2.catalogitem+xml",
}


def test_media_types_validators_and_hub_links(site: Site, serving: Callable[..., Server]) -> None:
    site.export("newsml", "atom", "rss", "html", "jsonld", "epub")
    server = serving()
    assert server.url.startswith("http://127.0.0.1:")
    for path, media_type in {**MEDIA_TYPES, **NEWSML_TYPES}.items():
        headers = {"Authorization": f"Bearer {TOKEN}"} if path.startswith("newsml/") else {}
        response = server.get(path, **headers)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == media_type, path
        assert response.content == (site.out / path).read_bytes(), path
    page = server.get("html/index.html")
    etag, modified = page.headers["etag"], page.headers["last-modified"]
    again = server.get("html/index.html", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = server.get("html/index.html", **{"If-Modified-Since": modified})
    assert since.status_code == 304
    assert server.get("html/index.html", **{"If-None-Match": '"other"'}).status_code == 200
    feed = server.get("atom/en.xml")
    assert feed.headers["link"] == (
        f'<http://127.0.0.1:9/>; rel="hub", <https://{HOST}/syndicate/atom/en.xml>; rel="self"'
    )
    assert "link" not in server.get("atom/en/archive/1.xml").headers, "archives name no hub"
    assert "link" not in page.headers
    # An export that changes a file changes its validators.
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    site.export("html")
    changed = server.get("html/index.html", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert server.get("nothing/here.xml").status_code == 404
    assert '"GET /atom/en.xml HTTP/1.1" 200' in server.log()


def test_bearer_tokens_guard_partner_folders(site: Site, serving: Callable[..., Server]) -> None:
    site.export("newsml", "atom")
    server = serving()
    item = f"newsml/{SAMPLE_SLUG}.fr.xml"
    refused = server.get(item)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="syndicate"'
    wrong = server.get(item, Authorization="Bearer not-the-token")
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert server.get(item, Authorization=f"Bearer {TOKEN}").status_code == 200
    for sneaky in (
        "//newsml/catalog.syndicate.xml",
        "atom/../newsml/catalog.syndicate.xml",
        "newsml/",
        "newsml",
    ):
        response = server.client.get(server.url + sneaky)
        assert response.status_code == 401, sneaky
    assert server.get("atom/fr.xml").status_code == 200, "other folders stay open"


def test_watch_previews_edits_and_embargoes_without_touching_out(
    site: Site, serving: Callable[..., Server]
) -> None:
    embargo(site)
    site.export("html")
    out_before = site.files("html")
    assert f"html/{SECOND_SLUG}.en.html" not in out_before, "out/ holds no embargoed story"
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    page = f"html/{SECOND_SLUG}.en.html"
    embargoed = server.get(page)
    assert embargoed.status_code == 200
    assert "Embargoed until 2099-01-01T00:00:00+01:00" in embargoed.text
    assert embargoed.headers["x-syndicate-embargoed"] == "2099-01-01T00:00:00+01:00"
    assert embargoed.headers["cache-control"] == "no-cache"
    plain = server.get(f"html/{SAMPLE_SLUG}.en.html")
    assert "Preview: not published." in plain.text and "Embargoed" not in plain.text
    status = server.get("_syndicate/preview").json()
    assert status["problems"] == []

    site.replace(SECOND_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    until(lambda: "NATO will surge again" in server.get(page).text, "the edit shows", server)

    def moved() -> bool:  # pages reload when it moves, once the new export is published
        return bool(server.get("_syndicate/preview").json()["generation"] > status["generation"])

    until(moved, "the generation moves", server)

    site.replace(SECOND_SLUG, "en.md", "headline: ", "headline: [")
    until(lambda: bool(server.get("_syndicate/preview").json()["problems"]), "problems", server)
    problems = server.get("_syndicate/preview").json()["problems"]
    unclosed = f"{SECOND_SLUG}/en.md:2: error: the [ that opens the headline is not closed"
    assert any(unclosed in p for p in problems), problems
    assert "NATO will surge again" in server.get(page).text, "the last good preview stays"
    site.replace(SECOND_SLUG, "en.md", "headline: [", "headline: ")
    until(lambda: not server.get("_syndicate/preview").json()["problems"], "fixed", server)

    # the site's phrases are the pages' too: a new terms file is a new preview
    (site.root / "terms").mkdir()
    (site.root / "terms" / "en.yaml").write_text("section.politics: Power\n", "utf-8")
    until(lambda: ">Power<" in server.get(page).text, "the site's phrase shows", server)

    assert site.files("html") == out_before, "the preview never writes out/"
    assert not (site.out / page).exists()


EDIT_HOOK = """
import os, sys
from syndicate.cli import main
from syndicate.serve import preview

watch = preview.Previewer.watch

def watching(self, stop):
    # saved after the first export read the story, before the watcher is set up
    path = os.environ["EDITED_STORY"]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("NATO will", "NATO, saved as it starts, will"))
    watch(self, stop)

preview.Previewer.watch = watching
sys.exit(main(sys.argv[1:]))
"""
"""`syndicate ARGS`, with a story saved once the preview's first export is done, before its
watcher is set up."""


def test_an_edit_saved_as_the_preview_starts_is_previewed(
    site: Site, serving: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watcher was set up after the first export: a story saved once that export had
    read it (a long first export, or right as the server said it serves) stayed as first
    exported until the next save. Once set up, the watcher exports what changed meanwhile,
    and says nothing more when nothing did."""
    monkeypatch.setenv("EDITED_STORY", str(site.articles / SAMPLE_SLUG / "en.md"))
    args = ["--watch", "--format", "html", "--articles", str(site.articles)]
    server = Server(site, *args, start=("-c", EDIT_HOOK))
    try:
        page = f"html/{SAMPLE_SLUG}.en.html"
        until(lambda: "saved as it starts" in server.get(page).text, "the edit shows", server)
    finally:
        server.stop()
    quiet = serving(*args, "--preview", str(site.root / "quiet"))
    time.sleep(2)  # its watcher is set up, and finds nothing changed: no second summary
    said = [line for line in quiet.lines if line.startswith("preview:")]
    assert len(said) == 1, quiet.log()
    # nor its problems twice, when the first export had some
    (site.root / "templates").mkdir()
    (site.root / "templates" / "index.html").write_text("{{ nope.x }}", encoding="utf-8")
    broken = serving(*args, "--preview", str(site.root / "broken"))
    time.sleep(2)
    said = [line for line in broken.lines if "'nope' is undefined" in line]
    assert len(said) == 1, broken.log()


def test_a_preview_page_s_links_stay_in_the_preview(
    site: Site, serving: Callable[..., Server]
) -> None:
    """Its EPUB download and feed links, images, canonical link and JSON-LD named the
    published site (base_url): a click left the preview for a site where an embargoed
    story's book is not. They name the address the browser reached the preview at; the
    files exported stay as an export makes them."""
    embargo(site)
    folder = site.root / "preview"
    formats = [arg for name in ("html", "epub", "atom", "rss") for arg in ("--format", name)]
    server = serving(
        "--watch", *formats, "--preview", str(folder), "--articles", str(site.articles)
    )
    base = f"https://{HOST}/syndicate/"
    here = server.url  # http://127.0.0.1:<port>/
    page = f"html/{SECOND_SLUG}.en.html"
    served = server.get(page).text
    assert base not in served and "Embargoed until" in served
    tree = lxml_html.fromstring(served)
    links = {a.get("type"): a.get("href") for a in tree.iter("a") if a.get("type")}
    for kind in ("application/epub+zip", "application/atom+xml", "application/rss+xml"):
        assert links[kind].startswith(here), links
        got = server.client.get(links[kind])
        assert got.status_code == 200 and got.headers["content-type"].startswith(kind)
    (canonical,) = tree.xpath("//link[@rel='canonical']/@href")
    assert canonical == here + page
    for src in tree.xpath("//img/@src"):
        assert server.client.get(urljoin(here + page, src)).status_code == 200, src
    for script in tree.xpath("//script[@type='application/ld+json']"):
        assert here + page in json.dumps(json.loads(script.text))
    # the files are as an export makes them: a feed or a book is served as published
    assert base.encode() in (folder / page).read_bytes()
    assert server.get("atom/en.xml").content == (folder / "atom/en.xml").read_bytes()
    # the address the browser used (`--host 0.0.0.0`), never markup a Host header carries
    port = here.rsplit(":", 1)[1].rstrip("/")
    named = server.get(page, host=f"localhost:{port}").text
    assert f'href="http://localhost:{port}/epub/{SECOND_SLUG}.en.epub"' in named
    hostile = server.get(page, host='x"><script>alert(1)</script>').text
    assert "alert(1)" not in hostile and f'href="{here}epub/{SECOND_SLUG}.en.epub"' in hostile


def test_a_preview_started_elsewhere_says_its_problems_from_there(site: Site) -> None:
    """`serve --watch` started outside the site folder said the preview's problems relative
    to the site folder, where every other command says them from where it was started: the
    exiftool command of an image.location warning, pasted there, found no photo."""
    from test_input_safety import _located_photo

    photo = site.articles / SAMPLE_SLUG / "images" / "nato-iraq-mission.png"
    photo.write_bytes(_located_photo("PNG"))
    server = Server(site, "--watch", "--format", "html", cwd=site.root.parent)
    try:
        until(lambda: "preview:" in server.log(), "the first preview", server)
    finally:
        server.stop()
    # from the folder holding the site, as that folder names them (`newsroom/articles/...`)
    here = site.root.parent
    assert f"-overwrite_original {photo.relative_to(here)})" in server.log(), server.log()
    assert f"\n{(site.articles / SAMPLE_SLUG / 'story.yaml').relative_to(here)}:" in server.log()


def test_the_watcher_s_exports_name_paths_as_the_first_export_does(site: Site) -> None:
    """A path in a message's text (`said_path`) is named from where the user started the
    command by a context variable, which a thread does not inherit: the exports `serve
    --watch` runs after an edit, in its watcher thread, named it from the site folder (an
    absolute path for a preview folder beside the site), where the first export, in the
    command's thread, and the message's own place named it from where the user was."""
    import fcntl

    here = site.root.parent
    folder = here / "preview"
    folder.mkdir()
    server = Server(site, "--watch", "--format", "html", "--preview", str(folder), cwd=here)
    try:
        until(lambda: "preview:" in server.log(), "the first preview", server)
        held = os.open(folder, os.O_RDONLY)  # another export writing the preview's folder
        try:
            fcntl.flock(held, fcntl.LOCK_EX)
            site.replace(SECOND_SLUG, "en.md", "NATO", "Nato")
            busy = "another syndicate export is writing"
            until(lambda: busy in server.log(), "the watcher's export", server)
        finally:
            os.close(held)
    finally:
        server.stop()
    line = next(line for line in server.lines if busy in line)
    assert line.startswith("preview: error: another syndicate export is writing preview ("), line


def test_a_preview_serves_the_section_pages_and_their_links(
    site: Site, serving: Callable[..., Server]
) -> None:
    """A section's list (`html/<lang>/<section>.html`, one folder down) is a preview page as
    the others are: the banner, links made the preview's, and its relative links, read from
    its `<base href>`, lead to the preview's pages; a story's section name leads to it."""
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    page = f"html/{SECOND_SLUG}.fr.html"
    tree = lxml_html.fromstring(server.get(page).text)
    (href,) = tree.xpath("//p[@class='kicker']/a/@href")
    url = urljoin(server.url + page, href)
    assert url == server.url + "html/fr/politics.html"
    got = server.client.get(url)
    assert got.status_code == 200 and "Preview: not published." in got.text
    section = lxml_html.fromstring(got.text)
    assert section.xpath("//link[@rel='canonical']/@href") == [url]
    (base,) = section.xpath("//base/@href")
    links = section.xpath("//main//a/@href | //a[@class='brand']/@href")
    assert f"{SECOND_SLUG}.fr.html" in links and "index.fr.html" in links
    for link in links:
        assert server.client.get(urljoin(urljoin(url, base), link)).status_code == 200, link


def test_a_preview_of_some_formats_does_not_warn_of_the_others_at_each_save(
    site: Site, serving: Callable[..., Server]
) -> None:
    """`serve --watch --format html` warned of every page's EPUB and feed links
    (`export.dead-link`: "add --format atom, or export --format all") at the start and again
    at every save, burying the problems of the story being edited. It says once, as it
    starts, what it leaves out; a dead link to a file of its own formats is still said."""
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    site.replace(
        SECOND_SLUG,
        "en.md",
        "## Expand the scope",
        f"[Earlier](https://{HOST}/syndicate/html/no-such-page.en.html)\n\n## Expand the scope",
    )
    until(lambda: server.log().count("preview:") >= 2, "the preview is exported again", server)
    dead = [line for line in server.lines if "[export.dead-link]" in line]
    assert len(dead) == 1 and "html/no-such-page.en.html" in dead[0], server.log()
    assert "html only: links to other formats' files lead nowhere in it" in server.lines[0]


def test_a_page_left_open_across_a_restart_of_the_preview_reloads(
    site: Site, serving: Callable[..., Server]
) -> None:
    """Each server counted its exports from 0: a page open in a tab (generation 1) polled the
    next server, whose first export (of an edit made while it was stopped) was generation 1
    too, and kept showing the old text."""
    first = serving("--watch", "--format", "html", "--articles", str(site.articles))
    page = first.get(f"html/{SAMPLE_SLUG}.en.html").text
    seen = int(page.split('data-generation="', 1)[1].split('"', 1)[0])
    first.stop()
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    second = serving("--watch", "--format", "html", "--articles", str(site.articles))
    assert second.get("_syndicate/preview").json()["generation"] != seen


def test_one_broken_story_does_not_hold_up_the_preview(
    site: Site, serving: Callable[..., Server]
) -> None:
    """A story broken from the start: the others are previewed, `/` leads to the home page,
    every page names the story left out and why; once fixed, it shows."""
    site.replace(SECOND_SLUG, "en.md", "headline: ", "headline: [")
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    home = server.client.get("/", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (307, "/html/index.html")
    assert server.get("html/index.html").status_code == 200
    assert server.get(f"html/{SAMPLE_SLUG}.en.html").status_code == 200
    assert server.get(f"html/{SECOND_SLUG}.en.html").status_code == 404, "never good: absent"
    status = server.get("_syndicate/preview").json()
    assert status["left_out"] == [SECOND_SLUG]
    assert any(f"{SECOND_SLUG}/en.md:2: error: " in p for p in status["problems"]), status
    assert f"left out for their errors, not exported yet: {SECOND_SLUG}" in server.log()
    assert "shown as last exported" not in server.log()  # there is no last export of it
    site.replace(SECOND_SLUG, "en.md", "headline: [", "headline: ")
    until(lambda: not server.get("_syndicate/preview").json()["left_out"], "fixed", server)
    assert server.get(f"html/{SECOND_SLUG}.en.html").status_code == 200
    assert server.get("_syndicate/preview").json()["problems"] == []


def test_a_file_name_that_is_not_utf8_never_stops_the_watching(
    site: Site, serving: Callable[..., Server]
) -> None:
    """watchfiles gives up on a change it cannot decode; the preview says so once, and edits
    made after it still show (they were silently never previewed again)."""
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    page = f"html/{SECOND_SLUG}.en.html"
    assert server.get(page).status_code == 200
    (site.articles / os.fsdecode(b"notes-\xff.txt")).write_bytes(b"x")  # a stray file: a warning
    until(lambda: "preview.watch" in server.log(), "the watcher's failure is said", server)
    site.replace(SECOND_SLUG, "en.md", "NATO will surge", "NATO will surge still")
    until(lambda: "NATO will surge still" in server.get(page).text, "the edit shows", server)
    assert "Traceback" not in server.log()


def test_home_without_pages_says_what_is_missing(
    site: Site, serving: Callable[..., Server]
) -> None:
    site.export("atom")
    server = serving()
    home = server.client.get("/", follow_redirects=False)
    assert home.status_code == 404
    assert home.text == "No html/index.html here: export --format html to have one.\n"
    assert server.get("atom/en.xml").status_code == 200


def test_a_draft_s_missing_page_says_it_is_a_draft(
    site: Site, serving: Callable[..., Server]
) -> None:
    """A story being written (`syndicate new` makes it `status: withheld`) had a bare "Not in
    the preview" page: nothing said it was a draft, nor how to see it."""
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    missing = server.get(f"html/{SAMPLE_SLUG}.en.html")
    assert missing.status_code == 404
    assert f"{SAMPLE_SLUG} is a draft (status: withheld)" in missing.text
    assert "set status: usable in its story.yaml to see it here" in missing.text
    # The way to see it that no export (a cron job's) publishes half written: dated ahead.
    assert (
        "so that no export (cron&#x27;s) publishes it before it is ready, published: to a time"
        " ahead, which the preview shows as it will be out"
    ) in missing.text
    site.replace(SAMPLE_SLUG, "story.yaml", "2021-02-18T19:30", "2121-02-18T19:30")
    site.replace(SAMPLE_SLUG, "story.yaml", "status: withheld", "status: usable")
    page = f"html/{SAMPLE_SLUG}.en.html"
    until(lambda: server.get(page).status_code == 200, "the story dated ahead shown", server)
    site.export("html")
    assert (site.out / f"html/{SECOND_SLUG}.en.html").exists()
    assert not (site.out / page).exists()


@pytest.mark.parametrize(("status", "taken"), [("withheld", "withheld"), ("canceled", "canceled")])
def test_a_story_taken_back_under_embargo_is_said_so_not_a_draft(
    site: Site, serving: Callable[..., Server], status: str, taken: str
) -> None:
    """A story withheld or canceled at version 2 before its embargo ended has no page and no
    notice: its missing page called it a draft to set usable (which would put back a withdrawn
    story without a new version), or the notice of its kill, which does not exist."""
    story = (site.articles / SAMPLE_SLUG / "story.yaml").read_text(encoding="utf-8")
    story = story.replace("status: usable", f"status: {status}").replace("version: 1", "version: 2")
    story = story.replace(
        "updated: 2021-02-18T19:30:00+01:00", "updated: 2021-02-19T10:00:00+01:00"
    )
    story += "embargo_until: 2021-02-20T08:00:00+01:00\n"
    (site.articles / SAMPLE_SLUG / "story.yaml").write_text(story, encoding="utf-8")
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    missing = server.get(f"html/{SAMPLE_SLUG}.en.html")
    assert missing.status_code == 404
    said = f"{SAMPLE_SLUG} was {taken} (version 2) before its embargo ended: it never reached"
    assert said in missing.text, missing.text
    assert "draft" not in missing.text and "notice of its kill" not in missing.text


def test_a_preview_is_one_editor_s_page_that_comes_back_by_itself(
    site: Site,
    serving: Callable[..., Server],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A missing page reloads by itself (a story renamed with its page open); a page's
    validator is its ETag alone (the page changes with the preview's generation, not with its
    file's time); the pages' polls are not logged; a second preview of the folder is refused
    (both failed on each other's lock and showed it as an error)."""
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    missing = server.get("html/no-such-story.en.html")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "Not in the preview: /html/no-such-story.en.html" in missing.text
    assert "/_syndicate/preview" in missing.text  # the reload script
    page = server.get(f"html/{SAMPLE_SLUG}.en.html")
    assert "last-modified" not in page.headers and page.headers["etag"]
    again = server.get(f"html/{SAMPLE_SLUG}.en.html", **{"If-Modified-Since": page.headers["date"]})
    assert again.status_code == 200
    for _ in range(3):
        assert server.get("_syndicate/preview").status_code == 200
    assert server.get("html/index.en.html").status_code == 200
    deadline = time.monotonic() + 10
    while "index.en.html" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "index.en.html" in server.log() and "_syndicate/preview" not in server.log()
    assert "[serve.protect]" not in server.log()  # newsml/ is the site's, previewed or not
    capsys.readouterr()
    monkeypatch.setenv("PARTNER_TOKEN", TOKEN)
    args = ["--port", "0", "--out", str(site.out), "--articles", str(site.articles)]
    assert site.cli("serve", "--watch", *args) == 2
    assert "[serve.busy]" in capsys.readouterr().err


def test_the_preview_never_goes_into_out(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.export("html")
    capsys.readouterr()
    status = site.cli(
        "serve",
        "--watch",
        "--out",
        str(site.out),
        "--preview",
        str(site.out / "preview"),
        "--articles",
        str(site.articles),
    )
    assert status == 2
    assert "the preview never goes into out/" in capsys.readouterr().err


def test_ctrl_c_in_the_first_preview_says_the_preview_stopped_not_out(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the preview was first exported said "interrupted; out/ is unchanged", the
    engine's words of an export, about a folder the preview never writes."""
    from syndicate.build.engine import Interrupted
    from syndicate.serve.preview import Previewer

    def interrupted(self: Previewer) -> bool:
        raise Interrupted(published=False)

    monkeypatch.setattr(Previewer, "export", interrupted)
    monkeypatch.setenv("PARTNER_TOKEN", "a-token-for-the-newsml-folder")
    capsys.readouterr()
    assert site.cli("serve", "--watch", "--articles", str(site.articles)) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "interrupted; the preview stopped (it never writes out/)"


INTERRUPT_HOOK = """
import os, signal, sys, threading
from syndicate.build import engine
from syndicate.cli import main
from syndicate.serve import preview

stops = []
watch, collections = preview.Previewer.watch, engine._Build._collections

def watching(self, stop):
    stops.append(stop)
    watch(self, stop)

def interrupted(self, sink, progress):
    if threading.current_thread() is not threading.main_thread():  # a re-export
        print("hook: Ctrl-C while the preview exports", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGINT)
        stops[0].wait(60)  # the export goes on as the server stops
    return collections(self, sink, progress)

preview.Previewer.watch, engine._Build._collections = watching, interrupted
sys.exit(main(sys.argv[1:]))
"""
"""`syndicate ARGS`, with Ctrl-C typed while a preview export after an edit is under way
(its stories staged, its formats' collections next), the export going on meanwhile."""


def test_ctrl_c_while_the_preview_exports_again_leaves_nothing_behind(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ended the process as soon as it stopped, under the watcher's export: its
    staging folder and the build state's journal were left behind, and the export's own
    `Interrupted` printed a traceback ("out/ is unchanged") after the last line. It stops
    and cleans up first."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))  # its build state, looked at here
    folder = tmp_path / "preview"
    args = ["--watch", "--format", "html", "--format", "atom", "--preview", str(folder)]
    server = Server(site, *args, "--articles", str(site.articles), start=("-c", INTERRUPT_HOOK))
    try:
        before = {p.relative_to(folder) for p in folder.rglob("*")}
        site.replace(SECOND_SLUG, "en.md", "NATO will surge", "NATO will surge again")
        status = server.process.wait(WAIT)
        server.reader.join(WAIT)  # every line read
    finally:
        server.stop()
    log = server.log()
    assert "hook: Ctrl-C while the preview exports" in log, log
    assert status == 130, log
    assert log.strip().splitlines()[-1] == "interrupted; the preview stopped (it never writes out/)"
    assert "Traceback" not in log and "out/ is unchanged" not in log, log
    left = [
        p
        for root in (folder, tmp_path)
        for p in root.rglob("*")
        if p.name.startswith(".syndicate-staging") or p.name.endswith("-journal")
    ]
    assert not left, left
    assert {p.relative_to(folder) for p in folder.rglob("*")} == before, "the preview as it was"


def test_ctrl_c_in_plain_serve_says_the_server_stopped(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`syndicate serve` of out/ said "the preview stopped" on Ctrl-C: it has no preview."""
    import syndicate.serve.server

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    site.export("html")
    monkeypatch.setattr(syndicate.serve.server, "run", interrupted)
    monkeypatch.setenv("PARTNER_TOKEN", "a-token-for-the-newsml-folder")
    capsys.readouterr()
    assert site.cli("serve", "--port", "0", "--out", str(site.out)) == 130
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last == "interrupted; the server stopped"


@pytest.mark.parametrize("given", [False, True])
def test_serve_without_out_gives_an_export_command_that_works(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, given: bool
) -> None:
    """It said "run syndicate export first": `syndicate export` alone is a usage error
    (--format is required)."""
    monkeypatch.setenv("PARTNER_TOKEN", "a-token-for-the-newsml-folder")
    out = ["--out", str(site.root / "elsewhere")] if given else []
    capsys.readouterr()
    assert site.cli("serve", "--port", "0", *out) == 2
    err = capsys.readouterr().err
    found = re.search(r"; run syndicate (export .*) first \[serve\.out\]", err)
    assert found, err
    command = found.group(1).split()
    assert command[:3] == ["export", "--format", "all"]
    assert site.cli(*command, "--now", FIXED_NOW, "-q") == 0, capsys.readouterr().err
    assert (site.root / ("elsewhere" if given else "out") / HOME_PAGE).is_file()


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        (".", "holds the articles folder"),  # the site folder: it holds out/ too
        ("..", "holds the articles folder"),
        ("out", "is the output folder"),
        ("out/preview", "is inside the output folder"),
        ("elsewhere", "holds the output folder"),  # with --out elsewhere/out
    ],
)
def test_a_refused_preview_folder_is_told_its_real_reason(
    site: Site, capsys: pytest.CaptureFixture[str], folder: str, said: str
) -> None:
    """`--preview ..` in a site folder was told that "the preview never goes into out/",
    a folder that holds the site, out/ among it: the sources are the reason (`export.out`,
    as docs/preview.md says); a folder that is, is in or holds out/ is `serve.preview`."""
    out = site.root / "elsewhere/out" if folder == "elsewhere" else site.out
    args = ["--out", str(out), "--articles", str(site.articles)]
    status = site.cli("serve", "--watch", "--preview", str(site.root / folder), *args)
    assert status == 2
    err = capsys.readouterr().err
    code = "[serve.preview]" if "output folder" in said else "[export.out]"
    assert f": {said} (" in err and code in err, err
    assert ("never goes into out/" in err) is (code == "[serve.preview]"), err


def test_stories_kept_in_the_site_folder_are_previewed_in_its_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --watch --articles .`, the stories beside syndicate.yaml: the default preview,
    in `.syndicate/` (a folder the articles' reader skips, taken as the cache), was refused
    as "--preview .syndicate/preview: is inside the articles folder", an option the editor
    never gave, with "leave the option out" for a fix. It is previewed there; a preview
    folder named among the stories is still refused, with a fix that works."""
    monkeypatch.delenv(CACHE_ENV)  # the site's own cache, .syndicate/ beside syndicate.yaml
    site = Site(tmp_path / "newsroom")
    for story in site.articles.iterdir():
        story.rename(site.root / story.name)
    site.articles.rmdir()
    site.config.write_text(
        site.config.read_text(encoding="utf-8").replace("articles/_site", "_site"),
        encoding="utf-8",
    )
    prev = str(site.root / ".prev")
    status = site.cli("serve", "--watch", "--articles", str(site.root), "--preview", prev)
    assert status == 2
    err = capsys.readouterr().err
    # (as typed, from a folder outside the site: `.prev` was the site folder's view)
    assert f"error: --preview {prev}: is inside the articles folder ({site.root})" in err
    assert "give --preview a folder outside" in err and "leave the option out" not in err
    server = Server(site, "--watch", "--format", "html", "--articles", str(site.root))
    try:
        page = server.get(f"html/{SAMPLE_SLUG}.en.html")
        assert page.status_code == 200
        assert (site.root / ".syndicate/preview/html" / f"{SAMPLE_SLUG}.en.html").is_file()
        assert "error" not in server.log() and "stray-file" not in server.log(), server.log()
    finally:
        server.stop()


@pytest.mark.parametrize("folder", ["articles", "articles/_preview", "templates", "terms"])
def test_the_preview_never_goes_into_the_sources(
    site: Site, capsys: pytest.CaptureFixture[str], folder: str
) -> None:
    """Refused before serving: the server would show the folder as it is, the embargoed
    stories' Markdown included, and the export would write into the site's own folders."""
    (site.root / "templates").mkdir()
    (site.root / "terms").mkdir()
    before = sorted(p.relative_to(site.root) for p in site.root.rglob("*"))
    status = site.cli(
        "serve", "--watch", "--preview", str(site.root / folder), "--articles", str(site.articles)
    )
    assert status == 2
    err = capsys.readouterr().err
    assert "--preview" in err and "[export.out]" in err and "serving" not in err
    assert sorted(p.relative_to(site.root) for p in site.root.rglob("*")) == before


def test_the_preview_s_banner_comes_first_and_in_english(
    site: Site, serving: Callable[..., Server]
) -> None:
    """The banner went in before `</body>`: shown under the footer, covered by the problems
    box, said last by a screen reader, and in an Arabic page said in an Arabic voice and laid
    out right to left ("./Embargoed until ..."). It is the body's first element now, in English
    left to right, above the problems box, followed by the live region the problems box goes
    into; the 404 page has a main part with a heading."""
    embargo(site)
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    arabic = lxml_html.fromstring(server.get(f"html/{SECOND_SLUG}.ar.html").content)
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    banner, live, script, skip, header = list(arabic.body)[:5]
    assert (banner.tag, banner.get("id"), banner.get("aria-label")) == (
        "aside",
        "syndicate-preview",
        "Preview",
    )
    assert banner.text_content().startswith("Embargoed until 2099-01-01T00:00:00+01:00")
    assert (live.tag, live.get("id"), live.get("aria-live")) == ("div", "syndicate-live", "polite")
    for english in (banner, live):
        assert (english.get("lang"), english.get("dir")) == ("en", "ltr")
    assert script.tag == "script" and header.tag == "header"
    assert (skip.tag, skip.get("class")) == ("a", "skip-link")  # the page's own first link
    # A file of the server's, not inline: a page's Content-Security-Policy allowing scripts
    # from 'self' only blocked the inline script, and the preview never reloaded.
    assert script.get("src") == "/_syndicate/preview.js" and not script.text_content()
    assert int(script.get("data-generation")) >= 1
    served = server.get("_syndicate/preview.js")
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.headers["x-content-type-options"] == "nosniff"
    code = served.text
    assert 'getElementById("syndicate-live").appendChild(box)' in code
    assert 'box.setAttribute("aria-label", "Preview problems")' in code
    above = re.search(r"z-index:(\d+)", banner.get("style"))
    below = re.search(r"z-index:(\d+)", code)
    assert above and below and int(above.group(1)) > int(below.group(1))

    missing = lxml_html.fromstring(server.get("html/no-such-story.en.html").content)
    assert [e.get("id") or e.tag for e in missing.body] == [
        "syndicate-preview",
        "syndicate-live",
        "script",
        "main",
    ]
    assert missing.body.find("main/h1").text == "Not in the preview"
    # a `<body` in a comment of the head is not where the banner goes
    from syndicate.serve.preview import preview_folder

    planted = preview_folder(site.config, site.out) / "html" / "planted.html"
    planted.write_text(
        "<!DOCTYPE html><html><head><title>t</title><!-- <body class=x> --></head>"
        "<body><p>Text</p></body></html>",
        encoding="utf-8",
    )
    page = lxml_html.fromstring(server.get("html/planted.html").content)
    assert [e.get("id") or e.tag for e in page.body][:2] == ["syndicate-preview", "syndicate-live"]


CSP = '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'">'


@pytest.mark.slow
@pytest.mark.parametrize("policy", [False, True], ids=["", "content-security-policy"])
def test_the_browser_reloads_after_an_edit(
    site: Site,
    serving: Callable[..., Server],
    chromium: str,  # noqa: F811
    policy: bool,
) -> None:
    """A site's pages whose Content-Security-Policy allows scripts from 'self' only reload
    too: the preview's script is a file of the server (an inline one was blocked)."""
    if policy:
        from syndicate.formats.html.templating import __file__ as templating

        base = (Path(templating).parent / "templates" / "base.html").read_text(encoding="utf-8")
        assert '<meta charset="utf-8">' in base
        (site.root / "templates").mkdir()
        (site.root / "templates" / "base.html").write_text(
            base.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + CSP),
            encoding="utf-8",
        )
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    page = f"/html/{SAMPLE_SLUG}.en.html"
    request = f'"GET {page} HTTP/1.1" 200'
    with tempfile.TemporaryDirectory() as profile:
        browser = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                server.url + page[1:],
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its renderer and helpers are stopped with it
        )
        try:
            until(lambda: server.log().count(request) == 1, "the browser loads the page", server)
            # (Its polls are not logged. None is needed first: the page carries the
            # generation it was served at, so a poll after the edit's export sees a new one.)
            site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
            until(lambda: server.log().count(request) == 2, "the browser reloads", server)
        finally:
            stop_browser(browser)
    if policy:  # (asked last: the test counts the page's requests)
        assert CSP in server.get(page[1:]).text


def test_the_socket_listens_before_the_address_is_announced() -> None:
    """The "serving ... at URL" line is printed before uvicorn starts its loop: a client that
    connects at once (scripts, CI, the tests above) must be queued, not refused."""
    import socket

    from syndicate.serve.server import bind

    sock = bind("127.0.0.1", 0)
    try:
        with socket.create_connection(sock.getsockname()[:2], timeout=5):
            pass  # refused (ECONNREFUSED) when bound but not yet listening
    finally:
        sock.close()


def test_sites_sharing_a_cache_never_share_a_preview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from syndicate.build.engine import CACHE_ENV
    from syndicate.serve.preview import preview_folder

    one, two = tmp_path / "one" / "syndicate.yaml", tmp_path / "two" / "syndicate.yaml"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    shared = {preview_folder(one, Path("out")), preview_folder(two, Path("out"))}
    assert len(shared) == 2 and all(p.parent == tmp_path / "cache" / "preview" for p in shared)
    monkeypatch.delenv(CACHE_ENV)
    assert preview_folder(one, Path("out")) == tmp_path / "one" / ".syndicate" / "preview"


def test_a_port_in_use_is_a_request_to_change(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit status 2, a problem in the command line (1 says an output could not be written),
    and what to do."""
    import socket

    monkeypatch.setenv("PARTNER_TOKEN", "partner-token-42")
    site.export("html")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        capsys.readouterr()
        assert site.cli("serve", "--out", str(site.out), "--port", port) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use; choose another" in err


def test_every_line_is_json_under_log_format_json(
    site: Site, serving: Callable[..., Server]
) -> None:
    """The request log was plain text among the JSON lines, which a log shipper refuses."""
    site.export("atom")
    server = serving("--log-format", "json")
    assert server.get("atom/en.xml").status_code == 200
    assert server.get("nope").status_code == 404
    until(lambda: len(server.lines) >= 3, "the request lines", server)
    records = [json.loads(line) for line in server.lines]
    requests = [r["request"] for r in records if "request" in r]
    assert {(r["method"], r["path"], r["status"]) for r in requests} == {
        ("GET", "/atom/en.xml", 200),
        ("GET", "/nope", 404),
    }
    assert all(r["client"].startswith("127.0.0.1:") for r in requests)
    # The serving line, said while the command runs, has every summary's fields: its status
    # is none yet (it had no `status` at all).
    (serving_line,) = [r for r in records if "summary" in r]
    assert serving_line["status"] is None and serving_line["command"] == "serve"


def test_names_starting_with_a_dot_are_not_served(
    site: Site, serving: Callable[..., Server]
) -> None:
    """A killed export's staging folder (part of an unpublished rendering) was served, and so
    would a user's `.git` be."""
    site.export("atom")
    planted = site.out / ".syndicate-staging-abcdefgh" / "atom"
    planted.mkdir(parents=True)
    (planted / "en.xml").write_text("<unpublished/>", encoding="utf-8")
    (site.out / ".git").mkdir()
    (site.out / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    server = serving()
    assert server.get("atom/en.xml").status_code == 200
    for path in (".syndicate-staging-abcdefgh/atom/en.xml", ".git/config", "atom/.hidden"):
        assert server.get(path).status_code == 404, path


@pytest.mark.parametrize("watch", [False, True], ids=["out", "preview"])
def test_a_page_asked_for_with_a_slash_after_its_name_is_not_found(
    site: Site, serving: Callable[..., Server], watch: bool
) -> None:
    """`html/fr/politics.html/` was served as the page, at an address from which its relative
    links (its `<base href="../">`: the masthead, the stories) led to no file; a static host
    says 404, and so does serve. A folder with its slash still gets its `index.html`."""
    site.export("html")
    server = serving(*(["--watch", "--format", "html"] if watch else []))
    for path in ("html/index.html", f"html/{SAMPLE_SLUG}.fr.html", "html/fr/politics.html"):
        assert server.get(path).status_code == 200, path
        for wrong in (path + "/", path + "//"):
            assert server.get(wrong).status_code == 404, wrong
    home = server.get("html/")
    assert home.status_code == 200 and 'lang="en"' in home.text


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("newsml/../ninjs/", "error: serve: protect[0].path: 'newsml/../ninjs/' is not valid"),
        ("nwesml/", "warning: serve: protect: nwesml/ is no folder a format writes, so it"
         " protects nothing; did you mean 'newsml/'? [serve.protect]"),
    ],
)  # fmt: skip
def test_a_protected_path_protects_what_it_names(
    site: Site, capsys: pytest.CaptureFixture[str], path: str, said: str
) -> None:
    """`newsml/../ninjs/` passed and protected nothing (the server saw no such folder), as did
    a typo: the folder meant stayed open to anyone."""
    site.configure(f"serve:\n  protect:\n    - {{path: {path!r}, token: env:PARTNER_TOKEN}}\n")
    capsys.readouterr()
    site.cli("validate", "--articles", str(site.articles))
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_token_is_refused_before_serving(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A variable set to nothing (`PARTNER_TOKEN=${UNSET}` in a container) gave the empty
    token, and `Authorization: Bearer ` with nothing after it opened the protected folder."""
    monkeypatch.setenv("PARTNER_TOKEN", value)
    site.export("newsml")
    capsys.readouterr()
    assert site.cli("serve", "--out", str(site.out), "--port", "0") == 2
    err = capsys.readouterr().err
    assert "the environment variable PARTNER_TOKEN is empty; set the secret it should hold" in err


@pytest.mark.slow
def test_preview_pages_with_problems_and_embargoes_pass_axe(
    site: Site,
    serving: Callable[..., Server],
    chromium: str,  # noqa: F811
) -> None:
    """WCAG 2.2 AA as for the site's pages (tests/test_html_a11y.py): the banner, the problems
    box (a landmark in a live region) and the 404 page add no axe violation, in an embargoed
    story's English and Arabic pages while a story has errors."""
    from test_html_a11y import RUNNER

    embargo(site)
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    pages = [f"html/{SECOND_SLUG}.en.html", f"html/{SECOND_SLUG}.ar.html"]
    assert all("Embargoed until" in server.get(page).text for page in pages)
    site.replace(SECOND_SLUG, "en.md", "headline: ", "headline: [")
    until(lambda: bool(server.get("_syndicate/preview").json()["problems"]), "problems", server)
    urls = [server.url + page for page in [*pages, "html/no-such-story.en.html"]]
    done = subprocess.run(
        ["node", str(RUNNER), chromium, "--wait", "[aria-live] #syndicate-problems", *urls],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    violations = json.loads(done.stdout)["violations"]
    assert [f"{v['page']} ({v['scheme']}): {v['rule']}: {v['nodes'][0]}" for v in violations] == []


@pytest.mark.slow
def test_a_draft_s_preview_pages_pass_axe(
    site: Site,
    serving: Callable[..., Server],
    chromium: str,  # noqa: F811
) -> None:
    """The draft banner (`--drafts`), in its own colour, adds no axe violation (WCAG 2.2 AA:
    its contrast among them) to a draft's English and Arabic pages."""
    from test_html_a11y import RUNNER

    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    args = ("--watch", "--drafts", "--format", "html", "--articles", str(site.articles))
    server = serving(*args)
    pages = [f"html/{SAMPLE_SLUG}.en.html", f"html/{SAMPLE_SLUG}.ar.html"]
    assert all("Draft (status: withheld)" in server.get(page).text for page in pages)
    done = subprocess.run(
        ["node", str(RUNNER), chromium, *(server.url + page for page in pages)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    violations = json.loads(done.stdout)["violations"]
    assert [f"{v['page']} ({v['scheme']}): {v['rule']}: {v['nodes'][0]}" for v in violations] == []


def test_a_link_in_out_does_not_open_a_protected_folder(
    site: Site, serving: Callable[..., Server]
) -> None:
    """`ln -s ../newsml out/html/nm`: `/html/nm/<item>` served the embargoed item without a
    token (the token was asked for by the address, which named no protected folder); a link
    to a hidden file served it too."""
    site.export("newsml", "html")
    (site.out / "html" / "nm").symlink_to("../newsml")
    (site.out / ".secret").write_text("not the site\n", encoding="utf-8")
    (site.out / "html" / "visible.txt").symlink_to("../.secret")
    server = serving()
    item = f"{SAMPLE_SLUG}.en.xml"
    assert server.get(f"html/nm/{item}").status_code == 404
    assert server.get("html/visible.txt").status_code == 404
    opened = server.get(f"newsml/{item}", Authorization=f"Bearer {TOKEN}")
    assert opened.status_code == 200
    assert opened.headers["Cache-Control"] == "private, no-cache"  # no shared cache keeps it
    assert opened.headers["X-Content-Type-Options"] == "nosniff"
    refused = server.get(f"newsml/{item}", Authorization="Bearer")
    assert refused.status_code == 401
    assert 'error="invalid_request"' in refused.headers["WWW-Authenticate"]


def test_a_protected_folder_is_protected_however_the_address_spells_it() -> None:
    """On Windows `os.path` gave `newsml\\x`, which never started with `newsml/`: no file
    there was protected; a disk that does not tell case apart serves `NewsML/x` as newsml/x."""
    from syndicate.serve.app import protecting

    tokens = {"newsml/": ["t"], "partners/msn/": ["u"]}
    for path in ("/newsml/x.xml", "//newsml/../newsml/x", "/NewsML/x.xml", "/newsml\\x.xml"):
        assert protecting(path, tokens) == ["newsml/"], path
    assert protecting("/partners/MSN/en.xml", tokens) == ["partners/msn/"]
    for path in ("/html/x.html", "/newsmlx/y", "/", "/atom/../html/newsml"):
        assert protecting(path, tokens) == [], path


def test_serving_the_site_folder_is_refused(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --out .` served syndicate.yaml, the stories and a secrets folder beside them."""
    monkeypatch.setenv("PARTNER_TOKEN", TOKEN)
    site.export("atom")
    capsys.readouterr()
    assert site.cli("serve", "--out", str(site.root), "--port", "0") == 2
    err = capsys.readouterr().err
    # (as typed, from a folder outside the site: `.` was the site folder's view)
    assert f"error: --out {site.root}: holds the articles folder" in err and "[serve.out]" in err
    assert "serve a folder of its own, such as out/" in err


def test_wire_folders_open_to_the_network_are_a_warning(
    site: Site, serving: Callable[..., Server]
) -> None:
    """`serve --host 0.0.0.0` with ninjs/ unprotected served embargoed stories to anyone,
    with no word: the preview was warned of, out/'s wire folders were not."""
    site.export("newsml", "ninjs", "atom")
    server = serving("--host", "0.0.0.0")
    assert "[serve.exposed]" in server.log() and "ninjs/ hold embargoed stories" in server.log()
    assert "newsml/" not in server.log().split("serve.exposed")[0].split("warning:")[-1]


def test_a_preview_with_drafts_open_to_the_network_says_it_shows_drafts(
    site: Site, serving: Callable[..., Server]
) -> None:
    server = serving("--host", "0.0.0.0", "--watch", "--drafts", "--format", "html")
    assert "the preview shows embargoed stories and drafts to anyone" in server.log()


def test_a_link_between_protected_folders_takes_the_token_of_the_file(
    site: Site, serving: Callable[..., Server]
) -> None:
    """`ln -s ../ninjs out/newsml/nj`: newsml's token opened ninjs' files, the address
    naming newsml/ only."""
    (site.root / "ninjs.token").write_text("ninjs-token-9\n", encoding="utf-8")
    site.configure(
        "feeds:\n  hub: http://127.0.0.1:9/\nserve:\n  protect:\n"
        "    - {path: newsml/, token: env:PARTNER_TOKEN}\n"
        "    - {path: ninjs/, token: 'file:ninjs.token'}\n"
        "deliver:\n  retry: {attempts: 1, timeout: 5}\n"  # the export's pings fail at once
    )
    site.export("newsml", "ninjs", "jsonfeed")
    doc = sorted((site.out / "ninjs").glob("*.en.json"))[0].name
    (site.out / "newsml" / "nj").symlink_to("../ninjs")
    server = serving()
    assert server.get(f"newsml/nj/{doc}", Authorization=f"Bearer {TOKEN}").status_code == 404
    assert server.get(f"ninjs/{doc}", Authorization="Bearer ninjs-token-9").status_code == 200
    # a JSON Feed that names a hub says so in its headers, as an Atom or RSS feed does
    assert 'rel="hub"' in server.get("jsonfeed/en.json").headers["Link"]


def test_an_out_link_swapped_to_another_release_is_followed(
    site: Site, serving: Callable[..., Server], tmp_path: Path
) -> None:
    """`current -> release-1`, then `ln -sfn release-2 current` (a blue-green deploy): every
    request was a 404 until the server restarted, out/ being resolved once."""
    site.export("atom")
    first, second = tmp_path / "release-1", tmp_path / "release-2"
    shutil.copytree(site.out, first)
    shutil.copytree(site.out, second)
    (second / "atom" / "en.xml").write_bytes(b"<feed>second</feed>")
    current = tmp_path / "current"
    current.symlink_to(first)
    server = serving("--out", str(current))
    assert server.get("atom/en.xml").status_code == 200
    current.unlink()
    current.symlink_to(second)
    swapped = server.get("atom/en.xml")
    assert swapped.status_code == 200 and swapped.content == b"<feed>second</feed>"


@pytest.mark.parametrize("folder", ["templates", "terms"])
def test_the_preview_sees_an_edit_that_keeps_a_file_s_size_and_time(
    tmp_path: Path, folder: str
) -> None:
    """What the readers compare (device, inode, size, modification and change times): an
    edit of a template that keeps its size and sets its modification time back (`cp -p`,
    `touch -d`) is a change, as `syndicate export` finds it."""
    from syndicate.serve.preview import Previewer

    config = tmp_path / "syndicate.yaml"
    config.write_text("# a site\n", encoding="utf-8")
    edited = tmp_path / folder / "style.css"
    edited.parent.mkdir()
    edited.write_text("p { color: red; }\n", encoding="utf-8")
    before = edited.stat()
    previewer = object.__new__(Previewer)
    previewer.config = config
    seen = previewer._config_stamp()
    time.sleep(0.05)  # past a tick of the clock that stamps change times
    edited.write_text("p { color: tan; }\n", encoding="utf-8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (edited.stat().st_size, edited.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    assert previewer._config_stamp() != seen


def test_a_partner_feed_that_names_its_own_hub_is_served_with_it(
    site: Site, serving: Callable[..., Server]
) -> None:
    """A profile's own `hub:` is in its feeds (`<atom:link rel="hub">`): the response said
    nothing of it, only atom/, rss/ and jsonfeed/ were looked at (a profile's folder is
    `partners/<name>`). The header names the hub the feed names, nothing from the config:
    msn's feed, naming no hub although `feeds: hub:` is set, gets none."""
    site.configure(
        "feeds:\n  hub: http://127.0.0.1:9/\n"
        "profiles:\n  msn:\n  mine:\n    base: msn\n    hub: http://127.0.0.1:7/\n"
        "deliver:\n  retry: {attempts: 1, timeout: 5}\n"  # the export's pings fail at once
    )
    site.export("mine", "msn", "atom")
    mine = (site.out / "partners/mine/en.xml").read_bytes()
    assert b'<atom:link href="http://127.0.0.1:7/" rel="hub"/>' in mine
    assert b'rel="hub"' not in (site.out / "partners/msn/en.xml").read_bytes()
    server = serving()
    assert server.get("partners/mine/en.xml").headers["link"] == (
        '<http://127.0.0.1:7/>; rel="hub",'
        f' <https://{HOST}/syndicate/partners/mine/en.xml>; rel="self"'
    )
    assert "link" not in server.get("partners/msn/en.xml").headers
    assert 'rel="hub"' in server.get("atom/en.xml").headers["link"]


def test_a_profile_added_while_previewing_is_served_as_its_format_says(
    site: Site, serving: Callable[..., Server]
) -> None:
    """The preview exported a profile added to syndicate.yaml while it ran, but served its
    feeds as application/xml, without the hub they name, until a restart: the server kept
    the formats it started with."""
    site.configure("deliver:\n  retry: {attempts: 1, timeout: 5}\n")
    server = serving("--watch", "--articles", str(site.articles))
    site.configure(
        "deliver:\n  retry: {attempts: 1, timeout: 5}\n"
        "profiles:\n  mine:\n    base: msn\n    hub: http://127.0.0.1:7/\n"
    )
    feed = "partners/mine/en.xml"
    until(lambda: server.get(feed).status_code == 200, "the profile is previewed", server)
    served = server.get(feed)
    assert served.headers["content-type"] == "application/rss+xml"
    assert served.headers["link"].startswith('<http://127.0.0.1:7/>; rel="hub"')


@pytest.mark.parametrize(
    ("name", "listed"),
    [("mine", "mine:\n    base: msn"), ("google-news", "google-news:\n    limit: 40")],
)
def test_a_profile_taken_out_while_previewing_leaves_the_preview(
    site: Site, serving: Callable[..., Server], name: str, listed: str
) -> None:
    """Its folder stayed in the preview, served, and every later export of the preview
    warned `output.orphaned` ("delete it") of a folder inside syndicate's own cache. A
    built-in profile taken out stayed too, served as plain XML: out/ keeps one a run names
    (`export --format google-news`) up to date, the preview leaves out what it does not list."""
    plain = "deliver:\n  retry: {attempts: 1, timeout: 5}\n"
    site.configure(plain + f"profiles:\n  {listed}\n")
    server = serving("--watch", "--articles", str(site.articles))
    feed = f"partners/{name}/en.xml"
    assert server.get(feed).status_code == 200
    site.configure(plain)
    until(lambda: server.get(feed).status_code == 404, "the profile's folder goes", server)
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    page = f"html/{SAMPLE_SLUG}.en.html"
    until(lambda: "NATO will surge again" in server.get(page).text, "the edit shows", server)
    assert "output.orphaned" not in server.log()
    assert not server.get("_syndicate/preview").json()["problems"]


def _previewer(
    site: Site, folder: Path, formats: list[str], now: datetime | None = None
) -> Previewer:
    """The preview of `site` into `folder`, in process, as `serve --watch` makes it (in
    English, one job, problems untold)."""
    return Previewer(
        state=PreviewState(folder, ["en"], [], now),
        config=site.config,
        articles=site.articles,
        formats=formats,
        registry=PLAIN_COVERS,
        jobs=1,
        report=lambda diags, summary: None,
    )


@pytest.mark.parametrize(("now", "in_news"), [("2021-02-19T12:00:00Z", True), (None, False)])
def test_the_preview_is_exported_at_now_when_given(
    site: Site, tmp_path: Path, now: str | None, in_news: bool
) -> None:
    """`serve --watch --now` was accepted and ignored: the preview was exported a century
    ahead of the clock, so the news sitemap (two days) and MSN (a year) were always empty.
    With --now, the preview is what an export at that time publishes; without it, far ahead,
    where every embargoed story shows and those time windows are empty."""
    from syndicate.cli import parse_now

    folder = tmp_path / "preview"
    previewer = _previewer(site, folder, ["sitemap"], parse_now(now) if now else None)
    assert previewer.export()
    news = (folder / "sitemaps" / "news-en.xml").read_bytes()
    assert (SAMPLE_SLUG.encode() in news) is in_news, news


async def _sent(response: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    """The ASGI messages `response` sends for a request of `scope` (a client that has sent
    everything: its next message is the disconnect)."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    await response(scope, receive, send)
    return sent


@pytest.mark.parametrize("opens_once", [True, False])
def test_a_file_replaced_while_its_response_is_made_is_sent_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opens_once: bool
) -> None:
    """An export renames a new feed over the path between the server's look at the file and
    its sending: the size said was the old file's and the bytes the new one's (a torn
    response, a client's IncompleteRead, h11's traceback). Size, validators and bytes are
    those of the one file opened, whole or a range of it, and it is closed when sent."""
    import asyncio

    from syndicate.build.inventory import Inventory
    from syndicate.formats.registry import BUILTIN, Registry
    from syndicate.serve import app
    from syndicate.serve.app import Served, _OutputFiles

    # Without starlette's `_open_file` (before 1.8, or a release that drops it): the open
    # file is sent whole, without ranges.
    monkeypatch.setattr(app, "_SENDS_OPEN_FILES", opens_once)

    out = tmp_path / "out"
    (out / "atom").mkdir(parents=True)
    feed = out / "atom" / "en.xml"
    old = b"<feed>" + b"old " * 5000 + b"</feed>"
    feed.write_bytes(old)
    writers = [Registry(BUILTIN).get("atom")]
    served = Served(out, Inventory(out, ["en"], writers, stories=[]), frozenset(), {})
    files = _OutputFiles(served)

    async def fetch(method: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        scope = {
            "type": "http",
            "method": method,
            "path": "/atom/en.xml",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "asgi": {"spec_version": "2.4"},
        }
        response = await files.get_response("atom/en.xml", scope)
        replacement = tmp_path / "new.xml"
        replacement.write_bytes(b"<feed>new</feed>")
        os.replace(replacement, feed)  # what publishing does, between look-up and sending
        sent = await _sent(response, scope)
        start = sent[0]
        said = {k.decode(): v.decode() for k, v in start["headers"]}  # type: ignore[attr-defined]
        body = b"".join(m.get("body", b"") for m in sent[1:])  # type: ignore[misc]
        feed.write_bytes(old)
        if method != "HEAD":
            assert len(body) == int(said["content-length"]), "a torn response"
        assert getattr(response, "opened", None) is None or response.opened.closed
        return start["status"], said, body  # type: ignore[return-value]

    status, said, body = asyncio.run(fetch("GET"))
    assert status == 200 and body == old and said["content-length"] == str(len(old))
    status, said, body = asyncio.run(fetch("GET", Range="bytes=0-9"))
    assert (status, body) == ((206, old[:10]) if opens_once else (200, old))
    status, said, body = asyncio.run(
        fetch("HEAD")
    )  # (a plain response's body: the server drops it)
    assert status == 200 and body in (b"", old) and said["content-length"] == str(len(old))


def test_an_articles_folder_replaced_while_previewing_is_watched_anew(
    site: Site, serving: Callable[..., Server], tmp_path: Path
) -> None:
    """A restore, a sync that swaps the folder, a branch checked out: articles/ removed and
    made again. The watcher kept watching the folder that was gone: no later edit was ever
    previewed, and nothing said so."""
    server = serving("--watch", "--format", "html", "--articles", str(site.articles))
    page = f"html/{SAMPLE_SLUG}.en.html"
    assert server.get(page).status_code == 200
    backup = tmp_path / "backup"
    shutil.copytree(site.articles, backup)
    shutil.rmtree(site.articles)
    time.sleep(1.5)  # the watcher sees the folder gone
    shutil.copytree(backup, site.articles)
    time.sleep(1.5)  # and back: a new folder, watched anew
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge after the restore")
    until(lambda: "surge after the restore" in server.get(page).text, "the edit shows", server)


def test_a_logo_outside_the_articles_folder_is_watched(tmp_path: Path) -> None:
    """The logo and icon the configuration names are in every page and feed: one outside the
    watched articles folder (`publisher: logo: assets/logo.png`) replaced was never seen."""
    from syndicate.serve.preview import Previewer

    config = tmp_path / "syndicate.yaml"
    config.write_text("publisher:\n  logo: assets/logo.png\n  icon: icon.png\n", "utf-8")
    logo = tmp_path / "assets" / "logo.png"
    logo.parent.mkdir()
    logo.write_bytes(b"one")
    previewer = object.__new__(Previewer)
    previewer.config = config
    seen = previewer._config_stamp()
    logo.write_bytes(b"two")
    assert previewer._config_stamp() != seen
    seen = previewer._config_stamp()
    (tmp_path / "icon.png").write_bytes(b"an icon")
    assert previewer._config_stamp() != seen


class _OddTypes(Writer[Options]):
    """A plugin whose `media_type_of` raises (`gives` "raises") or gives `gives`."""

    name = "oddtypes"
    description = "a plugin whose media types fail"
    media_type = "text/plain"
    extension = ".txt"
    scope = "collection"
    Options = Options

    def __init__(self, name: str, gives: object) -> None:
        self.name, self.gives = name, gives  # a name of its own: warned once a process

    def media_type_of(self, path: str) -> str | None:
        if self.gives == "raises":
            raise RuntimeError("media boom")
        return self.gives  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("name", "gives"),
    [("oddraise", "raises"), ("oddline", "text/plain\r\nX-Evil: 1"), ("oddint", 3)],
)
def test_a_plugin_s_media_type_that_fails_is_octet_stream_and_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, gives: object
) -> None:
    """A plugin's `media_type_of` that raised gave a 500 with a traceback naming no plugin;
    one that gave a line break broke the response (h11's "Illegal header value")."""
    import asyncio

    from syndicate.build.inventory import Inventory
    from syndicate.serve.app import Served, _OutputFiles

    out = tmp_path / "out"
    (out / name).mkdir(parents=True)
    (out / name / "a.txt").write_bytes(b"x")
    (out / name / "b.txt").write_bytes(b"y")
    served = Served(
        out, Inventory(out, ["en"], [_OddTypes(name, gives)], stories=[]), frozenset(), {}
    )
    files = _OutputFiles(served)

    async def fetch(path: str) -> tuple[int, dict[str, str]]:
        scope = {"type": "http", "method": "GET", "path": f"/{path}", "headers": []}
        response = await files.get_response(path, scope)
        sent = await _sent(response, scope)
        said = {k.decode(): v.decode() for k, v in sent[0]["headers"]}  # type: ignore[attr-defined]
        return sent[0]["status"], said  # type: ignore[return-value]

    with caplog.at_level("WARNING", logger="syndicate.build.inventory"):
        for path in (f"{name}/a.txt", f"{name}/b.txt"):
            status, said = asyncio.run(fetch(path))
            assert status == 200 and said["content-type"] == "application/octet-stream"
    (warned,) = [r.getMessage() for r in caplog.records]
    assert warned.startswith(f"the {name} format's media_type_of ")
    assert "application/octet-stream: correct the plugin" in warned


def test_drafts_are_previewed_with_drafts_marked_and_never_in_out(
    site: Site, serving: Callable[..., Server]
) -> None:
    """`serve --watch --drafts` (Hugo's `server -D`): a draft (withheld or canceled at version
    1) is in the preview as if released, in every format and every language, its pages with a
    banner of their own and its files with `X-Syndicate-Draft`; an export after it writes no
    draft into out/, the preview's build state being its own."""
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    site.export("html", "atom", "ninjs")
    out_before = site.files("html")
    page = f"html/{SAMPLE_SLUG}.en.html"
    assert page not in out_before, "out/ holds no draft"
    formats = ("--format", "html", "--format", "atom", "--format", "ninjs")
    server = serving("--watch", "--drafts", *formats, "--articles", str(site.articles))
    assert "drafts included" in server.lines[0]
    draft = server.get(page)
    assert draft.status_code == 200
    assert draft.headers["x-syndicate-draft"] == "withheld"
    assert "x-syndicate-embargoed" not in draft.headers
    words = (
        "Draft (status: withheld): shown only in this preview with --drafts, never written to out/."
    )
    for lang in ("en", "ar", "zh-Hans"):
        served = lxml_html.fromstring(server.get(f"html/{SAMPLE_SLUG}.{lang}.html").content)
        banner = served.body[0]
        assert (banner.tag, banner.get("aria-label")) == ("aside", "Preview"), lang
        assert (banner.get("lang"), banner.get("dir")) == ("en", "ltr"), lang
        assert banner.text_content() == words, lang
        assert "#6b3d00" in banner.get("style"), "a colour of its own"
    assert served.get("lang") == "zh-Hans"
    arabic = lxml_html.fromstring(server.get(f"html/{SAMPLE_SLUG}.ar.html").content)
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    for path in (f"ninjs/{SAMPLE_SLUG}.en.json", f"html/media/{SAMPLE_SLUG}/nato-iraq-mission.png"):
        assert server.get(path).headers["x-syndicate-draft"] == "withheld", path
    assert f"{SAMPLE_SLUG}.en.html" in server.get("html/index.en.html").text
    feed = server.get("atom/en.xml")
    assert "nato-iraq-deployment:en</id>" in feed.text, "the feed lists it"
    assert "x-syndicate-draft" not in feed.headers, "the feed is no story's file"
    other = server.get(f"html/{SECOND_SLUG}.en.html")
    assert "x-syndicate-draft" not in other.headers
    assert "Preview: not published." in other.text and "Draft" not in other.text

    site.replace(SAMPLE_SLUG, "story.yaml", "status: withheld", "status: canceled")
    until(
        lambda: server.get(page).headers.get("x-syndicate-draft") == "canceled",
        "the canceled draft is said so",
        server,
    )
    assert "Draft (status: canceled): shown only in this preview" in server.get(page).text

    # A draft's errors are any story's: in the problems box, its last good preview kept.
    site.replace(SAMPLE_SLUG, "en.md", "headline: ", "headline: [")
    until(lambda: bool(server.get("_syndicate/preview").json()["problems"]), "problems", server)
    status = server.get("_syndicate/preview").json()
    assert any(f"{SAMPLE_SLUG}/en.md:2: error:" in p for p in status["problems"]), status
    assert status["left_out"] == [SAMPLE_SLUG]
    assert server.get(page).headers["x-syndicate-draft"] == "canceled"
    site.replace(SAMPLE_SLUG, "en.md", "headline: [", "headline: ")
    until(lambda: not server.get("_syndicate/preview").json()["problems"], "fixed", server)

    assert site.files("html") == out_before, "the preview never writes out/"
    site.export("html", "atom", "ninjs")
    assert site.files("html") == out_before, "an export after it writes no draft"
    assert not (site.out / f"ninjs/{SAMPLE_SLUG}.en.json").exists()
    assert SAMPLE_SLUG not in (site.out / "html/index.en.html").read_text(encoding="utf-8")
    assert "nato-iraq-deployment:en</id>" not in (site.out / "atom/en.xml").read_text("utf-8")


@pytest.mark.parametrize(
    "given",
    [
        ["--drafts"],
        ["--format", "html"],
        ["-f", "html"],
        ["--preview", "elsewhere"],
        ["--articles", "articles"],
        ["--jobs", "1"],
        ["-j", "2"],
    ],
)
def test_a_preview_option_without_watch_is_a_usage_error(site: Site, given: list[str]) -> None:
    """It served out/ as if the option had not been typed (`--drafts`: a warning scrolled
    past): an editor who asked for drafts or one format gets a server that shows neither."""
    site.export("html")
    command = [sys.executable, "-m", "syndicate", "serve", "--port", "0", "--out", str(site.out)]
    try:  # a server that starts is the mistake: it would run until stopped
        done = subprocess.run(
            [*command, "--config", str(site.config), *given],
            cwd=site.root,
            env={**os.environ, "PARTNER_TOKEN": TOKEN},
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired as served:
        pytest.fail(f"served without --watch: {served.stderr!r}")
    assert done.returncode == 2, done.stderr
    err = done.stderr
    flag = {"-f": "--format", "-j": "--jobs"}.get(given[0], given[0])
    assert f"error: {flag}: only for the preview: add --watch, or leave it out" in err, err
    assert err.rstrip().endswith("[serve.watch]"), err
    assert not (site.root / "elsewhere").exists()


def test_a_preview_without_drafts_after_one_with_them_leaves_them_out(
    site: Site, serving: Callable[..., Server]
) -> None:
    """The preview's build state keeps what `--drafts` made apart from what a preview without
    it makes: the next preview without it shows the draft as before, a missing page that
    says how to see it, and no index lists it."""
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    page = f"html/{SAMPLE_SLUG}.en.html"
    args = ("--watch", "--format", "html", "--articles", str(site.articles))
    with_drafts = serving(*args, "--drafts")
    assert with_drafts.get(page).headers["x-syndicate-draft"] == "withheld"
    with_drafts.stop()
    without = serving(*args)
    missing = without.get(page)
    assert missing.status_code == 404, without.log()
    assert f"{SAMPLE_SLUG} is a draft (status: withheld)" in missing.text
    assert "syndicate serve --watch --drafts" in missing.text
    assert SAMPLE_SLUG not in without.get("html/index.en.html").text
    assert "error" not in without.log()
    without.stop()
    again = serving(*args, "--drafts")
    assert again.get(page).headers["x-syndicate-draft"] == "withheld"


@pytest.mark.parametrize("status", ["withheld", "canceled"])
def test_a_story_taken_down_after_release_is_no_draft_with_drafts(
    site: Site, serving: Callable[..., Server], status: str
) -> None:
    """`--drafts` shows drafts, never a story withdrawn or killed after its release: its page
    is the notice, as without it, and no file of it is marked a draft."""
    story = (site.articles / SAMPLE_SLUG / "story.yaml").read_text(encoding="utf-8")
    story = story.replace("status: usable", f"status: {status}").replace("version: 1", "version: 2")
    story = story.replace(
        "updated: 2021-02-18T19:30:00+01:00", "updated: 2021-02-19T10:00:00+01:00"
    )
    (site.articles / SAMPLE_SLUG / "story.yaml").write_text(story, encoding="utf-8")
    args = ("--watch", "--drafts", "--format", "html", "--articles", str(site.articles))
    server = serving(*args)
    page = server.get(f"html/{SAMPLE_SLUG}.en.html")
    assert page.status_code == 200
    assert "x-syndicate-draft" not in page.headers
    assert "Draft" not in page.text and "Preview: not published." in page.text
    assert "NATO will surge" not in page.text, "the notice, not the story"


def test_an_embargoed_draft_is_said_both(site: Site, serving: Callable[..., Server]) -> None:
    """A draft under embargo: its banner says it is a draft, then until when it is embargoed,
    and its files carry both headers."""
    embargo(site)
    site.replace(SECOND_SLUG, "story.yaml", "status: usable", "status: withheld")
    args = ("--watch", "--drafts", "--format", "html", "--articles", str(site.articles))
    server = serving(*args)
    page = server.get(f"html/{SECOND_SLUG}.fr.html")
    assert page.headers["x-syndicate-draft"] == "withheld"
    assert page.headers["x-syndicate-embargoed"] == "2099-01-01T00:00:00+01:00"
    banner = lxml_html.fromstring(page.content).body[0]
    assert banner.text_content() == (
        "Draft (status: withheld): shown only in this preview with --drafts, never written to"
        " out/. Embargoed until 2099-01-01T00:00:00+01:00."
    )


def _embargo_previewed(
    site: Site,
    tmp_path: Path,
    *formats: str,
    delivered: str = "html, atom",
    cache: Path | None = None,
) -> Path:
    """The sample story under embargo, previewed (a hundred years on, `releases=False`) in
    `formats` into the site's out/, which a target delivering `delivered` takes from; the
    target's folder."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        f"      formats: [{delivered}]\n"
    )
    text = (site.articles / SAMPLE_SLUG / "story.yaml").read_text(encoding="utf-8")
    embargoed = text + "embargo_until: 2099-01-01T00:00:00Z\n"
    (site.articles / SAMPLE_SLUG / "story.yaml").write_text(embargoed, encoding="utf-8")
    preview = export(
        formats=list(formats),
        config=site.config,
        articles=site.articles,
        out=site.out,
        now=datetime.fromisoformat("2126-01-01T00:00:00+00:00"),
        jobs=1,
        releases=False,
        cache=cache,
    )
    assert preview.status == "exported"
    return mirror


def test_a_preview_s_folder_is_never_taken_for_one_partners_get(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A preview shows an embargoed story as released (it exports a hundred years on): its
    folder given to `export --out` kept the story's feed entries and pages for the formats a
    partial run did not name, and `deliver --out` sent them, an embargo broken. Both are
    refused, nothing changed; an export of every format anew (`--force`) takes it back."""
    mirror = _embargo_previewed(site, tmp_path, "html", "atom")
    assert "nato-iraq-deployment:en</id>" in (site.out / "atom/en.xml").read_text("utf-8")
    common = ("-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    common += ("--articles", str(site.articles))
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert site.cli("export", *common, "--format", "html") == 2
    assert site.cli("export", *common, "--format", "html", "--format", "atom") == 2
    capsys.readouterr()
    assert site.deliver() == 2
    assert "holds a preview" in capsys.readouterr().err and not mirror.exists()
    assert {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()} == before
    assert site.cli("export", *common, "--format", "all", "--force") == 0
    assert "nato-iraq-deployment:en</id>" not in (site.out / "atom/en.xml").read_text("utf-8")
    assert not (site.out / f"html/{SAMPLE_SLUG}.en.html").exists()
    assert site.cli("export", *common, "--format", "html") == 0  # (an out/ as any other now)


@pytest.mark.parametrize("how", ["damaged", "another cache"])
def test_a_preview_s_folder_stays_marked_whatever_its_build_state(
    site: Site, tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mark of a preview's folder was in its build state alone: a state SQLite found
    damaged (replaced by an empty one), or another cache's (`SYNDICATE_CACHE_DIR` set for the
    preview, not for cron), did not say it while the preview's files remained, and an export
    of fewer formats kept the embargoed story's feed entries as released; deliver sent them."""
    cache = tmp_path / "preview-cache" if how == "another cache" else None
    mirror = _embargo_previewed(site, tmp_path, "html", "atom", cache=cache)
    if how == "damaged":
        state = state_folder(site.out, cache_folder(site.config, site.out)) / STATE_FILE
        with state.open("r+b") as handle:  # (a disk wrote over its header)
            handle.write(b"not a database, a disk wrote over it....")
    common = ("-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    common += ("--articles", str(site.articles))
    capsys.readouterr()
    assert site.cli("export", *common, "--format", "html") == 2
    assert "holds a preview" in capsys.readouterr().err
    assert "nato-iraq-deployment:en</id>" in (site.out / "atom/en.xml").read_text("utf-8")
    assert site.deliver() == 2
    assert "holds a preview" in capsys.readouterr().err and not mirror.exists()
    # --force would keep the preview's pages of the story, files this state never knew
    assert site.cli("export", *common, "--format", "all", "--force") == 2
    assert f"remove {site.out} and export again" in capsys.readouterr().err
    assert (site.out / f"html/{SAMPLE_SLUG}.en.html").is_file(), "nothing was changed"
    shutil.rmtree(site.out)  # (the message's advice)
    assert site.cli("export", *common, "--format", "all") == 0
    assert "nato-iraq-deployment:en</id>" not in (site.out / "atom/en.xml").read_text("utf-8")
    assert site.deliver() == 0
    assert not any(mirror.rglob(f"{SAMPLE_SLUG}*")), "no embargoed story reaches the partner"


def test_a_preview_s_profile_the_site_does_not_enable_is_made_anew_too(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`serve --watch -f smartnews` (a profile syndicate.yaml does not enable) previewed an
    embargoed story into a folder; `export --format all --force` into it, the refusal's
    advice, made the default formats anew and took the mark away, but `--format all` leaves
    that profile out: its feed stayed the preview's, and deliver sent the story."""
    mirror = _embargo_previewed(site, tmp_path, "html", "smartnews", delivered="smartnews")
    feed = site.out / "partners/smartnews/en.xml"
    assert "nato-iraq-deployment" in feed.read_text("utf-8")
    common = ("-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    common += ("--articles", str(site.articles))
    capsys.readouterr()
    assert site.cli("export", *common, "--format", "all", "--force") == 2
    assert "the formats of partners/smartnews too" in capsys.readouterr().err
    assert "nato-iraq-deployment" in feed.read_text("utf-8"), "nothing was changed"
    assert site.deliver() == 2 and not mirror.exists()
    both = ("--format", "all", "--format", "smartnews", "--force")
    assert site.cli("export", *common, *both) == 0
    assert "nato-iraq-deployment" not in feed.read_text("utf-8")
    assert site.deliver() == 0
    assert not any("nato-iraq-deployment" in p.read_text("utf-8") for p in mirror.rglob("*.xml"))


def test_a_force_export_that_publishes_nothing_leaves_a_preview_s_folder_marked(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`export --format all --force` into a preview's folder took the mark away before it
    saved its build state: a disk that filled up then (nothing published, out/ the preview
    still) left a folder an export of fewer formats, and deliver, took for one partners get."""
    _embargo_previewed(site, tmp_path, "html", "atom")
    common = ("-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    common += ("--articles", str(site.articles))

    def disk_full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(BuildState, "_save", disk_full)
        assert site.cli("export", *common, "--format", "all", "--force") == 1
    assert "nato-iraq-deployment:en</id>" in (site.out / "atom/en.xml").read_text("utf-8")
    capsys.readouterr()
    assert site.cli("export", *common, "--format", "html") == 2
    assert "holds a preview" in capsys.readouterr().err
    assert site.deliver() == 2
    assert "holds a preview" in capsys.readouterr().err
    assert site.cli("export", *common, "--format", "all", "--force") == 0  # with room
    assert site.cli("export", *common, "--format", "html") == 0


def test_a_preview_s_fingerprint_never_says_an_export_into_its_folder_is_done(
    site: Site,
) -> None:
    """A preview of the whole site at the very `--now` of an export leaves the fingerprint of
    a run with nothing left to do: the export into its folder must not take it for its own."""
    for _ in range(2):  # the second: the preview's own look finds nothing changed
        preview = export(
            formats=["all"],
            config=site.config,
            articles=site.articles,
            out=site.out,
            now=datetime.fromisoformat(FIXED_NOW),
            jobs=1,
            releases=False,
        )
        assert preview.status == "exported", preview.status
    common = ("-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    assert site.cli("export", *common, "--articles", str(site.articles), "-f", "all") == 2


@pytest.mark.parametrize("only", [False, True])
def test_an_export_into_a_folder_a_preview_with_drafts_made_leaves_no_draft(
    site: Site, only: bool
) -> None:
    """A folder a preview with `--drafts` exported into (`--preview DIR`), exported into
    later for fewer formats (or `--story` another story): the draft's files in the formats
    the run does not name stayed, kept as its last published version. Such a run is
    refused, nothing changed; one that makes every format of the whole site anew
    (`--force`) leaves no draft in any file."""
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    preview = export(
        formats=["html", "atom", "ninjs"],
        config=site.config,
        articles=site.articles,
        out=site.out,
        now=datetime.fromisoformat(FIXED_NOW),
        jobs=1,
        releases=False,
        drafts=True,
    )
    assert preview.status == "exported"
    assert (site.out / f"ninjs/{SAMPLE_SLUG}.en.json").is_file()
    more = ("--story", SECOND_SLUG) if only else ()
    common = ("-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    common += ("--articles", str(site.articles))
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert site.cli("export", *common, "--format", "html", *more) == 2
    assert {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()} == before
    assert site.cli("export", *common, "--format", "html", "--force", *more) == 2
    assert site.cli("export", *common, "--format", "all", "--force") == 0
    assert not (site.out / f"ninjs/{SAMPLE_SLUG}.en.json").exists()
    assert not (site.out / f"html/{SAMPLE_SLUG}.en.html").exists()
    assert "nato-iraq-deployment:en</id>" not in (site.out / "atom/en.xml").read_text("utf-8")
    assert SAMPLE_SLUG not in (site.out / "html/index.en.html").read_text(encoding="utf-8")


def test_a_request_while_the_preview_publishes_waits_for_what_it_published(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request that came while a preview export was publishing was served by the formats
    the preview knew before it: a partner profile added to syndicate.yaml had its new feed
    served as application/xml until the state caught up (a flaky test under load). Such a
    request now waits for the state to say what the export published."""
    import threading

    from syndicate.serve import preview

    previewer = _previewer(site, tmp_path / "preview", ["all"])
    state = previewer.state
    assert previewer.export()
    site.configure("profiles:\n  mine:\n    base: msn\n")
    feed = "partners/mine/en.xml"
    seen: list[str] = []
    progress = preview._progress

    def publishing(*args: Any) -> None:
        progress(*args)
        if args[2] == preview.PUBLISHING:  # a request comes now, while the run publishes
            asking = threading.Thread(
                target=lambda: seen.append(state.serving()[0].media_type(feed))
            )
            asking.start()
            asking.join(0.5)

    monkeypatch.setattr(preview, "_progress", publishing)
    assert previewer.export()
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen == ["application/rss+xml"]


def test_a_preview_of_some_formats_serves_no_file_an_earlier_one_of_others_left(
    site: Site, tmp_path: Path
) -> None:
    """`serve --watch --format atom` after a preview of atom and jsonfeed kept serving the
    JSON feeds of the earlier one as if current: an edit reached the Atom feed, never the
    JSON feed still served beside it. A preview serves the files of its last export's formats
    only (the others stay in its folder, untouched, for a later preview of them); a request
    for one is the preview's page for a missing file, saying why."""
    import asyncio

    import httpx

    from syndicate.serve.app import Served, make_app

    folder = tmp_path / "preview"
    assert _previewer(site, folder, ["atom", "jsonfeed"]).export()
    json_feed = next(p.relative_to(folder).as_posix() for p in folder.glob("jsonfeed/*.json"))
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    previewer = _previewer(site, folder, ["atom"])
    assert previewer.export()
    state = previewer.state
    served = Served(folder, state.inventory, frozenset(), {}, preview=state)
    transport = httpx.ASGITransport(app=make_app(served))

    async def fetch(*paths: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://preview") as client:
            return [await client.get(f"/{path}") for path in paths]

    atom, stale = asyncio.run(fetch("atom/en.xml", json_feed))
    assert atom.status_code == 200 and "NATO will surge again" in atom.text
    assert (folder / json_feed).is_file()  # the folder is left as it was
    assert "NATO will surge again" not in (folder / json_feed).read_text(encoding="utf-8")
    assert stale.status_code == 404, stale.text
    assert "Not in the preview" in stale.text and "formats (atom)" in stale.text


def test_the_missing_file_page_says_nothing_of_files_outside_the_preview_s_folder(
    site: Site, tmp_path: Path
) -> None:
    """The page for a file of no format of the preview (`PreviewState.outside_formats`) was
    said of any file found at the path asked for: `/../secret` (a raw path, as `curl
    --path-as-is` sends it) told that a file lies beside the preview's folder, and
    `/.syndicate-preview` that the preview's own mark is there, where a missing file is
    answered. And a path outside every format's folder (`/favicon.ico`, which browsers ask
    for) was a server error (500), not the page for a missing file."""
    import asyncio

    from syndicate.serve.app import Served, make_app

    folder = tmp_path / "preview"
    previewer = _previewer(site, folder, ["atom"])
    assert previewer.export()
    (tmp_path / "secret.txt").write_text("a file beside the preview's folder", encoding="utf-8")
    assert (folder / ".syndicate-preview").exists()
    served = Served(folder, previewer.state.inventory, frozenset(), {}, preview=previewer.state)
    app = make_app(served)

    async def get(path: str) -> tuple[int, str]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"preview")],
            "client": ("127.0.0.1", 1),
            "server": ("preview", 80),
        }
        await app(scope, receive, send)
        start = next(m for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], body.decode("utf-8")

    for path in ("/../secret.txt", "/.syndicate-preview", "/favicon.ico", "/atom/gone.xml"):
        status, page = asyncio.run(get(path))
        assert status == 404 and "Not in the preview" in page, (path, status, page[:300])
        assert "no folder of this preview" not in page, (path, page)


def test_the_preview_s_other_requests_are_answered_while_one_waits_for_a_publication(
    tmp_path: Path,
) -> None:
    """A request that waits for a preview export to publish (`PreviewState.settled`) waited
    on the server's event loop: every other request, the pages' status polls among them,
    stalled with it. It now waits off the loop, and is answered once the export has said."""
    import asyncio

    import httpx

    from syndicate.serve.app import Served, make_app
    from syndicate.serve.preview import PreviewState

    folder = tmp_path / "preview"
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text("<!DOCTYPE html><title>t</title>", "utf-8")
    state = PreviewState(folder, ["en"], [])
    served = Served(folder, state.inventory, frozenset(), {}, preview=state)
    transport = httpx.ASGITransport(app=make_app(served))

    async def scenario() -> tuple[float, bool, int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://preview") as client:
            state.settled.clear()  # an export is publishing
            page = asyncio.create_task(client.get("/html/index.html"))
            await asyncio.sleep(0.2)  # the page's request is waiting
            start = time.monotonic()
            polled = await client.get("/_syndicate/preview")
            waited = time.monotonic() - start
            assert polled.status_code == 200
            still_waiting = not page.done()
            state.settled.set()  # the export has said what it published
            return waited, still_waiting, (await page).status_code

    waited, still_waiting, status = asyncio.run(scenario())
    assert waited < 5, waited  # the 10 s a publication may be waited for
    assert still_waiting
    assert status == 200


def test_a_missing_file_at_the_top_of_the_preview_is_its_404_page(
    site: Site, tmp_path: Path
) -> None:
    """A request for a file at the top of the preview's folder that is not there (the
    `/favicon.ico` a browser asks for with every page it opens, `/robots.txt`, the hidden
    `/.syndicate-preview`) was a `500 Internal Server Error` with a traceback in the editor's
    terminal: the preview, asking whose file it was, read a path with no format folder as one
    with. It is the preview's page for a missing file, as any other."""
    import asyncio

    import httpx

    from syndicate.serve.app import Served, make_app

    folder = tmp_path / "preview"
    previewer = _previewer(site, folder, ["html"])
    assert previewer.export()
    state = previewer.state
    served = Served(folder, state.inventory, frozenset(), {}, preview=state)
    transport = httpx.ASGITransport(app=make_app(served), raise_app_exceptions=False)

    async def fetch(*paths: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=transport, base_url="http://preview") as client:
            return [await client.get(path) for path in paths]

    for response in asyncio.run(fetch("/favicon.ico", "/robots.txt", "/.syndicate-preview")):
        assert response.status_code == 404, (response.request.url, response.text)
        assert "Not in the preview" in response.text


def test_a_preview_state_folder_it_cannot_write_is_no_busy_preview(
    site: Site, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder of the preview's build state made read-only (a cache folder of another
    user's, a disk remounted read-only) was said `serve.busy`, "another syndicate serve
    --watch previews this site", which no other does. It is `serve.state`, exit status 1 as
    for every output that cannot be written, naming the folder and what to do."""
    from conftest import unwritable

    from syndicate.serve.preview import preview_folder

    folder = preview_folder(site.config, site.out)
    builds = state_folder(folder, cache_folder(site.config, folder)).parent
    builds.mkdir(parents=True, exist_ok=True)  # (the cache the tests share)
    monkeypatch.setenv("PARTNER_TOKEN", TOKEN)
    with unwritable(builds):
        status = site.cli("serve", "--watch", "--port", "0", "--articles", str(site.articles))
    err = capsys.readouterr().err
    assert status == 1, err
    assert "[serve.busy]" not in err and "another syndicate serve" not in err, err
    assert f"error: cannot write to {builds}: " in err and "[serve.state]" in err, err
    assert "make the folder writable" in err and "nothing was served" in err, err
