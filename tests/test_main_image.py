"""The story's picture, named the same in every channel (`Story.main_image`): its lead image
(listed in story.yaml, placed in no body), else the first image the variant's body places,
else the original's, else the first listed. Open Graph, X's card, JSON-LD, JSON Feed, ninjs,
NewsML-G2, RSS, Atom and the partner feeds name it first; they named the first listed image,
so a partner or a social network showed a picture the story does not lead with."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from itertools import product
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_SLUG, export_stories
from lxml import etree
from lxml import html as lxml_html
from PIL import Image as Picture
from test_epub import LANGS
from test_newsml_reader import carried, round_trip

from syndicate.cli import main
from syndicate.formats.html.writer import twitter_card
from syndicate.model import Figure, Localized, Rights, SiteConfig, Story

NOW = "2021-02-20T12:00:00Z"
"""Two days after the sample's publication: young enough for every partner profile."""
CHART = "nato-iraq-mission.png"
"""The sample's picture, listed first in story.yaml and placed in every body (B)."""
PHOTO = "lead.png"
"""A second picture, listed after the chart (A)."""
FIGURE = f"![](images/{CHART})"
PARTNERS = ("google-news", "msn", "smartnews", "flipboard")
FORMATS = ("html", "jsonld", "jsonfeed", "ninjs", "newsml", "rss", "atom", *PARTNERS)
PHOTO_ENTRY = "  - file: images/lead.png\n    alt: A photo of the mission\n    credit: AgencyY\n"


def photo_site(root: Path, placed: dict[str, Sequence[str]]) -> Path:
    """The sample site with a photo (1200 x 800) listed after the chart; `placed` says what
    each language's body places (`chart`, `photo`), in that order, where the chart was;
    a language it does not name keeps its chart."""
    site = root / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    story = site / "articles" / SAMPLE_SLUG
    Picture.new("RGB", (1200, 800), "navy").save(story / "images" / PHOTO)
    yaml_file = story / "story.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("\nrelated:", f"\n{PHOTO_ENTRY}related:"), "utf-8")
    figures = {"chart": FIGURE, "photo": f"![](images/{PHOTO})"}
    for lang, names in placed.items():
        md = story / f"{lang}.md"
        text = md.read_text(encoding="utf-8")
        assert f"\n{FIGURE}\n" in text
        now = "".join(f"\n{figures[name]}\n" for name in names) or "\n"
        md.write_text(text.replace(f"\n{FIGURE}\n", now), encoding="utf-8")
    return site


def export(site: Path) -> Path:
    out = site / "out"
    args = ["export", "-q", "--now", NOW, "--out", str(out), "-j", "1"]
    args += ["--config", str(site / "syndicate.yaml"), "--articles", str(site / "articles")]
    assert main([*args, *(arg for name in FORMATS for arg in ("-f", name))]) == 0
    return out


def name(url: str | None) -> str | None:
    """The published file name a URL points to, without its digest."""
    return url.split("?")[0].rsplit("/", 1)[-1] if url else None


def named(out: Path, lang: str) -> dict[str, list[str | None]]:
    """What each channel of the `lang` variant names, in its order, its first what it takes
    for the story's picture."""
    said: dict[str, list[str | None]] = {}
    page = lxml_html.fromstring((out / "html" / f"{SAMPLE_SLUG}.{lang}.html").read_bytes())
    said["og:image"] = [name(u) for u in page.xpath('//meta[@property="og:image"]/@content')]
    said["page"] = [name(u) for u in page.xpath('//div[@class="body"]//figure/img/@src')]
    ld = json.loads((out / "jsonld" / f"{SAMPLE_SLUG}.{lang}.jsonld").read_text("utf-8"))
    (webpage,) = [n for n in ld["@graph"] if n["@type"] == "WebPage"]
    (article,) = [n for n in ld["@graph"] if n["@type"] == "NewsArticle"]
    said["primaryImageOfPage"] = [name(webpage["primaryImageOfPage"]["@id"])]
    said["jsonld image"] = [name(i["url"]) for i in article["image"]]
    (item,) = json.loads((out / "jsonfeed" / f"{lang}.json").read_text("utf-8"))["items"]
    said["jsonfeed image"] = [name(item["image"])]
    said["jsonfeed attachments"] = [name(a["url"]) for a in item["attachments"]]
    ninjs = json.loads((out / "ninjs" / f"{SAMPLE_SLUG}.{lang}.json").read_text("utf-8"))
    pictures = [a for a in ninjs["associations"] if a["type"] == "picture"]
    said["ninjs"] = [name(a["renditions"][0]["href"]) for a in pictures]
    # each named by its file, as its URL says (`Story.picture_id`), in every channel
    assert [a["name"] for a in pictures] == [f"picture-{n}" for n in said["ninjs"]]
    item_xml = etree.parse(str(out / "newsml" / f"{SAMPLE_SLUG}.{lang}.xml"))
    contents = list(item_xml.iter("{*}remoteContent"))
    said["newsml"] = [name(e.get("href")) for e in contents]
    assert [e.get("id") for e in contents] == [a["name"] for a in pictures]
    rss = etree.parse(str(out / "rss" / f"{lang}.xml"))
    said["rss enclosure"] = [name(e.get("url")) for e in rss.iter("enclosure")]
    said["rss media"] = [name(e.get("url")) for e in rss.iter("{*}content") if e.get("url")]
    atom = etree.parse(str(out / "atom" / f"{lang}.xml"))
    links = atom.iter("{http://www.w3.org/2005/Atom}link")
    said["atom enclosures"] = [name(e.get("href")) for e in links if e.get("rel") == "enclosure"]
    for partner in PARTNERS:
        feed = etree.parse(str(out / "partners" / partner / f"{lang}.xml"))
        if not feed.xpath("//item"):  # a rule of the profile left it out (MSN's title length)
            continue
        said[f"{partner} enclosure"] = [name(e.get("url")) for e in feed.iter("enclosure")]
        said[f"{partner} media"] = [
            name(e.get("url")) for e in feed.iter("{*}content") if e.get("medium") == "image"
        ]
        said[f"{partner} thumbnail"] = [name(e.get("url")) for e in feed.iter("{*}thumbnail")]
    return said


@pytest.fixture(scope="module")
def lead_photo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every body places the chart (listed first); the photo, listed after it, no body
    places: the photo is the story's lead image."""
    return export(photo_site(tmp_path_factory.mktemp("lead-photo"), {}))


CHANNELS = (
    "og:image",
    "primaryImageOfPage",
    "jsonld image",
    "jsonfeed image",
    "jsonfeed attachments",
    "ninjs",
    "newsml",
    "rss enclosure",
    "rss media",
    "atom enclosures",
    *(f"{partner} {what}" for partner in PARTNERS for what in ("enclosure", "media")),
)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_channel_names_the_lead_image_first(
    lead_photo_out: Path, lang: str, channel: str
) -> None:
    """Before, each named the chart, the first listed, while the page led with the photo."""
    said = named(lead_photo_out, lang)
    assert said["page"] == [PHOTO, CHART]  # the page leads with the photo
    assert said[channel][:1] == [PHOTO], said[channel]
    if len(said[channel]) > 1:  # every image still, the others in their listed order
        assert said[channel] == [PHOTO, CHART]


def test_the_partner_thumbnail_is_the_lead_image(lead_photo_out: Path) -> None:
    """SmartNews's `media:thumbnail` (its profile's `thumbnail: true`) was the chart."""
    for lang in ("en", "de"):
        assert named(lead_photo_out, lang)["smartnews thumbnail"] == [PHOTO]


def test_ninjs_and_newsml_name_the_pictures_in_that_order(lead_photo_out: Path) -> None:
    """The lead image comes first, with its own credit, under the same id in ninjs and
    NewsML-G2 (`picture-lead.png`, its file's: `Story.picture_id`); NewsML-G2's partMeta
    says its place in story.yaml (`seq`). Before, ninjs numbered the pictures in the item's
    order (`image-1`) and NewsML-G2 by their place in story.yaml (`picture-2`): two ids for
    one picture, for a partner taking both."""
    ninjs = json.loads((lead_photo_out / "ninjs" / f"{SAMPLE_SLUG}.fr.json").read_text("utf-8"))
    pictures = [a for a in ninjs["associations"] if a["type"] == "picture"]
    assert [a["name"] for a in pictures] == [f"picture-{PHOTO}", f"picture-{CHART}"]
    assert [a["uri"] for a in pictures] == [
        f"tag:ycpress.example,2021-02-18:nato-iraq-deployment#picture-{n}" for n in (PHOTO, CHART)
    ]
    assert pictures[0]["by"] == "AgencyY"
    item = etree.parse(str(lead_photo_out / "newsml" / f"{SAMPLE_SLUG}.fr.xml"))
    parts = {p.get("contentrefs"): p for p in item.iter("{*}partMeta")}
    assert [c.text for c in parts[f"picture-{PHOTO}"].iter("{*}creditline")] == ["AgencyY"]
    assert {ref: p.get("seq") for ref, p in parts.items()} == {
        f"picture-{CHART}": "1",
        f"picture-{PHOTO}": "2",
    }
    contents = list(item.iter("{*}remoteContent"))
    assert [(c.get("id"), name(c.get("href"))) for c in contents] == [
        (f"picture-{PHOTO}", PHOTO),
        (f"picture-{CHART}", CHART),
    ]


@pytest.fixture(scope="module")
def unplaced_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No lead image: the photo is placed in every body but Spanish, after the chart in
    English and French, alone in German, Arabic and Chinese; the Spanish body places none
    (a translation that lost its pictures: `image.unplaced` warnings)."""
    placed: dict[str, Sequence[str]] = {"en": ("chart", "photo"), "fr": ("chart", "photo")}
    placed |= {lang: ("photo",) for lang in ("de", "ar", "zh-Hans")} | {"es": ()}
    return export(photo_site(tmp_path_factory.mktemp("unplaced"), placed))


@pytest.mark.parametrize(
    ("lang", "picture"),
    [("en", CHART), ("fr", CHART), ("de", PHOTO), ("ar", PHOTO), ("zh-Hans", PHOTO)],
)
def test_each_variant_names_the_first_image_its_body_places(
    unplaced_out: Path, lang: str, picture: str
) -> None:
    """An image placed in some languages only is no lead image: each variant's channels name
    the picture its own page shows first. Before, German, Arabic and Chinese named the chart,
    which their pages do not show."""
    said = named(unplaced_out, lang)
    assert said["page"][:1] == [picture]
    other = CHART if picture == PHOTO else PHOTO
    for channel in [c for c in CHANNELS if c in said]:
        assert said[channel][:1] == [picture], channel
        if len(said[channel]) > 1:
            assert said[channel] == [picture, other], channel


def test_a_variant_whose_body_places_none_names_the_original_s(unplaced_out: Path) -> None:
    """The Spanish page shows no picture: its channels name the original's (English), as
    they named the first listed, and still carry every image as media."""
    said = named(unplaced_out, "es")
    assert said["page"] == []
    for channel in [c for c in CHANNELS if c in said]:
        assert said[channel][:1] == [CHART], channel


def _with_photo(story: Story, bodies: dict[str, Sequence[int]]) -> Story:
    """`story` with a second image (the photo), each language of `bodies` placing those
    images where its chart was; the others keep their chart."""
    chart = story.images[0]
    photo = dataclasses.replace(chart, file=f"images/{PHOTO}", width=1200, height=800)

    def body(lang: str, blocks: tuple[object, ...]) -> tuple[object, ...]:
        if lang not in bodies:
            return blocks
        out: list[object] = []
        for block in blocks:
            if isinstance(block, Figure):
                out += [Figure(i, block.source) for i in bodies[lang]]
            else:
                out.append(block)
        return tuple(out)

    variants = tuple(
        dataclasses.replace(v, body=body(v.lang, v.body))  # type: ignore[arg-type]
        for v in story.variants
    )
    return dataclasses.replace(story, images=(chart, photo), variants=variants)


def test_the_main_image_rule(sample_story: Story) -> None:
    chart, photo = _with_photo(sample_story, {}).images
    assert sample_story.main_image("de") == chart  # one image, placed everywhere
    assert dataclasses.replace(sample_story, images=()).main_image("de") is None
    assert dataclasses.replace(sample_story, images=()).images_for("de") == ()
    lead = _with_photo(sample_story, {})  # the photo is placed in no body: the lead image
    assert lead.lead_images == (1,)
    assert {lead.main_image(lang) for lang in LANGS} == {photo}
    assert lead.images_for("ar") == (photo, chart)
    # No lead image: the first the body places, in reading order, whatever the listed order.
    placed = _with_photo(sample_story, {lang: (1, 0) for lang in LANGS})
    assert placed.lead_images == () and placed.images_for("fr") == (photo, chart)
    # A body placing none takes the original's; an original placing none, the first listed.
    lost = _with_photo(sample_story, {"de": (), "fr": (1,)})
    assert lost.lead_images == () and lost.original_lang == "en"
    assert lost.main_image("de") == chart and lost.main_image("fr") == photo
    bare = _with_photo(sample_story, {"en": (), "de": (1,), "fr": (0, 1)})
    assert bare.main_image("en") == chart and bare.main_image("de") == photo
    assert bare.main_image("fr") == chart


def test_an_ornament_is_no_story_s_picture(sample_story: Story) -> None:
    """A decorative image (a rule, a texture: `decorative: true`) says nothing: no channel
    names it for the story while a picture that says something is listed. Before, a lead
    ornament (a banner texture) or one a body places first was the story's og:image,
    JSON-LD thumbnail, RSS enclosure and partner thumbnail."""

    def ornament(story: Story, index: int) -> Story:
        images = list(story.images)
        images[index] = dataclasses.replace(
            images[index], decorative=True, alt=Localized(()), width=2000, height=20
        )  # a rule: too thin for X's large card
        return dataclasses.replace(story, images=tuple(images))

    # the ornament is the lead image (placed in no body): the chart every body places
    lead = ornament(_with_photo(sample_story, {}), 1)
    chart, texture = lead.images
    assert lead.lead_images == (1,)
    assert {lead.main_image(lang) for lang in LANGS} == {chart}
    assert lead.images_for("ar") == (chart, texture)
    assert twitter_card(lead, "en") == "summary_large_image"  # the chart's size, not the rule's
    # every body places the ornament first, then the photo
    first = ornament(_with_photo(sample_story, {lang: (0, 1) for lang in LANGS}), 0)
    assert {first.main_image(lang) for lang in LANGS} == {first.images[1]}
    # a body placing the ornament alone: the photo the original places
    alone = ornament(_with_photo(sample_story, {"de": (0,), "en": (0, 1)}), 0)
    assert alone.main_image("de") == alone.images[1]
    # ornaments alone: the rule as it was, the first of them (every image is still carried)
    bare = ornament(ornament(_with_photo(sample_story, {lang: (1, 0) for lang in LANGS}), 0), 1)
    assert bare.main_image("fr") == bare.images[1]


def test_x_s_card_is_sized_by_the_page_s_picture(sample_story: Story) -> None:
    """The large card when the page's picture is big enough: a small lead photo is the small
    card, though the chart listed before it is big (it was the large card, the chart's)."""
    story = _with_photo(sample_story, {})
    small = dataclasses.replace(story.images[1], width=200, height=100)
    story = dataclasses.replace(story, images=(story.images[0], small))
    assert story.main_image("en") == small
    assert twitter_card(story, "en") == "summary"


def test_newsml_reads_each_picture_s_rights_by_its_url(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """Each item lists its own picture first, so the same picture is not at the same place in
    every item: its rights are read by URL (read by place, German's chart had the photo's)."""
    langs = sample_story.languages
    story = _with_photo(sample_story, {lang: (1,) for lang in langs if lang not in ("en",)})
    chart, photo = story.images

    def rights(holder: str) -> Rights:
        return Rights(holder, Localized(tuple((lang, f"© {holder} {lang}") for lang in langs)))

    story = dataclasses.replace(
        story,
        images=(
            dataclasses.replace(chart, rights=rights("ChartCo")),
            dataclasses.replace(photo, rights=rights("PhotoCo")),
        ),
    )
    assert story.main_image("en") == story.images[0] and story.main_image("de") == story.images[1]
    back = round_trip(story, site_config, tmp_path)
    assert [name(i.path) for i in back.images] == [CHART, PHOTO]
    for image, holder in zip(back.images, ("ChartCo", "PhotoCo"), strict=True):
        assert image.rights is not None and image.rights.holder == holder
        for lang in langs:
            assert image.rights.notice.get(lang) == f"© {holder} {lang}", (holder, lang)


def test_newsml_reads_the_pictures_back_in_the_story_s_order(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """Every body places the photo, listed second, before the chart: each item leads with
    the photo. Numbered by their place among the item's pictures, they were read back in
    the item's order, the photo first: not the story written (its `images`, each figure's
    index), though NewsML-G2 carries it. Ours are numbered by their place in story.yaml."""
    story = _with_photo(sample_story, {lang: (1, 0) for lang in sample_story.languages})
    assert story.images_for("en") == (story.images[1], story.images[0])
    back = round_trip(story, site_config, tmp_path)
    assert [name(i.path) for i in back.images] == [CHART, PHOTO]
    assert carried(back) == carried(story)


def test_newsml_reads_an_ornament_back_as_one(
    sample_story: Story, site_config: SiteConfig, tmp_path: Path
) -> None:
    """A placed ornament (`decorative: true`) is written with an empty text alternative in
    every item (`alt=""`): it was read back as a picture with empty texts, no ornament, so the
    story read back took it for its picture though every item leads with the photo."""
    story = _with_photo(sample_story, {lang: (0, 1) for lang in sample_story.languages})
    chart, photo = story.images
    ornament = dataclasses.replace(chart, decorative=True, alt=Localized.same(""))
    story = dataclasses.replace(story, images=(ornament, photo))
    assert {story.main_image(lang) for lang in story.languages} == {photo}
    back = round_trip(story, site_config, tmp_path)
    assert [(name(i.path), i.decorative) for i in back.images] == [(CHART, True), (PHOTO, None)]
    assert carried(back) == carried(story)
    assert {name(back.main_image(lang).path) for lang in back.languages} == {PHOTO}


def test_the_reader_sorts_only_pictures_numbered_as_ours() -> None:
    """Ours (their partMeta's `seq`, or in items written before `picture-<n>`, each number
    once) are sorted by it; a partner's item, numbered its own way or twice the same, keeps
    its order."""
    from syndicate.formats.newsml.reader import RemoteImage, _listed

    def pictures(*ids: str) -> tuple[RemoteImage, ...]:
        return tuple(
            RemoteImage(f"https://x.example/{i}.png", "image/png", 1, 1, 1, id=i) for i in ids
        )

    def order(*ids: str) -> list[str]:
        return [image.id for image in _listed(pictures(*ids))]

    assert order("picture-3", "picture-1", "picture-10", "picture-2") == [
        "picture-1",
        "picture-2",
        "picture-3",
        "picture-10",
    ]
    assert order("picture-2", "photo", "picture-1") == ["picture-2", "photo", "picture-1"]
    assert order("picture-2", "picture-02", "picture-1") == ["picture-2", "picture-02", "picture-1"]
    assert order("picture-２", "picture-1") == ["picture-２", "picture-1"]  # a fullwidth digit
    assert order("picture-2", "", "picture-1") == ["picture-2", "", "picture-1"]
    # ours now: named by their files, each partMeta saying its place in story.yaml (`seq`)
    from syndicate.formats.newsml.reader import PictureText

    def placed(*seqs: tuple[str, int]) -> list[str]:
        images = tuple(
            RemoteImage(f"https://x.example/{i}", "image/png", 1, 1, 1, id=i, part=PictureText(n))
            for i, n in seqs
        )
        return [image.id for image in _listed(images)]

    assert placed(("picture-b.png", 2), ("picture-a.png", 1)) == ["picture-a.png", "picture-b.png"]
    assert placed(("picture-b.png", 1), ("picture-a.png", 1)) == ["picture-b.png", "picture-a.png"]


@pytest.mark.slow
@pytest.mark.parametrize("case", ["lead_photo_out", "unplaced_out"])
def test_the_official_validators_take_the_reordered_outputs(
    case: str, request: pytest.FixtureRequest, shared_dir: Path
) -> None:
    """IPTC's schemas (ninjs, NewsML-G2), the JSON-LD checker and the W3C Feed Validator on
    every output whose pictures changed order. (SmartNews's feeds are left to
    test_feed_validator: the validator does not know its `snf:logo`.)"""
    out: Path = request.getfixturevalue(case)
    tools = shared_dir / "tools"
    feeds = [
        out / "rss",
        out / "atom",
        *(out / "partners" / p for p in PARTNERS if p != "smartnews"),
    ]
    runs = {
        "jsonld_check.py": [*(out / "jsonld").glob("*.jsonld"), *(out / "html").glob("*.*.html")],
        "ninjs_validate.py": list((out / "ninjs").glob("*.json")),
        "newsml_validate.py": list((out / "newsml").glob("*.xml")),
        "feed_validate.py": [f for folder in feeds for f in folder.glob("*.xml")],
    }
    for tool, files in runs.items():
        assert files, tool
        args = [sys.executable, str(tools / tool), *map(str, sorted(files))]
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0, (tool, done.stdout[-3000:], done.stderr[-3000:])


def _picture_ids(story: Story, config: SiteConfig, lang: str) -> dict[str, list[tuple[str, str]]]:
    """Each partner channel's (id, published file name) of the `lang` variant's pictures."""
    said: dict[str, list[tuple[str, str]]] = {}
    for version in ("2.2", "3.1"):
        files, diags = export_stories(
            [story], config, "ninjs", options={"ninjs": {"version": version}}
        )
        assert not diags.errors, [d.format_text() for d in diags]
        doc = json.loads(files[f"ninjs/{story.slug}.{lang}.json"])
        said[f"ninjs {version}"] = [
            (a["name"], str(name(a["renditions"][0]["href"])))
            for a in doc["associations"]
            if a["type"] == "picture"
        ]
        said[f"ninjs {version} uri"] = [
            (a["uri"], str(name(a["renditions"][0]["href"])))
            for a in doc["associations"]
            if a["type"] == "picture"
        ]
    files, diags = export_stories([story], config, "newsml")
    assert not diags.errors, [d.format_text() for d in diags]
    root = etree.fromstring(files[f"newsml/{story.slug}.{lang}.xml"])
    said["newsml"] = [
        (e.get("id"), str(name(e.get("href")))) for e in root.iter("{*}remoteContent")
    ]
    return said


def test_an_edit_renames_no_picture_partners_hold(
    sample_story: Story, site_config: SiteConfig
) -> None:
    """A partner taking ninjs and NewsML-G2 matches pictures by id: each is named by its file
    (`Story.picture_id`), the same in both and whatever the edit. Before, ninjs numbered them
    in the item's order (`image-1`: the editor moving the photo before the chart in the body
    swapped `image-1` and `image-2`) and NewsML-G2 by their place in story.yaml (a picture
    listed before them renumbered both), so one picture had two ids, and an edit gave a
    partner's held id to another picture."""
    story = _with_photo(sample_story, {lang: (0, 1) for lang in LANGS})  # chart, then photo
    ids = {PHOTO: f"picture-{PHOTO}", CHART: f"picture-{CHART}"}
    uris = {n: f"{story.id}#{picture}" for n, picture in ids.items()}
    moved = _with_photo(sample_story, {lang: (1, 0) for lang in LANGS})  # photo moved first
    chart, photo = story.images
    extra = dataclasses.replace(chart, file="images/map.png")
    # a map listed first: every index shifts (the bodies' figures follow their images)
    listed = dataclasses.replace(
        story,
        images=(extra, chart, photo),
        variants=tuple(
            dataclasses.replace(
                v,
                body=tuple(
                    Figure(b.image + 1, b.source) if isinstance(b, Figure) else b for b in v.body
                ),
            )
            for v in story.variants
        ),
    )
    for edited in (story, moved, listed):
        for channel, pictures in _picture_ids(edited, site_config, "fr").items():
            want = uris if channel.endswith("uri") else ids
            for picture, file in pictures:
                if file != "map.png":
                    assert picture == want[file], (channel, pictures)
    assert [n for _, n in _picture_ids(moved, site_config, "fr")["newsml"]] == [PHOTO, CHART]


def test_a_picture_id_is_an_xml_id_from_its_file_name() -> None:
    """Kept as it is but for characters an XML ID or a URI fragment cannot hold, each written
    `_x<hex>_`, and a `_` before an `x`, which would begin one: two names never make one id.
    A camera's `_` stays: `IMG_1.jpg` was `picture-IMG_5f_1.jpg` (every `_` escaped), an id
    no partner recognised as the file it had."""
    from syndicate.model.story import picture_id  # (new: imported here, for the test before)

    assert picture_id("nato-iraq-mission.png") == "picture-nato-iraq-mission.png"
    assert picture_id("IMG_1.jpg") == "picture-IMG_1.jpg"
    assert picture_id("PXL_20210218_093012.jpg") == "picture-PXL_20210218_093012.jpg"
    assert picture_id("图表.png") == "picture-_x56fe__x8868_.png"
    assert picture_id("a_x41_.png") == "picture-a_x5f_x41_.png" != picture_id("aA.png")
    assert picture_id("2021.png") == "picture-2021.png"
    # every name over letters that could mix up escapes comes back from its id: one id each
    names = ["".join(chars) for n in range(1, 5) for chars in product("_x5fa图.", repeat=n)]
    for name in names:
        made = picture_id(name)
        assert re.fullmatch(r"picture-[A-Za-z0-9._-]+", made), name
        back = re.sub(r"_x([0-9a-f]+)_", lambda m: chr(int(m[1], 16)), made[len("picture-") :])
        assert back == name, (name, made)
