"""Newsrooms in temporary folders. `Site`, for the delivery, WebSub and preview tests: the sample
story plus a second one, with a `deliver` section of the tests' choosing. `generated_site`, for
the build engine's tests: stories of the benchmark's plain corpus in English and French."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from bench.corpus import SITE_CONFIG, generate
from conftest import FIXED_NOW, PLAIN_COVERS, REPO, SAMPLE_SLUG

from syndicate.cli import main

SECOND_SLUG = "2021-02-20-nato-second-story"
HOST = "ycpress.internal"
"""The newsroom's host: `.internal`, kept for private networks (ICANN, 2024), not one of the
names RFC 2606 and 6761 keep for examples and tests (`ycpress.example`), which `deliver`
refuses to send anything from."""
BASE = f"https://{HOST}/syndicate/"
"""The sites' `base_url`."""
CONFIG = f"""\
publisher:
  name: YCPress
  url: https://{HOST}/
  logo: articles/_site/logo.png
  icon: articles/_site/icon.png
base_url: {BASE}
timezone: Europe/Brussels
languages: [en, fr, ar, zh-Hans, de, es]
"""
FORMATS = ("newsml", "atom", "html")
GENERATED_CONFIG = SITE_CONFIG.format(languages="en, fr")


def generated_site(root: Path, stories: int, config: str = GENERATED_CONFIG) -> Path:
    """`root` made a site of `stories` generated stories in English and French
    (`bench.corpus`), with the sample's logo and icon under `site/`."""
    (root / "site").mkdir(parents=True)
    for name in ("logo.png", "icon.png"):
        shutil.copy(REPO / "articles/_site" / name, root / "site" / name)
    (root / "syndicate.yaml").write_text(config, encoding="utf-8")
    generate(root / "articles", stories, ("en", "fr"))
    return root


class Site:
    """The newsroom's folder: syndicate.yaml, articles/ and out/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.articles = root / "articles"
        self.out = root / "out"
        shutil.copytree(REPO / "articles" / "_site", self.articles / "_site")
        sample = self.articles / SAMPLE_SLUG
        shutil.copytree(REPO / "articles" / SAMPLE_SLUG, sample)
        # (the sample's id names ycpress.example, which deliver refuses to send)
        self.replace(SAMPLE_SLUG, "story.yaml", "id: tag:ycpress.example,", f"id: tag:{HOST},")
        shutil.copytree(sample, self.articles / SECOND_SLUG)
        self.replace(SECOND_SLUG, "story.yaml", "nato-iraq-deployment", "nato-second-story")
        self.extra = ""
        self.configure("")

    @property
    def config(self) -> Path:
        return self.root / "syndicate.yaml"

    def configure(self, extra: str) -> None:
        """syndicate.yaml with `extra` (YAML text, e.g. a `deliver:` section) at the end."""
        self.extra = textwrap.dedent(extra)
        self.config.write_text(CONFIG + self.extra, encoding="utf-8")

    def replace(self, slug: str, name: str, old: str, new: str) -> None:
        path = self.articles / slug / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def cli(self, *args: str) -> int:
        """`syndicate ARGS --config ...` from the site's folder."""
        return main([*args, "--config", str(self.config)], registry=PLAIN_COVERS)

    def export(self, *formats: str, now: str = FIXED_NOW) -> None:
        args = ["export", "-q", "--jobs", "1", "--now", now, "--out", str(self.out)]
        args += ["--articles", str(self.articles)]
        for name in formats or FORMATS:
            args += ["--format", name]
        assert self.cli(*args) == 0

    def deliver(self, *args: str) -> int:
        return self.cli("deliver", "--out", str(self.out), *args)

    def files(self, *folders: str) -> dict[str, bytes]:
        """The files of out/ in these folders (default: the tests' formats), as a target
        that takes them all should hold them."""
        return {
            p.relative_to(self.out).as_posix(): p.read_bytes()
            for folder in folders or FORMATS
            for p in sorted((self.out / folder).rglob("*"))
            if p.is_file()
        }
