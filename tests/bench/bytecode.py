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

from packaging.requirements import Requirement

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
SKIPPED_STDLIB = re.compile(
    r"/(tests?|idlelib|tkinter|lib2to3|turtledemo|ensurepip|site-packages)/"
)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions(name: str, extras: tuple[str, ...]) -> Iterator[importlib.metadata.Distribution]:
    """`name`'s installed distribution and those it requires (with `extras`), transitively."""
    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        name, extras = todo.pop()
        if _key(name) in seen:
            continue
        seen.add(_key(name))
        try:
            found = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        yield found
        for line in found.requires or ():
            required = Requirement(line)
            wanted = [{"extra": extra} for extra in extras or ("",)]
            if required.marker is None or any(required.marker.evaluate(e) for e in wanted):
                todo.append((required.name, tuple(required.extras)))


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
