"""The `deliver` and `serve` sections of syndicate.yaml: every problem at its line with what to
do, secrets never written there, and clear refusals from the command line (no targets, an
unknown target, no out/, a missing extra)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sites import Site


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "newsroom")


def problems(site: Site, capsys: pytest.CaptureFixture[str], *command: str) -> tuple[int, str]:
    capsys.readouterr()
    status = (
        site.cli(*command) if command else site.cli("validate", "--articles", str(site.articles))
    )
    return status, capsys.readouterr().err


TARGET = """\
deliver:
  targets:
    - name: wire
      url: sftp://ycpress@sftp.partner.example/incoming/
      formats: [newsml]
      credentials: {password: env:WIRE_PASSWORD}
"""


def test_a_valid_section_passes_validate(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.configure(
        TARGET
        + "    - name: web\n      url: s3://bucket/site/\n      formats: [all]\n"
        + "    - name: cloud\n      url: gs://bucket/site/\n      formats: [atom]\n"
        + "      languages: [en, fr]\n      sections: [politics]\n"
        + "  public_target: web\n  retry: {attempts: 2, wait_initial: 0.5}\n"
        + "serve:\n  protect:\n    - {path: newsml/, token: env:PARTNER_TOKEN}\n"
    )
    status, err = problems(site, capsys)
    assert status == 0, err


@pytest.mark.parametrize(
    ("change", "line", "expected"),
    [
        (
            ("formats: [newsml]", "formats: [newsml]\n      urll: x"),
            6,
            "deliver: targets[0]: unknown option 'urll'; did you mean 'url'?",
        ),
        (
            ("formats: [newsml]", "formats: [newsm]"),
            5,
            "deliver: targets[0].formats: unknown format 'newsm'; did you mean 'newsml'?",
        ),
        (
            ("ycpress@", "ycpress:hunter2@"),
            4,
            "deliver: targets[0].url: holds a password: remove it",
        ),
        (
            ("env:WIRE_PASSWORD", "hunter2"),
            6,
            "deliver: targets[0].credentials.password: what is written here is not valid; expected"
            " env:VARIABLE or file:PATH; secrets are never written in syndicate.yaml",
        ),
        (
            ("{password: env:WIRE_PASSWORD}", "{hmac_secret: env:X}"),
            6,
            "deliver: targets[0].credentials.hmac_secret: is for http and https targets, not sftp",
        ),
        (
            ("formats: [newsml]", "formats: [newsml]\n      languages: [en, xx]"),
            6,
            "deliver: targets[0].languages: xx not among the site's languages",
        ),
        (
            ("name: wire", "name: Wire Desk"),
            3,
            "deliver: targets[0].name: 'Wire Desk' is not valid; expected lowercase letters",
        ),
        (
            ("formats: [newsml]", "formats: []"),
            5,
            # (msgspec's "expected a list of length >= 1", in words since fuzzing)
            "deliver: targets[0].formats: [] is not valid: expected a list of at least 1 item",
        ),
        (("      formats: [newsml]\n", ""), 3, "deliver: targets[0]: missing option 'formats'"),
        (
            ("  targets:", "  public_target: nope\n  targets:"),
            2,
            "deliver: public_target: no target is named 'nope'",
        ),
        (
            ("formats: [newsml]", "formats: [newsml]\n      endpoint_url: https://s3.example/"),
            6,
            "deliver: targets[0].endpoint_url: is for s3 targets only",
        ),
        (("deliver:", "delivr:"), 1, "unknown section 'delivr'; did you mean 'deliver'?"),
        (
            ("sftp://ycpress@", "stfp://ycpress@"),
            4,
            "deliver: targets[0].url: unknown protocol 'stfp'; did you mean 'sftp'?",
        ),
        # A port out of range went unsaid; over HTTP, 99999 wrapped round to 34463 and the
        # files (token and signatures too) went to whatever listened there.
        (
            ("sftp.partner.example/", "sftp.partner.example:99999/"),
            4,
            "deliver: targets[0].url: names port '99999': a port is a number from 1 to 65535",
        ),
        (
            ("sftp://ycpress@sftp.partner.example/", "https://[::1/"),
            4,
            "deliver: targets[0].url: opens an IPv6 address with [ and never closes it with ]",
        ),
        (
            ("sftp://ycpress@sftp.partner.example/", "https://[abc]/"),
            4,
            "deliver: targets[0].url: cannot be read as a URL (",
        ),
        (
            ("sftp.partner.example/", "sftp.partner.example:ssh/"),
            4,
            "deliver: targets[0].url: names port 'ssh': a port is a number from 1 to 65535",
        ),
        (
            (
                "sftp://ycpress@sftp.partner.example/incoming/",
                "s3://bucket/in/\n      endpoint_url: http://admin:pw@127.0.0.1:9000",
            ),
            5,
            "deliver: targets[0].endpoint_url: holds a password: remove it",
        ),
        (
            # A signed query in the endpoint (a presigned URL pasted in) was quoted whole,
            # secret and all, by the delivery's error ("Custom endpoint `...` was not a valid
            # URI"): refused when the configuration loads, as the url's query is.
            (
                "sftp://ycpress@sftp.partner.example/incoming/",
                "s3://bucket/in/\n      endpoint_url: http://127.0.0.1:9000/?X-Amz-Signature=hunter2",
            ),
            5,
            "deliver: targets[0].endpoint_url: must not have a query or a fragment",
        ),
        # A list or a mapping where a text goes was shown as Python shows it (`['wire']`,
        # `{'a': 1}`, `None`), with msgspec's words (`str | array`, `got object`, `got null`):
        # found by mutation fuzzing. They are shown as YAML writes them, the types in words.
        (
            ("name: wire", "name: [wire]"),
            3,
            "deliver: targets[0].name: [wire] is not valid; expected lowercase letters",
        ),
        (
            ("formats: [newsml]", "formats: [newsml]\n      languages: {en: 1}"),
            6,
            "deliver: targets[0].languages: {en: 1} is not valid: expected a text or a list, got"
            " a mapping",
        ),
        (
            ("formats: [newsml]", "formats: [newsml]\n      rename:"),
            6,
            "deliver: targets[0].rename: an empty value is not valid: expected true or false,"
            " got nothing",
        ),
        (
            ("  targets:", "  public_target: ['x', null, true]\n  targets:"),
            2,
            "deliver: public_target: [x, null, true] is not valid: expected a text or nothing,"
            " got a list",
        ),
        # Texts in a list shown plain whatever they held: ['a, b', '', 'null'] read as
        # `[a, b, , null]`, four items, one of them nothing. Quoted where YAML needs it.
        (
            ("  targets:", "  public_target: ['a, b', '', 'null', ok]\n  targets:"),
            2,
            'deliver: public_target: ["a, b", "", "null", ok] is not valid: expected a text or',
        ),
    ],
)
def test_problems_are_reported_at_their_line(
    site: Site,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, str],
    line: int,
    expected: str,
) -> None:
    site.configure(TARGET.replace(*change))
    status, err = problems(site, capsys)
    assert status == 2
    where = f"syndicate.yaml:{line + 8}: error: "
    assert where + expected in err, err
    if "hunter2" in change[1]:
        assert "config.option" in err
        assert "hunter2" not in err, "a secret written in the file is never shown back"
    if expected.startswith("deliver:"):
        status, err = problems(site, capsys, "deliver", "--out", str(site.out))
        assert status == 2 and where + expected in err, "deliver checks its section too"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "sftp://ycpress:Hunter2Secret@sftp.partner.example/in coming/",
            "holds a space: write each space %20 in a URL, as in"
            " sftp://ycpress@sftp.partner.example/in%20coming/",
        ),
        (
            # urlsplit drops a tab: the password was not found as written, so left in
            "sftp://ycpress:Hunter2\\tSecret@sftp.partner.example/in coming/",
            "holds a space: write each space %20 in a URL, as in"
            " sftp://ycpress@sftp.partner.example/in%20coming/",
        ),
        (
            "file://ycpress:Hunter2Secret@srv/archive/",
            "names a host (ycpress@srv): a folder of this machine is written with three slashes"
            " and no host, file:///ycpress@srv/archive/",
        ),
    ],
)
def test_a_password_written_in_a_url_is_never_shown_by_another_problem_of_it(
    site: Site, capsys: pytest.CaptureFixture[str], url: str, said: str
) -> None:
    """A url holding a password and a space (or, for file://, a host) was refused twice, and
    the second refusal quoted the url whole to show its fix, password included, on stderr
    and in a cron job's mail. The fix is shown without it."""
    site.configure(TARGET.replace("sftp://ycpress@sftp.partner.example/incoming/", f'"{url}"'))
    for command in ((), ("deliver", "--out", str(site.out))):
        status, err = problems(site, capsys, *command)
        assert status == 2
        assert "targets[0].url: holds a password: remove it" in err
        assert f"targets[0].url: {said} [config.option]" in err, err
        assert "Hunter2Secret" not in err


@pytest.mark.parametrize(
    "url",
    [
        "sftp://ycpress:Hunter2/Secret@sftp.partner.example/incoming/",
        "sftp://ycpress:123/Hunter2Secret@sftp.partner.example/incoming/",
        "sftp://ycpress:Hunter2?Secret@sftp.partner.example/incoming/",
        "sftp://ycpress:Hunter2#Secret@sftp.partner.example/incoming/",
    ],
)
def test_a_password_holding_a_slash_written_in_a_url_is_refused_unshown(
    site: Site, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """`user:pass/word@host`: the host part ends at the `/`, so the password's start was
    quoted as a port (`names port 'Hunter2'`) or, all digits, taken for one: the target was
    delivered to the host `ycpress`, the rest of the password a folder, shown whole in every
    message of every run."""
    site.configure(TARGET.replace("sftp://ycpress@sftp.partner.example/incoming/", f'"{url}"'))
    for command in ((), ("deliver", "--out", str(site.out))):
        status, err = problems(site, capsys, *command)
        assert status == 2
        assert "targets[0].url: holds an @ after a / ? or # that follows a : in its host" in err
        assert "Hunter2" not in err.replace(str(site.root), "")


def test_a_token_in_a_urls_query_is_not_shown_by_its_space(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A query is refused, yet a space in the url had the fix quote the url whole: a token or
    a signature in its query too, on stderr and in a cron job's mail."""
    url = "https://ingest.partner.example/in coming/?token=Hunter2Secret"
    site.configure(
        TARGET.replace("sftp://ycpress@sftp.partner.example/incoming/", f'"{url}"').replace(
            "{password: env:WIRE_PASSWORD}", "{token: env:WIRE_TOKEN}"
        )
    )
    status, err = problems(site, capsys)
    assert status == 2
    assert "as in https://ingest.partner.example/in%20coming/ [config.option]" in err, err
    assert "targets[0].url: must not have a query or a fragment" in err
    assert "Hunter2Secret" not in err


def test_an_ipv6_host_with_an_at_in_its_folder_is_no_password(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sftp://[2001:db8::1]/drop@wire/`: the `:` of an IPv6 address is no `user:password`, yet
    its folder's `@` had the url refused as a password cut short by the `/`."""
    url = "sftp://[2001:db8::1]/drop@wire/"
    site.configure(TARGET.replace("sftp://ycpress@sftp.partner.example/incoming/", f'"{url}"'))
    status, err = problems(site, capsys)
    assert "targets[0].url" not in err, err
    assert status == 0


@pytest.mark.parametrize("url_key", ["url", "endpoint_url"])
def test_a_password_holding_a_full_width_character_is_refused_unshown(
    site: Site, capsys: pytest.CaptureFixture[str], url_key: str
) -> None:
    """A host part Python will not read (a full-width `\uff03` normalising to `#`) was refused
    in Python's own words, which quote the host part whole: the password with it."""
    url = "sftp://ycpress:Hunter2\uff03Secret@sftp.partner.example/incoming/"
    if url_key == "url":
        config = TARGET.replace("sftp://ycpress@sftp.partner.example/incoming/", f'"{url}"')
    else:
        config = TARGET.replace(
            "url: sftp://ycpress@sftp.partner.example/incoming/",
            f'url: s3://bucket/incoming/\n      endpoint_url: "{url.replace("sftp", "https")}"',
        ).replace("{password: env:WIRE_PASSWORD}", "{secret_access_key: env:S3_SECRET}")
    site.configure(config)
    status, err = problems(site, capsys)
    assert status == 2
    assert f"targets[0].{url_key}: holds in its host part a character read as" in err, err
    assert "Hunter2" not in err.replace(str(site.root), "")


def test_duplicate_names_and_two_problems_at_once(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    site.configure(TARGET + TARGET.split("targets:\n")[1].replace("sftp://", "ftp://"))
    status, err = problems(site, capsys)
    assert status == 2
    assert "syndicate.yaml:15: error: deliver: targets[1].name: 'wire' names two targets" in err


def test_the_docs_two_problems_are_both_reported(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/delivery.md shows a mistyped option and a mistyped format reported together; the
    format was checked only once everything else was right. They are the only two: `urll:`
    was said a second time, as `missing option 'url'` (one mistake, two errors, where the page
    shows one, as a story's `headlin:` is said once)."""
    site.configure(TARGET.replace("url:", "urll:").replace("[newsml]", "[newsm]"))
    status, err = problems(site, capsys)
    assert status == 2
    said = [line.split(": error: ", 1)[1] for line in err.splitlines() if ": error: " in line]
    assert [line.split("?")[0] for line in said] == [
        "deliver: targets[0]: unknown option 'urll'; did you mean 'url'",
        "deliver: targets[0].formats: unknown format 'newsm'; did you mean 'newsml'",
    ]


def test_every_shape_problem_of_a_list_in_one_run(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """msgspec stops at the first problem of a value: the other targets' and the other
    protected folders' problems came one run at a time."""
    site.configure(
        "deliver:\n  targets:\n"
        "    - {name: c, url: 'https://h.example/in/', formats: [newsml],"
        " credentials: {token: abc123}}\n"
        "    - {name: D, url: 'https://h.example/in/', formats: [newsml], rename: maybe}\n"
        "    - {url: 'https://h.example/in/', formats: [newsml], urll: x}\n"
        "serve:\n  protect:\n    - {path: newsml, token: literal}\n"
    )
    status, err = problems(site, capsys)
    assert status == 2
    said = [line.split(": error: ")[1] for line in err.splitlines() if ": error: " in line]
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in said] == [
        "deliver: targets[0].credentials.token",
        "deliver: targets[1].name",
        "deliver: targets[1].rename",
        "deliver: targets[2]",
        "deliver: targets[2]",
        "serve: protect[0].path",
        "serve: protect[0].token",
    ]
    assert "targets[2]: unknown option 'urll'; did you mean 'url'?" in err
    assert "targets[2]: missing option 'name'" in err
    assert "abc123" not in err and "literal" not in err


def test_a_target_may_name_the_sites_own_profile(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A partner profile of the site's own is a format `deliver` sends: `validate` takes it
    too, as it takes a built-in one, and still refuses a name that is no format."""
    site.configure(
        "profiles:\n  mine: {base: msn}\n"
        "deliver:\n  targets:\n    - {name: arch, url: file:///tmp/x/, formats: [mine, msn]}\n"
    )
    status, err = problems(site, capsys)
    assert status == 0, err
    site.configure(
        "profiles:\n  mine: {base: msn}\n"
        "deliver:\n  targets:\n    - {name: arch, url: file:///tmp/x/, formats: [mien]}\n"
    )
    status, err = problems(site, capsys)
    assert status == 2
    assert "deliver: targets[0].formats: unknown format 'mien'; did you mean 'mine'?" in err


def test_serve_section_problems(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    site.configure("serve:\n  protect:\n    - {path: newsml, token: env:T}\n")
    status, err = problems(site, capsys)
    assert status == 2
    assert "syndicate.yaml:11: error: serve: protect[0].path: 'newsml' is not valid" in err
    site.configure("serve:\n  protect:\n    - path: newsml/\n      token: secret-token\n")
    status, err = problems(site, capsys)
    assert status == 2
    assert (
        "syndicate.yaml:12: error: serve: protect[0].token: what is written here is not valid;"
        " expected env:VARIABLE or file:PATH" in err
    )
    assert "secret-token" not in err


def test_command_line_refusals(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    status, err = problems(site, capsys, "deliver", "--out", str(site.out))
    assert status == 2 and "error: no delivery targets: add `deliver: targets:`" in err
    site.configure(TARGET)
    status, err = problems(site, capsys, "deliver", "--out", str(site.out), "--target", "wir")
    assert status == 2
    assert "no target is named 'wir'; did you mean 'wire'? (targets: wire)" in err
    status, err = problems(site, capsys, "deliver", "--out", str(site.out))
    assert (
        status == 2
        and f"no output folder {site.out}; run syndicate export --format all --out {site.out} first"
        in err  # (it said to export into out/: the folder given stayed missing)
    )


@pytest.mark.parametrize(
    ("module", "url", "extra"),
    [
        ("sshfs", "sftp://u@127.0.0.1:1/x/", "sftp"),
        ("s3fs", "s3://bucket/x/", "s3"),
    ],
)
def test_a_missing_extra_is_named(site: Site, module: str, url: str, extra: str) -> None:
    site.configure(
        f"deliver:\n  targets:\n    - name: t\n      url: {url}\n      formats: [atom]\n"
    )
    site.export("atom")
    # The module made unimportable, as in an installation without the extra.
    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "from syndicate.cli import main\n"
        f"sys.exit(main(['deliver', '--config', {str(site.config)!r}, '--out', {str(site.out)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert (
        f"{url.split(':')[0]} targets need the {extra} extra: pip install 'syndicate[{extra}]'"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_serve_without_its_extra(site: Site) -> None:
    code = (
        "import sys; sys.modules['uvicorn'] = None\n"
        "from syndicate.cli import main\n"
        f"sys.exit(main(['serve', '--config', {str(site.config)!r}]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "syndicate serve needs the serve extra" in done.stderr
    assert "pip install 'syndicate[serve]'" in done.stderr


def test_a_target_naming_a_profile_all_does_not_write_is_told(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A built-in partner profile is written by `--format all` only once `profiles:` names
    it: a target that takes one the site does not enable would find nothing to send after the
    usual export. `validate` says so at the format's line (a warning: `export --format msn`
    writes it); naming the profile under `profiles:` silences it."""
    site.configure(
        "deliver:\n  targets:\n    - name: aggregator\n      url: file:///tmp/x/\n"
        "      formats: [atom, msn]\n"
    )
    status, err = problems(site, capsys)
    assert status == 0, err
    lines = (site.root / "syndicate.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("      formats: [atom, msn]") + 1
    assert (
        f"syndicate.yaml:{line}: warning: deliver: targets[0].formats: 'msn' is a partner profile"
        " that `export --format all` writes only once `profiles:` names it: add"
        " `profiles: {msn: {}}`, or export it with `--format msn` [deliver.format]"
    ) in err
    site.configure(
        "profiles:\n  msn: {}\n"
        "deliver:\n  targets:\n    - name: aggregator\n      url: file:///tmp/x/\n"
        "      formats: [atom, msn]\n"
    )
    status, err = problems(site, capsys)
    assert status == 0 and "deliver.format" not in err, err
