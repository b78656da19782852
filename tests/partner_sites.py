"""Sites written for the partner profile tests: stories made to meet or break each rule family
(titles, descriptions, images, age, sizes, kills), with images drawn by Pillow. Same arguments,
same bytes."""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
NOW = "2026-02-01T12:00:00Z"
BASE = "https://harbour.example/wire/"
CONFIG = """publisher:
  name: Harbour Times
  url: https://harbour.example/
  logo: site/logo.png
  icon: site/icon.png
base_url: https://harbour.example/wire/
timezone: Europe/Lisbon
languages: [en, fr]
"""
DELIVERED = """# base_url is published through a delivery target: `syndicate deliver`
# announces the feeds to their hubs once that target holds them, so an export pings no
# hub (the Flipboard profile's is Google's: out of reach, every retry waited out).
deliver:
  targets:
    - {name: public, url: "file:///srv/public/", formats: [all]}
  public_target: public
"""
"""The section that keeps the exports of a test site with a partner profile from pinging a
hub: every site of the profiles' tests has it."""
SENTENCES = (
    "The harbour authority said on Monday that the work on the northern quay would go on"
    " through the spring, with the ferries moved to the southern berths until it ends.",
    "Fishing boats keep their moorings, and the market opens at its usual hours every day.",
    "The council will hear the engineers' report on the cost of the works at its next meeting,"
    " and residents may send their questions to the harbour office before then.",
)


@dataclass(frozen=True)
class Picture:
    """An image of a story: its file name, size in pixels, and whether it is noise (a large
    file) rather than a flat colour (a tiny one)."""

    name: str
    width: int
    height: int
    noisy: bool = False


@dataclass(frozen=True)
class Spec:
    slug: str
    headline: str = "Harbour works move the ferries to the southern berths"
    summary: str = "The northern quay closes for repairs until the spring, the authority said."
    published: str | None = None
    """Default: 09:00 UTC on the day the slug starts with."""
    updated: str | None = None
    embargo_until: str | None = None
    status: str = "usable"
    version: int = 1
    paragraphs: int = 3
    pictures: Sequence[Picture] = field(default_factory=tuple)
    languages: Sequence[str] = ("en", "fr")


def draw(path: Path, picture: Picture) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    size = (picture.width, picture.height)
    if picture.noisy:
        noise = random.Random(picture.name).randbytes(picture.width * picture.height * 3)
        image = Image.frombytes("RGB", size, noise)
    else:
        image = Image.new("RGB", size, (40, 90, 140))
    image.save(path, format="PNG")


def write_story(articles: Path, spec: Spec) -> None:
    folder = articles / spec.slug
    folder.mkdir(parents=True)
    published = spec.published or f"{spec.slug[:10]}T09:00:00Z"
    lines = [
        f"id: tag:harbour.example,2026:{spec.slug}",
        "original_language: en",
        "section: politics",
        f"first_created: {published}",
        f"published: {published}",
        f"updated: {spec.updated or published}",
        *([f"embargo_until: {spec.embargo_until}"] if spec.embargo_until else []),
        f"status: {spec.status}",
        f"version: {spec.version}",
        "rights:",
        "  holder: Harbour Times",
        "  notice: © 2026 Harbour Times",
    ]
    if spec.pictures:
        lines.append("images:")
    for picture in spec.pictures:
        draw(folder / "images" / picture.name, picture)
        lines += [f"  - file: images/{picture.name}", "    alt: A harbour view"]
    (folder / "story.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    body = "\n\n".join(SENTENCES[i % len(SENTENCES)] for i in range(spec.paragraphs))
    for lang in spec.languages:
        headline = spec.headline if lang == "en" else f"{spec.headline} (fr)"
        text = (
            "---\n"
            f'headline: "{headline}"\n'
            f'summary: "{spec.summary}"\n'
            "byline:\n  organisation: Harbour Times\n"
            "dateline: Porto\n"
            "---\n"
            f"{body}\n"
        )
        (folder / f"{lang}.md").write_text(text, encoding="utf-8")


def make_site(root: Path, specs: Sequence[Spec], profiles: str = "") -> Path:
    """A site folder with its configuration (`profiles` appended as YAML) and stories."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site").mkdir()
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles" / "_site" / name, root / "site" / name)
    (root / "syndicate.yaml").write_text(CONFIG + profiles + DELIVERED, encoding="utf-8")
    (root / "articles").mkdir()
    for spec in specs:
        write_story(root / "articles", spec)
    return root


def rules_site(root: Path, profiles: str = "") -> Path:
    """Stories that meet every built-in profile's rules, and one that breaks each rule family."""
    big = Picture("quay.png", 1600, 900)
    return make_site(
        root,
        [
            Spec("2026-01-20-quay", pictures=(big,)),
            Spec("2026-01-21-short", headline="Quay shut", pictures=(big,)),
            Spec("2026-01-22-wide", pictures=(Picture("wide.png", 3000, 1000),)),
            Spec("2026-01-23-small", pictures=(Picture("small.png", 400, 300),)),
            Spec("2026-01-24-bare"),
            Spec("2024-12-01-old", pictures=(big,)),
            Spec(
                "2026-01-25-killed",
                pictures=(big,),
                updated="2026-01-27T09:45:00Z",
                status="canceled",
                version=2,
            ),
        ],
        profiles,
    )
