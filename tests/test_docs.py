"""The documentation stays true: the configuration reference matches the schema and the options
records it is generated from, its example configuration loads, the Python API page runs, and
every link between the repository's Markdown files reaches its file and heading."""

from __future__ import annotations

import importlib.util
import re
import shutil
import tomllib
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


def _commands(block: str) -> list[list[str]]:
    """The `syndicate` command lines of a shell block, as the shell would split them (lines
    continued with a backslash joined, comments left out), without the word `syndicate`."""
    import shlex

    lines = block.replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith("syndicate ")]


def test_the_getting_started_tour_prints_what_the_page_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/getting-started.md, run as written (with `--now` at the page's times): `init`,
    `validate` and `export` print the lines the page shows, the story it has you write
    validates, and `syndicate list` prints its table. A page showing a summary an older
    version printed ("49 files" after the section pages came) misleads the newcomer who
    compares."""
    text = (REPO / "docs/getting-started.md").read_text(encoding="utf-8")
    blocks = FENCE.findall(text)

    def output_after(command: str) -> list[str]:
        """The lines of the untagged block that follows the shell block holding `command`."""
        index = next(i for i, (lang, body) in enumerate(blocks) if lang == "sh" and command in body)
        lang, body = blocks[index + 1]
        assert lang == "", command
        return body.splitlines()

    def run(argv: list[str], now: str) -> list[str]:
        capsys.readouterr()
        main(["--now", now, *argv])
        captured = capsys.readouterr()
        return captured.out.splitlines() + captured.err.splitlines()

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNDICATE_CACHE_DIR", raising=False)
    (init,) = next(_commands(body) for lang, body in blocks if "syndicate init" in body and lang)
    assert run(init, "2026-12-01T08:00:00+01:00") == output_after("syndicate init")
    monkeypatch.chdir(tmp_path / init[1])
    tour = next(body for lang, body in blocks if lang == "sh" and "syndicate validate\n" in body)
    printed = [line for argv in _commands(tour) for line in run(argv, "2026-12-01T08:05:00Z")]
    assert printed == output_after("syndicate validate\nsyndicate export")

    # (the shell block running it: init's advice above names `syndicate new` too)
    (new,) = next(
        _commands(body) for lang, body in blocks if lang == "sh" and "syndicate new" in body
    )
    assert main(["-q", "--now", "2026-12-01T08:40:00+01:00", *new]) == 0
    story = Path("articles", new[1])
    (meta,) = [body for lang, body in blocks if lang == "yaml"]
    (english,) = [body for lang, body in blocks if lang == "markdown"]
    french = re.search(r"`fr\.md` is the same in French \(`headline: ([^`]+)`", text)
    assert french is not None
    (story / "story.yaml").write_text(meta, encoding="utf-8")
    (story / "en.md").write_text(english, encoding="utf-8")
    fr = re.sub(r"(?m)^headline: .*$", f"headline: {french.group(1)}", english)
    (story / "fr.md").write_text(fr.replace("dateline: Ostend", "dateline: Ostende"), "utf-8")
    assert main(["-q", "validate"]) == 0
    shown = next(body for lang, body in blocks if body.startswith("$ syndicate list\n"))
    table = shown.splitlines()[1:]
    at = re.search(r"\(at (\S+)\)\Z", table[-1])
    assert at is not None
    assert run(["list"], at.group(1)) == table

    # docs/cli.md's export example is this site's next export
    cli = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    example = next(body for _, body in FENCE.findall(cli) if body.startswith("$ syndicate export"))
    command, *shown_lines = example.splitlines()
    capsys.readouterr()
    assert main(_commands(command.removeprefix("$ "))[0]) == 0
    assert capsys.readouterr().err.splitlines() == shown_lines


def test_the_command_reference_s_init_example_prints_what_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/cli.md's `init` example, run as written (at the time its sample story's date
    says), prints the lines the page shows below it: the page left out the "before
    publishing" line its `--url https://harbour.example/` gets, which the getting-started
    page, running the same command, shows."""
    text = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    section = text.split("\n## init\n", 1)[1].split("\n## ", 1)[0]
    blocks = FENCE.findall(section)
    index = next(i for i, (lang, body) in enumerate(blocks) if lang == "sh" and "init" in body)
    ((argv,), (lang, shown)) = _commands(blocks[index][1]), blocks[index + 1]
    assert lang == ""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNDICATE_CACHE_DIR", raising=False)
    capsys.readouterr()
    assert main(["--now", "2026-12-01T08:00:00+01:00", *argv]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() + captured.err.splitlines() == shown.splitlines()


def _whole_configurations() -> list[tuple[str, str]]:
    """The YAML blocks of the docs that are a whole `syndicate.yaml` (they name the publisher)."""
    found = []
    for path in _markdown_files():
        for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
            if lang == "yaml" and re.search(r"(?m)^publisher:", body):
                found.append((str(path.relative_to(REPO)), body))
    return found


@pytest.mark.parametrize(
    ("page", "example"), _whole_configurations(), ids=[page for page, _ in _whole_configurations()]
)
def test_every_whole_configuration_of_the_docs_validates_in_a_new_site(
    tmp_path: Path, page: str, example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page's complete configuration, put in a site `syndicate init` made, validates: its
    logo and icon are where `init` puts them (partners.md's example named site/logo.png, a
    path no site has, and failed as pasted)."""
    assert main(["-q", "--now", "2026-12-01T08:00:00Z", "init", str(tmp_path)]) == 0
    (tmp_path / "syndicate.yaml").write_text(example, encoding="utf-8")
    capsys.readouterr()
    assert main(["--site", str(tmp_path), "validate"]) == 0, capsys.readouterr().err


def test_the_architecture_page_names_every_module_of_the_command_line() -> None:
    """docs/architecture.md's table names each module of `syndicate/cli/` (`terms.py`, the
    module of `syndicate terms`, was left out of its list of one module per command)."""
    text = (REPO / "docs/architecture.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| command line |"))
    modules = sorted(p.name for p in (REPO / "syndicate/cli").glob("*.py") if p.stem != "__init__")
    assert [m for m in modules if f"`{m}`" not in row] == []


def test_lint_imports_keeps_every_format_independent_as_the_architecture_page_says() -> None:
    """docs/architecture.md: formats do not import each other, but for the stated exceptions,
    and `lint-imports` checks it. The independence contract left out the HTML format, so its
    imports of other formats (it reads the feeds' options to link the feeds) went unchecked."""
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    (independence,) = [
        c for c in contracts["importlinter"]["contracts"] if c["type"] == "independence"
    ]
    packages = sorted(
        f"syndicate.formats.{p.parent.name}"
        for p in (REPO / "syndicate/formats").glob("*/__init__.py")
    )
    assert [p for p in packages if p not in independence["modules"]] == []


@pytest.mark.parametrize("listing", ["README.md", "docs/index.md"])
def test_the_documentation_lists_name_every_page(listing: str) -> None:
    """README's "Documentation" list and docs/index.md each link every page of docs/ (README's
    left out upgrading.md, the page a newsroom reads before it upgrades)."""
    path = REPO / listing
    text = path.read_text(encoding="utf-8")
    if listing == "README.md":
        text = text.split("\n## Documentation\n", 1)[1].split("\n## ", 1)[0]
    linked = {(path.parent / target.partition("#")[0]).resolve() for target in LINK.findall(text)}
    pages = [p for p in sorted((REPO / "docs").rglob("*.md")) if p.name != "index.md"]
    assert [str(p.relative_to(REPO)) for p in pages if p.resolve() not in linked] == []


def test_a_message_the_docs_quote_is_not_cut_short_of_the_pinned_one() -> None:
    """A problem the docs quote that is the start of one the mistakes or hostile fixtures pin,
    with the same code, is an older wording: the page shows less than syndicate says (safety.md
    quoted the URL error without the fix it now gives, `start it with https://: '...'`)."""
    said = re.compile(r"(?:error|warning): (.*?) \[([\w.-]+)\]\Z")
    pinned = [
        match.groups()
        for name in ("mistakes", "hostile")
        for line in (REPO / f"tests/fixtures/{name}/expected.txt").read_text("utf-8").splitlines()
        if (match := said.search(line))
    ]
    cut = [
        f"{path.relative_to(REPO)}:{number}: {quoted.group(1)}"
        for path in _markdown_files()
        if path.name != "CHANGELOG.md"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (quoted := said.search(line))
        for message, code in pinned
        if code == quoted.group(2) and message.startswith(quoted.group(1) + ";")
    ]
    assert cut == []


def test_the_docs_dask_workers_run_one_single_threaded_process_a_core() -> None:
    """Every `dask worker` command the docs give starts a process per core with one thread
    each (the stories' work is CPU-bound Python): `--nworkers auto` overrides `--nthreads` on a
    machine of more than 4 cores (Dask's `nprocesses_nthreads`: 16 cores, 4 processes of 4
    threads), and without `--nworkers` a machine runs one process."""
    import shlex

    commands = [
        shlex.split(line.split("#", 1)[0])
        for path in _markdown_files()
        for lang, body in FENCE.findall(path.read_text(encoding="utf-8"))
        if lang == "sh"
        for line in body.splitlines()
        if line.startswith("dask worker ")
    ]
    assert commands
    for argv in commands:
        options = dict(zip(argv[3::2], argv[4::2], strict=False))
        assert options.get("--nthreads") == "1", argv
        assert options.get("--nworkers") not in (None, "auto"), argv


def test_the_no_worker_advice_starts_workers_as_the_docs_do() -> None:
    """A cluster left without workers (`build.worker`) said to start them with a bare `dask
    worker ADDRESS`: one process of a thread a core, where docs/scaling.md starts one
    single-threaded process a core, and no word of the `syndicate[dask]` install. The advice
    gives the docs' command word for word, with the scheduler's address."""
    from types import SimpleNamespace

    from syndicate.build.dask_adapter import DaskExecutor

    address = "tcp://10.0.0.5:8786"
    lines = [
        line.split("#", 1)[0].strip()
        for path in _markdown_files()
        for lang, body in FENCE.findall(path.read_text(encoding="utf-8"))
        if lang == "sh"
        for line in body.splitlines()
        if line.startswith(f"dask worker {address} ")
    ]
    assert lines
    lonely = SimpleNamespace(scheduler=address, plugins=())
    advice = str(DaskExecutor.no_workers(lonely))  # type: ignore[arg-type]
    for line in lines:
        assert f": {line}, and export again" in advice, (line, advice)
    assert "pip install 'syndicate[dask]'" in advice
    assert advice in (REPO / "docs" / "scaling.md").read_text(encoding="utf-8")


def test_the_docs_crontab_lines_name_syndicate_by_its_path() -> None:
    """A crontab line runs with cron's own PATH (`/usr/bin:/bin`), not the one getting-started
    exports in the shell after installing syndicate in a virtual environment: a line running a
    bare `syndicate` failed with "syndicate: not found" (status 127) every five minutes."""
    schedule = re.compile(r"^(?:\S+\s+){5}(.*)\Z")
    lines = [
        found.group(1)
        for path in _markdown_files()
        for lang, body in FENCE.findall(path.read_text(encoding="utf-8"))
        if lang == "sh"
        for line in body.splitlines()
        if (found := schedule.match(line)) and line.startswith(("*", "0", "@"))
    ]
    assert lines
    bare = [line for line in lines if re.search(r"(?:^|&&|;|\|)\s*syndicate\s", line)]
    assert bare == []


def test_the_delivery_page_names_every_option_of_a_target() -> None:
    """docs/delivery.md's table of a target's options has a row for each field of the target's
    record (`rename` and `delete`, said only further down the page, had none)."""
    import msgspec

    from syndicate.deliver.options import Target

    text = (REPO / "docs/delivery.md").read_text(encoding="utf-8")
    table = text.split("| option | what |", 1)[1].split("\n\n", 1)[0]
    named = set(re.findall(r"^\| ([^|]*) \|", table, re.M))
    fields = {f.name for f in msgspec.structs.fields(Target)}
    assert sorted(f for f in fields if not any(f"`{f}`" in row for row in named)) == []


def test_the_docs_that_say_to_raise_the_version_say_to_set_updated() -> None:
    """A page telling to raise (or bump) a story's `version` says to give the new version its
    `updated` in the same sentence or table row: partners order versions by it, and a version
    raised alone is a `story.updated` warning (`story.kill-time` for a kill), which a
    `--strict` export does not publish. sources.md's table ("raise `version` on every change
    partners must see"), ninjs.md's ("bump it on every correction") and upgrading.md's
    ("Raise its version if they must get it") did not."""
    told = re.compile(
        r"(?i)\b(?:raise|raises|raised|raising|bump|bumps)\b[^.|]*`?version`?"
        r"|`version`[^.|]*\b(?:raise|bump)s?\s+it\b"
    )
    pages = [p for p in _markdown_files() if p.name not in ("CHANGELOG.md", "performance.md")]
    text = " ".join(p.read_text(encoding="utf-8") for p in pages).replace("\n", " ")
    assert len(told.findall(text)) >= 4  # getting-started, sources, ninjs, upgrading at least
    said = [
        f"{path.relative_to(REPO)}: {paragraph[found.start() :][:80]}"
        for path in pages
        for paragraph in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
        for found in told.finditer(paragraph.replace("\n", " "))
        if "updated" not in re.split(r"[.|]", paragraph.replace("\n", " ")[found.end() :])[0]
        and "updated" not in found.group()
    ]
    assert said == []


def test_the_second_export_at_once_says_what_cli_md_shows(
    site: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cron job whose last run outlasted its interval: docs/cli.md said nothing of the second
    export started while one writes `out/` (its status, its words, that `out/` is left to the
    first). It fails at once with the lines the page shows (the lock's path is the site's) and
    status 75, the one the page gives it (1 was a failure's too, which a cron job could not tell
    from "try later"), and the lock held by no process is no lock: the next export runs."""
    import fcntl

    monkeypatch.delenv("SYNDICATE_CACHE_DIR", raising=False)  # the build state in the site
    cli = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    section = cli.split("\n### Two runs at once\n", 1)[1].split("\n#", 1)[0]
    (shown,) = [body for lang, body in FENCE.findall(section) if lang == ""]
    monkeypatch.chdir(site)  # as the crontab line runs it: `cd SITE && syndicate export ...`
    argv = ["--now", "2026-12-01T09:00:00Z", "export", "--format", "all"]
    assert main(["-q", *argv]) == 0
    (lock,) = (site / ".syndicate/builds").glob("*/.syndicate.lock")
    capsys.readouterr()
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process's, as flock sees it
        assert main(argv) == 75
    said = capsys.readouterr().err
    assert "fails\nat once with status 75" in section and "| 75 | another run holds the lock" in cli
    path = re.compile(r"\(lock [^)]*\)")
    assert path.sub("(lock ...)", said).splitlines() == path.sub("(lock ...)", shown).splitlines()
    assert str(lock) in said
    assert main(["-q", *argv]) == 0


def test_the_second_delivery_at_once_is_what_delivery_md_says(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/delivery.md said the second `deliver` for one `out/` fails at once, but not with
    which status (a cron job tells "busy" from "sent" by it): 75 (EX_TEMPFAIL, not a failed
    target's 1), nothing sent, its dry run's too."""
    import fcntl

    text = (REPO / "docs/delivery.md").read_text(encoding="utf-8").replace("\n", " ")
    said = re.search(r"`deliver` runs for the same `out/` never interleave: (.*?)\. A del", text)
    assert said is not None
    assert "exit status 75" in said.group(1) and "nothing sent" in said.group(1)
    monkeypatch.delenv("SYNDICATE_CACHE_DIR", raising=False)
    monkeypatch.chdir(site)
    drop = tmp_path / "drop"
    drop.mkdir()
    target = f"{{name: archive, url: 'file://{drop}/', formats: [all]}}"
    config = site / "syndicate.yaml"
    # (on a name of its own: deliver refuses the sample's, on .example, kept for examples)
    text = config.read_text("utf-8").replace(
        "https://ycpress.example/", "https://ycpress.internal/"
    )
    config.write_text(f"{text}deliver:\n  targets: [{target}]\n", "utf-8")
    for story in site.glob("articles/*/story.yaml"):  # (and the stories' ids, for the same)
        said_id = story.read_text("utf-8").replace(
            "id: tag:ycpress.example,", "id: tag:ycpress.internal,"
        )
        story.write_text(said_id, "utf-8")
    assert main(["-q", "--now", "2026-12-01T09:00:00Z", "export", "--format", "all"]) == 0
    (state,) = (site / ".syndicate/builds").glob("*/.syndicate.lock")
    lock = state.with_name(".deliver.lock")  # (beside the export's, in out/'s build state)
    capsys.readouterr()
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process's, as flock sees it
        assert main(["deliver"]) == 75
        assert "another syndicate deliver is running for out" in capsys.readouterr().err
        assert main(["deliver", "--dry-run"]) == 75
    assert list(drop.iterdir()) == []
    assert main(["-q", "deliver"]) == 0
    assert list(drop.iterdir()) != []


@pytest.mark.parametrize("page", ["README.md", "docs/getting-started.md"])
def test_the_tours_name_every_state_list_shows(page: str) -> None:
    """README's tour and getting-started say which states `syndicate list` shows: they left out
    `scheduled` (a usable story dated ahead), which a newsroom meets at its first story
    written before its time."""
    from typing import get_args

    from syndicate.model import Lifecycle

    text = (REPO / page).read_text(encoding="utf-8").replace("\n", " ")
    said = re.search(
        r"`syndicate list` shows every story(?:'s state| with its state) \(([^)]*)\)", text
    )
    assert said is not None
    named = set(re.findall(r"[a-z]+", said.group(1)))
    assert sorted(set(get_args(Lifecycle)) - named) == []


def test_the_scaling_page_calls_export_under_a_main_guard() -> None:
    """docs/scaling.md's "From Python" example, saved as a script, called `export` at its top
    level: each worker the pool or a local cluster spawns runs the script again as it starts
    (an `export.request` error now). Its call is under `if __name__ == "__main__":`."""
    import ast

    text = (REPO / "docs/scaling.md").read_text(encoding="utf-8")
    (block,) = [body for lang, body in FENCE.findall(text) if lang == "python"]
    tree = ast.parse(block)
    top = [node for node in tree.body if "export(" in ast.unparse(node)]
    assert top and all(
        isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"
        for node in top
    )


def test_the_scaling_page_s_batches_are_those_batch_size_makes() -> None:
    """docs/scaling.md's worked example of the batches of a run (500 stories on two workers)
    is what `batch_size` gives; the rule before it said "an eighth of the stories still to
    send per worker", where a batch is a quarter of a worker's share (an eighth of them all
    with two workers)."""
    from syndicate.build.executors import BATCH, BATCHES_PER_WORKER, batch_size

    text = " ".join((REPO / "docs/scaling.md").read_text(encoding="utf-8").split())
    found = re.search(
        r"\((\d+) stories on two workers: (\d+) stories a batch until (\d+) are left, then"
        r" ([\d, ]+) and so on down to 1: (\d+) tasks\)",
        text,
    )
    assert found, "the worked example of the batches"
    stories, first, left_at, then, tasks = found.groups()
    sizes, left = [], int(stories)
    while left:
        sizes.append(batch_size(left, 2))
        left -= sizes[-1]
    assert int(first) == BATCH and "a quarter of each worker's share" in text
    assert BATCHES_PER_WORKER == 4
    assert int(stories) - sizes.count(BATCH) * BATCH == int(left_at)
    shrinking = [int(n) for n in then.split(", ")]
    start = sizes.count(BATCH)
    assert sizes[start : start + len(shrinking)] == shrinking
    assert (sizes[-1], len(sizes)) == (1, int(tasks))


def test_the_newsml_page_lists_every_scheme_of_our_catalog() -> None:
    """docs/formats/newsml.md's "Vocabularies" names each scheme `catalog.syndicate.xml`
    declares (it listed three of the four, leaving out `synpic:`, and its file table spoke of
    "the two schemes")."""
    from syndicate.formats.newsml.vocabulary import SCHEMES

    text = (REPO / "docs/formats/newsml.md").read_text(encoding="utf-8")
    listed = text.split("\n## Vocabularies\n", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^- `(\w+):`", listed, re.M)
    assert named == [scheme.alias for scheme in SCHEMES]
    assert "the two schemes" not in text
