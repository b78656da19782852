"""A deterministic synthetic corpus: N stories x L languages with ~600-word bodies, headings,
quotes, lists, images, varied sections and dates. Same arguments, same bytes."""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

LANGS = ("en", "fr", "ar", "zh-Hans")
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


def generate(folder: Path, stories: int, langs: tuple[str, ...] = LANGS, seed: int = 2021) -> Path:
    """Write `stories` stories into `folder` (an articles folder), replacing what is there."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for index in range(stories):
        rng = random.Random(seed * 1_000_003 + index)
        image = index % 3 == 0
        story = folder / f"bench-{index:06d}"
        story.mkdir()
        (story / "story.yaml").write_text(story_yaml(index, rng, langs, image), encoding="utf-8")
        for lang in langs:
            (story / f"{lang}.md").write_text(variant_md(index, rng, lang, image), encoding="utf-8")
        if image:
            (story / "images").mkdir()
            (story / "images" / "figure.png").write_bytes(PNG_1x1)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--stories", type=int, default=100)
    args = parser.parse_args()
    generate(args.folder, args.stories)


if __name__ == "__main__":
    main()
