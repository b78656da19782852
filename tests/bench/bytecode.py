"""The Python files a measured process may import, one a line: syndicate's package (as this
interpreter finds it), the bench's floor scripts, the standard library (without its tests, IDLE,
Tk and lib2to3) and every installed distribution syndicate depends on, the `dask` extra's
included. `python tests/bench/bytecode.py`: the bench compiles them (`python -m compileall -i
-`) into its own `PYTHONPYCACHEPREFIX` before it times anything, as `pip install` compiles a
wheel's, so that no measured process compiles a module, whatever `PYTHONDONTWRITEBYTECODE` says,
and nothing is written into the source tree or the virtual environment."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sysconfig
import tomllib
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
SKIPPED_STDLIB = re.compile(
    r"/(tests?|idlelib|tkinter|lib2to3|turtledemo|ensurepip|site-packages)/"
)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;(.*))?")
"""A `Requires-Dist` line: the distribution's name, its extras, its marker."""
EXTRA = re.compile(r"""\bextra\s*==\s*['"]([^'"]*)['"]""")


def required(line: str, extras: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """The distribution a `Requires-Dist` line names and the extras it asks of it, if the line
    applies to a distribution installed with `extras`: a marker that names extras applies if it
    names one of them; any other marker is taken as true (a distribution not installed is
    skipped, one installed for nothing compiled in vain). The standard library alone: the
    bench's dependencies are syndicate's, and `packaging` is only the `dask` and `test`
    extras'."""
    found = REQUIREMENT.match(line)
    if found is None:
        return None
    name, asked, marker = found.groups()
    named = {_key(extra) for extra in EXTRA.findall(marker or "")}
    if named and not named & {_key(extra) for extra in extras}:
        return None
    return name, tuple(extra.strip() for extra in (asked or "").split(",") if extra.strip())


def distributions(name: str, extras: tuple[str, ...]) -> Iterator[importlib.metadata.Distribution]:
    """`name`'s installed distribution and those it requires (with `extras`), transitively;
    a distribution required again with more extras is followed for them too."""
    seen: dict[str, set[str]] = {}
    todo = [(name, extras)]
    while todo:
        name, extras = todo.pop()
        known = seen.get(_key(name))
        if known is not None and known >= {_key(extra) for extra in extras}:
            continue
        seen.setdefault(_key(name), set()).update(_key(extra) for extra in extras)
        try:
            found = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if known is None:
            yield found
        for line in found.requires or ():
            if (wanted := required(line, extras)) is not None:
                todo.append(wanted)


def package_files() -> Iterator[Path]:
    """syndicate's modules, where this interpreter imports each package from: every package
    pyproject.toml lists (it lists them all), as `syndicate.schemas` is the repository's
    `schemas/` folder (its `package-dir`), which an editable install maps there and a tree's
    `syndicate/` folder does not hold."""
    with (REPO / "pyproject.toml").open("rb") as config:
        packages = tomllib.load(config)["tool"]["setuptools"]["packages"]
    for name in packages:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        for folder in spec.submodule_search_locations:
            yield from sorted(Path(folder).glob("*.py"))


def files() -> Iterator[Path]:
    yield from dict.fromkeys(package_files())
    yield from (BENCH / name for name in ("floor.py", "noop_floor.py"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    yield from (p for p in sorted(stdlib.rglob("*.py")) if not SKIPPED_STDLIB.search(p.as_posix()))
    for found in distributions("syndicate", ("dask",)):
        if _key(found.metadata["Name"]) == "syndicate":
            continue  # its own files are the package above, wherever the editable install points
        for name in found.files or ():
            if name.suffix == ".py":
                yield Path(str(found.locate_file(name)))


if __name__ == "__main__":
    for path in files():
        print(path)
