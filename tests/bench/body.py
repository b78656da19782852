"""What a long body costs: `python tests/bench/body.py [--nodes N]` parses and renders one
paragraph of N inline nodes (emphasis runs, links, code spans) at N/4, N/2 and N, and prints
the CPU seconds of each step with the growth exponent between the sizes (1 is linear; the
renderer used to be quadratic: 35,000 runs took 25 s). Target: 100,000 nodes rendered in
under a second."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from syndicate.diagnostics import Diagnostics  # noqa: E402
from syndicate.model import Block, Paragraph, Story  # noqa: E402
from syndicate.model.source import SourceRef  # noqa: E402
from syndicate.readers.articles import read_story  # noqa: E402
from syndicate.readers.config import load_config  # noqa: E402
from syndicate.readers.markdown import parse_body  # noqa: E402
from syndicate.render.xhtml import render_body, to_string  # noqa: E402

SHAPES: dict[str, Callable[[int], str]] = {
    "emphasis": lambda n: " ".join("*a*" for _ in range(n)),
    "links": lambda n: " ".join(f"[l{i}](https://example.com/{i})" for i in range(n)),
    "code": lambda n: " ".join("`c`" for _ in range(n)),
}


def cpu(step: Callable[[], object]) -> float:
    start = time.process_time()
    step()
    return time.process_time() - start


def sample_story() -> Story:
    diags = Diagnostics()
    config = load_config(REPO / "syndicate.yaml", "syndicate.yaml", diags)
    assert config is not None, list(diags)
    story = read_story(next((REPO / "articles").glob("2*")), config, diags)
    assert story is not None, list(diags)
    return story


def measure(shape: str, nodes: int, story: Story) -> dict[str, float]:
    text = SHAPES[shape](nodes)
    diags = Diagnostics()
    blocks: list[tuple[Block, ...]] = []
    parse = cpu(lambda: blocks.append(parse_body(text, SourceRef("bench.md", 1), _none, diags)))
    body = blocks[0]
    assert len(body) == 1 and isinstance(body[0], Paragraph), body[:1]
    variant = story.variants[0]
    long = dataclasses.replace(variant, body=body)
    render = cpu(lambda: to_string(render_body(story, long, lambda image: image.name)))
    return {"parse": parse, "render": render}


def _none(_: str) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    story = sample_story()
    sizes = (args.nodes // 4, args.nodes // 2, args.nodes)
    figures: dict[str, object] = {}
    for shape in SHAPES:
        runs = {n: measure(shape, n, story) for n in sizes}
        for step in ("parse", "render"):
            small, large = runs[sizes[0]][step], runs[sizes[-1]][step]
            exponent = math.log(max(large, 1e-6) / max(small, 1e-6)) / math.log(4)
            times = ", ".join(f"{n:,}: {runs[n][step]:.3f} s" for n in sizes)
            print(f"{shape:<9} {step:<7} {times}  (exponent {exponent:.2f})")
            figures[f"{shape}_{step}_seconds"] = round(runs[sizes[-1]][step], 4)
            figures[f"{shape}_{step}_exponent"] = round(exponent, 2)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
