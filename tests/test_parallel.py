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


def test_batches_that_travel_carry_at_most_batch_bytes_a_larger_story_alone(
    tmp_path: Path,
) -> None:
    """Batches sent with their files (to a Dask scheduler's workers) hold `BATCH_BYTES` of
    them at most: eight stories of 8 MB photos made a 64 MB task, two a worker held by the
    driver and the scheduler. A story that carries more goes alone; the order is kept. (Said
    with a cap of 1 MiB, a sixteenth of it, and stories of a sixteenth of the size: the rule
    is the same, and the fast suite writes 4 MiB where the cap's own size wrote 71 MiB.)"""
    import inspect

    from syndicate.build.executors import BATCH_BYTES, _batches, carried
    from syndicate.build.inputs import StoryInput
    from syndicate.build.workers import Job

    assert BATCH_BYTES == 16 * 1024 * 1024  # as docs/scaling.md says
    assert inspect.signature(_batches).parameters["limit"].default == BATCH_BYTES
    limit = BATCH_BYTES // 16
    mib = limit // 16  # what a MiB is to BATCH_BYTES
    photos = [6 * mib] * 4 + [10 * mib, 10 * mib] + [mib] * 27  # story 4 carries "20 MiB"
    jobs, photo = [], 0
    for number, size in enumerate([6, 6, 6, 6, 20] + [1] * 27):
        folder = tmp_path / f"story-{number}"
        (folder / "images").mkdir(parents=True)
        names = []
        while size > 0:
            names.append(f"images/photo-{photo}.jpg")
            (folder / names[-1]).write_bytes(bytes(photos[photo]))
            size -= photos[photo] // mib
            photo += 1
        listed = "".join(f"  - file: {name}\n" for name in names)
        (folder / "story.yaml").write_text(f"images:\n{listed}", "utf-8")
        jobs.append(Job(StoryInput(folder=folder), ("html",), "key"))
    batches = list(_batches(jobs, 1, ships=True, limit=limit))
    assert [u.number for batch in batches for u in batch] == list(range(len(jobs)))
    weights = [sum(carried(u) for u in batch) for batch in batches]
    assert all(w <= limit for w, b in zip(weights, batches, strict=True) if len(b) > 1)
    assert [len(batch) for batch in batches][:3] == [2, 2, 1]  # 12 "MiB", 12, 20 alone
    assert weights[2] > limit
    # Without their files (a pool's, a local cluster's workers read the folders): by count.
    assert next(_batches(jobs, 1, ships=False, limit=limit))[-1].number == 7


@pytest.mark.parametrize("workers", [1, 2])
def test_the_files_in_flight_never_pass_the_window(tmp_path: Path, workers: int) -> None:
    """When the stories' files travel (to a Dask scheduler's workers), the batches sent and
    not yet taken hold at most `IN_FLIGHT_PER_WORKER` full batches a worker: their stories
    (`BATCH` each) and their bytes (`BATCH_BYTES` each), but for a story that carries more
    than the window alone, which goes when no other batch is in flight. The next batch is
    read only once a
    full batch would fit, so the driver holds no more files than that, and the one story
    read that starts the batch after. Batches were sent before the window was checked: one
    past it. (Said with a cap of 1 MiB, as the test above, and stories of that scale.)"""
    from syndicate.build import executors
    from syndicate.build.executors import BATCH, IN_FLIGHT_PER_WORKER, Executor, carried
    from syndicate.build.inputs import StoryInput
    from syndicate.build.workers import Done, Job, Unit

    limit = executors.BATCH_BYTES // 16
    tenth = limit // 10
    sizes = [5, 7, 3, 9, 16, 2, 30, 4, 4, 11, 6, *[1] * 25, 3, 8, 2, 12, 5, 5, 5, 5, 7, 1]
    jobs = []
    for number, size in enumerate(sizes):  # story 6: more than one worker's window
        folder = tmp_path / f"story-{number}"
        (folder / "images").mkdir(parents=True)
        (folder / "images/photo.jpg").write_bytes(bytes(size * tenth))
        (folder / "story.yaml").write_text("images:\n  - file: images/photo.jpg\n", "utf-8")
        jobs.append(Job(StoryInput(folder=folder), ("html",), "key"))
    window = workers * IN_FLIGHT_PER_WORKER
    largest = max(sizes) * tenth
    carried_by: dict[int, int] = {}
    read: dict[int, int] = {}  # the bytes of each story read and not yet let go
    held: list[int] = []  # the bytes the driver holds as each story is read
    flying: list[list[Unit]] = []
    sent: list[tuple[int, int, int]] = []  # stories, bytes, batches in flight as one is sent
    real_unit = executors.unit

    def unit(job: Job, shipped: bool, number: int = 0) -> Unit:
        made = real_unit(job, shipped, number)
        read[number] = carried_by[number] = carried(made)
        held.append(sum(read.values()))
        return made

    class Taken:
        def __init__(self, batch: list[Unit]) -> None:
            self.batch = batch

        def result(self) -> list[Done]:
            flying.remove(self.batch)
            for work in self.batch:
                del read[work.number]
            return [Done(None, [], {}, "", "") for _ in self.batch]

    class Travelling(Executor):
        ships = True
        batch_bytes = limit

        def __init__(self, workers: int) -> None:
            self.workers = workers

        def submit(self, batch: list[Unit]) -> Taken:
            flying.append(batch)
            weight = sum(carried(work) for one in flying for work in one)
            sent.append((sum(map(len, flying)), weight, len(flying)))
            return Taken(batch)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(executors, "unit", unit)
        done = list(Travelling(workers).run(jobs))
    assert len(done) == len(jobs) and not read and not flying
    assert max(stories for stories, _, _ in sent) <= window * BATCH, sent
    past = [(batches, weight) for _, weight, batches in sent if weight > window * limit]
    assert past == [(1, carried_by[6])] if carried_by[6] > window * limit else not past, past
    assert max(weight for _, weight, _ in sent if weight <= window * limit) > (window - 1) * limit
    assert max(held) <= window * limit + largest, (max(held), window * limit + largest)
