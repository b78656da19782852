"""`validate --outputs` on the values of RSS and Atom elements, the W3C Feed Validator's rules
written natively (syndicate/formats/feeds/values.py): each bad value planted into an exported
RSS, Atom or partner feed is named by its rule at its line; the sample's feeds, and every
partner feed of it, pass untouched (SmartNews' `<snf:logo><url>` too)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ICON_V, PLAIN_COVERS, REPO
from lxml import etree
from partner_sites import DELIVERED

from syndicate.cli import main
from syndicate.formats.feeds.validate import atom_problems, rss_problems
from syndicate.formats.feeds.w3c import FEEDVALIDATOR_ENV

NOW = "2021-02-19T12:00:00Z"
"""A day after the sample story: inside every partner profile's window."""
FORMATS = ("rss", "atom", "google-news", "msn", "smartnews", "flipboard")
ENCODED = re.compile(r"<content:encoded>.*?</content:encoded>", re.S)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with the feeds and every built-in profile exported into its out/."""
    site = tmp_path_factory.mktemp("values") / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    config = (REPO / "syndicate.yaml").read_text(encoding="utf-8")
    (site / "syndicate.yaml").write_text(config + DELIVERED, encoding="utf-8")
    args = ["export", "-q", "--now", NOW, "-j", "1", "--site", str(site)]
    for fmt in FORMATS:
        args += ["--format", fmt]
    assert main(args, registry=PLAIN_COVERS) == 0
    return site


def validate(site: Path) -> tuple[int, list[str]]:
    """`syndicate validate --outputs` in `site`: its status and its problems (errors)."""
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        status = main(["validate", "--outputs", "--site", str(site), "--now", NOW])
    return status, [line for line in stream.getvalue().splitlines() if ": error: " in line]


def planted(sample: Path, tmp_path: Path, path: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the sample site holding only the folder of `path` in out/, with the first
    `old` of that file replaced by `new`; the site and the line of the first line of `new`
    not in `old` (the planted element)."""
    site = tmp_path / "site"
    shutil.copytree(sample / "articles", site / "articles")
    shutil.copy(sample / "syndicate.yaml", site / "syndicate.yaml")
    folder = Path(path).parent
    shutil.copytree(sample / "out" / folder, site / "out" / folder)
    feed = site / "out" / path
    text = feed.read_text(encoding="utf-8")
    at = text.index(old)
    feed.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    lines = new.split("\n")
    first = next((n for n, line in enumerate(lines) if line.strip() and line not in old), 0)
    return site, text.count("\n", 0, at) + 1 + first


CHANNEL = "\n    <language>en</language>"
ITEM = "\n      <pubDate>"
CASES = [
    # path, old, new, rule, message
    (
        "partners/msn/en.xml",
        "<link>https://ycpress.example/syndicate/html/index.en.html</link>",
        "<link>ycpress</link>",
        "rss.link",
        "the channel's link 'ycpress' is not a full URL",
    ),
    (
        "partners/msn/en.xml",
        CHANNEL,
        f"{CHANNEL}\n    <ttl>soon</ttl>",
        "rss.ttl",
        "ttl 'soon' is not a positive integer (the minutes a reader may cache)",
    ),
    (
        "partners/msn/en.xml",
        CHANNEL,
        f"{CHANNEL}\n    <managingEditor>nobody</managingEditor>",
        "rss.contact",
        "managingEditor 'nobody' is not an e-mail address (RSS 2.0 writes"
        " 'news@example.com (Name)')",
    ),
    (
        "rss/en.xml",
        CHANNEL,
        f"{CHANNEL}\n    <webMaster>web at ycpress (Web desk)</webMaster>",
        "rss.contact",
        "webMaster 'web at ycpress (Web desk)' is not an e-mail address",
    ),
    (
        "rss/en.xml",
        ITEM,
        f"\n      <author>Jane Doe</author>{ITEM}",
        "rss.contact",
        "author 'Jane Doe' is not an e-mail address",
    ),
    (
        "rss/en.xml",
        "<docs>http://www.rssboard.org/rss-specification</docs>",
        "<docs>rssboard.org/rss-specification</docs>",
        "rss.link",
        "the channel's docs 'rssboard.org/rss-specification' is not a full URL",
    ),
    (
        "rss/en.xml",
        f"<url>https://ycpress.example/syndicate/rss/logo.png{ICON_V}</url>",
        "<url>logo.png</url>",
        "rss.link",
        "the image's url 'logo.png' is not a full URL",
    ),
    (
        "rss/en.xml",
        "<width>144</width>",
        "<width>600</width>",
        "rss.image-size",
        "the image's width '600' is not a whole number of pixels from 1 to 144",
    ),
    (
        "rss/en.xml",
        "<height>144</height>",
        "<height>144px</height>",
        "rss.image-size",
        "the image's height '144px' is not a whole number of pixels from 1 to 400",
    ),
    (
        "rss/en.xml",
        ITEM,
        f"\n      <comments>see below</comments>{ITEM}",
        "rss.link",
        "an item's comments 'see below' is not a full URL",
    ),
    (
        "rss/en.xml",
        '<atom:link href="https://ycpress.example/syndicate/html/2021-02-18-nato-iraq-deployment.ar'
        '.html"',
        '<atom:link href="http://"',
        "rss.link",
        "atom:link href 'http://' is not a full URL",
    ),
    (
        "rss/en.xml",
        '<guid isPermaLink="false">',
        "<guid>",
        "rss.permalink",
        "guid 'tag:ycpress.example,2021-02-18:nato-iraq-deployment:en' is a permalink",
    ),
    (
        "rss/en.xml",
        '<guid isPermaLink="false">',
        '<guid isPermaLink="no">',
        "rss.guid",
        'guid isPermaLink=\'no\' is neither "true" nor "false"',
    ),
    (
        "partners/msn/en.xml",
        ' length="49710"',
        ' length="50 kB"',
        "rss.enclosure",
        "enclosure length '50 kB' is not a whole number of bytes (0 when unknown)",
    ),
    (
        "partners/msn/en.xml",
        '<enclosure url="https://ycpress.example/syndicate/html/',
        '<enclosure url="/syndicate/html/',
        "rss.enclosure",
        "enclosure url '/syndicate/html/media/2021-02-18-nato-iraq-deployment/"
        "nato-iraq-mission.png?v=be9dd0fa012a' is not a full http(s) URL",
    ),
    (
        "partners/msn/en.xml",
        'length="49710" type="image/png"',
        'length="49710" type="png"',
        "rss.enclosure",
        "enclosure type 'png' is not a MIME type",
    ),
    (
        "partners/msn/en.xml",
        '<category domain="http://cv.iptc.org/newscodes/mediatopic/">',
        '<category domain="">',
        "rss.category",
        "category domain is empty: leave it out or name the taxonomy",
    ),
    (
        "partners/msn/en.xml",
        ' medium="image"',
        ' medium="picture"',
        "rss.media",
        "media:content medium 'picture' is not one of audio, document, executable, image, video",
    ),
    (
        "partners/msn/en.xml",
        ' height="900" width="1600"',
        ' height="900" width="wide"',
        "rss.media",
        "media:content width 'wide' is not a positive integer",
    ),
    (
        "partners/smartnews/en.xml",
        '<media:thumbnail url="https://ycpress.example/',
        '<media:thumbnail url="ycpress.example/',
        "rss.media",
        "media:thumbnail url 'ycpress.example/syndicate/html/media/2021-02-18-nato-iraq-"
        "deployment/nato-iraq-mission.png?v=be9dd0fa012a' is not a full URL",
    ),
    (
        "partners/flipboard/en.xml",
        "<dc:creator>YCPress</dc:creator>",
        "<dc:creator> </dc:creator>",
        "rss.creator",
        "dc:creator is empty: it names no one",
    ),
    (
        "atom/en.xml",
        "<id>tag:ycpress.example,2021-02-18:nato-iraq-deployment:en</id>",
        "<id>nato-iraq-deployment</id>",
        "atom.id",
        "id 'nato-iraq-deployment' is not a full IRI",
    ),
    (
        "atom/en.xml",
        '<link href="https://ycpress.example/syndicate/html/index.en.html" rel="alternate"',
        '<link href="https://ycpress example/" rel="alternate"',
        "atom.link",
        "link href 'https://ycpress example/' is not an IRI",
    ),
]


@pytest.mark.parametrize(
    ("path", "old", "new", "rule", "message"),
    CASES,
    ids=[f"{case[3]}-{n}" for n, case in enumerate(CASES)],
)
def test_a_bad_value_is_named_at_its_line(
    sample: Path, tmp_path: Path, path: str, old: str, new: str, rule: str, message: str
) -> None:
    site, line = planted(sample, tmp_path, path, old, new)
    status, errors = validate(site)
    assert status == 1
    named = [e for e in errors if e.endswith(f"[{rule}]")]
    assert len(named) == 1, errors
    assert named[0].startswith(f"{site / 'out' / path}:{line}: error: {message}"), named


def test_an_empty_content_encoded_is_named(sample: Path, tmp_path: Path) -> None:
    found = ENCODED.search((sample / "out/partners/msn/en.xml").read_text(encoding="utf-8"))
    assert found is not None
    path = "partners/msn/en.xml"
    site, line = planted(sample, tmp_path, path, found.group(), "<content:encoded/>")
    _, errors = validate(site)
    expected = (
        f"{site / 'out' / path}:{line}: error: content:encoded is empty: leave it out or give"
        " the item's full text [rss.content]"
    )
    assert expected in errors


def test_a_profile_names_its_own_guid_rule_not_the_rss_one(sample: Path, tmp_path: Path) -> None:
    """A partner feed's guid that needs isPermaLink="false" is said once, by the profile."""
    site, _ = planted(
        sample, tmp_path, "partners/msn/en.xml", '<guid isPermaLink="false">', "<guid>"
    )
    _, errors = validate(site)
    assert [e.rsplit("[", 1)[1] for e in errors] == ["partner.msn.guid]"]


def test_the_sample_feeds_and_partner_feeds_pass(sample: Path) -> None:
    """No false positive: every feed and partner feed of the sample, SmartNews' `snf:logo`
    (whose `url` the W3C validator reports) included."""
    smartnews = (sample / "out/partners/smartnews/en.xml").read_text(encoding="utf-8")
    assert "<snf:logo>\n      <url>" in smartnews
    status, errors = validate(sample)
    assert (status, errors) == (0, [])


def test_the_w3c_validators_good_values_pass() -> None:
    """Values the W3C validator accepts that syndicate does not write: a contact as an address
    alone or a mailto: URL, an FTP link, a ttl with spaces, a MIME type with a parameter, an
    Atom link relative to its document and an IRI with characters beyond ASCII."""
    rss = b"""<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>t</title><link>ftp://ftp.example/</link><description>d</description>
<language>en</language><ttl> 60 </ttl><managingEditor>news@x.example</managingEditor>
<webMaster>mailto:web@x.example</webMaster>
<image><url>https://x.example/l.png</url><title>t</title><link>https://x.example/</link>
<width>1</width><height>400</height></image>
<item><title>i</title><guid>https://x.example/i</guid><author>a@x.example (A B)</author>
<enclosure url="https://x.example/a.mp3" length="0" type='audio/mpeg; codecs="mp3"'/>
<category>Politics</category>
<media:content url="https://x.example/v" medium="video" fileSize="1" width="2" height="3"/>
</item></channel></rss>"""
    assert list(rss_problems(etree.fromstring(rss))) == []
    atom = """<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66</id><link rel="self" href="en.xml"/>
<author><name>A</name></author><icon>/icon.png</icon>
<entry><id>https://x.example/ü</id><link href="../html/ü.html"/><content>c</content></entry>
</feed>"""
    assert list(atom_problems(etree.fromstring(atom.encode()))) == []


# The W3C Feed Validator itself, when the user points to it -----------------------------------


W3C_CASES = [case for case in CASES if case[3] not in ("rss.category", "rss.creator")]
"""The cases the W3C validator judges too (it has no rule on an empty dc:creator or a
category's domain)."""


def test_the_w3c_validator_runs_when_named(
    sample: Path, tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SYNDICATE_FEEDVALIDATOR: its errors at their lines, named w3c.<Type>, beside ours;
    none on the untouched sample (SmartNews' snf:logo and media:status, the partner's own
    markup, left out)."""
    monkeypatch.setenv(FEEDVALIDATOR_ENV, str(shared_dir / "tools/feed_validate.py"))
    site, line = planted(
        sample, tmp_path, "partners/msn/en.xml", CHANNEL, f"{CHANNEL}\n    <ttl>soon</ttl>"
    )
    feed = site / "out/partners/msn/en.xml"
    _, errors = validate(site)
    assert errors == [
        f"{feed}:{line}: error: ttl 'soon' is not a positive integer (the minutes a reader may"
        " cache) [rss.ttl]",
        f"{feed}:{line}: error: ttl must be a positive integer [w3c.InvalidPositiveInteger]",
    ]
    assert validate(sample) == (0, [])


@pytest.mark.parametrize(("tag", "reported"), [("ckb", False), ("nqo", False), ("zz", True)])
def test_a_tag_newer_than_the_w3c_validators_list_is_not_its_error(
    sample: Path,
    tmp_path: Path,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    tag: str,
    reported: bool,
) -> None:
    """Central Kurdish (`ckb`) and N'Ko (`nqo`) are valid tags the validator's ISO 639 list
    predates: every feed of a site in such a language (the English ones too, through their
    `hreflang`) failed `validate --outputs` with `w3c.InvalidLanguage`. A tag that is no
    language still is its error."""
    monkeypatch.setenv(FEEDVALIDATOR_ENV, str(shared_dir / "tools/feed_validate.py"))
    site, _ = planted(sample, tmp_path, "rss/en.xml", CHANNEL, f"\n    <language>{tag}</language>")
    _, errors = validate(site)
    assert any("[w3c.InvalidLanguage]" in e for e in errors) is reported, errors


@pytest.mark.slow
@pytest.mark.parametrize(("path", "old", "new", "rule", "message"), W3C_CASES)
def test_the_w3c_validator_agrees(
    sample: Path,
    tmp_path: Path,
    shared_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    old: str,
    new: str,
    rule: str,
    message: str,
) -> None:
    """Each planted value the native checks refuse, the W3C validator refuses too."""
    monkeypatch.setenv(FEEDVALIDATOR_ENV, str(shared_dir / "tools/feed_validate.py"))
    site, _ = planted(sample, tmp_path, path, old, new)
    _, errors = validate(site)
    assert any(e.endswith(f"[{rule}]") for e in errors), errors
    assert any("[w3c." in e for e in errors), errors


def test_a_validator_named_in_the_settings_that_is_not_there(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FEEDVALIDATOR_ENV, raising=False)
    site, _ = planted(sample, tmp_path, "rss/en.xml", "<rss", "<rss")
    config = site / "syndicate.yaml"
    text = (
        config.read_text(encoding="utf-8") + "feeds:\n  feedvalidator: missing/feed_validate.py\n"
    )
    config.write_text(text, encoding="utf-8")
    status, errors = validate(site)
    line = text.count("\n")
    assert status == 1
    assert errors == [
        f"{config}:{line}: error: cannot run the W3C Feed Validator: missing/feed_validate.py"
        " is not a file [w3c.missing]"
    ]


PLANTING_VALIDATOR = (
    "import sys\n"
    "for name in sys.argv[1:]:\n"
    "    print(f'{name}:3: error: InvalidPositiveInteger: line 3, column 0: planted')\n"
    "    print(f'{name}:4: warning: UnknownNamespace: line 4, column 0: not an error')\n"
    "sys.exit(1)\n"
)
"""A stand-in for the W3C validator's script: an error on line 3 of every feed given."""


def _validate_planting(out: Path, *args: str) -> list[str]:
    stream = io.StringIO()
    with contextlib.redirect_stderr(stream):
        assert main(["validate", "--outputs", str(out), "--now", NOW, *args]) == 1
    errors = [line for line in stream.getvalue().splitlines() if ": error: " in line]
    feeds = sorted(out.rglob("*.xml"))
    assert len(feeds) > 1
    assert sorted(errors) == sorted(
        f"{feed}:3: error: planted [w3c.InvalidPositiveInteger]" for feed in feeds
    )
    return errors


def test_a_validator_named_in_the_settings_is_found_from_the_site_s_folder(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative `feeds.feedvalidator` is taken from syndicate.yaml's folder, wherever the
    process runs (the command line runs in the site's folder; code calling the writers may
    not); what it reports is reported, its warnings are not."""
    from syndicate.diagnostics import Diagnostics
    from syndicate.formats.feeds.w3c import feedvalidator
    from syndicate.readers.config import load_config

    monkeypatch.delenv(FEEDVALIDATOR_ENV, raising=False)
    site, _ = planted(sample, tmp_path, "rss/en.xml", "<rss", "<rss")
    (site / "tools").mkdir()
    (site / "tools/feed_validate.py").write_text(PLANTING_VALIDATOR, encoding="utf-8")
    config = site / "syndicate.yaml"
    text = config.read_text(encoding="utf-8") + "feeds:\n  feedvalidator: tools/feed_validate.py\n"
    config.write_text(text, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = load_config(config, str(config), Diagnostics())
    assert loaded is not None
    named = feedvalidator(loaded, environ={})
    assert named is not None and Path(named[0]).is_file()
    assert Path(named[0]).resolve() == (site / "tools/feed_validate.py").resolve()
    _validate_planting(site / "out", "--config", str(config), "--articles", str(site / "articles"))


def test_a_validator_named_in_the_environment_is_found_from_the_working_folder(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SYNDICATE_FEEDVALIDATOR=fv.py is the fv.py of the folder the command was started in,
    as a shell user means it, though the command runs in the site's folder."""
    site, _ = planted(sample, tmp_path, "rss/en.xml", "<rss", "<rss")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "fv.py").write_text(PLANTING_VALIDATOR, encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv(FEEDVALIDATOR_ENV, "fv.py")
    _validate_planting(site / "out", "--site", str(site))
    assert Path.cwd() == elsewhere
    assert os.environ[FEEDVALIDATOR_ENV] == "fv.py"  # as it was given
