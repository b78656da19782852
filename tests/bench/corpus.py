"""A deterministic synthetic corpus: N stories x L languages with ~600-word bodies, headings,
quotes, lists, images, varied sections and dates. Same arguments, same bytes.

`generate(..., realistic=True)` makes what an agency archive holds, for the benchmarks:
real-size photos (1600 x 900 JPEG) and charts (PNG), embargoed, withheld, canceled and
corrected stories, originals in every language, local time zones, places, keywords, related
links, personal bylines, captions and datelines in each language, and enough stories per
section to page the feeds. The plain corpus (the default) stays small and simple for tests."""

from __future__ import annotations

import argparse
import io
import random
import shutil
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

LANGS = ("en", "fr", "ar", "zh-Hans")
SITE_CONFIG = """publisher:
  name: YCPress
  url: https://ycpress.example/
  logo: site/logo.png
  icon: site/icon.png
base_url: https://ycpress.example/syndicate/
timezone: Europe/Brussels
languages: [{languages}]
"""
"""The `syndicate.yaml` of a generated site (`{languages}` to fill), its logo and icon under
`site/`: the bench's and the tests' generated sites start from it."""
SECTIONS = ("politics", "world", "business", "science", "culture", "sports")
TOPICS = {
    "politics": "medtop:11000000",
    "world": "medtop:16000000",
    "business": "medtop:04000000",
    "science": "medtop:13000000",
    "culture": "medtop:01000000",
    "sports": "medtop:15000000",
}
_VOCABULARY = {
    "en": "the minister said government council report market city people new week talks plan "
    "support budget vote law court crisis energy water school health trade union deal",
    "fr": "le ministre a dit gouvernement conseil rapport marché ville gens nouveau semaine "
    "négociations plan soutien budget vote loi tribunal crise énergie eau école santé",
    "ar": "قال الوزير الحكومة المجلس تقرير السوق المدينة الناس جديد الأسبوع محادثات خطة دعم "
    "الميزانية تصويت قانون محكمة أزمة الطاقة المياه المدرسة الصحة",
    "zh-Hans": "部长 表示 政府 委员会 报告 市场 城市 人们 新 本周 会谈 计划 支持 预算 投票 "
    "法律 法院 危机 能源 水 学校 卫生 贸易",
}
WORDS = {lang: text.split() for lang, text in _VOCABULARY.items()}
SEPARATOR = {"en": " ", "fr": " ", "ar": " ", "zh-Hans": ""}
STOP = {"en": ".", "fr": ".", "ar": ".", "zh-Hans": "。"}
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f6b1b00000000049454e44ae426082"
)


def sentence(rng: random.Random, lang: str, words: int) -> str:
    chosen = [rng.choice(WORDS[lang]) for _ in range(words)]
    text = SEPARATOR[lang].join(chosen)
    return text[0].upper() + text[1:] + STOP[lang]


def paragraph(rng: random.Random, lang: str) -> str:
    return " ".join(sentence(rng, lang, rng.randint(8, 16)) for _ in range(rng.randint(3, 5)))


def body(rng: random.Random, lang: str, image: bool) -> str:
    blocks: list[str] = []
    while sum(len(b.split()) for b in blocks) < 600 and len(blocks) < 40:
        roll = rng.random()
        if roll < 0.1:
            blocks.append("## " + sentence(rng, lang, 4).rstrip(".。"))
        elif roll < 0.18:
            blocks.append("> " + sentence(rng, lang, 12))
        elif roll < 0.22:
            blocks.append("\n".join("- " + sentence(rng, lang, 5) for _ in range(3)))
        else:
            blocks.append(paragraph(rng, lang))
        if lang == "zh-Hans" and sum(len(b) for b in blocks) > 1200:
            break
    if image:
        blocks.insert(1, "![](images/figure.png)")
    return "\n\n".join(blocks) + "\n"


def story_yaml(index: int, rng: random.Random, langs: tuple[str, ...], image: bool) -> str:
    base = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=index * 7 + rng.randint(0, 5))
    section = SECTIONS[index % len(SECTIONS)]
    lines = [
        f"id: urn:newsml:ycpress.example:{base:%Y%m%d}:bench-{index:06d}",
        "original_language: en",
        f"section: {section}",
        "timezone: Europe/Brussels",
        f"first_created: {base.isoformat()}",
        f"published: {(base + timedelta(minutes=30)).isoformat()}",
        f"updated: {(base + timedelta(hours=2)).isoformat()}",
        f"urgency: {rng.randint(1, 9)}",
        "subjects:",
        f"  - code: {TOPICS[section]}",
        f"    name: {section}",
        "rights:",
        "  holder: YCPress",
        "  notice: © YCPress",
    ]
    if image:
        lines += [
            "images:",
            "  - file: images/figure.png",
            "    alt: {" + ", ".join(f"{lang}: figure {index}" for lang in langs) + "}",
            "    caption: A figure",
            "    credit: YCPress",
        ]
    return "\n".join(lines) + "\n"


def variant_md(index: int, rng: random.Random, lang: str, image: bool) -> str:
    headline = sentence(rng, lang, 8).rstrip(".。")
    return (
        "---\n"
        f'headline: "{headline}"\n'
        f'summary: "{sentence(rng, lang, 20)}"\n'
        "byline:\n  organisation: YCPress\n"
        "dateline: Brussels\n"
        "---\n" + body(rng, lang, image)
    )


def generate(
    folder: Path,
    stories: int,
    langs: tuple[str, ...] = LANGS,
    seed: int = 2021,
    *,
    realistic: bool = False,
) -> Path:
    """Write `stories` stories into `folder` (an articles folder), replacing what is there."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for index in range(stories):
        rng = random.Random(seed * 1_000_003 + index)
        story = folder / f"bench-{index:06d}"
        story.mkdir()
        if realistic:
            _realistic(story, index, stories - index, rng, langs)
            continue
        image = index % 3 == 0
        (story / "story.yaml").write_text(story_yaml(index, rng, langs, image), encoding="utf-8")
        for lang in langs:
            (story / f"{lang}.md").write_text(variant_md(index, rng, lang, image), encoding="utf-8")
        if image:
            (story / "images").mkdir()
            (story / "images" / "figure.png").write_bytes(PNG_1x1)
    return folder


# The realistic corpus ------------------------------------------------------------------------

BENCH_NOW = datetime(2026, 1, 1, tzinfo=UTC)
"""The `--now` of the benchmarks: embargoes end after it, every other story is before it."""
ZONES = ("Europe/Brussels", "Asia/Shanghai", "Africa/Cairo", "America/New_York", "Europe/Paris")
CITIES = {
    "Brussels": {"fr": "Bruxelles", "ar": "بروكسل", "zh-Hans": "布鲁塞尔"},
    "Shanghai": {"fr": "Shanghai", "ar": "شانغهاي", "zh-Hans": "上海"},
    "Cairo": {"fr": "Le Caire", "ar": "القاهرة", "zh-Hans": "开罗"},
    "New York": {"fr": "New York", "ar": "نيويورك", "zh-Hans": "纽约"},
    "Paris": {"fr": "Paris", "ar": "باريس", "zh-Hans": "巴黎"},
}
COUNTRIES = {"Brussels": "BE", "Shanghai": "CN", "Cairo": "EG", "New York": "US", "Paris": "FR"}
PEOPLE = ("Amina Haddad", "Li Wei", "Claire Dubois", "John Carter", "Sofia Marin", "Omar Said")
ROLES = ("reporter", "editor", "photographer")
PHOTOS = 6
"""Distinct photos the corpus cycles through (drawing one costs more than copying it)."""


def _localized(english: str, langs: tuple[str, ...], table: dict[str, str] | None = None) -> str:
    """A YAML flow mapping with a text per language."""
    texts = {lang: (table or {}).get(lang, f"{english} ({lang})") for lang in langs}
    texts["en"] = english
    return "{" + ", ".join(f'{lang}: "{texts[lang]}"' for lang in langs if lang in texts) + "}"


@cache
def photo(number: int) -> bytes:
    """A 1600 x 900 photograph-like JPEG (gradients and shapes: it does not compress away)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(number)
    image = Image.linear_gradient("L").resize((1600, 900)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rng.randrange(1600), rng.randrange(900)
        r = rng.randrange(20, 200)
        fill = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)  # type: ignore[arg-type]
    noise = Image.effect_noise((1600, 900), 40).convert("RGB")
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(3)), noise, 0.25)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


@cache
def camera_photo(number: int) -> bytes:
    """A photograph as a camera gives it, 8 MB or so: 4000 x 3000, its fine noise (a sensor's)
    kept by a JPEG of quality 95."""
    from PIL import Image

    small = Image.open(io.BytesIO(photo(number))).convert("RGB")
    image = Image.blend(
        small.resize((4000, 3000)), Image.effect_noise((4000, 3000), 90).convert("RGB"), 0.35
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def photo_story(folder: Path, index: int, photos: int) -> Path:
    """A story of `photos` camera photos (`camera_photo`) in `folder`, in English."""
    rng = random.Random(index)
    folder.mkdir(parents=True)
    names = [f"photo-{n}.jpg" for n in range(photos)]
    lines = story_yaml(index, rng, ("en",), False).splitlines()
    lines.append("images:")
    (folder / "images").mkdir()
    for number, name in enumerate(names):
        (folder / "images" / name).write_bytes(camera_photo(number % PHOTOS))
        lines += [f"  - file: images/{name}", "    alt: {en: A photograph}", "    credit: YCPress"]
    (folder / "story.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = variant_md(index, rng, "en", False)
    head, rest = text.split("---\n", 2)[1:]
    figures = "".join(f"![](images/{name})\n\n" for name in names)
    (folder / "en.md").write_text(f"---\n{head}---\n{figures}{rest}", encoding="utf-8")
    return folder


@cache
def chart(number: int) -> bytes:
    """A 1200 x 800 bar chart as PNG."""
    from PIL import Image, ImageDraw

    rng = random.Random(number + 100)
    image = Image.new("RGB", (1200, 800), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for bar in range(12):
        height = rng.randrange(50, 700)
        draw.rectangle((60 + bar * 95, 760 - height, 120 + bar * 95, 760), fill=(16, 42, 67))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _later(local: datetime, delta: timedelta) -> datetime:
    """`delta` after `local` on the clock, in `local`'s time zone. (Python adds to wall time:
    across a change of UTC offset, `local + delta` can come out earlier than `local`, which
    the export rightly refuses, as it did for a story of a 20,000-story corpus.)"""
    return (local.astimezone(UTC) + delta).astimezone(local.tzinfo)


def _realistic(
    story: Path, index: int, newer: int, rng: random.Random, langs: tuple[str, ...]
) -> None:
    """Story `index`, with `newer` stories after it."""
    section = SECTIONS[index % len(SECTIONS)]
    zone = ZONES[index % len(ZONES)]
    city = list(CITIES)[index % len(CITIES)]
    original = langs[0] if index % 5 < 3 else langs[index % len(langs)]
    # Two stories a day, oldest first, ending a few days before BENCH_NOW.
    when = BENCH_NOW - timedelta(days=3 + newer // 2, hours=rng.randint(0, 11))
    local = when.astimezone(ZoneInfo(zone))
    kind = index % 20
    images = []
    if index % 3 != 2:
        images.append(("photo.jpg", photo(index % PHOTOS), "A photograph"))
    if index % 6 == 0:
        images.append(("chart.png", chart(index % PHOTOS), "A chart"))
    lines = [
        f"id: urn:newsml:ycpress.example:{when:%Y%m%d}:bench-{index:06d}",
        f"original_language: {original}",
        f"section: {section}",
        f"timezone: {zone}",
        f"first_created: {local.isoformat()}",
        f"published: {_later(local, timedelta(minutes=30)).isoformat()}",
        f"updated: {_later(local, timedelta(hours=5 if kind in (1, 2, 3, 4) else 2)).isoformat()}",
        f"urgency: {rng.randint(1, 9)}",
        f"version: {2 if kind in (1, 2, 3, 4) else 1}",
        "status: " + {1: "withheld", 2: "canceled"}.get(kind, "usable"),
        "subjects:",
        f"  - code: {TOPICS[section]}",
        f"    name: {_localized(section, langs)}",
        f"keywords: [{section}, {city}, bench {index % 50}]",
        "places:",
        f"  - name: {_localized(city, langs, CITIES[city])}",
        f"    country: {COUNTRIES[city]}",
        "    role: located",
        "rights:",
        "  holder: YCPress",
        f"  notice: {_localized('© YCPress', langs)}",
    ]
    if kind == 0:
        lines.append(f"embargo_until: {(BENCH_NOW + timedelta(days=30)).isoformat()}")
    if kind in (3, 4):
        lines.append(
            f"correction:\n  note: {_localized('An earlier version misspelt a name.', langs)}"
        )
    if index % 4 == 0:
        lines.append("related:")
        lines.append(f"  - url: https://ycpress.example/related/{index}")
        lines.append(f"    title: {_localized('Background', langs)}")
    if images:
        lines.append("images:")
        (story / "images").mkdir()
        for name, data, caption in images:
            (story / "images" / name).write_bytes(data)
            lines += [
                f"  - file: images/{name}",
                f"    alt: {_localized(f'{caption} for story {index}', langs)}",
                f"    caption: {_localized(caption, langs)}",
                "    credit: YCPress",
            ]
    (story / "story.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    people = rng.sample(PEOPLE, rng.randint(1, 2))
    for lang in langs:
        headline = sentence(rng, lang, 8).rstrip(".。")
        byline = "byline:\n  people:\n" + "".join(
            f'    - name: "{name}"\n      role: {rng.choice(ROLES)}\n' for name in people
        )
        dateline = city if lang == "en" else CITIES[city].get(lang, city)
        text = (
            "---\n"
            f'headline: "{headline}"\n'
            f'summary: "{sentence(rng, lang, 20)}"\n'
            f"{byline}  organisation: YCPress\n"
            f'dateline: "{dateline}"\n'
            f"keywords: [{section}]\n"
            "---\n" + body(rng, lang, False)
        )
        if images:
            first, rest = text.split("\n\n", 1)
            figures = "".join(f"![](images/{name})\n\n" for name, _, _ in images)
            text = f"{first}\n\n{figures}{rest}"
        (story / f"{lang}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--realistic", action="store_true", help="the benchmarks' corpus")
    args = parser.parse_args()
    generate(args.folder, args.stories, realistic=args.realistic)


if __name__ == "__main__":
    main()
