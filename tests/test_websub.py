"""WebSub publish pings to a hub on loopback: one per changed feed after an export, none for
feeds that did not change, retried when the hub fails, and after `deliver` instead when a
target publishes base_url."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import FIXED_NOW, SAMPLE_SLUG
from servers import HttpReceiver, Hub, TricklingServer, free_port
from sites import CONFIG, HOST, SECOND_SLUG, Site

from syndicate.deliver import deliver

LANGS = ("en", "fr", "ar", "zh-Hans", "de", "es")
BASE = f"https://{HOST}/syndicate/"
RETRY = "  retry: {attempts: 3, wait_initial: 0.01, wait_max: 0.02, timeout: 5}\n"


def feeds(*langs: str) -> list[str]:
    """The subscription feeds of these languages, as topic URLs."""
    return sorted(
        f"{BASE}{kind}/{path}"
        for kind in ("atom", "rss")
        for lang in langs
        for path in (f"{lang}.xml", f"{lang}/politics.xml")
    )


@pytest.fixture
def hub() -> Iterator[Hub]:
    with Hub() as hub:
        yield hub


@pytest.fixture
def site(tmp_path: Path, hub: Hub) -> Site:
    site = Site(tmp_path / "newsroom")
    site.configure(f"feeds:\n  hub: {hub.url}\n  archive_size: 1\ndeliver:\n{RETRY}")
    return site


def test_one_ping_per_changed_feed(site: Site, hub: Hub) -> None:
    site.export("atom", "rss")
    assert sorted(hub.pings()) == feeds(*LANGS), "every subscription feed, once"
    assert (site.out / "atom/en/archive/1.xml").is_file()
    assert not [t for t in hub.pings() if "/archive/" in t], "archive pages name no hub"
    hub.events.clear()
    site.export("atom", "rss")
    assert hub.pings() == [], "nothing changed: no ping"
    site.replace(SECOND_SLUG, "fr.md", "headline: L", "headline: Encore l")
    site.export("atom", "rss")
    assert sorted(hub.pings()) == feeds("fr"), "only the French feeds changed"


def test_a_failing_hub_is_tried_again(
    site: Site, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.faults.fail = 2
    site.export("atom")
    assert len(hub.pings()) == 12 and hub.faults.fail == 0
    hub.events.clear()
    site.configure(site.extra.replace(hub.url, f"http://127.0.0.1:{free_port()}/"))
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    capsys.readouterr()
    site.export("atom")  # the export succeeds; the pings it could not send wait
    err = capsys.readouterr().err
    assert "warning: WebSub hub http://127.0.0.1:" in err and "after 3 attempts" in err
    site.configure(site.extra.replace(site.extra.split("hub: ")[1].split()[0], hub.url))
    site.export("atom")
    assert sorted(hub.pings()) == [t for t in feeds("en") if "/rss/" not in t]


def test_a_hub_trickling_its_answer_is_given_up_within_the_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hub answering a byte every half second held the export for ever (httpx bounds each
    read, not a request): each ping is bounded by `retry.timeout`, then left to the next run."""
    with TricklingServer(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 200) as slow:
        site = Site(tmp_path / "newsroom")
        retry = "  retry: {attempts: 2, wait_initial: 0.01, wait_max: 0.02, timeout: 1}\n"
        site.configure(f"feeds:\n  hub: http://127.0.0.1:{slow.port}/\ndeliver:\n{retry}")
        capsys.readouterr()
        started = time.monotonic()
        site.export("atom")
        assert time.monotonic() - started < 60  # (for ever before)
        err = capsys.readouterr().err
        assert "warning: WebSub hub http://127.0.0.1:" in err and "after 2 attempts" in err, err
        assert "changed feeds are left to announce at the next run" in err


def test_each_retry_is_told_as_it_waits(
    site: Site, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed ping about to be tried again is told on stderr at once, with the next attempt:
    the retries of an unreachable hub wait for seconds, which must not look like a hang. Not
    under --quiet; the export succeeds either way."""
    hub.faults.fail = 2
    capsys.readouterr()
    export = ["export", "--jobs", "1", "--now", FIXED_NOW, "--format", "atom"]
    assert site.cli(*export, "--out", str(site.out), "--articles", str(site.articles)) == 0
    told = [line for line in capsys.readouterr().err.splitlines() if "trying again" in line]
    assert len(told) == 2, told
    assert all(line.startswith(f"WebSub hub {hub.url}: ping for {BASE}atom/") for line in told)
    assert told[0].endswith("(attempt 2 of 3)") and told[1].endswith("(attempt 3 of 3)")
    assert " failed: HTTP 500" in told[0], told[0]
    hub.faults.fail = 2
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    site.export("atom")  # --quiet
    assert "trying again" not in capsys.readouterr().err
    assert len(hub.pings()) == 12 + 2, "every feed, then the two the edit changed"


@contextmanager
def _public_target(site: Site, hub: Hub, tmp_path: Path) -> Iterator[HttpReceiver]:
    """A target on loopback that publishes base_url (`public_target`), sent the atom feeds;
    the site exported them, to be delivered."""
    with HttpReceiver(tmp_path) as host:
        site.configure(
            f"feeds:\n  hub: {hub.url}\ndeliver:\n  public_target: web\n  targets:\n"
            f"    - name: web\n      url: {host.url}\n      formats: [atom]\n{RETRY}"
        )
        site.export("atom")
        yield host


def test_pings_wait_for_the_target_publishing_base_url(
    site: Site, hub: Hub, tmp_path: Path
) -> None:
    with _public_target(site, hub, tmp_path) as host:
        assert hub.pings() == [], "the public host does not have the feeds yet"
        host.faults.fail = 100
        assert site.deliver() == 1
        assert hub.pings() == [], "nor after a failed delivery"
        host.faults.fail = 0
        assert site.deliver() == 0
        assert len(hub.pings()) == 12
        hub.events.clear()
        assert site.deliver() == 0
        assert hub.pings() == []


def test_a_failed_ping_after_a_delivery_says_failed(
    site: Site, hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The files went, the hub did not hear of them: the run is not done (exit status 1, and
    `failed` through the API; it was 2, which says nothing was sent, and `current`). The next
    run pings the feeds left to announce."""
    with _public_target(site, hub, tmp_path) as host:
        hub.faults.fail = 100
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "error: WebSub hub " in err and "left to announce at the next run" in err, err
        assert host.files() == site.files("atom"), "the files were delivered"
        result = deliver(config=site.config, out=site.out)
        assert result.status == "failed", "the hub still has not heard"
        hub.faults.fail = 0
        assert site.deliver() == 0
        assert len(hub.pings()) == 12


def test_a_failed_ping_is_the_last_line_of_the_delivery(
    site: Site, hub: Hub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron log shows a run's last line: after a failed ping `deliver` exits 1, but its last
    line read "web: current, nothing to send" (the second run, the files already there), or
    "web: 13 sent", which says the run is done. It ends saying the feeds were not announced."""
    with _public_target(site, hub, tmp_path):
        hub.faults.fail = 100
        for _ in range(2):  # the run that sent the files, then one with nothing to send
            capsys.readouterr()
            assert site.deliver() == 1
            last = capsys.readouterr().err.splitlines()[-1]
            assert last == (
                "WebSub: 12 changed feeds not announced (the error above says why);"
                " the next run announces them"
            ), last
        hub.faults.fail = 0
        capsys.readouterr()
        assert site.deliver() == 0
        assert capsys.readouterr().err.splitlines()[-1] == "WebSub: 12 changed feeds announced"


def test_json_feeds_are_announced_too(site: Site, hub: Hub) -> None:
    """JSON Feeds named the hub (`hubs`) but were never pinged: a reader subscribed to one
    through the hub never heard of an update."""
    site.export("jsonfeed")
    json_feeds = sorted(
        f"{BASE}jsonfeed/{path}"
        for lang in LANGS
        for path in (f"{lang}.json", f"{lang}/politics.json")
    )
    assert sorted(hub.pings()) == json_feeds, "every subscription feed, once"
    hub.events.clear()
    site.export("jsonfeed")
    assert hub.pings() == [], "nothing changed: no ping"
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    site.export("jsonfeed")
    assert sorted(hub.pings()) == [f"{BASE}jsonfeed/en.json", f"{BASE}jsonfeed/en/politics.json"]


def test_an_export_leaves_a_damaged_ledger_to_deliver_and_says_it_did_not_announce(
    site: Site, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    """An export announcing its feeds opened the ledger as `deliver` does: one damaged inside
    was a traceback after out/ was written, and one not a database was replaced in silence,
    so the next `deliver` sent every target everything again without a word."""
    from syndicate.build.engine import cache_folder
    from syndicate.build.state import state_folder

    site.export("atom", "rss")
    path = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    good = path.read_bytes()
    path.write_bytes(b"\x00" * 100 + good[100:])  # not a database any more
    site.replace(SECOND_SLUG, "fr.md", "headline: L", "headline: Encore l")
    capsys.readouterr()
    site.export("atom", "rss")
    err = capsys.readouterr().err
    assert "feeds not announced to their hub" in err and "[websub.ledger]" in err, err
    assert "Traceback" not in err
    assert path.read_bytes()[:100] == b"\x00" * 100, "left for deliver to replace and say"


def test_a_site_on_a_name_kept_for_examples_pings_no_hub_elsewhere(
    site: Site, hub: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    """A site being tried out, its `base_url` still on a name no site has (`syndicate init
    --url https://harbour.example/`, which `deliver` refuses to send), announced its feeds at
    every export to the hub they name, Flipboard's default public one among them: a hub there
    could fetch nothing at `https://harbour.example/...`. A hub elsewhere is told nothing; a
    hub on this machine, one run to test WebSub, still is."""
    tried = CONFIG.replace(BASE, "https://harbour.example/syndicate/")
    elsewhere = f"feeds:\n  hub: https://hub.{HOST}/\ndeliver:\n{RETRY}"
    site.config.write_text(tried + elsewhere, encoding="utf-8")
    capsys.readouterr()
    site.export("atom")
    assert "[websub.ping]" not in capsys.readouterr().err  # (no ping: nothing to fail)
    site.config.write_text(tried + f"feeds:\n  hub: {hub.url}\ndeliver:\n{RETRY}", "utf-8")
    site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
    site.export("atom")
    assert hub.pings() and all(t.startswith("https://harbour.example/") for t in hub.pings())
