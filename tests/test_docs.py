"""The documentation stays true: the configuration reference matches the schema and the options
records it is generated from, its example configuration loads, the Python API page runs, and
every link between the repository's Markdown files reaches its file and heading."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from syndicate.cli import main
from syndicate.diagnostics import Diagnostics
from syndicate.formats.registry import default_registry
from syndicate.readers.config import load_config

REPO = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?\s*\)")


def _tool() -> ModuleType:
    tool = REPO / "tools/config_reference.py"
    spec = importlib.util.spec_from_file_location("config_reference", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_reference_is_generated_from_the_schema() -> None:
    committed = (REPO / "docs/configuration.md").read_text(encoding="utf-8")
    assert committed == _tool().render(), "run: python tools/config_reference.py"


def test_the_reference_describes_every_setting() -> None:
    text = (REPO / "docs/configuration.md").read_text(encoding="utf-8")
    for setting in ("publisher.logo", "links.article", "profiles.<name>.kill", "feeds.hub"):
        assert f"| `{setting}` |" in text
    assert "|  |" not in text, "a setting without a description"


def test_the_reference_example_is_a_valid_configuration(tmp_path: Path) -> None:
    text = (REPO / "docs/configuration.md").read_text(encoding="utf-8")
    (example,) = [body for lang, body in FENCE.findall(text) if lang == "yaml"]
    shutil.copytree(REPO / "articles/_site", tmp_path / "articles/_site")
    (tmp_path / "syndicate.yaml").write_text(example, encoding="utf-8")
    assert main(["--site", str(tmp_path), "validate"]) == 0


def test_the_readme_delivery_example_is_a_configuration_that_delivers(tmp_path: Path) -> None:
    """The README's delivery example, added to the repository's syndicate.yaml, validates, and
    `export --format all` with it writes every format its targets name: a partner profile
    only once `profiles:` names it, else `deliver` finds no out/partners/<name>."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Delivery and preview\n", 1)[1].split("\n## ", 1)[0]
    (example,) = [body for lang, body in FENCE.findall(section) if lang == "yaml"]
    shutil.copytree(REPO / "articles/_site", tmp_path / "articles/_site")
    config = tmp_path / "syndicate.yaml"
    config.write_text((REPO / "syndicate.yaml").read_text(encoding="utf-8") + example, "utf-8")
    assert main(["--site", str(tmp_path), "validate"]) == 0
    assert main(["--site", str(tmp_path), "-q", "export", "--format", "all"]) == 0
    diags = Diagnostics()
    site = load_config(config, "syndicate.yaml", diags)
    assert site is not None and not diags.errors
    registry = default_registry().for_site(site, diags)
    targets = yaml.safe_load(example)["deliver"]["targets"]
    named = sorted({name for target in targets for name in target["formats"]} - {"all"})
    missing = [
        f"{name}: out/{folder}"
        for name in named
        for folder in registry.get(name).owned_folders()
        if not (tmp_path / "out" / folder).is_dir()
    ]
    assert named and missing == [], "a target names a format export --format all does not write"


def test_the_python_api_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Python block of docs/api.md, in order, in one namespace, in an empty folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNDICATE_CACHE_DIR", raising=False)
    text = (REPO / "docs/api.md").read_text(encoding="utf-8")
    blocks = [body for lang, body in FENCE.findall(text) if lang == "python"]
    assert blocks
    namespace: dict[str, object] = {"__name__": "__main__"}
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), namespace)


def _markdown_files() -> list[Path]:
    return sorted(
        [REPO / "README.md", REPO / "CHANGELOG.md", *(REPO / "docs").rglob("*.md")],
    )


def _anchors(path: Path) -> set[str]:
    """The ids GitHub gives the headings of a Markdown file."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.*)$", text, re.M):
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
        found.add(re.sub(r"[^\w\- ]", "", plain).replace(" ", "-"))
    return found


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_links_between_repository_files_resolve(path: Path) -> None:
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # a link written as code is an example, not a link
    broken = [target for target in LINK.findall(text) if not _resolves(path, target)]
    assert broken == [], f"{path.relative_to(REPO)}: links to nothing"


def _resolves(path: Path, target: str) -> bool:
    """Whether a link of `path` reaches a file of the repository (and its heading)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: leave the repository
        return True
    file, _, anchor = target.partition("#")
    linked = (path.parent / file).resolve() if file else path
    if not linked.exists() or not linked.is_relative_to(REPO):
        return False
    return not anchor or linked.suffix != ".md" or anchor in _anchors(linked)


def test_the_command_reference_names_every_option() -> None:
    """docs/cli.md's synopsis of each command names each of its options (the global ones have
    their own table): an option added to the parser and not to the page is caught here."""
    import argparse

    from syndicate.cli import build_parser

    text = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    parser = build_parser(["atom"])
    global_options = {o for a in parser._actions for o in a.option_strings}
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in commands.choices.items():
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        synopsis = FENCE.search(section)
        assert synopsis is not None, name
        for action in command._actions:
            longs = [o for o in action.option_strings if o.startswith("--")]
            if not longs or set(action.option_strings) & global_options or "--help" in longs:
                continue
            assert any(o in synopsis.group(2) for o in longs), (name, longs)


def test_the_commits_performance_md_names_are_in_the_history() -> None:
    """Each commit docs/performance.md names a change by is one of the repository's history: a
    round written before its commits were rebased named copies no clone holds."""
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)

    if shutil.which("git") is None or git("rev-parse", "--is-shallow-repository").stdout != (
        "false\n"
    ):
        pytest.skip("not a git checkout with its whole history")
    text = (REPO / "docs/performance.md").read_text(encoding="utf-8")
    named = sorted(set(re.findall(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}\b", text)))
    assert len(named) > 50
    gone = [h for h in named if git("merge-base", "--is-ancestor", h, "HEAD").returncode != 0]
    assert gone == [], "docs/performance.md names commits that are not in the history"
