"""Parallel export: the same files, byte for byte, whatever the number of worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_incremental import export, make_site, tree


def test_jobs_do_not_change_the_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path / "site")
    export(site, tmp_path / "one", "--jobs", "1")
    export(site, tmp_path / "two", "--jobs", "2", "--timings")
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first and first == second
    timings = capsys.readouterr().err.splitlines()
    epub = next(line.split() for line in timings if line.startswith("epub "))
    books = len([path for path in second if path.startswith(("epub/", "opds/"))])
    assert epub[2:] == ["s", str(books), "files"]


@pytest.mark.parametrize(("stories", "workers"), [(500, 2), (37, 3), (3, 2), (1, 4), (0, 2)])
def test_batches_cover_every_story_in_order_and_the_last_ones_are_short(
    stories: int, workers: int
) -> None:
    """Each batch holds `batch_size` of the stories still to send: up to `BATCH`, fewer as the
    run ends, so that no worker is handed a long last batch while the others wait; every
    story goes once, in order (the results come back in that order)."""
    from syndicate.build.executors import BATCH, _batches
    from syndicate.build.inputs import StoryInput
    from syndicate.build.workers import Job

    jobs = [Job(StoryInput(folder=Path(f"story-{n}")), ("html",), "key") for n in range(stories)]
    batches = list(_batches(jobs, workers, ships=False))
    assert [u.number for batch in batches for u in batch] == list(range(stories))
    sizes = [len(batch) for batch in batches]
    assert all(1 <= size <= BATCH for size in sizes)
    assert sizes == sorted(sizes, reverse=True)  # never longer than the one before
    if stories >= 100:
        assert sizes[0] == BATCH and sizes[-workers:] == [1] * workers
    if (stories, workers) == (500, 2):  # docs/scaling.md's example, as it says it
        small = [size for size in sizes if size < BATCH]
        assert len(sizes) == 75 and sum(small) == 52 and small[:6] == [7, 6, 5, 5, 4, 4]
