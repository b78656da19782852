"""`syndicate deliver` against real servers on loopback (FTP, SFTP, S3, HTTP push, a local
folder): the first run sends everything, a second sends nothing, an edit sends one story's
files, a kill travels (deletions last), failures are retried or reported per target and
nothing is recorded that was not delivered."""

from __future__ import annotations

import contextlib
import errno
import ftplib
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import servers
from conftest import FIXED_NOW, SAMPLE_SLUG
from servers import (
    PASSWORD,
    TEMPORARY_SUFFIX,
    Faults,
    FtpServer,
    HttpReceiver,
    S3Server,
    Server,
    SftpServer,
    StallingProxy,
    TricklingServer,
    free_port,
)
from sites import HOST, SECOND_SLUG, Site

from syndicate.build.engine import cache_folder
from syndicate.build.inventory import Inventory
from syndicate.build.state import state_folder
from syndicate.deliver import deliver, remotes
from syndicate.deliver.ledger import Ledger
from syndicate.deliver.remotes import HttpStatusError
from syndicate.model import Story, StorySummary

RETRY = """\
  retry: {attempts: 3, wait_initial: 0.01, wait_max: 0.02, timeout: 5}
"""
SECRET = "hmac-shared-secret-0123456789"


class LocalFolder(Server):
    """A `file://` target: a folder on this machine."""

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.root = home / "mirror"
        self.url = self.root.as_uri() + "/"

    def stop(self) -> None:
        pass


def target_yaml(
    server: Server, name: str = "partner", formats: str = "[newsml, atom, html]"
) -> str:
    """The `- name: ...` entry of a target on `server`, with its credentials."""
    lines = [f"- name: {name}", f"  url: {server.url}", f"  formats: {formats}"]
    if isinstance(server, (FtpServer, SftpServer)):
        lines.append("  credentials: {password: env:PARTNER_PASSWORD}")
    if isinstance(server, SftpServer):
        lines.append(f"  known_hosts: {server.known_hosts}")
    if isinstance(server, S3Server):
        lines += [
            f"  endpoint_url: {server.endpoint}",
            "  region: us-east-1",
            "  credentials: {access_key_id: env:S3_KEY, secret_access_key: env:S3_SECRET}",
        ]
    if isinstance(server, HttpReceiver):
        lines.append("  credentials: {hmac_secret: file:hmac.secret}")
    return "\n".join(lines) + "\n"


def with_token(server: HttpReceiver, where: str) -> str:
    """The HTTP target of `server`, with a bearer token kept at `where` besides its secret."""
    return target_yaml(server).replace(
        "{hmac_secret: file:hmac.secret}", f"{{hmac_secret: file:hmac.secret, token: {where}}}"
    )


def kill(site: Site, slug: str) -> None:
    """Kill a released story: canceled, as a new version, at a later time."""
    site.replace(slug, "story.yaml", "status: usable", "status: canceled")
    site.replace(slug, "story.yaml", "version: 1", "version: 2")
    site.replace(
        slug,
        "story.yaml",
        "updated: 2021-02-18T19:30:00+01:00",
        "updated: 2021-02-19T08:00:00+01:00",
    )


def deliver_section(*targets: str, extra: str = "") -> str:
    body = "".join(textwrap.indent(t, "    ") for t in targets)
    return f"deliver:\n  targets:\n{body}{RETRY}{extra}"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv("PARTNER_PASSWORD", PASSWORD)
    monkeypatch.setenv("S3_KEY", "testing")
    monkeypatch.setenv("S3_SECRET", "testing")
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    site = Site(tmp_path / "newsroom")
    (site.root / "hmac.secret").write_text(SECRET + "\n")
    return site


SERVERS: dict[str, Callable[[Path], Server]] = {
    "ftp": FtpServer,
    "sftp": SftpServer,
    "s3": S3Server,
    "http": lambda home: HttpReceiver(home, secret=SECRET),
}


@pytest.fixture(params=sorted(SERVERS))
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / request.param
    home.mkdir()
    with SERVERS[request.param](home) as server:
        yield server


def test_a_target_follows_out_through_edits_and_kills(site: Site, server: Server) -> None:
    site.configure(deliver_section(target_yaml(server)))
    site.export()
    assert site.deliver() == 0
    assert server.files() == site.files(), "the first run sends every file"
    first = server.puts()
    assert sorted(first) == sorted(site.files()), "each file once"
    # Assets come before the pages pointing to them, items before the collections listing them.
    order = {path: i for i, path in enumerate(first)}
    image = next(p for p in first if p.endswith(".png"))
    assert order[image] < order[f"html/{SAMPLE_SLUG}.en.html"]
    assert order[f"newsml/{SAMPLE_SLUG}.en.xml"] < order[f"newsml/{SAMPLE_SLUG}.package.xml"]
    assert order[f"newsml/{SAMPLE_SLUG}.package.xml"] < order["atom/en.xml"]

    server.events.clear()
    assert site.deliver() == 0
    assert server.events == [], "a second run sends nothing"

    before = site.files()
    site.replace(SECOND_SLUG, "en.md", "NATO will surge", "NATO will sharply surge")
    site.export()
    assert site.deliver() == 0
    sent = server.puts()
    changed = [path for path, data in site.files().items() if before.get(path) != data]
    assert sorted(sent) == sorted(changed), "an edit sends exactly the files that changed"
    assert f"newsml/{SECOND_SLUG}.en.xml" in sent
    assert [p for p in sent if SAMPLE_SLUG in p] == [], "the other story's files are not sent"
    assert server.files() == site.files()

    server.events.clear()
    kill(site, SECOND_SLUG)
    site.export()
    assert site.deliver() == 0
    assert server.files() == site.files(), "the target mirrors out/ after the kill"
    item = server.files()[f"newsml/{SECOND_SLUG}.en.xml"]
    assert b"stat:canceled" in item, "the kill itself travels"
    kinds = [op for op, _ in server.events]
    assert "delete" not in kinds or kinds.index("delete") > max(
        i for i, op in enumerate(kinds) if op == "put"
    ), "deletions come after every file sent"
    assert not [p for p in server.files() if p.endswith(".syndicate-part")]
    if isinstance(server, (FtpServer, SftpServer)):  # folders of their own: none left empty
        assert not (server.root / "html" / "media" / SECOND_SLUG).exists()
        empty = [d for d in server.root.rglob("*") if d.is_dir() and not any(d.iterdir())]
        assert empty == [], "the killed story's folders leave the target with its files"


def test_a_kill_is_the_last_word_after_an_edit_in_the_same_run(
    site: Site, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """One run carries an edit of a story and a kill of another (whose files sort first):
    the kill's items go after every other upload, the edited story's and the feeds no longer
    listing the killed one included, and deletions after them. The dry run lists that
    order, and the server receives it."""
    site.configure(deliver_section(target_yaml(server)))
    site.export()
    assert site.deliver() == 0
    kill(site, SAMPLE_SLUG)
    site.replace(SECOND_SLUG, "en.md", "NATO will surge", "NATO will sharply surge")
    site.export()
    capsys.readouterr()
    assert site.deliver("--dry-run") == 0
    listed = [line.split()[:2] for line in capsys.readouterr().out.splitlines()[1:]]
    planned = [("delete" if kind == "delete" else "put", path) for kind, path in listed]
    server.events.clear()
    assert site.deliver() == 0
    assert server.events == planned, "the run sends in the order the dry run lists"
    assert server.files() == site.files()

    puts = [path for op, path in planned if op == "put"]
    killed = [p for p in puts if p.startswith(("newsml/", "html/")) and SAMPLE_SLUG in p]
    assert f"newsml/{SAMPLE_SLUG}.en.xml" in killed and f"html/{SAMPLE_SLUG}.en.html" in killed
    others = puts[: len(puts) - len(killed)]
    assert puts[len(others) :] == killed, "the kill's files come after every other upload"
    assert f"newsml/{SECOND_SLUG}.en.xml" in others and "atom/en.xml" in others
    killed_items = [p for p in killed if p.startswith("newsml/")]
    assert killed_items[-1] == f"newsml/{SAMPLE_SLUG}.package.xml", "items before their package"
    kinds = [op for op, _ in planned]
    assert "delete" in kinds and kinds.index("delete") == len(puts), "deletions after the kill"


def test_http_push_is_signed_and_typed(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARTNER_TOKEN", "partner-token-42")
    with HttpReceiver(tmp_path, secret=SECRET, token="partner-token-42") as server:
        target = with_token(server, "env:PARTNER_TOKEN")
        site.configure(deliver_section(target))
        site.export()
        assert site.deliver() == 0
        files = site.files()
        assert server.verified == len(files), "every request's token and signature verify"
        types = {h["X-Syndicate-Sha256"]: h["Content-Type"] for h in server.headers}

        def sent_type(path: str) -> str:
            return types[hashlib.sha256(files[path]).hexdigest()]

        assert sent_type(f"newsml/{SAMPLE_SLUG}.en.xml") == "application/vnd.iptc.g2.newsitem+xml"
        assert sent_type(f"newsml/{SAMPLE_SLUG}.package.xml") == (
            "application/vnd.iptc.g2.packageitem+xml"
        )
        assert sent_type("atom/en.xml") == "application/atom+xml"
        assert sent_type(f"html/{SAMPLE_SLUG}.fr.html") == "text/html; charset=utf-8"
        versions = {h.get("X-Syndicate-Version") for h in server.headers}
        assert versions == {"1", None}, "story files carry their version, collections none"


def test_a_push_to_a_url_beyond_ascii_signs_the_path_as_sent(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """httpx sends `/ingest/Café/` as `/ingest/Caf%C3%A9/`, but the signature was made over
    the path as written: a receiver checking it (as docs/delivery.md shows) refused every
    request with a 401."""
    with HttpReceiver(tmp_path, secret=SECRET) as server:
        server.url = server.url.replace("/ingest/", "/ingest/Café/")
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        capsys.readouterr()
        assert site.deliver() == 0, capsys.readouterr().err
        assert server.verified == len(site.files()), "every request's signature verifies"
        assert {f"Café/{path}": data for path, data in site.files().items()} == server.files()


def test_s3_objects_carry_their_media_type(site: Site, tmp_path: Path) -> None:
    with S3Server(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        assert site.deliver() == 0
        assert server.media_type("atom/fr.xml") == "application/atom+xml"
        assert server.media_type(f"newsml/{SAMPLE_SLUG}.fr.xml") == (
            "application/vnd.iptc.g2.newsitem+xml"
        )


def test_debug_logs_keep_an_s3_session_token_out(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SYNDICATE_DEBUG=1 turned on botocore's debug log, which prints each request's headers:
    an S3 session token (`x-amz-security-token`) went to cron mail and CI logs."""
    token = "sessTOKEN-SEKRIT-987"
    monkeypatch.setenv("S3_TOKEN", token)
    monkeypatch.setenv("SYNDICATE_DEBUG", "1")
    with S3Server(tmp_path) as server:
        entry = target_yaml(server).replace(
            "secret_access_key: env:S3_SECRET}",
            "secret_access_key: env:S3_SECRET, session_token: env:S3_TOKEN}",
        )
        site.configure(deliver_section(entry))
        site.export()
        command = [sys.executable, "-m", "syndicate", "deliver", "--config", str(site.config)]
        command += ["--out", str(site.out)]
        done = subprocess.run(command, cwd=site.root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "DEBUG:" in done.stderr, "debug logging is on"
        assert token not in done.stdout + done.stderr
        assert server.files() == site.files()


@pytest.mark.parametrize("kind", ["ftp", "sftp", "s3", "http"])
def test_a_server_failing_twice_then_succeeding_ends_current(
    site: Site, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with SERVERS[kind](tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        server.faults.fail = 2
        capsys.readouterr()
        assert site.deliver() == 0
        assert server.faults.fail == 0, "both failures were met"
        assert server.files() == site.files()
    # Each retry was told as it waited, never a silent pause: the file, the next attempt
    # (syndicate's policy alone retries: no client library tries again below it).
    told = [line for line in capsys.readouterr().err.splitlines() if "trying again" in line]
    assert len(told) == 2, told
    assert all(line.startswith("partner: sending ") and " failed: " in line for line in told)
    assert told[0].endswith("(attempt 2 of 3)") and told[1].endswith("(attempt 3 of 3)")


def test_a_rate_limited_push_waits_as_long_as_the_server_asks(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 429 with `Retry-After: 25` was tried again after 1.4 s, then 2.6, 5.0 and 9.0, and
    the target failed: the partner was hammered. The wait is at least what it asks for; a
    wait longer than `retry.wait_max` is the failure, said at once, for the next run."""
    with HttpReceiver(tmp_path) as server:
        retry = "  retry: {attempts: 3, wait_initial: 0.01, wait_max: 5, timeout: 5}\n"
        body = textwrap.indent(target_yaml(server), "    ")
        site.configure(f"deliver:\n  targets:\n{body}{retry}")
        site.export()
        server.faults.fail, server.faults.status, server.faults.retry_after = 1, 429, "2"
        capsys.readouterr()
        started = time.monotonic()
        assert site.deliver() == 0
        assert time.monotonic() - started >= 2
        told = [line for line in capsys.readouterr().err.splitlines() if "trying again" in line]
        assert len(told) == 1 and "the server asks to wait 2 s; trying again in 2." in told[0]
        assert server.files() == site.files()
        site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
        site.export()
        server.faults.fail, server.faults.retry_after = 100, "3600"
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "HTTP 429 Too Many Requests; the server asks to wait 3600 s" in err, err
        assert "trying again" not in err


def test_a_down_target_leaves_the_others_current(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FtpServer(tmp_path) as server:
        down = f"sftp://{'ycpress'}@127.0.0.1:{free_port()}/incoming/"
        known_hosts = tmp_path / "known_hosts"  # (a missing one is said before connecting)
        known_hosts.write_text("")
        site.configure(
            deliver_section(
                target_yaml(server, "up"),
                f"- name: down\n  url: {down}\n  formats: [newsml]\n"
                "  credentials: {password: env:PARTNER_PASSWORD}\n"
                f"  known_hosts: {known_hosts}\n",
            )
        )
        site.export()
        capsys.readouterr()
        assert site.deliver() == 1, "not every target is current"
        assert server.files() == site.files(), "the target that is up is current"
        err = capsys.readouterr().err
        assert f"error: down ({down}): sending " in err
        assert "after 3 attempts" in err
        assert PASSWORD not in err
        assert "syndicate.yaml:" in err, "the problem points at the target in syndicate.yaml"
        ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
        assert ledger.is_file()
        # Nothing was recorded for the target that is down: all of it goes next time.
        assert site.deliver("--dry-run", "--target", "down") == 0
        listed = capsys.readouterr().out
        assert listed.count("  new ") == len(site.files("newsml"))


@pytest.mark.parametrize(
    ("kind", "fault", "expected"),
    [
        ("ftp", "password", "FTP 530"),
        ("sftp", "password", "Permission denied"),
        ("sftp", "host key", "Host key is not trusted"),
        ("s3", "password", "Access Key Id you provided does not exist"),
        ("http", "403", "HTTP 403 Forbidden"),
        ("ftp", "disk full", "transfer aborted"),
        ("sftp", "disk full", "No space left on device"),
        ("sftp", "generic failure", "SFTP Failure): it may be out of space or refused the write"),
        ("http", "disk full", "HTTP 507"),
    ],
)
def test_refusals_are_reported_and_nothing_is_recorded(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    fault: str,
    expected: str,
) -> None:
    with SERVERS[kind](tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        if fault == "password":
            monkeypatch.setenv("PARTNER_PASSWORD", "wrong-password-123")
            monkeypatch.setenv("S3_KEY", "wrong-password-123")
        elif fault == "host key":
            assert isinstance(server, SftpServer)
            other = tmp_path / "other_known_hosts"
            other.write_text(f"[127.0.0.1]:{server.port} ssh-ed25519 " + "A" * 68 + "\n")
            site.configure(
                deliver_section(target_yaml(server)).replace(str(server.known_hosts), str(other))
            )
        elif fault == "403":
            server.faults.fail, server.faults.status = 100, 403
        elif fault == "generic failure":  # OpenSSH's sftp-server says a full disk so
            server.faults.generic_failure = True
        else:
            server.faults.disk_full = True
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert expected in err, err
        assert "wrong-password-123" not in err and PASSWORD not in err
        if fault in ("password", "host key", "403"):
            # A refusal is not tried again, and a new run changes nothing until it is fixed.
            assert "run deliver again" not in err, err
        if fault == "403":
            assert isinstance(server, HttpReceiver)
            assert server.requests == 1, "a 4xx is not tried again"
        # Once the server is fixed, everything goes: nothing was recorded as delivered.
        monkeypatch.setenv("PARTNER_PASSWORD", PASSWORD)
        monkeypatch.setenv("S3_KEY", "testing")
        site.configure(deliver_section(target_yaml(server)))
        server.faults.fail, server.faults.disk_full = 0, False
        server.faults.generic_failure = False
        assert site.deliver() == 0
        assert server.files() == site.files()


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_a_write_the_partner_s_full_disk_refused_leaves_no_temporary_file(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A file refused midway by a full disk stayed on the partner's server under its
    temporary name, holding the space it had taken until the next delivery cleared it (the
    partner's own programs then found the disk as full as syndicate left it)."""
    with SERVERS[kind](tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        server.faults.disk_full = True
        capsys.readouterr()
        assert site.deliver() == 1
        assert "[deliver.failed]" in capsys.readouterr().err
        assert not [path for path in server.files() if TEMPORARY_SUFFIX in path]
        server.faults.disk_full = False
        assert site.deliver() == 0
        assert server.files() == site.files()


def test_a_file_an_sftp_server_kept_only_part_of_never_takes_its_place(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SFTP server on asyncssh whose disk fills keeps what fit of a file and answers
    every write with success (a short write it does not check): the half file was renamed
    into place and recorded as delivered, and the partner ingested it; the next runs sent
    nothing. The size written is checked before the rename: the temporary file is removed,
    the target fails, and the next run, once there is room, sends the whole file."""
    with SftpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        big = site.out / "newsml" / "desk-report.xml"
        big.write_bytes(b"<report>" + b"x" * 200_000 + b"</report>")
        server.faults.short_write = 60_000
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "[deliver.failed]" in err, err
        assert "kept 60000 of 200017 bytes of the file, saying nothing of the rest;" in err, err
        # the advice of every full disk, worded in one place
        assert "the partner's server is out of space (or over its quota): ask the" in err, err
        held = server.files()
        assert all(len(data) == len(site.files("newsml")[path]) for path, data in held.items())
        assert not [path for path in held if TEMPORARY_SUFFIX in path]
        server.faults.short_write = None
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


def test_an_ftp_server_that_fills_up_midway_through_a_large_file_is_heard(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An FTP server whose disk fills while a large file is coming closes the data connection
    and says why on the control one; syndicate, still sending, heard only "Connection reset
    by peer", never read the reply, and left the file's part on the partner's full disk
    under its temporary name until the next run. The server's own words are said, with who
    can free the space, and the part is removed at once."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        (site.out / "newsml" / "desk-report.xml").write_bytes(b"<r>" + b"x" * 4_000_000 + b"</r>")
        server.faults.disk_room = 200_000  # the images and items fit, the report does not
        # The reply is waited for as long as any on the connection (`retry.timeout`), not
        # `REPLY_WAIT`: this server's thread, starved on a loaded machine, may send its 426
        # seconds after the cut, and the reset alone would then be said.
        monkeypatch.setattr(remotes, "REPLY_WAIT", 3600.0)
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "FTP 426 No space left on device" in err, err
        assert "the partner's server is out of space" in err, err
        assert "Connection reset" not in err and "Broken pipe" not in err, err
        assert "sending newsml/desk-report.xml" in err, err
        assert not [path for path in server.files() if TEMPORARY_SUFFIX in path]
        server.faults.disk_room = None
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


REMOVED = (
    "the part of it written under its own name (rename: false) was removed, so that the"
    " partner does not ingest half a file"
)
"""What a failed delivery says of a file written under its own name that it removed."""


@pytest.mark.parametrize("kind", ["sftp", "ftp"])
def test_a_short_write_under_its_own_name_is_removed_at_once(
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    """With `rename: false` (files written straight under their names, for a partner that
    picks them up at once) a file the server kept only part of (an SFTP server's unchecked
    short write, an FTP transfer its full disk aborted) stayed there under its name until
    the next run: the partner's ingest took a truncated report. It is removed at once, the
    message says so (the out-of-space advice once), and the target no longer counts as
    holding the version it replaced: sent again even if out/ goes back to it."""
    monkeypatch.setattr(remotes, "REPLY_WAIT", 3600.0)  # (see the FTP test above)
    report = site.out / "newsml" / "desk-report.xml"
    with SERVERS[kind](tmp_path) as server:
        site.configure(
            deliver_section(target_yaml(server, formats="[newsml]") + "  rename: false\n")
        )
        site.export()
        report.write_bytes(b"<r>first</r>")
        assert site.deliver() == 0
        report.write_bytes(b"<r>" + b"x" * 4_000_000 + b"</r>")
        if isinstance(server, SftpServer):
            server.faults.short_write, said = 60_000, "the server kept 60000 of 4000007 bytes"
        else:
            server.faults.disk_room, said = 200_000, "FTP 426 No space left on device"
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert f"sending newsml/desk-report.xml: {said}" in err, err
        assert REMOVED in err, err
        assert err.count("the partner's server is out of space") == 1, err
        held = server.files()
        assert "newsml/desk-report.xml" not in held
        assert held == {p: d for p, d in site.files("newsml").items() if p in held}
        server.faults.short_write = server.faults.disk_room = None
        report.write_bytes(b"<r>first</r>")  # out/ as when it was last delivered whole
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


@pytest.mark.parametrize("kind", ["sftp", "ftp"])
def test_a_write_refused_before_any_byte_keeps_the_file_it_would_replace(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """With `rename: false`, a write the server refuses before taking any of the file (an
    SFTP permission, an FTP STOR answered 451) left the version before it whole: it is not
    removed with the parts of writes that failed midway."""
    report = site.out / "newsml" / "desk-report.xml"
    with SERVERS[kind](tmp_path) as server:
        site.configure(
            deliver_section(target_yaml(server, formats="[newsml]") + "  rename: false\n")
        )
        site.export()
        report.write_bytes(b"<r>first</r>")
        assert site.deliver() == 0
        report.write_bytes(b"<r>second</r>")
        if isinstance(server, SftpServer):
            server.faults.read_only = True
        else:
            server.faults.fail = 100
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "sending newsml/desk-report.xml" in err and REMOVED not in err, err
        assert server.files()["newsml/desk-report.xml"] == b"<r>first</r>"


@pytest.mark.parametrize(
    "words",
    ["File already exists", "The process cannot access the file because it is being used"],
)
def test_an_sftp_write_refused_at_its_opening_keeps_the_file_it_would_replace(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], words: str
) -> None:
    """With `rename: false`, an SFTP server that refuses to open the file for writing with
    other words than a permission (a drop box that will not overwrite a file, a Windows
    server whose partner's ingest holds it open: SSH_FX_FAILURE) took none of it and left
    the version there whole; the write counted as begun when asked for, so that version, the
    partner's last good file, was deleted and said to be "the part written"."""
    report = site.out / "newsml" / "desk-report.xml"
    with SftpServer(tmp_path) as server:
        site.configure(
            deliver_section(target_yaml(server, formats="[newsml]") + "  rename: false\n")
        )
        site.export()
        report.write_bytes(b"<r>first</r>")
        assert site.deliver() == 0
        report.write_bytes(b"<r>second</r>")
        server.faults.refused_open = words
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "sending newsml/desk-report.xml" in err and REMOVED not in err, err
        assert server.files()["newsml/desk-report.xml"] == b"<r>first</r>"
        server.faults.refused_open = None
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


def test_a_part_a_lost_connection_left_under_its_own_name_is_sent_over(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With `rename: false`, a write the lost connection cut midway leaves its part there
    under the file's name (it cannot be reached to remove it): the ledger still said the
    target held the version before it, so a next run with out/ back at that version sent
    nothing, and the partner kept the part for good. The next run sends the file over."""
    report = site.out / "newsml" / "desk-report.xml"
    with SftpServer(tmp_path) as server:
        site.configure(
            deliver_section(target_yaml(server, formats="[newsml]") + "  rename: false\n")
        )
        site.export()
        report.write_bytes(b"<r>first</r>")
        assert site.deliver() == 0
        report.write_bytes(b"<r>" + b"x" * 4_000_000 + b"</r>")
        server.faults.dropped_at = 60_000
        assert site.deliver() == 1
        assert len(server.files()["newsml/desk-report.xml"]) == 60_000
        server.faults.dropped_at = None
        report.write_bytes(b"<r>first</r>")  # out/ as when it was last delivered whole
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


def test_a_part_removed_by_an_earlier_try_is_not_forgotten_by_the_last(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `rename: false`, an FTP transfer a full disk aborted (426, tried again) has its
    part removed; when the next try is then refused at its STOR (451, before any byte), that
    last failure was all the run heard: the ledger still held the version the first try had
    overwritten and removed, and the error did not say the file was gone. The next run, out/
    back at that version, sent nothing, and the partner never had the file again."""
    monkeypatch.setattr(remotes, "REPLY_WAIT", 3600.0)  # (see the FTP test above)

    class FillsThenRefuses(Faults):
        """The first STOR is taken and its disk fills; every later one is refused at once."""

        stors = 0

        def take_failure(self) -> bool:
            self.stors += 1
            return self.stors > 1

    report = site.out / "newsml" / "desk-report.xml"
    with FtpServer(tmp_path) as server:
        site.configure(
            deliver_section(target_yaml(server, formats="[newsml]") + "  rename: false\n")
        )
        site.export()
        report.write_bytes(b"<r>first</r>")
        assert site.deliver() == 0
        report.write_bytes(b"<r>" + b"x" * 4_000_000 + b"</r>")
        server.faults = FillsThenRefuses(disk_room=200_000)
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "sending newsml/desk-report.xml: FTP 451" in err and REMOVED in err, err
        assert "newsml/desk-report.xml" not in server.files()
        server.faults = Faults()
        report.write_bytes(b"<r>first</r>")  # out/ as when it was last delivered whole
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


def test_a_file_cut_short_in_a_folder_is_removed_at_once(site: Site, tmp_path: Path) -> None:
    """A `file://` target with `rename: false` (a share a partner's ingest watches): a write
    its disk cut short (here a file size limit) stayed in the folder under its name, the
    first megabyte of the file, until the next run."""
    import resource

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY))

    folder = LocalFolder(tmp_path / "partner")
    site.configure(deliver_section(target_yaml(folder, formats="[newsml]") + "  rename: false\n"))
    site.export()
    (site.out / "newsml" / "desk-report.xml").write_bytes(b"<r>" + b"x" * 4_000_000 + b"</r>")
    command = [sys.executable, "-m", "syndicate", "deliver", "--config", str(site.config)]
    command += ["--out", str(site.out)]
    done = subprocess.run(
        command, cwd=site.root, capture_output=True, text=True, timeout=120, preexec_fn=small_files
    )
    assert done.returncode == 1, done.stderr
    assert f"sending newsml/desk-report.xml: File too large; {REMOVED}" in done.stderr
    held = folder.files()
    assert "newsml/desk-report.xml" not in held
    assert held == {p: d for p, d in site.files("newsml").items() if p in held}
    assert site.deliver() == 0
    assert folder.files() == site.files("newsml")


def test_a_full_disk_or_a_quota_is_said_with_what_to_do(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server out of space (SFTP's "No space left on device") was said in the server's
    words alone, with no word of who can fix it: the partner, by freeing space."""
    with SftpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        server.faults.disk_full = True
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert f"partner ({server.url}): sending atom/" in err
        assert (
            "No space left on device; the partner's server is out of space (or over its"
            " quota): ask the partner to free some"
        ) in err
        assert "run deliver again" not in err, "a refusal: refused again until space is freed"


def test_a_full_disk_of_a_folder_target_is_not_the_partners(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `file://` target is a folder of this machine (or a share mounted on it): its full disk
    was said to be "the partner's server", to be freed by the partner."""
    from syndicate.deliver.remotes import FsspecRemote

    def full(self: object, *written: object) -> None:  # (path, data, begun)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    folder = LocalFolder(tmp_path / "partner")
    site.configure(deliver_section(target_yaml(folder)))
    site.export()
    monkeypatch.setattr(FsspecRemote, "_write", full)
    capsys.readouterr()
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert "ask the partner" not in err, err
    assert (
        f"No space left on device; the disk holding {folder.root} is full (or its quota"
        " reached): free some space there"
    ) in err, err


@pytest.mark.parametrize(
    "error",
    [
        ftplib.error_perm("552 Requested file action aborted. Exceeded storage allocation."),
        ftplib.error_temp("452 Insufficient storage space."),
        OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)),
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
        HttpStatusError(507, "Insufficient Storage"),  # WebDAV's, an ingest endpoint's
    ],
)
def test_every_way_a_server_says_it_is_full_is_known(error: Exception) -> None:
    from syndicate.deliver.remotes import out_of_space

    assert out_of_space(error)
    assert not out_of_space(ftplib.error_perm("550 Permission denied."))


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_a_percent_encoded_user_name_is_decoded_before_the_login(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
) -> None:
    """A login holding `@` (shared hosting's "ycpress@paper.example"), written `%40` as RFC
    3986 asks, went to the server as written: "FTP 530 Authentication failed"."""
    monkeypatch.setattr(servers, "USER", "ycpress@paper.example")
    with SERVERS[kind](tmp_path) as server:
        server.url = server.url.replace("ycpress@paper.example@", "ycpress%40paper.example@")
        assert "%40" in server.url
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        capsys.readouterr()
        assert site.deliver() == 0, capsys.readouterr().err
        assert server.files() == site.files()


@pytest.mark.parametrize(
    ("kind", "fault", "expected"),
    [
        ("ftp", "password", "the login to 127.0.0.1 failed: FTP 530"),
        ("sftp", "password", "the login to 127.0.0.1 failed: Permission denied"),
        ("sftp", "host key", "connecting to 127.0.0.1 failed: Host key is not trusted"),
        ("s3", "password", "the store refused the keys: The AWS Access Key Id"),
        ("http", "password", "the endpoint 127.0.0.1 refused the credentials: HTTP 401"),
    ],
)
def test_a_refused_login_is_said_as_the_connection_s_with_what_to_fix(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    fault: str,
    expected: str,
) -> None:
    """A wrong password or an unknown host key was said "sending newsml/media/...png: FTP
    530 ...": blamed on the first file, with no word of the login nor of the setting to fix.
    So was an HTTP push's 401 for a wrong HMAC secret or token."""
    with SERVERS[kind](tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        other = tmp_path / "other_known_hosts"
        if kind == "http":
            (site.root / "hmac.secret").write_text("wrong-password-123\n")
        elif fault == "password":
            monkeypatch.setenv("PARTNER_PASSWORD", "wrong-password-123")
            monkeypatch.setenv("S3_KEY", "wrong-password-123")
        else:
            assert isinstance(server, SftpServer)
            other.write_text(f"[127.0.0.1]:{server.port} ssh-ed25519 " + "A" * 68 + "\n")
            site.configure(
                deliver_section(target_yaml(server)).replace(str(server.known_hosts), str(other))
            )
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        line = next(line for line in err.splitlines() if "[deliver.failed]" in line)
        assert expected in line, line
        assert ": sending " not in line and "run deliver again" not in line
        assert "wrong-password-123" not in err
        if fault == "host key":
            assert f"ssh-keyscan -p {server.port} 127.0.0.1 >> {other}, then compare" in line
        elif kind == "s3":
            assert "check credentials.access_key_id (env:S3_KEY) and" in line
        elif kind == "http":
            assert "; check credentials.hmac_secret (file:hmac.secret)" in line, line
        else:
            assert "check the user name in url (ycpress) and credentials.password" in line
            assert "(env:PARTNER_PASSWORD)" in line


def test_a_push_refused_for_a_clock_gone_back_names_the_clock(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each signed push carries this machine's time, and a receiver refuses a request a few
    minutes off: after the clock went back (a virtual machine resumed, NTP stepping it), every
    run failed with "check credentials.hmac_secret", and a secret checked and found right left
    the operator nowhere. The clock is named beside the secret; the next run once the clock is
    right delivers everything."""
    with HttpReceiver(tmp_path, secret=SECRET) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        server.clock_ahead = 3600.0  # this machine's clock an hour behind the receiver's
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "HTTP 401" in err and "check credentials.hmac_secret (file:hmac.secret)" in err
        assert "this machine's clock" in err and "X-Syndicate-Timestamp" in err, err
        assert not server.files()
        server.clock_ahead = 0.0
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")


@pytest.mark.parametrize("kind", ["ftp", "sftp"])
def test_a_login_refused_for_a_url_with_no_user_says_so(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A url with no user name (FTP then logs in anonymously, SFTP as this machine's user)
    was told "check the user name in url ()": an empty pair of brackets to check."""
    with SERVERS[kind](tmp_path) as server:
        target = target_yaml(server, formats="[atom]").replace("ycpress@", "")
        site.configure(deliver_section(target))
        site.export("atom")
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "url ()" not in err, err
        assert f"check url, which names no user (write it before the host: {kind}://USER@" in err


def test_a_server_refusing_renames_is_told_how_to_deliver_to_it(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An upload-only drop box (every rename refused) could never be delivered to, and each
    try left a `.name.syndicate-part` file on the partner's server."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        server.faults.no_rename = True
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "the server refuses to rename a file written under a temporary name; if it" in err
        assert "set rename: false on this target" in err
        assert not [p for p in server.files() if p.endswith(".syndicate-part")]
        site.configure(deliver_section(target_yaml(server) + "  rename: false\n"))
        assert site.deliver() == 0
        assert server.files() == site.files()


def test_a_large_file_goes_to_ftp_as_one_plain_stor(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """fsspec wrote a file of 64 KiB or more (a photo, a book) as STOR, then `REST <size>` and
    an empty STOR, which ProFTPD refuses by default ("Append/Restart not permitted"): such a
    file could never be delivered. The server here refuses a STOR after a REST, as ProFTPD
    does."""
    with FtpServer(tmp_path) as server:
        handler = server.server.handler
        stor = handler.ftp_STOR

        def refusing_restarts(self: Any, file: str, mode: str = "w") -> Any:
            if self._restart_position:
                self._restart_position = 0
                self.respond(f"451 {file}: Append/Restart not permitted, try again")
                return None
            return stor(self, file, mode)

        monkeypatch.setattr(handler, "ftp_STOR", refusing_restarts)
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        big = bytes(range(256)) * 1024  # 256 KiB, four of fsspec's blocks
        (site.out / "html" / "big.bin").write_bytes(big)
        capsys.readouterr()
        assert site.deliver() == 0, capsys.readouterr().err
        assert server.files()["html/big.bin"] == big
        assert server.files() == site.files()
        assert not [p for p in server.files() if p.endswith(".syndicate-part")]


def stopped_midway(site: Site, root: Path, page: str) -> Path:
    """What a run killed while uploading `page` to the target whose folder is `root` leaves:
    the upload in the ledger, and half the file under its temporary name, which is
    returned."""
    Ledger(state_folder(site.out, cache_folder(site.config, site.out))).sending("partner", page)
    folder, _, name = page.rpartition("/")
    half = root / folder / f".{name}.syndicate-part"
    half.write_bytes((site.out / page).read_bytes()[:40])
    return half


def test_an_upload_stopped_midway_leaves_nothing_on_the_target(site: Site, tmp_path: Path) -> None:
    """A run killed (or given up on) midway left the file's temporary copy on the partner's
    server; once the file left out/ (its story deleted or killed), nothing ever removed it,
    and the target was said current. Here a run was killed just after writing the temporary
    copy of one of the second story's pages, before renaming it."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        assert site.deliver() == 0
        half = stopped_midway(site, server.root, f"html/{SECOND_SLUG}.en.html")
        shutil.rmtree(site.articles / SECOND_SLUG)  # its files leave out/
        site.export()
        assert site.deliver() == 0
        assert not half.exists()
        assert server.files() == site.files()


def test_an_unfinished_upload_that_cannot_be_cleared_fails_that_target_alone(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Clearing the temporary file of an upload stopped midway failed on a server that was
    down: the retries' last failure was said as "sending" the first change planned (with
    none planned, an IndexError traceback), and the targets after it got nothing."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        assert site.deliver() == 0
    page = f"newsml/{SECOND_SLUG}.en.xml"
    Ledger(state_folder(site.out, cache_folder(site.config, site.out))).sending("partner", page)
    archive = LocalFolder(tmp_path)  # added while the partner's server is down
    site.configure(
        deliver_section(
            target_yaml(server, formats="[newsml]"), target_yaml(archive, "archive", "[newsml]")
        )
    )
    capsys.readouterr()
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"partner ({server.url}): clearing the unfinished upload of {page}: " in err
    assert "0 of 0 changes" not in err
    assert archive.files() == site.files("newsml"), "the target after it is delivered"
    site.replace(SAMPLE_SLUG, "en.md", "NATO", "Nato")  # with changes due, the same is said
    site.export()
    capsys.readouterr()
    assert site.deliver() == 1
    assert f"clearing the unfinished upload of {page}: " in capsys.readouterr().err


def test_a_file_the_partner_already_removed_is_deleted_on_ftp_too(
    site: Site, tmp_path: Path
) -> None:
    """A partner's ingest takes files away. FTP answers the deletion of a file already gone
    with 550, which was a refusal: the story's other deletions never happened and the target
    stayed "not current" on every run. A file gone is deleted (as on SFTP, S3 and HTTP); a
    550 for a file still there is the refusal it says."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        assert site.deliver() == 0
        (server.root / "newsml" / f"{SECOND_SLUG}.en.xml").unlink()  # taken by the ingest
        shutil.rmtree(site.articles / SECOND_SLUG)
        site.export()
        assert site.deliver() == 0
        assert server.files() == site.files("newsml")
        assert site.deliver("--dry-run") == 0


def test_a_target_that_never_deletes_keeps_what_leaves_out(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ingest endpoint that takes PUT only (DELETE answered 405) failed every run at the
    first file gone from out/, the target never current again. `delete: false` keeps such
    files there and forgets them: the run is current, the next has nothing to do."""
    with HttpReceiver(tmp_path, secret=SECRET) as server:
        server.faults.no_delete = True
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        assert site.deliver() == 0
        held = server.files()
        shutil.rmtree(site.articles / SECOND_SLUG)
        site.export()
        gone = sorted(set(held) - set(site.files("newsml")))
        assert gone and all(SECOND_SLUG in path for path in gone)
        capsys.readouterr()
        assert site.deliver() == 1, "405 to each DELETE: not current"
        err = capsys.readouterr().err
        assert "HTTP 405 Method Not Allowed; if this target never deletes files" in err
        assert "set delete: false on it" in err, "the refusal says what to change"
        kept = target_yaml(server, formats="[newsml]") + "  delete: false\n"
        site.configure(deliver_section(kept))
        assert site.deliver("--dry-run") == 0
        listed = capsys.readouterr().out
        assert all(f"keep    {path}" in listed for path in gone)
        assert f"{len(gone)} to keep there (delete: false)" in listed
        assert site.deliver() == 0
        assert f"{len(gone)} kept there" in capsys.readouterr().err
        assert server.files() == held | site.files("newsml"), "kept there; the rest current"
        server.events.clear()
        assert site.deliver() == 0
        assert "current, nothing to send" in capsys.readouterr().err
        assert not server.events


def test_an_ftp_server_refusing_deletions_is_told_how_to_deliver_to_it(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An FTP drop box whose user may not delete (550 to DELE, the file still there) failed
    each run with the 550 alone, never saying that `delete: false` is the fix."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export()
        assert site.deliver() == 0
        server.server.handler.authorizer.user_table[servers.USER]["perm"] = "elrafmwMT"
        shutil.rmtree(site.articles / SECOND_SLUG)
        site.export()
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert f"partner ({server.url}): deleting newsml/" in err
        assert "FTP 550" in err and "set delete: false on it" in err
        assert "run deliver again" not in err, "a refusal: a new run changes nothing"


def test_a_busy_delivery_names_out_as_it_can_be_pasted_where_it_was_typed(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`syndicate --site site deliver` from the site's parent, refused by a delivery under
    way, said "another syndicate deliver is running for out": the site folder's view. It
    names `site/out`, a folder the user can paste where they typed the command."""
    import fcntl

    from syndicate.deliver.delivery import LOCK_NAME

    mirror = tmp_path / "mirror"
    site.configure(
        deliver_section(f"- name: desk\n  url: {mirror.as_uri()}/\n  formats: [ninjs]\n")
    )
    site.export("ninjs")
    lock = state_folder(site.out, cache_folder(site.config, site.out)) / LOCK_NAME
    monkeypatch.chdir(site.root.parent)
    capsys.readouterr()
    handle = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert site.cli("--site", site.root.name, "deliver") == 75
    finally:
        os.close(handle)
    err = capsys.readouterr().err
    assert f"another syndicate deliver is running for {site.root.name}/out (lock" in err, err


def test_a_state_folder_deliver_cannot_write_is_no_busy_lock(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """out/'s build state folder made read-only (a cache folder of another user's, a disk
    remounted read-only) was said `deliver.busy`, the code of a delivery under way, which a
    cron job's wrapper may take for "try again later" too. It is a file-system failure of its
    own (`deliver.state`), exit status 1 as for every output that could not be written, and
    names the folder and what to do; nothing is sent."""
    from conftest import unwritable

    from syndicate.deliver.delivery import LOCK_NAME

    mirror = tmp_path / "mirror"
    site.configure(
        deliver_section(f"- name: desk\n  url: {mirror.as_uri()}/\n  formats: [ninjs]\n")
    )
    site.export("ninjs")
    folder = state_folder(site.out, cache_folder(site.config, site.out))
    assert not (folder / LOCK_NAME).exists()
    capsys.readouterr()
    with unwritable(folder):
        assert site.deliver() == 1
    err = capsys.readouterr().err
    assert "[deliver.busy]" not in err, err
    assert f"error: cannot write to {folder}: " in err and "[deliver.state]" in err, err
    assert "nothing was sent" in err, err
    # what to do is said once, in the words export and serve --watch use of that folder
    assert "SYNDICATE_CACHE_DIR" in err and err.count("write access") == 1, err
    assert "make the folder writable" not in err, err
    assert not mirror.exists(), "nothing sent"
    assert site.deliver() == 0, "writable again: delivered"


def test_a_state_folder_made_read_only_after_a_delivery_says_what_to_do(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once a delivery has made its lock file (which opens still), a read-only state folder
    fails at the ledger, SQLite making no journal there: that was "cannot open the delivery
    ledger ...: unable to open database file", with nothing to do. It is told as the lock's
    folder is (`unwritable_folder`), with the lock's code (`deliver.state`): it was
    `deliver.ledger`, the code of a ledger at fault itself."""
    from conftest import unwritable

    mirror = tmp_path / "mirror"
    site.configure(
        deliver_section(f"- name: desk\n  url: {mirror.as_uri()}/\n  formats: [ninjs]\n")
    )
    site.export("ninjs")
    assert site.deliver() == 0
    site.replace(SECOND_SLUG, "story.yaml", "version: 1", "version: 2")
    site.replace(SECOND_SLUG, "en.md", "NATO", "Nato")
    site.export("ninjs")
    folder = state_folder(site.out, cache_folder(site.config, site.out))
    capsys.readouterr()
    with unwritable(folder):
        assert site.deliver() == 1
    err = capsys.readouterr().err
    assert f"error: cannot write to {folder}: " in err, err
    assert "set SYNDICATE_CACHE_DIR to a folder it can write" in err, err
    assert "unable to open database file" not in err, err
    # one cause, one code, whether the lock was made before or not (a cron job matches codes)
    assert "nothing was sent" in err and "[deliver.state]" in err, err
    assert "[deliver.ledger]" not in err, err
    assert site.deliver() == 0, "writable again: delivered"


def test_a_killed_run_resumes(site: Site, tmp_path: Path) -> None:
    with HttpReceiver(tmp_path, secret=SECRET) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        server.faults.block_at = 6
        command = [sys.executable, "-m", "syndicate", "deliver", "--config", str(site.config)]
        command += ["--out", str(site.out)]
        process = subprocess.Popen(command, cwd=site.root, stderr=subprocess.PIPE)
        try:
            assert server.faults.blocked.wait(60), "the sixth file never arrived"
            # A second run while the first one holds the lock is refused at once.
            second = subprocess.run(command, cwd=site.root, capture_output=True, text=True)
            assert second.returncode == 75  # (EX_TEMPFAIL: a cron job tries again later)
            assert "another syndicate deliver is running" in second.stderr
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        finally:
            process.kill()
            server.faults.release.set()
            if process.stderr:
                process.stderr.close()
        before = list(server.puts())
        assert len(before) == 5
        server.events.clear()
        assert site.deliver() == 0
        resent = server.puts()
        assert not set(before) & set(resent), "what was delivered is not sent again"
        assert server.files() == site.files()


def exported_to_a_folder(site: Site, tmp_path: Path) -> LocalFolder:
    """The site exported, with one delivery target: a folder, not written yet."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder)))
    site.export()
    return folder


def test_dry_run_lists_in_order_and_sends_nothing(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = exported_to_a_folder(site, tmp_path)
    capsys.readouterr()
    assert site.deliver("--dry-run") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0] == f"partner {folder.url}: {len(site.files())} to send"
    paths = [line.split()[1] for line in listed[1:]]
    assert sorted(paths) == sorted(site.files())
    assert paths[0].endswith(".png"), "assets first"
    assert f"  new     newsml/{SAMPLE_SLUG}.en.xml  (version 1)" in listed
    assert not folder.root.exists()
    assert site.deliver() == 0
    # Withdrawn (a new version): its books and feed entries go, deleted at the target.
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    site.replace(SAMPLE_SLUG, "story.yaml", "version: 1", "version: 2")
    site.replace(
        SAMPLE_SLUG, "story.yaml", "updated: 2021-02-18T19:30", "updated: 2021-02-19T19:30"
    )
    site.export()
    assert site.deliver("--dry-run") == 0
    listed = capsys.readouterr().out.splitlines()
    deletes = [line for line in listed if line.startswith("  delete")]
    assert deletes and listed[-len(deletes) :] == deletes, "deletions last"


def test_a_dry_run_under_json_is_one_json_object_a_target(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = exported_to_a_folder(site, tmp_path)
    capsys.readouterr()
    assert site.deliver("--dry-run", "--log-format", "json") == 0
    captured = capsys.readouterr()
    (plan,) = [json.loads(line) for line in captured.out.splitlines()]
    assert plan["target"] == "partner" and plan["url"] == folder.url
    assert plan["plan"] == "ready" and plan["clear"] == []
    assert sorted(c["path"] for c in plan["changes"]) == sorted(site.files())
    first = {"kind": "new", "path": f"newsml/{SAMPLE_SLUG}.en.xml", "version": 1}
    assert first in plan["changes"]
    for line in captured.err.splitlines():
        json.loads(line)  # the summary, as JSON too
    assert not folder.root.exists()


def test_a_section_filtered_target_gets_its_section_pages(site: Site, tmp_path: Path) -> None:
    """The HTML format's section pages (`html/<lang>/<section>.html`) are their section's, as
    a section feed is: a `sections: [world]` target gets world's and not politics', with
    the pages of every story of `world` and the files of no section (the language lists)."""
    site.replace(SECOND_SLUG, "story.yaml", "section: politics", "section: world")
    folder = LocalFolder(tmp_path / "partner")
    target = target_yaml(folder, "partner", "[html]") + "  sections: [world]\n"
    site.configure(deliver_section(target))
    site.export("html")
    assert (site.out / "html/fr/politics.html").is_file()
    assert site.deliver() == 0
    got = folder.files()
    langs = ("en", "fr", "ar", "zh-Hans", "de", "es")
    assert sorted(p for p in got if p.count("/") == 2 and "/media/" not in p) == sorted(
        f"html/{lang}/world.html" for lang in langs
    )
    assert f"html/{SECOND_SLUG}.fr.html" in got and "html/index.fr.html" in got
    assert not [p for p in got if SAMPLE_SLUG in p or "politics" in p]


def test_a_section_coded_as_a_language_is_told_apart_from_it(site: Site, tmp_path: Path) -> None:
    """A section coded as a site language is (`de`, as `it` for information technology on a
    site in Italian): German's feeds and lists were taken for that section's, and its pages
    in German (`html/de/politics.html`) too, so a target of other sections lost them, and
    one of that section got German's whole."""
    site.replace(SECOND_SLUG, "story.yaml", "section: politics", "section: de")
    folder = LocalFolder(tmp_path / "partner")
    target = target_yaml(folder, "partner", "[html, atom]") + "  sections: [politics]\n"
    site.configure(deliver_section(target))
    site.export("html", "atom")
    assert (site.out / "html/en/de.html").is_file() and (site.out / "atom/en/de.xml").is_file()
    assert site.deliver() == 0
    got = folder.files()
    for path in (
        "atom/de.xml",
        "html/index.de.html",
        "html/de/politics.html",
        "atom/de/politics.xml",
    ):
        assert path in got, path
    assert not [p for p in got if p.endswith(("/de.html", "/de.xml")) and p.count("/") == 2]


def test_a_section_coded_archive_keeps_a_language_s_feed_archives(
    sample_story: Story, tmp_path: Path
) -> None:
    """A section may be coded `archive`: the French feed's archive pages
    (`atom/fr/archive/1.xml`) were taken for that section's, so a target of sections
    [politics] lost them. The section's own are `atom/fr/archive.xml` and
    `atom/fr/archive/archive/1.xml`."""
    stories = [
        StorySummary.of(replace(sample_story, section=section))
        for section in ("politics", "archive")
    ]
    inventory = Inventory(tmp_path, ["en", "fr"], [], stories=stories)
    sections = {
        path: inventory.describe(path).section
        for path in (
            "atom/fr/archive/1.xml",
            "atom/fr/archive.xml",
            "atom/fr/archive/archive/2.xml",
            "atom/fr/politics/archive/1.xml",
        )
    }
    assert sections == {
        "atom/fr/archive/1.xml": None,
        "atom/fr/archive.xml": "archive",
        "atom/fr/archive/archive/2.xml": "archive",
        "atom/fr/politics/archive/1.xml": "politics",
    }


def test_a_file_over_every_section_is_no_section_s_whatever_a_section_is_coded(
    sample_story: Story, tmp_path: Path
) -> None:
    """A file of no story was taken for a section's wherever a folder or name of its path
    spelled the section's code: with a section coded `index`, `catalog`, `logo`, `pages` or
    `covers`, the language lists, the OPDS and NewsML-G2 catalogs, the feeds' logos, the
    sitemap of pages and the editions' covers went only to targets of that section. A
    section's own file is the one right after its language's folder."""
    codes = ("politics", "index", "catalog", "logo", "pages", "covers", "edition-fr")
    stories = [StorySummary.of(replace(sample_story, section=code)) for code in codes]
    inventory = Inventory(tmp_path, ["en", "fr"], [], stories=stories)
    over_every = (
        "html/index.html",
        "html/index.fr.html",
        "opds/catalog.xml",
        "newsml/catalog.syndicate.xml",
        "atom/logo.png",
        "partners/msn/logo.png",
        "sitemaps/pages.xml",
        "sitemaps/index.xml",
        "opds/covers/edition-fr.png",
        "epub/edition-fr.epub",
    )
    for path in over_every:
        assert inventory.describe(path).section is None, path
    assert inventory.describe("html/fr/index.html").section == "index"
    assert inventory.describe("atom/fr/catalog.xml").section == "catalog"
    assert inventory.describe("partners/msn/fr/logo.xml").section == "logo"
    assert inventory.describe("html/en/pages.2.html").section == "pages"


def test_a_site_static_file_in_a_language_folder_is_no_section_s(
    site: Site, tmp_path: Path
) -> None:
    """A designer's `templates/fr/politics.css`, published as `html/fr/politics.css`, was
    taken for section politics' file (its path is a section page's): a target of other
    sections never got the stylesheet its French pages may link. The site's static files
    are known as such: of no language or section."""
    site.replace(SECOND_SLUG, "story.yaml", "section: politics", "section: world")
    (site.root / "templates/fr").mkdir(parents=True)
    (site.root / "templates/fr/politics.css").write_text("h1 { color: teal }\n", "utf-8")
    folder = LocalFolder(tmp_path / "partner")
    target = target_yaml(folder, "partner", "[html]") + "  sections: [world]\n"
    site.configure(deliver_section(target))
    site.export("html")
    assert site.deliver() == 0
    got = folder.files()
    assert got["html/fr/politics.css"] == b"h1 { color: teal }\n"
    assert "html/fr/world.html" in got and "html/fr/politics.html" not in got


def test_a_partner_profile_named_like_a_section_is_no_section_s(site: Site, tmp_path: Path) -> None:
    """A profile named `politics` writes `partners/politics/`: every file of it was taken
    for section politics', so a target of sections [world] got none of the profile it
    lists. A file's section (and language) is read inside its format's folder."""
    site.replace(SECOND_SLUG, "story.yaml", "section: politics", "section: world")
    folder = LocalFolder(tmp_path / "partner")
    target = target_yaml(folder, "partner", "[politics]") + "  sections: [world]\n"
    site.configure("profiles:\n  politics:\n    base: google-news\n" + deliver_section(target))
    site.export("politics")
    assert (site.out / "partners/politics/fr.xml").is_file()
    assert site.deliver() == 0
    assert folder.files() == site.files("partners/politics")


def test_a_section_coded_media_takes_no_image(site: Site, tmp_path: Path) -> None:
    """A section may be coded `media`: the site's logo and icon (`html/media/site/`) were
    taken for that section's, so a target of other sections lost the images every page
    shows. A format's media folder holds images, never a section's list."""
    site.replace(SECOND_SLUG, "story.yaml", "section: politics", "section: media")
    folder = LocalFolder(tmp_path / "partner")
    target = target_yaml(folder, "partner", "[html]") + "  sections: [politics]\n"
    site.configure(deliver_section(target))
    site.export("html")
    assert (site.out / "html/fr/media.html").is_file()
    assert site.deliver() == 0
    got = folder.files()
    assert {"html/media/site/logo.png", "html/media/site/icon.png"} <= set(got)
    assert "html/fr/politics.html" in got and "html/fr/media.html" not in got
    assert not [p for p in got if SECOND_SLUG in p]


def test_a_target_added_later_gets_everything_and_filters_apply(site: Site, tmp_path: Path) -> None:
    first = LocalFolder(tmp_path / "a")
    site.configure(deliver_section(target_yaml(first, "first")))
    site.export()
    assert site.deliver() == 0
    later = LocalFolder(tmp_path / "b")
    filtered = target_yaml(later, "later", "[newsml, atom]") + "  languages: [fr]\n"
    site.configure(deliver_section(target_yaml(first, "first"), filtered))
    assert site.deliver() == 0
    got = later.files()
    others = ("en", "ar", "zh-Hans", "de", "es")
    expected = {
        path: data
        for path, data in site.files("newsml", "atom").items()
        if not any(f".{tag}." in path or f"/{tag}." in path or f"/{tag}/" in path for tag in others)
    }
    assert got == expected, "French files, and those of no language"
    for slug in (SAMPLE_SLUG, SECOND_SLUG):
        assert f"newsml/{slug}.fr.xml" in got and f"newsml/{slug}.package.xml" in got
    assert "atom/fr/politics.xml" in got and "newsml/catalog.syndicate.xml" in got
    sections = target_yaml(later, "later", "[atom]") + "  sections: [world]\n"
    site.configure(deliver_section(sections))
    assert site.deliver("--target", "later") == 0
    kept = sorted(path for path in site.files("atom") if "/politics" not in path)
    assert "atom/zh-Hans.xml" in kept
    assert sorted(later.files()) == kept, "politics left out; what no longer fits is deleted"


def test_a_story_slugged_like_a_folder_takes_no_other_file(site: Site, tmp_path: Path) -> None:
    """A `world` story slugged `media` took every image under `html/media/` for its own, and
    one slugged `politics` the section feeds `atom/<lang>/politics.xml`: a `politics` target
    got neither the feeds nor its own story's images. A story's folder is the one in a `media`
    folder, and a file in a language's folder is a collection's."""
    for slug in ("media", "politics"):
        shutil.copytree(site.articles / SECOND_SLUG, site.articles / slug)
        site.replace(slug, "story.yaml", "nato-second-story", slug)
        site.replace(slug, "story.yaml", "section: politics", "section: world")
    folder = LocalFolder(tmp_path / "a")
    target = target_yaml(folder, "politics-desk", "[atom, html]") + "  sections: [politics]\n"
    site.configure(deliver_section(target))
    site.export("atom", "html")
    assert site.deliver() == 0
    got = folder.files()
    left_out = ("html/media.", "html/media/media/", "html/politics.", "html/media/politics/")
    expected = {
        path
        for path in site.files("atom", "html")
        if not path.startswith(left_out) and "/world." not in path
    }
    assert set(got) == expected
    assert "atom/en/politics.xml" in got and "html/media/site/logo.png" in got
    assert f"html/media/{SAMPLE_SLUG}/nato-iraq-mission.png" in got


def test_links_in_out_are_never_sent(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A symbolic link in out/ (planted beside the outputs, or in place of one) could point
    at any file of the machine: it is never read nor sent, and said once."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    mirror = LocalFolder(tmp_path / "a")
    site.configure(deliver_section(target_yaml(mirror, "mirror", "[html, newsml]")))
    site.export()
    replaced = f"newsml/{SAMPLE_SLUG}.fr.xml"
    (site.out / replaced).unlink()
    (site.out / replaced).symlink_to(secret)
    (site.out / "html/leak.html").symlink_to(secret)
    (site.out / "html/tree").symlink_to(tmp_path, target_is_directory=True)
    capsys.readouterr()
    assert site.deliver() == 0
    err = capsys.readouterr().err
    for path in (replaced, "html/leak.html", "html/tree"):
        assert f"{path}: warning: not a regular file" in err and "[deliver.not-regular]" in err
    got = mirror.files()
    assert got and not any(b"TOP SECRET" in data for data in got.values())
    assert replaced not in got and "html/leak.html" not in got


def test_a_file_named_in_another_encoding_is_said_and_the_others_go(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file of out/ whose name is not UTF-8 (a Latin-1 "é" copied in from a share) failed
    every target with "'utf-8' codec can't encode character '\\udce9'", naming neither the
    file nor the fix, and the kill exported with it never reached the partner. It is left
    out with a warning naming it, as a symbolic link is, and the kill goes."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        assert site.deliver() == 0
        kill(site, SECOND_SLUG)
        site.export()
        with open(bytes(site.out / "atom") + b"/notes-\xe9.txt", "wb") as stray:
            stray.write(b"desk notes\n")
        capsys.readouterr()
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "atom/notes-\\xe9.txt: warning: its name is not valid UTF-8" in err, err
        assert "rename it in UTF-8, or remove it [deliver.not-utf8]" in err
        assert "codec" not in err and "\\udce9" not in err
        assert b"stat:canceled" in server.files()[f"newsml/{SECOND_SLUG}.en.xml"]
        assert not [p for p in server.files() if p.startswith("atom/notes")]


def test_a_file_whose_name_holds_a_line_break_is_said_and_the_others_go(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file of out/ whose name holds a line break (a note saved from a script) failed FTP
    ("an illegal newline character") and S3 at it, run after run, so no file after it in the
    order ever reached those partners, the feeds and the kill among them; the error printed the
    name raw, cut over two lines. It is left out with a warning showing it escaped."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        assert site.deliver() == 0
        kill(site, SECOND_SLUG)
        site.export()
        (site.out / "atom/desk\nnotes.txt").write_text("notes\n")
        capsys.readouterr()
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "atom/desk\\nnotes.txt: warning: its name holds a line break" in err, err
        assert "rename it, or remove it [deliver.bad-name]" in err
        assert b"stat:canceled" in server.files()[f"newsml/{SECOND_SLUG}.en.xml"]
        assert server.files() == {p: b for p, b in site.files().items() if "\n" not in p}


def test_a_dry_run_says_a_credential_cannot_be_read(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run said "8 to send", exit 0, for a target whose password variable was not set:
    the run then failed at once. And "run deliver again" is no advice for a missing secret."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        monkeypatch.delenv("PARTNER_PASSWORD")
        capsys.readouterr()
        assert site.deliver("--dry-run") == 1
        said = capsys.readouterr()
        assert "the environment variable PARTNER_PASSWORD is not set" in said.err, said.err
        assert "run deliver again" not in said.err
        assert said.out.endswith(
            "would fail: a credential cannot be read (the error above says which)\n"
        )
        assert site.deliver() == 1
        assert "run deliver again" not in capsys.readouterr().err
        monkeypatch.setenv("PARTNER_PASSWORD", "")  # set to nothing: refused too, not sent
        assert site.deliver() == 1
        said = capsys.readouterr()
        assert "the environment variable PARTNER_PASSWORD is empty" in said.err, said.err
        assert server.files() == {}


def test_a_missing_format_folder_is_reported(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A format the target takes that was never exported: the export to run is named, and
    the error does not end in "run deliver again", which alone would change nothing."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[newsml, epub]")))
    site.export()
    capsys.readouterr()
    assert site.deliver("--dry-run") == 1, "a dry run says what the run would: it fails"
    said = capsys.readouterr()
    assert "epub does not exist: run syndicate export --format epub first" in said.err
    assert said.out.endswith(": not planned (the error above says why)\n")
    assert "current" not in said.out
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert "epub does not exist: run syndicate export --format epub first" in err
    assert "run deliver again" not in err
    assert not folder.root.exists(), "a target with a format not exported gets nothing"


def test_an_all_target_whose_exported_folder_was_removed_by_hand_deletes_nothing(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rm -rf out/epub out/opds` (a clean-up, a rebuild forced): a `formats: [all]` target
    took the books as a format never exported and deleted every one at the partner, under
    the mass-deletion guard's share. A folder the last export wrote that is gone is a mass
    deletion, whatever its share: refused until --allow-deletions."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[all]")))
    site.export("newsml", "atom", "html", "ninjs", "jsonld", "epub")
    assert site.deliver() == 0
    books = sorted(p for p in folder.files() if p.startswith(("epub/", "opds/")))
    assert books and len(books) * 2 < len(folder.files()), "under the guard's share"
    shutil.rmtree(site.out / "epub")
    shutil.rmtree(site.out / "opds")
    capsys.readouterr()
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert f"would delete the {len(books)} files it holds of" in err, err
    assert "gone from out/ though no export removed them" in err
    assert "--allow-deletions" in err
    assert sorted(p for p in folder.files() if p.startswith(("epub/", "opds/"))) == books
    assert site.deliver("--allow-deletions") == 0  # meant: they go
    assert not [p for p in folder.files() if p.startswith(("epub/", "opds/"))]


def test_the_ledger_records_path_digest_and_version(site: Site, tmp_path: Path) -> None:
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[newsml]")))
    site.replace(SAMPLE_SLUG, "story.yaml", "version: 1", "version: 3")
    site.export()
    assert site.deliver() == 0
    db = sqlite3.connect(
        state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    )
    rows = {
        path: (sha, version)
        for path, sha, version in db.execute(
            "SELECT path, sha256, version FROM delivered WHERE target = 'partner'"
        )
    }
    db.close()
    item = f"newsml/{SAMPLE_SLUG}.en.xml"
    assert rows[item] == (hashlib.sha256(site.files()[item]).hexdigest(), 3)
    assert rows[f"newsml/{SECOND_SLUG}.en.xml"][1] == 1
    assert rows["newsml/catalog.syndicate.xml"][1] is None
    assert set(rows) == set(site.files("newsml"))


def test_a_target_that_never_got_a_kill_is_told_when_the_story_s_files_go(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill delivered to one target only (the other was down that run), then the story's
    folder deleted: the next delivery deletes its files at both, and warns of the one that
    holds the story as usable, which a deletion does not tell to take it back."""
    wire, down = LocalFolder(tmp_path / "wire"), LocalFolder(tmp_path / "down")
    site.configure(
        deliver_section(
            target_yaml(wire, "wire", "[newsml]"), target_yaml(down, "down", "[newsml]")
        )
    )
    site.export()
    assert site.deliver() == 0
    kill(site, SECOND_SLUG)
    site.export()
    assert site.deliver("--target", "wire") == 0
    shutil.rmtree(site.articles / SECOND_SLUG)
    site.export()
    capsys.readouterr()
    assert site.deliver("--dry-run") == 0
    assert "would be deleted there by this delivery" in capsys.readouterr().err
    assert site.deliver() == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "[deliver.no-kill]" in line]
    assert len(said) == 1, said
    assert "down (" in said[0] and "wire (" not in said[0]
    assert f"tag:ycpress.internal,2021-02-18:nato-second-story (newsml/{SECOND_SLUG}." in said[0]
    assert "its files are gone from out/" in said[0]
    assert "put its folder back with status: canceled" in said[0]
    assert f"newsml/{SECOND_SLUG}.en.xml" not in {
        p.relative_to(down.root).as_posix() for p in down.root.rglob("*")
    }, "deleted all the same: out/ no longer has it"
    assert site.deliver() == 0
    assert "[deliver.no-kill]" not in capsys.readouterr().err, "said once: the files are gone"


def test_a_story_taken_out_of_a_target_s_selection_is_no_missing_kill(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files a target no longer takes (its formats narrowed) are deleted there by its settings'
    choice, the story still live in out/: no warning. A usable story's folder deleted is one
    (export says `story.deleted`, and each target that had it is told)."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[newsml, atom]")))
    site.export()
    assert site.deliver() == 0
    site.configure(deliver_section(target_yaml(folder, formats="[atom]")))
    capsys.readouterr()
    assert site.deliver() == 0
    assert "[deliver.no-kill]" not in capsys.readouterr().err
    site.configure(deliver_section(target_yaml(folder, formats="[newsml, atom]")))
    assert site.deliver() == 0
    shutil.rmtree(site.articles / SECOND_SLUG)
    site.export()
    assert "[story.deleted]" in capsys.readouterr().err
    assert site.deliver() == 0
    assert "partner (" in capsys.readouterr().err.split("[deliver.no-kill]")[0].splitlines()[-1]


def move_to_world(site: Site, slug: str) -> None:
    """The story `slug` (in politics, at version 1) moved to the section world, version 2."""
    site.replace(slug, "story.yaml", "section: politics", "section: world")
    site.replace(slug, "story.yaml", "version: 1", "version: 2")
    site.replace(slug, "story.yaml", "updated: 2021-02-18T19:30", "updated: 2021-02-18T21:00")


def test_a_story_that_moved_out_of_a_target_s_sections_still_gets_there_and_its_kill_too(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target of `sections: [politics]` holds a story; the story moves to `world`: its new
    version goes there as an update (it was deleted, no kill, no warning), and its kill after
    it (it never reached the partner, who kept a usable item of a canceled story). The target's
    own filter narrowed (it no longer takes politics) still lets the story go, silently."""
    folder = LocalFolder(tmp_path)
    pol = target_yaml(folder, "pol", "[newsml]") + "  sections: [politics]\n"
    site.configure(deliver_section(pol))
    site.export()
    assert site.deliver() == 0
    item, package = f"newsml/{SECOND_SLUG}.en.xml", f"newsml/{SECOND_SLUG}.package.xml"
    assert {item, package} <= set(folder.files())
    move_to_world(site, SECOND_SLUG)
    site.export()
    capsys.readouterr()
    assert site.deliver() == 0
    assert "deleted" not in capsys.readouterr().err
    got = folder.files()
    assert got[item] == site.files("newsml")[item], "the moved story's version 2, as an update"
    assert got[package] == site.files("newsml")[package]
    site.replace(SECOND_SLUG, "story.yaml", "status: usable", "status: canceled")
    site.replace(SECOND_SLUG, "story.yaml", "version: 2", "version: 3")
    site.replace(
        SECOND_SLUG, "story.yaml", "updated: 2021-02-18T21:00", "updated: 2021-02-19T08:00"
    )
    site.export()
    assert site.deliver() == 0
    got = folder.files()
    assert got[item] == site.files("newsml")[item] and b"stat:canceled" in got[item], "the kill"
    assert site.deliver() == 0
    assert "nothing to send" in capsys.readouterr().err, "and then nothing more"
    # The target's own filter narrowed: what it took under politics goes, by its choice.
    site.configure(deliver_section(target_yaml(folder, "pol", "[newsml]") + "  sections: [x]\n"))
    assert site.deliver() == 0
    assert "[deliver.no-kill]" not in capsys.readouterr().err
    assert not [p for p in folder.files() if SECOND_SLUG in p or SAMPLE_SLUG in p]


def test_a_story_that_moved_before_the_ledger_knew_sections_stays_the_target_s(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger from before the `sections` table, then a story moved to a section the target
    does not take: the first run of this version deleted every file of it at the partner,
    no kill (review). A held story whose section the ledger does not know is taken under a
    section the target takes, and stays."""
    folder = LocalFolder(tmp_path)
    pol = target_yaml(folder, "pol", "[newsml]") + "  sections: [politics]\n"
    site.configure(deliver_section(pol))
    site.export()
    assert site.deliver() == 0
    ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    db = sqlite3.connect(ledger)
    with db:
        db.execute("DELETE FROM sections")  # as a ledger an older syndicate wrote
    db.close()
    for slug in (SECOND_SLUG, SAMPLE_SLUG):  # no story is in politics now
        move_to_world(site, slug)
    site.export()
    capsys.readouterr()
    assert site.deliver() == 0
    assert "deleted" not in capsys.readouterr().err
    for slug in (SECOND_SLUG, SAMPLE_SLUG):
        item = f"newsml/{slug}.en.xml"
        assert folder.files()[item] == site.files("newsml")[item], "version 2, as an update"


def test_a_kill_a_format_says_by_dropping_the_story_is_no_missing_kill(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON-LD (and EPUB) have no kill file of their own: a killed story's files leave, and
    the target holding them as usable was told "never received a kill; put its folder back
    with status: canceled", of a folder there, canceled (review)."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[jsonld]")))
    site.export("jsonld")
    assert site.deliver() == 0
    kill(site, SECOND_SLUG)
    site.export("jsonld")
    capsys.readouterr()
    assert site.deliver() == 0
    assert "[deliver.no-kill]" not in capsys.readouterr().err
    assert not [p for p in folder.root.rglob(f"*{SECOND_SLUG}*") if p.is_file()], "deleted"


def test_a_ledger_from_before_it_kept_each_file_s_story_learns_it_without_sending(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger whose files were recorded without their story (an older syndicate, or an older
    syndicate's run in between: a row is trusted only with the digest it was recorded with)
    learns each one's story, and the section it was taken under, from out/ at the next run,
    sending nothing."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[newsml]")))
    site.export()
    assert site.deliver() == 0
    ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    db = sqlite3.connect(ledger)
    with db:
        db.execute("DELETE FROM words")
        db.execute("DELETE FROM sections")
    capsys.readouterr()
    assert site.deliver() == 0
    assert "nothing to send" in capsys.readouterr().err
    rows = dict(db.execute("SELECT path, status FROM words"))
    taken = dict(db.execute("SELECT path, section FROM sections"))
    assert taken[f"newsml/{SECOND_SLUG}.en.xml"] == "politics", "the section it was taken under"
    db.close()
    assert rows[f"newsml/{SECOND_SLUG}.en.xml"] == "usable"
    assert "newsml/catalog.syndicate.xml" not in rows, "a collection tells no story's status"
    shutil.rmtree(site.articles / SECOND_SLUG)
    site.export()
    capsys.readouterr()
    assert site.deliver() == 0
    assert "[deliver.no-kill]" in capsys.readouterr().err


def test_a_ledger_of_another_format_is_said_and_a_dry_run_keeps_it(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger a newer syndicate wrote is refused, kept as it is (emptied, every target would
    get everything again); one of an older format is replaced with a warning, and a dry run
    says so, lists everything and leaves it as it was."""
    folder = exported_to_a_folder(site, tmp_path)
    assert site.deliver() == 0
    path = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"

    def set_format(value: str) -> int:
        db = sqlite3.connect(path)
        with db:
            db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (value,))
        count = db.execute("SELECT count(*) FROM delivered").fetchone()[0]
        db.close()
        return int(count)

    held = set_format("7")
    capsys.readouterr()
    assert site.deliver() == 1
    assert "was written by a newer syndicate (its format is 7" in capsys.readouterr().err
    assert site.deliver("--dry-run") == 1
    assert set_format("0") == held, "kept as it was"
    assert site.deliver("--dry-run") == 0
    captured = capsys.readouterr()
    assert "of an older format (0)" in captured.err and "will replace it" in captured.err
    assert captured.out.splitlines()[0] == f"partner {folder.url}: {len(site.files())} to send"
    assert set_format("0") == held, "a dry run changes nothing"
    assert site.deliver() == 0
    assert "of an older format (0)" in capsys.readouterr().err
    assert set_format("1") == held


def test_a_dry_run_leaves_the_ledger_byte_for_byte(site: Site, tmp_path: Path) -> None:
    """A ledger as an older syndicate left it (no table of each file's story) had the table
    made by `deliver --dry-run`, which says it changes nothing (review)."""
    exported_to_a_folder(site, tmp_path)
    assert site.deliver() == 0
    path = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with db:
        db.execute("DROP TABLE words")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert site.deliver("--dry-run") == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert site.deliver() == 0  # the run itself makes the table
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM words").fetchone()[0] > 0
    db.close()


def test_the_python_api(site: Site, tmp_path: Path) -> None:
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[atom]")))
    site.export()
    result = deliver(config=site.config, out=site.out)
    assert result.status == "current"
    assert [r.target.name for r in result.targets] == ["partner"]
    assert result.targets[0].done == len(site.files("atom"))
    assert folder.files() == site.files("atom")
    # one name is that target, not its letters; paths may be text
    again = deliver(config=str(site.config), out=str(site.out), targets="partner")
    assert again.status == "current" and not list(again.diagnostics), list(again.diagnostics)
    assert [r.target.name for r in again.targets] == ["partner"]
    # An empty list (a filter that kept no name) is no "every target": it delivered to all.
    none = deliver(config=site.config, out=site.out, targets=[])
    assert none.status == "input-errors" and not none.targets
    (said,) = [d.message for d in none.diagnostics if d.code == "deliver.targets"]
    assert said.startswith("no target was named (an empty list)")


@pytest.mark.parametrize("kind", ["ftp", "sftp", "s3", "file"])
def test_a_url_path_is_percent_decoded(
    site: Site, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Shared%20Drive/Caf%C3%A9/` is the folder `Shared Drive/Café`, on every file store."""
    home = tmp_path / kind
    home.mkdir()
    with LocalFolder(home) if kind == "file" else SERVERS[kind](home) as server:
        server.url += "Shared%20Drive/Caf%C3%A9/"
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        site.export()
        assert site.deliver() == 0
        held = server.files()
        assert held, "the target received the files"
        inside = "Shared Drive/Café/"
        assert all(path.startswith(inside) for path in held), sorted(held)
        assert {path.removeprefix(inside): data for path, data in held.items()} == site.files(
            "atom"
        )
        assert "deliver.unknown-files" not in capsys.readouterr().err, "its own files, listed"
        assert site.deliver() == 0
        assert "current, nothing to send" in capsys.readouterr().err, "a second run sends nothing"


@pytest.mark.parametrize("kind", ["sftp", "file"])
def test_a_folder_once_named_with_its_escapes_is_a_new_destination(
    site: Site, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before paths were decoded, `Shared%20Drive/` was the folder named so, and the ledger
    recorded the target under that URL. Now its folder is `Shared Drive`: a new destination,
    which gets everything current (the ledger took it for the old one, and sent only what
    changed, leaving the new folder without the rest)."""
    home = tmp_path / kind
    home.mkdir()
    with LocalFolder(home) if kind == "file" else SERVERS[kind](home) as server:
        server.url += "Shared%20Drive/"
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        site.export()
        assert site.deliver() == 0
        # As the release before left it: the files in `Shared%20Drive`, recorded under the URL.
        (server.root / "Shared Drive").rename(server.root / "Shared%20Drive")
        ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
        db = sqlite3.connect(ledger)
        with db:
            db.execute("UPDATE targets SET url = ? WHERE name = 'partner'", (server.url,))
        db.close()
        capsys.readouterr()
        assert site.deliver() == 0
        assert "current, nothing to send" not in capsys.readouterr().err
        held = server.files()
        inside = "Shared Drive/"
        new = {
            path.removeprefix(inside): data
            for path, data in held.items()
            if path.startswith(inside)
        }
        assert new == site.files("atom"), "everything current goes to the new folder"
        assert site.deliver() == 0
        assert "current, nothing to send" in capsys.readouterr().err, "then it is current"


def test_a_space_in_a_url_is_said_with_the_fix(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site.configure(
        deliver_section("- name: share\n  url: file:///srv/Shared Drive/Café/\n  formats: [atom]\n")
    )
    assert site.deliver() == 2
    err = capsys.readouterr().err
    assert (
        "holds a space: write each space %20 in a URL, as in file:///srv/Shared%20Drive/Café/"
        in err
    )


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("file://localhost/srv/archive/", "names a host (localhost): a folder of this machine"
         " is written with three slashes and no host, file:///srv/archive/"),
        ("file://srv/archive/", "names a host (srv): a folder of this machine is written with"
         " three slashes and no host, file:///srv/archive/"),
        ("file:///srv/archive%00x/", "holds %00, a character no folder or file name can hold"),
    ],
)  # fmt: skip
def test_a_file_url_that_would_go_elsewhere_or_fail_is_said_with_the_fix(
    site: Site, capsys: pytest.CaptureFixture[str], url: str, said: str
) -> None:
    """`file://localhost/srv/archive/` and `file://srv/archive/` delivered into a folder
    `localhost/srv/archive` (`srv/archive`) of the site folder, exit 0; `%00` ended in a
    ValueError traceback. Each is a configuration error at its line, nothing sent."""
    site.configure(deliver_section(f"- name: share\n  url: {url}\n  formats: [atom]\n"))
    assert site.deliver() == 2
    assert f"url: {said} [config.option]" in capsys.readouterr().err
    assert not (site.root / "localhost").exists() and not (site.root / "srv").exists()


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        ("articles", "articles folder"),
        ("articles/2021", "articles folder"),
        ("out", "output folder"),
        (".", "site folder"),
        ("public", None),
    ],
)
def test_a_local_target_in_the_site_s_own_folders_is_refused(
    site: Site, capsys: pytest.CaptureFixture[str], folder: str, said: str | None
) -> None:
    """A `file://` target mistyped as the site's articles folder got out/'s files among the
    stories (every later export failed on them), exit 0. The site folder, its stories,
    templates, phrases, out/ and cache are refused; a folder of the site's own is fine."""
    url = (site.root / folder).resolve().as_uri() + "/"
    site.configure(deliver_section(f"- name: mirror\n  url: {url}\n  formats: [atom]\n"))
    site.export()
    before = sorted(p.name for p in (site.root / "articles").iterdir())
    capsys.readouterr()
    if said is None:
        assert site.deliver() == 0
        assert (site.root / folder / "atom").is_dir()
        return
    assert site.deliver() == 2
    err = capsys.readouterr().err
    assert f"targets[0] (mirror): {url} is in the site's {said}" in err
    assert "[deliver.target]" in err
    assert sorted(p.name for p in (site.root / "articles").iterdir()) == before


def test_a_new_url_is_a_new_destination(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = LocalFolder(tmp_path / "old"), LocalFolder(tmp_path / "new")
    site.configure(deliver_section(target_yaml(old, formats="[atom]")))
    site.export()
    assert site.deliver() == 0
    site.configure(deliver_section(target_yaml(new, formats="[atom]")))
    capsys.readouterr()
    assert site.deliver("--dry-run") == 0
    assert f"partner {new.url}: {len(site.files('atom'))} to send" in capsys.readouterr().out
    site.configure(deliver_section(target_yaml(old, formats="[atom]")))
    assert site.deliver("--dry-run") == 0
    assert "current, nothing to send" in capsys.readouterr().out, "a dry run records nothing"
    site.configure(deliver_section(target_yaml(new, formats="[atom]")))
    assert site.deliver() == 0
    assert new.files() == site.files("atom")


def test_a_url_that_reaches_nothing_leaves_the_ledger_as_it_was(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target's URL mistyped for one run (its server refuses), then put back: the ledger
    still knows what the target holds, so only what changed goes, the kill's deletions too.
    (The ledger used to forget the target as the run began: everything was sent again and
    the killed story's files stayed at the partner for good.)"""
    folder = LocalFolder(tmp_path)
    good = target_yaml(folder, formats="[html]")
    site.configure(deliver_section(good))
    site.export()
    assert site.deliver() == 0
    before = site.files("html")
    mistyped = good.replace(folder.url, f"ftp://ycpress@127.0.0.1:{free_port()}/wire/")
    site.configure(deliver_section(mistyped + "  credentials: {password: env:PARTNER_PASSWORD}\n"))
    assert site.deliver() == 1
    site.configure(deliver_section(good))
    kill(site, SECOND_SLUG)
    site.export()
    capsys.readouterr()
    assert site.deliver("--dry-run") == 0
    listed = capsys.readouterr().out
    gone = sorted(set(before) - set(site.files("html")))
    deleted = [line.split()[1] for line in listed.splitlines() if line.split()[:1] == ["delete"]]
    assert gone and deleted == gone, listed
    assert "  new " not in listed, "what the target holds is not sent again"
    assert site.deliver() == 0
    assert folder.files() == site.files("html"), "the killed story's files are deleted"


def _raised(inner: BaseException, outer: Callable[[BaseException], BaseException]) -> BaseException:
    """`outer(inner)` raised from `inner`, as a library wraps the error it caught."""
    try:
        try:
            raise inner
        except BaseException as caught:
            raise outer(caught) from caught
    except BaseException as raised:
        return raised


def test_an_unknown_host_is_said_at_once_and_a_silent_name_server_tried_again() -> None:
    """A typo in a target's host fails on the first try, in words, through every transport's
    wrapping (ftplib and asyncssh raise the name service's error itself, httpx and botocore
    wrap it); the name server not answering (EAI_AGAIN) is worth another try. Measured on
    four mistyped targets: 37 s of retries before, 1.1 s after."""
    import socket

    import botocore.exceptions
    import httpx

    from syndicate.deliver.remotes import describe, transient

    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    silent = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    wrappers: list[Callable[[BaseException], BaseException] | None] = [
        None,
        lambda e: httpx.ConnectError(str(e)),
        lambda e: botocore.exceptions.EndpointConnectionError(endpoint_url="http://s3.example:9"),
    ]
    for wrap in wrappers:
        typo = unknown if wrap is None else _raised(unknown, wrap)
        assert not transient(typo), typo
        said = describe(typo)
        assert (
            said == "host name not found (Name or service not known); check its spelling, and that"
            " this machine is online"
        )
        later = silent if wrap is None else _raised(silent, wrap)
        assert transient(later), later
        assert "check its spelling" not in describe(later)


def test_a_token_that_cannot_be_sent_is_refused_by_name_and_never_shown(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token file ending in a blank line is the token (every final line end dropped); a
    token with a line break or a non-ASCII letter inside is refused once, by where it is,
    without its value and without retries (httpx's refusal quoted it escaped, which no
    redaction matched, three times)."""
    (site.root / "token.txt").write_text("partner-token-42\n\n")
    with HttpReceiver(tmp_path, secret=SECRET, token="partner-token-42") as server:
        target = with_token(server, "file:token.txt")
        site.configure(deliver_section(target))
        site.export()
        assert site.deliver() == 0
        assert server.verified == len(site.files())
        # (letters no port or path holds: a server's port 45777 once held "777")
        for bad in ("tok-ENV-SECRET-QZXJ\nX", "tok-ENV-SECR\u00c9T-QZXJ"):
            monkeypatch.setenv("PARTNER_TOKEN", bad)
            site.configure(deliver_section(target.replace("file:token.txt", "env:PARTNER_TOKEN")))
            (site.out / "atom/en.xml").write_bytes(b"<feed/>")  # something to send
            capsys.readouterr()
            assert site.deliver() == 1
            err = capsys.readouterr().err
            assert "the environment variable PARTNER_TOKEN holds " in err, err
            assert "tok-ENV" not in err and "QZXJ" not in err, err
            assert "trying again" not in err


def test_redaction_finds_a_secret_quoted_escaped() -> None:
    from syndicate.deliver.secrets import redact

    secret = "tok-SECRET-555\nline two"
    quoted = f"Illegal header value {('Bearer ' + secret).encode()!r}; or {secret!r}"
    shown = redact(quoted, [secret])
    assert "SECRET" not in shown and "line two" not in shown, shown
    assert redact("no secret here", ["abc"]) == "no secret here", "short secrets stay"


def test_a_missing_known_hosts_file_is_named(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """asyncssh said only "No such file or directory", which reads as a folder missing on
    the server."""
    missing = tmp_path / "nowhere" / "known_hosts"
    site.configure(
        deliver_section(
            f"- name: wire\n  url: sftp://ycpress@127.0.0.1:{free_port()}/incoming/\n"
            "  formats: [newsml]\n  credentials: {password: env:PARTNER_PASSWORD}\n"
            f"  known_hosts: {missing}\n"
        )
    )
    site.export("newsml")
    capsys.readouterr()
    assert site.deliver() == 1
    err = capsys.readouterr().err
    assert f"no known_hosts file at {missing}: add the server's host key to it" in err, err
    assert "trying again" not in err


def test_an_interrupted_delivery_says_what_is_kept_and_what_to_do(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "interrupted; out/ is unchanged", an export's words, about a delivery."""
    from syndicate.deliver import delivery

    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[atom]")))
    site.export()

    def ctrl_c(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(delivery._Run, "_change", ctrl_c)
    capsys.readouterr()
    assert site.deliver() == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "interrupted: what each target confirmed is recorded; run syndicate deliver again to"
        " send the rest"
    )


def test_failures_are_said_in_words_an_operator_can_act_on() -> None:
    from syndicate.deliver.remotes import HttpStatusError, describe, retry_after

    assert describe(EOFError()) == "the server closed the connection"  # was "EOFError"
    moved = HttpStatusError(301, "Moved Permanently", location="https://new.example/in/")
    assert describe(moved) == (
        "HTTP 301 Moved Permanently to https://new.example/in/; change the target's url to it"
    )
    assert retry_after("120") == 120.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("soon") is None and retry_after(None) is None
    import httpx

    from syndicate.deliver.remotes import transient

    # an HTTP push target or a WebSub hub that never answers was said only "timed out"
    for silent in (httpx.ReadTimeout("timed out"), httpx.ConnectTimeout("timed out")):
        assert describe(silent) == "the connection timed out: the server did not answer in time"
        assert transient(silent)


@pytest.mark.parametrize("kind", ["file", "ftp", "sftp", "s3"])
def test_a_lost_ledger_or_a_second_out_is_told_not_taken_for_current(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """Without its ledger (a CI cache missed), a delivery sends everything again and cannot
    delete what the target kept of earlier runs: it says so, naming the files, after listing
    the target (only them: every protocol's listing maps back to out/'s paths). A second out/
    delivering to the same place keeps a ledger of its own: said too."""
    home = tmp_path / kind
    home.mkdir()
    made = LocalFolder(home) if kind == "file" else SERVERS[kind](home)
    with made as server:
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        assert site.deliver() == 0
        stray = "html/2020-01-01-gone.en.html"  # as a deleted story leaves it
        if isinstance(server, S3Server):
            server.client().put_object(Bucket="partner-bucket", Key=f"ycpress/{stray}", Body=b"x")
        else:
            (server.root / stray).write_bytes(b"x")
        ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
        ledger.unlink()
        capsys.readouterr()
        assert site.deliver() == 0
        err = capsys.readouterr().err
        (said,) = [line for line in err.splitlines() if "[deliver.unknown-files]" in line]
        assert f"holds 1 file in its formats' folders that out/ does not have for it ({stray})" in (
            said
        )
        assert site.deliver() == 0
        assert "[deliver." not in capsys.readouterr().err  # said by the first delivery only
        other = site.root / "out2"
        args = ["export", "-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(other)]
        assert site.cli(*args, "--articles", str(site.articles), "-f", "all") == 0
        capsys.readouterr()
        assert site.cli("deliver", "--out", str(other)) == 0
        assert "[deliver.shared-target]" in capsys.readouterr().err


def test_two_targets_at_one_place_are_told(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two targets of one configuration at the same URL: the one whose languages narrowed
    deleted the French files there, while the other's record still said its partner had them,
    so it stayed "current, nothing to send" and they never came back. It is said."""
    with SftpServer(tmp_path) as server:
        wire = target_yaml(server, name="wire", formats="[newsml]")
        english = target_yaml(server, name="english", formats="[newsml]")
        site.configure(deliver_section(wire, english + "  languages: [en, fr]\n"))
        site.export("newsml")
        capsys.readouterr()
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "wire (" in err and ") and english deliver to the same place" in err, err
        assert err.count("[deliver.shared-target]") == 1, err


def test_a_renamed_target_is_told_before_it_is_sent_everything_again(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target renamed in syndicate.yaml (`afp` to `afp-wire`, same url) is a new target to
    the ledger, which knows targets by name: the dry run said "17 to send" and the run sent
    the partner every file again, with no word of why. Both say it, with the fix."""
    with SftpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, name="afp", formats="[newsml]")))
        site.export("newsml")
        assert site.deliver() == 0
        site.configure(deliver_section(target_yaml(server, name="afp-wire", formats="[newsml]")))
        capsys.readouterr()
        assert site.deliver("--dry-run") == 0
        err = capsys.readouterr().err
        assert "which knows this url as the target 'afp', no longer in syndicate.yaml" in err
        assert "would be sent every file current again" in err
        assert "give it its former name back to send only what changed [deliver.renamed]" in err
        site.configure(deliver_section(target_yaml(server, name="afp", formats="[newsml]")))
        assert site.deliver() == 0
        assert "afp: current, nothing to send" in capsys.readouterr().err


def test_a_section_no_story_is_in_is_said_with_the_likely_one(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sections: [politcs]` passed `validate` and `deliver` sent the target its feeds'
    heads and logos but no story, unsaid: the section no story of out/ is in is a warning at
    its line, with the section meant."""
    mirror = tmp_path / "mirror"
    site.configure(
        "deliver:\n  targets:\n    - name: desk\n"
        f"      url: {mirror.as_uri()}/\n      formats: [newsml, atom]\n"
        "      sections: [politcs]\n"
    )
    site.export()
    capsys.readouterr()
    assert site.deliver() == 0
    err = capsys.readouterr().err
    (said,) = [line for line in err.splitlines() if line.endswith("[deliver.section]")]
    assert "syndicate.yaml:14: warning: desk: no story in out/ is in the section 'politcs'" in said
    assert said.endswith(
        "so the target gets no story of it; did you mean 'politics'? [deliver.section]"
    )
    site.configure(site.extra.replace("politcs", "politics"))
    assert site.deliver() == 0
    assert "[deliver.section]" not in capsys.readouterr().err
    assert any(mirror.glob(f"newsml/{SAMPLE_SLUG}.en.xml")), "its stories go"
    # A target of formats whose files have no section (the sitemaps) is no typo either.
    site.configure(site.extra.replace("[newsml, atom]", "[sitemap]"))
    site.export("sitemap")
    assert site.deliver() == 0
    assert "[deliver.section]" not in capsys.readouterr().err


def test_a_target_that_refuses_listings_is_still_current_after_a_first_delivery(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A write-only drop (an S3 key with PutObject and no ListBucket) answers no listing:
    every file was sent, so the target is current; what it may hold besides is said
    unknown, not a failure."""
    with S3Server(tmp_path) as server:
        server.faults.no_listing = True
        site.configure(deliver_section(target_yaml(server)))
        site.export()
        capsys.readouterr()
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "every file was sent, but the target could not be listed" in err
        assert "[deliver.failed]" not in err
        server.faults.no_listing = False  # (for the test's own look)
        assert server.files() == site.files()


def test_a_header_secret_is_read_without_the_spaces_around_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`TOKEN=' afp '` (or a file `papertok \\n`): `serve` started, and then refused every
    request, as a header's value is read without the white space around it."""
    from syndicate.deliver.secrets import reveal

    monkeypatch.setenv("PADDED_TOKEN", " afp-token ")
    (tmp_path / "token.txt").write_text("paper-token \n", encoding="utf-8")
    assert reveal("env:PADDED_TOKEN", tmp_path, header=True) == "afp-token"
    assert reveal("file:token.txt", tmp_path, header=True) == "paper-token"
    assert reveal("env:PADDED_TOKEN", tmp_path) == " afp-token "  # a password is as written


STALL_RETRY = "  retry: {attempts: 3, wait_initial: 0.01, wait_max: 0.02, timeout: 3}\n"


@pytest.mark.parametrize("kind", ["sftp", "s3"])
def test_a_connection_that_stalls_fails_within_the_timeout_and_is_tried_again(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A connection that went silent midway (a link whose far end stopped answering) hung
    `deliver` for ever on SFTP and S3, whatever `retry.timeout` said: sshfs bounds only its
    connection, botocore's read timeout not the writing of a body. Each call now has a
    deadline; the stall is told as it is tried again on a new connection, and said when
    every try stalls."""
    with SERVERS[kind](tmp_path) as server, StallingProxy(_port(server)) as proxy:
        entry = _through(target_yaml(server, formats="[newsml, atom]"), server, proxy, tmp_path)
        site.configure(f"deliver:\n  targets:\n{textwrap.indent(entry, '    ')}{STALL_RETRY}")
        site.export()
        total = sum(len(data) for data in site.files("newsml", "atom").values())
        proxy.stall_after = total // 2
        capsys.readouterr()
        started = time.monotonic()
        assert site.deliver() == 0
        assert proxy.stalled.is_set(), "a connection stalled midway"
        assert time.monotonic() - started < 60  # (hung for ever before; ~3 s idle)
        told = [line for line in capsys.readouterr().err.splitlines() if "trying again" in line]
        assert told, "the stall was told as it was tried again"
        assert "did not answer within" in told[0] and "(attempt 2 of 3)" in told[0], told
        assert server.files() == site.files("newsml", "atom")

        site.replace(SAMPLE_SLUG, "en.md", "NATO will surge", "NATO will surge again")
        site.export()
        proxy.stall_every = True  # every connection, at once
        started = time.monotonic()
        assert site.deliver() == 1
        assert time.monotonic() - started < 60  # (hung for ever before; ~3 s idle)
        err = capsys.readouterr().err
        assert "(after 3 attempts)" in err and "run deliver again" in err, err
        assert "within 3 s" in err, err
        assert "FSTimeoutError" not in err, err


@pytest.mark.parametrize(
    ("scheme", "opening"),
    [("ftp", b"220-Welcome" + b"." * 200), ("http", b"HTTP/1.1 200 OK\r\nX-Slow: " + b"." * 200)],
)
def test_a_server_trickling_a_byte_at_a_time_fails_within_the_timeout(
    site: Site, capsys: pytest.CaptureFixture[str], scheme: str, opening: bytes
) -> None:
    """ftplib and httpx bound each read of a socket, not a request: a server answering a
    byte every half second (an FTP greeting, an HTTP answer that never ends) held `deliver`
    for ever, whatever `retry.timeout` said. Each call is bounded as SFTP's and S3's are."""
    with TricklingServer(opening) as server:
        url = f"{scheme}://u@127.0.0.1:{server.port}/in/"
        if scheme == "http":
            url = f"http://127.0.0.1:{server.port}/in/"
        retry = "  retry: {attempts: 2, wait_initial: 0.01, wait_max: 0.02, timeout: 2}\n"
        entry = f"    - name: slow\n      url: {url}\n      formats: [newsml]\n"
        site.configure(f"deliver:\n  targets:\n{entry}{retry}")
        site.export()
        capsys.readouterr()
        started = time.monotonic()
        assert site.deliver() == 1
        assert time.monotonic() - started < 30  # (for ever before; two tries of ~2 s)
        err = capsys.readouterr().err
        assert "did not answer within" in err and "(the connection stalled)" in err, err
        assert "(after 2 attempts)" in err, err
        assert server.connections == 2, "each try on a new connection"


def test_sigterm_while_an_ftp_server_is_silent_stops_the_run(site: Site, tmp_path: Path) -> None:
    """fsspec's `exists` (which FTP's folder checks call) takes any exception for "no",
    KeyboardInterrupt included: a SIGTERM (a cron timeout, a container stopping) sent while
    the server was silent was lost, and the run went on to deliver everything, exit 0. It
    stops the run as Ctrl-C does, once the call it came in ends (within `retry.timeout`)."""
    with FtpServer(tmp_path) as server, StallingProxy(server.port) as proxy:
        entry = target_yaml(server, formats="[newsml]")
        entry = entry.replace(f":{server.port}/", f":{proxy.port}/")
        retry = "  retry: {attempts: 2, wait_initial: 0.01, wait_max: 0.02, timeout: 3}\n"
        site.configure(f"deliver:\n  targets:\n{textwrap.indent(entry, '    ')}{retry}")
        site.export()
        proxy.stall_after = 300  # in the first folder checks
        command = [sys.executable, "-m", "syndicate", "deliver", "--config", str(site.config)]
        process = subprocess.Popen(
            [*command, "--out", str(site.out)], cwd=site.root, stderr=subprocess.PIPE, text=True
        )
        try:
            assert proxy.stalled.wait(60), "the connection never stalled"
            time.sleep(0.5)  # (in the call that waits for the silent server)
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
        finally:
            process.kill()
        assert process.returncode == 130, err
        assert "interrupted: what each target confirmed is recorded" in err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err
        assert not server.files(), "nothing was delivered after the interrupt"


def _port(server: Server) -> int:
    return server.port if isinstance(server, (SftpServer, S3Server)) else 0


def _through(entry: str, server: Server, proxy: StallingProxy, tmp_path: Path) -> str:
    """A target's entry reaching `server` through `proxy`."""
    if isinstance(server, SftpServer):
        known = tmp_path / "known_hosts-proxy"
        public = server.key.export_public_key().decode().strip()
        known.write_text(f"[127.0.0.1]:{proxy.port} {public}\n")
        entry = entry.replace(f"127.0.0.1:{server.port}/", f"127.0.0.1:{proxy.port}/")
        return entry.replace(str(server.known_hosts), str(known))
    assert isinstance(server, S3Server)
    return entry.replace(server.endpoint, f"http://127.0.0.1:{proxy.port}")


def test_an_ftp_stall_is_said_as_a_timeout() -> None:
    """FTP timed out as told, and said so as "cannot read from timed out object"; sshfs's
    connection timeout was said "FSTimeoutError"; OpenSSH's full disk only "Failure"."""
    import asyncssh
    from fsspec.exceptions import FSTimeoutError

    from syndicate.deliver.remotes import describe, transient

    stalled = _raised(
        TimeoutError("timed out"), lambda e: OSError("cannot read from timed out object")
    )
    for failure in (stalled, FSTimeoutError(), TimeoutError("timed out")):
        assert describe(failure) == "the connection timed out: the server did not answer in time"
        assert transient(failure)
    full = describe(asyncssh.SFTPFailure("Failure"))
    assert full.endswith("it may be out of space or refused the write"), full


def test_a_key_with_a_passphrase_is_read_and_a_wrong_one_is_a_setting(
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A passphrase-protected key in OpenSSH's own format (`ssh-keygen -N ...`'s default)
    failed: "OpenSSH private key encryption requires bcrypt with KDF support" (the sftp extra
    lacked bcrypt); and a key that cannot be read said "run deliver again"."""
    import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519")
    (site.root / "partner_ed25519").write_bytes(key.export_private_key("openssh", "key-pass-42"))
    monkeypatch.setenv("KEY_PASSPHRASE", "key-pass-42")
    with SftpServer(tmp_path) as server:
        server.authorized = key
        entry = target_yaml(server, formats="[atom]").replace(
            "{password: env:PARTNER_PASSWORD}",
            "{private_key: file:partner_ed25519, passphrase: env:KEY_PASSPHRASE}",
        )
        site.configure(deliver_section(entry))
        site.export()
        assert site.deliver() == 0
        assert server.files() == site.files("atom")
        monkeypatch.setenv("KEY_PASSPHRASE", "wrong-pass-99")
        (site.out / "atom/en.xml").write_bytes(b"<feed/>")  # something to send
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "the private key file:partner_ed25519 cannot be read with" in err, err
        assert "credentials.passphrase (env:KEY_PASSPHRASE)" in err, err
        assert "run deliver again" not in err and "wrong-pass-99" not in err
        assert "trying again" not in err


def test_a_damaged_ledger_is_said_and_one_unreadable_is_replaced_with_a_warning(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger damaged inside ("database disk image is malformed") was a traceback on every
    run; one whose header was overwritten was replaced by an empty one without a word, and
    the temporary files of the uploads it remembered stayed on the target for ever."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml, atom]")))
        site.export()
        assert site.deliver() == 0
        path = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
        good = path.read_bytes()
        page = 4096
        assert len(good) > 3 * page
        path.write_bytes(good[: 2 * page] + b"\xa5" * page + good[3 * page :])
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert f"the delivery ledger {path} is damaged (" in err, err
        assert "[deliver.ledger]" in err and "move it aside or delete it" in err
        assert "Traceback" not in err

        half = server.root / "atom" / ".old.xml.syndicate-part"  # of a file gone from out/
        half.write_bytes(b"<feed")
        path.write_bytes(b"\x00" * 100 + good[100:])  # its header overwritten
        server.events.clear()
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "could not be read (file is not a database) and was replaced" in err, err
        assert path.with_name("deliver.sqlite.damaged").is_file(), "the old file is kept"
        assert not half.exists(), "syndicate's own temporary file is removed"
        assert "held temporary files of uploads stopped midway" in err
        assert "atom/.old.xml.syndicate-part" in err and "1 removed" in err
        assert server.files() == site.files("newsml", "atom")
        assert site.deliver() == 0
        assert "[deliver." not in capsys.readouterr().err


def test_a_ledger_another_program_holds_is_said_held_not_damaged(
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write transaction held on the ledger (an operator's sqlite3 session, a backup) past
    the wait was said "damaged; move it aside or delete it", which would make every target
    get everything again. It is said held, with nothing sent and nothing changed."""
    import syndicate.deliver.ledger as ledger_module

    monkeypatch.setattr(ledger_module, "BUSY_SECONDS", 0.2)
    target = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(target, "archive", "[newsml]")))
    site.export()
    assert site.deliver() == 0
    path = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    before = path.read_bytes()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        site.replace(SAMPLE_SLUG, "en.md", "NATO", "Nato")
        site.export()
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert f"the delivery ledger {path} is held by another program (" in err, err
    assert "damaged" not in err and "delete it" not in err
    assert "[deliver.ledger]" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert site.deliver() == 0, "once it is let go, the next run delivers"
    assert target.files() == site.files("newsml")


def test_a_folder_the_server_refuses_is_said_permission_denied(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder the SFTP user may not write in was said "No such file or directory"."""
    with SftpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        site.export()
        server.faults.read_only = True
        capsys.readouterr()
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "permission denied creating the folder /incoming/atom on the server" in err, err
        (server.root / "atom").mkdir()  # the folder is there; writing in it is refused
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert "permission denied writing in /incoming/atom on the server" in err, err
        assert "No such file" not in err and "trying again" not in err


def deliver_while_held(
    site: Site, server: HttpReceiver, meanwhile: Callable[[], object]
) -> tuple[int, str]:
    """`syndicate deliver` in a process of its own, its first upload held by `server` while
    `meanwhile` runs (an export during the delivery), then dropped and tried again: the
    delivery's exit status and what it said."""
    server.faults.block_at = 1
    command = [sys.executable, "-m", "syndicate", "deliver", "--config", str(site.config)]
    command += ["--out", str(site.out)]
    process = subprocess.Popen(
        command, cwd=site.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.faults.blocked.wait(60), "the first file never arrived"
        meanwhile()
        server.faults.release.set()
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    return process.returncode, err


def test_the_summary_counts_what_was_sent_not_what_was_planned(site: Site, tmp_path: Path) -> None:
    """A file removed from out/ by an export during a delivery is not sent, and the summary
    counted it sent all the same."""
    with HttpReceiver(tmp_path, secret=SECRET) as server:
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        site.export()
        files = site.files("atom")
        gone = sorted(files)[-1]
        # an export removed it meanwhile
        status, err = deliver_while_held(site, server, lambda: (site.out / gone).unlink())
        assert status == 0, err
        assert gone not in server.files()
        assert f"partner: {len(files) - 1} sent, 1 skipped (gone from out/ since the plan)" in (
            err
        ), err


def test_a_kill_an_export_writes_during_a_delivery_goes_with_its_own_version(
    site: Site, tmp_path: Path
) -> None:
    """An export that kills a story while a delivery waits on a slow partner: the kill's
    bytes, read after the plan, went with the plan's version (`X-Syndicate-Version: 1`) and
    were recorded as `usable`, so the partner never had the kill as version 2 and deleting the
    folder later warned that the target never received a kill. A file an export changed since
    the plan is left to the next run, which sends it with its own version; the target is not
    current until then (exit 1), so no WebSub ping announces a feed it does not hold."""
    with HttpReceiver(tmp_path, secret=SECRET) as server:
        site.configure(deliver_section(target_yaml(server, formats="[newsml]")))
        site.export("newsml")

        def meanwhile() -> None:  # an export kills the story
            kill(site, SECOND_SLUG)
            site.export("newsml")

        status, err = deliver_while_held(site, server, meanwhile)
        assert status == 1, err
        assert "[deliver.changed]" in err and "run deliver again" in err, err
        assert "left (changed in out/ since the plan), not current" in err, err
        item = f"newsml/{SECOND_SLUG}.en.xml"
        assert item not in server.files(), "nothing went with the plan's version"
        assert site.deliver() == 0
        body = server.files()[item]
        assert b"stat:canceled" in body
        sha = hashlib.sha256(body).hexdigest()
        sent = [h for h in server.headers if h.get("X-Syndicate-Sha256") == sha]
        assert [h.get("X-Syndicate-Version") for h in sent] == ["2"]
        assert server.files() == site.files("newsml")
        shutil.rmtree(site.articles / SECOND_SLUG)
        site.export("newsml")
        with_warnings = deliver(config=site.config, out=site.out)
        assert with_warnings.status == "current"
        assert not [d for d in with_warnings.diagnostics if d.code == "deliver.no-kill"]


def test_a_dry_run_and_the_run_agree_when_nothing_is_due(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing to send the run reads no credential and is current (exit 0), while the
    dry run said "would fail" (exit 1) for a variable not set."""
    with FtpServer(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        site.export()
        assert site.deliver() == 0
        monkeypatch.delenv("PARTNER_PASSWORD")
        capsys.readouterr()
        assert site.deliver("--dry-run") == 0
        assert ": current, nothing to send" in capsys.readouterr().out
        assert site.deliver() == 0
        assert "partner: current, nothing to send" in capsys.readouterr().err
        (site.out / "atom/en.xml").write_bytes(b"<feed/>")  # now something is due: both fail
        assert site.deliver("--dry-run") == 1
        assert site.deliver() == 1
        err = capsys.readouterr().err
        assert err.count("the environment variable PARTNER_PASSWORD is not set") == 2, err


@pytest.mark.parametrize("kind", ["s3", "http"])
def test_a_failed_upload_to_a_store_or_a_push_leaves_nothing_to_clear(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """An upload given up on (S3's 503, an HTTP 500) was listed by the dry run as
    `clear <path> (an upload an earlier run stopped midway)`, and the next run said "1
    unfinished upload cleared", though an object or a PUT arrives whole or not at all: no half
    file was ever on the partner's side."""
    with SERVERS[kind](tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        site.export("atom")
        server.faults.fail = 10
        assert site.deliver() == 1
        server.faults.fail = 0
        capsys.readouterr()
        assert site.deliver("--dry-run") == 0
        listed = capsys.readouterr().out
        assert "clear" not in listed and "unfinished" not in listed, listed
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "unfinished" not in err, err
        assert server.files() == site.files("atom")


def test_an_unfinished_upload_to_clear_is_listed_and_counted(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target whose only work was clearing the temporary file of an upload stopped midway
    was "current, nothing to send" in the dry run, and in the run that then removed it."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[newsml]")))
    site.export()
    assert site.deliver() == 0
    page = f"newsml/{SECOND_SLUG}.en.xml"
    half = stopped_midway(site, folder.root, page)
    capsys.readouterr()
    assert site.deliver("--dry-run") == 0
    listed = capsys.readouterr().out
    assert f"partner {folder.url}: 1 unfinished upload to clear\n" in listed, listed
    assert f"  clear   {page}  (an upload an earlier run stopped midway)" in listed
    assert half.exists()
    assert site.deliver() == 0
    assert f"partner: 1 unfinished upload cleared ({folder.url})" in capsys.readouterr().err
    assert not half.exists()
    assert site.deliver() == 0
    assert "partner: current, nothing to send" in capsys.readouterr().err


def test_a_feed_an_export_rewrites_during_every_delivery_is_sent_as_it_is_now(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed (no story, no version) an export rewrote while the delivery ran was left to the
    next run like a story's kill: with an export every minute and a slow partner, it was left
    every run, never sent, and the target never current (no WebSub ping). Only a story's file
    goes with a version and status of the plan; a feed is sent with its bytes of now, and
    recorded so."""
    from syndicate.deliver import delivery as module

    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[atom]")))
    site.export("atom")
    feeds = sorted(p for p in (site.out / "atom").rglob("*.xml"))
    assert feeds
    real = module.open_remote

    def rewriting(*args: Any, **kwargs: Any) -> Any:
        remote = real(*args, **kwargs)
        put = remote.put

        def slow_put(path: str, data: bytes, meta: Any) -> None:
            for feed in feeds:  # an export lands during every upload: each feed is new
                feed.write_bytes(feed.read_bytes().replace(b"</feed>", b"<!-- x -->\n</feed>"))
            put(path, data, meta)

        remote.put = slow_put
        return remote

    monkeypatch.setattr(module, "open_remote", rewriting)
    result = deliver(config=site.config, out=site.out)
    assert result.status == "current", result.diagnostics
    assert not [d for d in result.diagnostics if d.code == "deliver.changed"]
    monkeypatch.setattr(module, "open_remote", real)
    held = Ledger(state_folder(site.out, cache_folder(site.config, site.out))).delivered(
        "partner", folder.url
    )
    for feed in feeds:
        path = feed.relative_to(site.out).as_posix()
        sent = (folder.root / path).read_bytes()
        assert held[path].sha256 == hashlib.sha256(sent).hexdigest(), path
    assert deliver(config=site.config, out=site.out).status == "current"
    assert {p: (folder.root / p).read_bytes() for p in held} == {
        p: (site.out / p).read_bytes() for p in held
    }


def test_a_name_with_a_tab_or_a_line_break_goes_to_a_folder_and_a_held_copy_stays(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """deliver.bad-name left out every name holding any control character, a tab too, for
    every target, though only FTP (and S3) cannot carry a line break: a file:// or SFTP
    target that had received it was never sent it again and its copy deleted, while the
    warning said "never sent". Only an FTP or S3 target leaves out a name with a line break,
    and a copy such a target holds is not deleted."""
    folder = LocalFolder(tmp_path)
    site.configure(deliver_section(target_yaml(folder, formats="[atom]")))
    site.export("atom")
    (site.out / "atom/desk\tnotes.txt").write_text("notes\n")
    (site.out / "atom/desk\nnotes.txt").write_text("more notes\n")
    capsys.readouterr()
    assert site.deliver() == 0
    assert "deliver.bad-name" not in capsys.readouterr().err
    assert (folder.root / "atom/desk\tnotes.txt").read_text() == "notes\n"
    assert (folder.root / "atom/desk\nnotes.txt").read_text() == "more notes\n"

    with FtpServer(tmp_path / "ftp") as server:
        site.configure(deliver_section(target_yaml(server, formats="[atom]")))
        assert site.deliver() == 0
        err = capsys.readouterr().err
        assert "atom/desk\\nnotes.txt: warning: its name holds a line break" in err, err
        assert "atom/desk\\tnotes.txt" not in err
        assert server.files()["atom/desk\tnotes.txt"] == b"notes\n"
        # A copy the ledger says it holds (sent by an older syndicate): not deleted.
        ledger = Ledger(state_folder(site.out, cache_folder(site.config, site.out)))
        held = ledger.delivered("partner", server.url)["atom/desk\tnotes.txt"]
        ledger.record("partner", replace(held, path="atom/desk\nnotes.txt"))
        ledger.close()
        result = deliver(config=site.config, out=site.out)
        assert result.status == "current", result.diagnostics
        assert not [c for t in result.targets for c in t.changes if not c.sends]
        told = [d.message for d in result.diagnostics if d.code == "deliver.bad-name"]
        assert len(told) == 1 and "the copy it holds is left there as it is" in told[0]
        assert "never sent" not in told[0]
        # Gone from out/, the copy no run can delete is said once more, then forgotten (it
        # was warned of on every run).
        (site.out / "atom/desk\nnotes.txt").unlink()
        runs = [deliver(config=site.config, out=site.out) for _ in range(2)]
        assert [r.status for r in runs] == ["current", "current"]
        told = [[d.message for d in r.diagnostics if d.code == "deliver.bad-name"] for r in runs]
        assert len(told[0]) == 1 and not told[1]
        assert "left there and forgotten (remove it at the target by hand)" in told[0][0]
        assert server.files()["atom/desk\tnotes.txt"] == b"notes\n"


def test_two_s3_targets_of_one_bucket_on_two_stores_are_not_one_place(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same `s3://bucket/prefix/` on AWS and on a partner's MinIO (another `endpoint_url`)
    was told `deliver.shared-target` "deliver to the same place": the endpoint names another
    server, so they are two places. The same bucket on one store still is told."""
    with S3Server(tmp_path) as server:
        aws = target_yaml(server, name="aws", formats="[atom]")
        minio = target_yaml(server, name="minio", formats="[atom]").replace(
            server.endpoint, "http://127.0.0.2:9"
        )
        site.configure(deliver_section(aws, minio))
        site.export("atom")
        capsys.readouterr()
        site.deliver()
        err = capsys.readouterr().err
        assert "aws: " in err and "[deliver.shared-target]" not in err, err
        twin = target_yaml(server, name="twin", formats="[atom]")
        site.configure(deliver_section(aws, twin))
        site.deliver()
        assert "and twin deliver to the same place" in capsys.readouterr().err


def test_a_target_moved_to_another_store_is_not_told_to_take_back_its_old_name(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A target moved to another store (same `s3://bucket/prefix/`, another `endpoint_url`)
    under a new name was told `deliver.renamed` "give it its former name back": followed,
    the new, empty store was taken as holding everything and sent nothing. Another endpoint
    is another place: not told, and under the old name it is sent every file."""
    with S3Server(tmp_path) as server:
        site.configure(deliver_section(target_yaml(server, name="aws", formats="[atom]")))
        site.export("atom")
        assert site.deliver() == 0
        moved = target_yaml(server, name="r2", formats="[atom]")
        site.configure(deliver_section(moved.replace(server.endpoint, "http://127.0.0.2:9")))
        capsys.readouterr()
        assert site.deliver("--dry-run") == 0
        assert "[deliver.renamed]" not in capsys.readouterr().err
        renamed = target_yaml(server, name="r2", formats="[atom]")
        site.configure(deliver_section(renamed))
        assert site.deliver("--dry-run") == 0
        assert "[deliver.renamed]" in capsys.readouterr().err  # same store: still told
        old = target_yaml(server, name="aws", formats="[atom]")
        site.configure(deliver_section(old.replace(server.endpoint, "http://127.0.0.2:9")))
        assert site.deliver("--dry-run") == 0
        err = capsys.readouterr().err
        assert "current, nothing to send" not in err, err


def test_a_target_current_at_the_upgrade_keeps_its_store_and_then_notices_a_move(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ledger from before stores were kept, its target current (nothing to send): its
    store was recorded only with a change, so a later move to another endpoint_url was
    taken as the same place and the new, empty store was "current, nothing to send"
    (review). The store it holds its files at is recorded on the first run."""
    with S3Server(tmp_path / "a") as first, S3Server(tmp_path / "b") as second:
        target = target_yaml(first, name="partner", formats="[atom]")
        site.configure(deliver_section(target))
        site.export("atom")
        assert site.deliver() == 0
        ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
        with contextlib.closing(sqlite3.connect(ledger)) as db, db:
            db.execute("DELETE FROM stores")  # as the version before left it
        assert site.deliver() == 0  # nothing to send
        with contextlib.closing(sqlite3.connect(ledger)) as db:
            assert db.execute("SELECT count(*) FROM stores").fetchone() == (1,)
        site.configure(deliver_section(target.replace(first.endpoint, second.endpoint)))
        capsys.readouterr()
        assert site.deliver() == 0
        assert "current, nothing to send" not in capsys.readouterr().err
        assert second.files() == site.files("atom")


def test_every_store_that_cannot_take_a_line_break_leaves_such_a_name_out() -> None:
    """Cloud Storage refuses an object name with a line break as FTP cannot carry one: a
    `gs://` target was sent such names once only FTP and S3 left them out (review)."""
    from syndicate.deliver.delivery import _WHY_NOT, LINE_BOUND

    assert {"ftp", "s3", "s3a", "gs", "gcs"} <= LINE_BOUND
    assert not LINE_BOUND & {"file", "sftp", "http", "https"}
    assert all(_WHY_NOT[scheme] for scheme in LINE_BOUND)


def test_a_folder_a_preview_with_drafts_made_is_never_delivered(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`serve --watch --drafts --preview DIR`, then `deliver --out DIR`: the drafts the
    preview showed as if released went to the partner. Refused, nothing sent, until an export
    makes every file of that folder anew."""
    from datetime import datetime

    from syndicate.build import export

    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [newsml, ninjs]\n"
    )
    site.replace(SAMPLE_SLUG, "story.yaml", "status: usable", "status: withheld")
    preview = export(
        formats=["newsml", "ninjs"],
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
    capsys.readouterr()
    assert site.deliver() == 2
    err = capsys.readouterr().err
    assert "was last exported by a preview with --drafts" in err
    assert f"({SAMPLE_SLUG}), which no partner may get" in err and "[deliver.out]" in err
    assert not mirror.exists() or not any(mirror.rglob("*")), "nothing was sent"
    args = ("export", "-q", "--jobs", "1", "--now", FIXED_NOW, "--out", str(site.out))
    args += ("--articles", str(site.articles))
    assert site.cli(*args, "--format", "newsml", "--format", "ninjs") == 2  # (refused)
    assert site.deliver() == 2
    assert site.cli(*args, "--format", "all", "--force") == 0  # every file anew
    assert site.deliver() == 0
    assert not any(mirror.rglob(f"{SAMPLE_SLUG}*")), "no draft reaches the partner"
    assert any(mirror.rglob(f"{SECOND_SLUG}*"))


def test_botocore_s_own_timeout_is_said_as_the_stall_it_is() -> None:
    """botocore's read timeout is `retry.timeout`, as the call's deadline starts from: on a
    loaded machine botocore gave up on a stalled upload first, and the stall was said in
    botocore's words alone ("Read timeout on endpoint URL"), where a deadline's is "did not
    answer within". Both are the one stall, said alike with botocore's words kept."""
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    from syndicate.deliver.remotes import describe

    url = "http://127.0.0.1:9/bucket/newsml/a.xml"
    for error in (ReadTimeoutError(endpoint_url=url), ConnectTimeoutError(endpoint_url=url)):
        said = describe(error)
        assert said.startswith("the server did not answer within retry.timeout ("), said
        assert url in said


def test_a_site_still_at_init_s_placeholder_address_is_never_delivered(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`syndicate init` without --url writes https://example.org/ as base_url: delivered, every
    partner got ids and links naming example.org, for good."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [ninjs]\n"
    )
    text = site.config.read_text(encoding="utf-8")
    site.config.write_text(
        re.sub(r"(?m)^base_url: .*$", "base_url: https://example.org/", text), encoding="utf-8"
    )
    site.export("ninjs")
    capsys.readouterr()
    assert site.deliver() == 2
    err = capsys.readouterr().err
    line = next(n for n, x in enumerate(site.config.read_text().splitlines(), 1) if "base_url" in x)
    assert f"syndicate.yaml:{line}: error: base_url is https://example.org/, the placeholder" in err
    assert "nothing was sent [deliver.base-url]" in err
    assert not mirror.exists() or not any(mirror.rglob("*")), "nothing was sent"


def test_a_story_whose_id_names_a_reserved_name_is_never_delivered(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init's sample story (tag:harbour.example,...:welcome after `init --url
    https://harbour.example/`), and a story `new` made before publisher.url was set, keep
    their ids once base_url and publisher.url are set: init said deliver refused to send
    anything until such an id was changed, but deliver sent it, and partners keep the ids they
    are given. Refused at the story's id line, nothing sent, the dry run too; once the id is
    the site's own, delivered."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [atom]\n"
    )
    site.replace(SECOND_SLUG, "story.yaml", "id: tag:ycpress.internal,", "id: tag:harbour.example,")
    site.export("atom")
    capsys.readouterr()
    for args in (("--dry-run",), ()):
        assert site.deliver(*args) == 2
        err = capsys.readouterr().err
        line = 1 + site.articles.joinpath(SECOND_SLUG, "story.yaml").read_text().splitlines().index(
            "id: tag:harbour.example,2021-02-18:nato-second-story"
        )
        assert (
            f"{SECOND_SLUG}/story.yaml:{line}: error: the id of {SECOND_SLUG},"
            " tag:harbour.example,2021-02-18:nato-second-story, names harbour.example (on"
            " .example, a name RFC 2606 reserves for examples and tests, no site's)"
        ) in err, err
        assert "nothing was sent [deliver.story-id]" in err
        assert SAMPLE_SLUG not in err, "the sample's id is the site's own"
        assert not mirror.exists() or not any(mirror.rglob("*")), "nothing was sent"
    site.replace(SECOND_SLUG, "story.yaml", "id: tag:harbour.example,", "id: tag:ycpress.internal,")
    site.export("atom")
    assert site.deliver() == 0
    assert any(mirror.rglob("*.xml"))


def test_a_story_a_target_holds_under_a_reserved_id_is_left_as_it_is(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story partners already have under such an id (sent before deliver refused it) keeps
    it: changing an id after it is out makes two stories of one. Its later versions go."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [newsml]\n"
    )
    site.export("newsml")
    assert site.deliver() == 0
    old, new = (f"tag:{host},2021-02-18:nato-second-story" for host in (HOST, "harbour.example"))
    ledger = state_folder(site.out, cache_folder(site.config, site.out)) / "deliver.sqlite"
    with contextlib.closing(sqlite3.connect(ledger)) as db, db:  # (as a run before it sent it)
        db.execute("UPDATE words SET story = ? WHERE story = ?", (new, old))
    for path in (site.articles / SECOND_SLUG).glob("*"):
        if path.suffix in (".yaml", ".md"):
            path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    site.export("newsml")
    capsys.readouterr()
    assert site.deliver() == 0
    assert "[deliver.story-id]" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("ident", "host"),
    [
        ("tag:ycpress.com,2021-02-18:nato", "ycpress.com"),
        ("tag:desk@harbour.example,2021:x", "harbour.example"),
        ("urn:newsml:example.org:20260105:x", "example.org"),
        ("URN:NewsML:ycpress.com:20260105:x", "ycpress.com"),
        ("urn:uuid:2b7c3a59-4f4d-4a4c-9a5e-7d1f7d2a8c11", None),
    ],
)
def test_the_name_a_story_id_gives(ident: str, host: str | None) -> None:
    from syndicate.readers.config import id_host

    assert id_host(ident) == host


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [
        ("publisher.url", "https://example.org/", "deliver.publisher-url"),
        ("base_url", "http://example.org/news/", "deliver.base-url"),
        # a name under it, and the name with the root's final dot
        ("base_url", "https://www.example.org/", "deliver.base-url"),
        ("publisher.url", "https://example.org./", "deliver.publisher-url"),
    ],
)
def test_a_site_with_either_address_on_the_placeholder_is_never_delivered(
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    value: str,
    code: str,
) -> None:
    """A base_url set but a publisher.url left as init wrote it: `syndicate new` still minted
    ids under example.org (tag:example.org,...), which went to partners, as did the
    publisher's own (JSON-LD, NewsML-G2). And one edited only in part (http, a path) is on
    example.org all the same."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [ninjs]\n"
    )
    text = site.config.read_text(encoding="utf-8")
    key = setting.rpartition(".")[2]
    pattern = r"(?m)^(  url): .*$" if setting == "publisher.url" else r"(?m)^(base_url): .*$"
    site.config.write_text(re.sub(pattern, rf"\1: {value}", text, count=1), encoding="utf-8")
    site.export("ninjs")
    capsys.readouterr()
    assert site.deliver() == 2
    err = capsys.readouterr().err
    lines = site.config.read_text().splitlines()
    line = next(n for n, x in enumerate(lines, 1) if x.strip().startswith(f"{key}: {value}"))
    said = value if value == "https://example.org/" else f"{value} (on example.org)"
    assert f"syndicate.yaml:{line}: error: {setting} is {said}, the placeholder" in err, err
    assert f"nothing was sent [{code}]" in err
    assert not mirror.exists() or not any(mirror.rglob("*")), "nothing was sent"


@pytest.mark.parametrize(
    ("url", "reserved"),
    [
        ("https://example.org/", "example.org"),
        ("HTTP://Example.ORG:8080/news/", "example.org"),
        ("https://www.example.org/", "example.org"),  # (its ids name tag:www.example.org,...)
        ("https://example.org./", "example.org"),
        ("https://ｅｘａｍｐｌｅ.org/", "example.org"),  # (as a browser, and uri_form, map it)
        ("https://notexample.org/", None),
        ("https://example.org.uk/", None),
        # RFC 2606's other names, and RFC 6761's localhost: only example.org was refused
        ("https://harbour.example/", ".example"),
        ("https://www.example.com/", "example.com"),
        ("https://EXAMPLE.NET./", "example.net"),
        ("https://harbour.test/", ".test"),
        ("https://harbour.invalid/", ".invalid"),
        ("http://localhost:8000/", "localhost"),
        ("http://news.localhost/", ".localhost"),
        ("https://example.news/", None),
        ("https://harbour.testing/", None),
        ("https://localhost.news/", None),
        # this machine's addresses, as localhost (serve's address copied into base_url)
        ("http://127.0.0.1:8000/", "127.0.0.1"),
        ("http://127.1.2.3/", "127.1.2.3"),
        ("http://[::1]:8000/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),
        ("http://0.0.0.0:8000/", "0.0.0.0"),
        ("http://[::]/", "::"),
        # (as a browser reads a host: the short IPv4 forms, percent-encoding)
        ("http://127.1:8000/", "127.0.0.1"),
        ("http://2130706433/", "127.0.0.1"),
        ("http://0x7f.0.0.1/", "127.0.0.1"),
        ("https://example%2Eorg/", "example.org"),
        ("http://123/", None),
        ("https://192.0.2.10/", None),  # (another machine's: TEST-NET, but an address)
        ("https://[2001:db8::1]/", None),
    ],
)
def test_what_is_on_a_name_kept_for_examples(url: str, reserved: str | None) -> None:
    """Only `example.org` itself counted: `www.example.org` or the name with the root's final
    dot (both of which the configuration accepts, and every link and id made from them is on
    example.org) went to partners; and so did example.com, `.example`, `.test`, `localhost`,
    which RFC 2606 and RFC 6761 keep for examples and tests as they keep example.org."""
    from syndicate.readers.config import reserved_name

    assert reserved_name(url) == reserved


@pytest.mark.parametrize(
    ("setting", "value", "address"),
    [
        ("base_url", "http://127.0.0.1:8000/", "127.0.0.1"),
        ("publisher.url", "http://[::1]:8000/", "::1"),
    ],
)
def test_a_site_on_this_machines_address_is_never_delivered(
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    value: str,
    address: str,
) -> None:
    """base_url http://localhost:8000/ was refused but http://127.0.0.1:8000/ (the address
    `serve` prints, pasted into syndicate.yaml) or http://[::1]:8000/ was delivered: partners
    kept ids and links naming the machine that made them. Refused as localhost is."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [ninjs]\n"
    )
    text = site.config.read_text(encoding="utf-8")
    key = setting.rpartition(".")[2]
    pattern = r"(?m)^(  url): .*$" if setting == "publisher.url" else r"(?m)^(base_url): .*$"
    site.config.write_text(re.sub(pattern, rf'\1: "{value}"', text, count=1), encoding="utf-8")
    site.export("ninjs")
    capsys.readouterr()
    assert site.deliver() == 2
    err = capsys.readouterr().err
    lines = site.config.read_text().splitlines()
    line = next(n for n, x in enumerate(lines, 1) if x.strip().startswith(f'{key}: "{value}"'))
    said = f"{value} (on {address}, an address of this machine itself, as localhost is"
    assert f"syndicate.yaml:{line}: error: {setting} is {said}" in err, err
    assert not mirror.exists() or not any(mirror.rglob("*")), "nothing was sent"


@pytest.mark.parametrize(
    ("setting", "value", "name", "rfc"),
    [
        (
            "base_url",
            "https://harbour.example/wire/",
            ".example",
            "RFC 2606 reserves for examples and tests",
        ),
        (
            "publisher.url",
            "https://www.example.com/",
            "example.com",
            "RFC 2606 reserves for examples and tests",
        ),
        (
            "base_url",
            "https://example.net/",
            "example.net",
            "RFC 2606 reserves for examples and tests",
        ),
        (
            "publisher.url",
            "https://harbour.test/",
            ".test",
            "RFC 2606 reserves for examples and tests",
        ),
        (
            "base_url",
            "http://localhost:8000/",
            "localhost",
            "RFC 6761 keeps for this machine itself",
        ),
        ("base_url", "https://x.invalid/", ".invalid", "RFC 2606 keeps for names that are invalid"),
    ],
)
def test_a_site_on_any_name_kept_for_examples_is_never_delivered(
    site: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    value: str,
    name: str,
    rfc: str,
) -> None:
    """deliver refused a site on example.org but sent one on example.com, `.example`, `.test`
    or `localhost` (a staging configuration delivered as it was): each is refused as
    example.org is, at its line, the same message with the name and the RFC that keeps it."""
    mirror = tmp_path / "mirror"
    site.configure(
        f"deliver:\n  targets:\n    - name: desk\n      url: {mirror.as_uri()}/\n"
        "      formats: [ninjs]\n"
    )
    text = site.config.read_text(encoding="utf-8")
    key = setting.rpartition(".")[2]
    pattern = r"(?m)^(  url): .*$" if setting == "publisher.url" else r"(?m)^(base_url): .*$"
    site.config.write_text(re.sub(pattern, rf"\1: {value}", text, count=1), encoding="utf-8")
    site.export("ninjs")
    capsys.readouterr()
    assert site.deliver() == 2
    err = capsys.readouterr().err
    lines = site.config.read_text().splitlines()
    line = next(n for n, x in enumerate(lines, 1) if x.strip().startswith(f"{key}: {value}"))
    said = f"{value} (on {name}, a name {rfc}, no site's): "
    assert f"syndicate.yaml:{line}: error: {setting} is {said}" in err, err
    code = "deliver.base-url" if key == "base_url" else "deliver.publisher-url"
    assert f"nothing was sent [{code}]" in err
    assert not mirror.exists() or not any(mirror.rglob("*")), "nothing was sent"
