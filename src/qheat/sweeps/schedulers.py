"""Where the chunks of a sweep run: serially, on local processes, or on a Dask cluster.

Every scheduler has ``imap(function, common, tasks)``, yielding ``(task, function(common,
task))`` pairs as tasks finish (in any order), and ``parallelism()``, the number of tasks it
runs at once (for the time estimate). Tasks are drawn from ``tasks`` lazily and at most
``2 * parallelism`` are in flight, so the caller's memory is bounded by the chunk, not by the number of chunks. ``common``
(the grid, the builder, the equations) goes to each worker once, not with every task. Results
travel back to the calling process, which writes them, so workers need no shared file system;
schedulers whose workers see the caller's files (``shared_files``: local processes, a Dask
cluster on a shared file system) write the regions of a zarr output themselves.

Faults: an error raised by ``function`` (a bad parameter, no steady state) propagates at
once. A worker that *dies* (a killed process: ``BrokenProcessPool``; a killed Dask worker:
``KilledWorker``, after Dask's own rescheduling) loses only the tasks in flight on it: they
are run again, up to ``retries`` times each; past that the sweep stops with
:class:`ChunkLostError` naming the chunk. Finished tasks are never run again.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from ..errors import ChunkLostError, InvalidParameterError

__all__ = [
    "DEFAULT_RETRIES",
    "SCHEDULERS",
    "ChunkLostError",
    "Dask",
    "Processes",
    "Scheduler",
    "Serial",
    "scheduler_named",
]

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")

SCHEDULERS = ("serial", "processes", "dask")
DEFAULT_RETRIES = 2
"""Times a task lost with its worker is run again before the sweep stops."""
MAX_WORKERS = 1024
"""Most local worker processes (``Processes``)."""
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a Dask scheduler at ``address`` before giving up."""


class Scheduler(Protocol):
    """Runs ``function(common, task)`` on each task; yields ``(task, result)`` as they complete."""

    def imap(
        self, function: Callable[[C, T], R], common: C, tasks: Iterable[T]
    ) -> Iterator[tuple[T, R]]: ...

    def parallelism(self) -> int: ...

    @property
    def shared_files(self) -> bool:
        """Whether the workers see the caller's files (then they write a zarr output)."""
        ...


@dataclass(frozen=True)
class Serial:
    """One task after the other in the calling process."""

    def imap(
        self, function: Callable[[C, T], R], common: C, tasks: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        for task in tasks:
            yield task, function(common, task)

    def parallelism(self) -> int:
        return 1

    @property
    def shared_files(self) -> bool:
        return False  # the caller writes: nothing to gain


@dataclass
class _Strikes:
    """How often each task was lost with a worker; raises past ``retries``."""

    retries: int
    cause: str
    counts: dict[int, int] = field(default_factory=dict)

    def lost(self, tasks: Iterable[Any]) -> list[Any]:
        tasks = list(tasks)
        over = []
        for task in tasks:
            n = self.counts[id(task)] = self.counts.get(id(task), 0) + 1
            if n > self.retries:
                over.append(task)
        if over:
            names = ", ".join(str(t) for t in over)
            raise ChunkLostError(
                f"{names} lost {self.retries + 1} times with its worker ({self.cause}); "
                "the chunks written so far are kept: rerun with --resume (resume=True)"
            )
        return tasks


@dataclass(frozen=True)
class Processes:
    """Local worker processes (``concurrent.futures``); ``workers=None`` uses every core.

    A worker process that dies breaks the pool: the pool is started again and the tasks
    that were in flight are run again (``retries`` times at most).
    """

    workers: int | None = None
    retries: int = DEFAULT_RETRIES

    def __post_init__(self) -> None:
        if self.workers is not None and (
            isinstance(self.workers, bool)
            or not isinstance(self.workers, int)
            or not 1 <= self.workers <= MAX_WORKERS
        ):
            raise InvalidParameterError(
                f"--workers (workers) must be an integer from 1 to {MAX_WORKERS}, "
                f"got {self.workers!r}"
            )

    def parallelism(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def shared_files(self) -> bool:
        return True  # the same machine

    def imap(
        self, function: Callable[[C, T], R], common: C, tasks: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        workers = self.parallelism()
        queue = iter(tasks)
        again: deque[T] = deque()
        strikes = _Strikes(self.retries, "worker process died: BrokenProcessPool")
        exhausted = False
        while not exhausted or again:
            pending: dict[Future[R], T] = {}
            lost: list[T] = []
            with ProcessPoolExecutor(
                max_workers=workers, initializer=_install, initargs=(function, common)
            ) as pool:
                while not lost:
                    while len(pending) < 2 * workers and (again or not exhausted):
                        task = again.popleft() if again else next(queue, None)
                        if task is None:
                            exhausted = True
                            break
                        try:
                            pending[pool.submit(_run_installed, task)] = task
                        except BrokenProcessPool:
                            lost.append(task)
                            break
                    if not pending:
                        break
                    finished = wait(pending, return_when=FIRST_COMPLETED).done
                    if lost or any(_broken(f) for f in finished):
                        finished = wait(pending).done  # a broken pool fails every pending task
                    for future in finished:
                        task = pending.pop(future)
                        if _broken(future):
                            lost.append(task)
                        else:
                            yield task, future.result()
            again.extend(strikes.lost(lost))


_INSTALLED: tuple[Callable[[Any, Any], Any], Any] | None = None
"""The function and common data of the sweep, in a worker process of :class:`Processes`."""


def _install(function: Callable[[Any, Any], Any], common: Any) -> None:
    global _INSTALLED
    _INSTALLED = (function, common)


def _run_installed(task: Any) -> Any:
    assert _INSTALLED is not None
    function, common = _INSTALLED
    return function(common, task)


def _broken(future: Future[Any]) -> bool:
    return isinstance(future.exception(), BrokenProcessPool)


@dataclass(frozen=True)
class Dask:
    """A Dask cluster, one task per chunk (needs the extra ``qheat[dask]``).

    Args:
        address: ``tcp://host:port`` of a running scheduler; None starts a local cluster
            (``distributed.LocalCluster``) for the duration of the sweep.
        client: an existing ``distributed.Client`` to use instead (not closed afterwards).
        retries: times a task is submitted again after Dask gave up on it (``KilledWorker``:
            its workers died ``distributed.scheduler.allowed-failures`` times).
        shared_files: the workers see the output at the same path (a shared file system):
            they write their chunks into a zarr output themselves, and only the list of
            finished chunks goes through the calling process.
        timeout: seconds to wait for the scheduler at ``address``; past that the sweep
            stops with one :class:`InvalidParameterError` naming the address.
    """

    address: str | None = None
    client: object | None = None
    retries: int = DEFAULT_RETRIES
    shared_files: bool = False
    timeout: float = CONNECT_TIMEOUT

    def parallelism(self) -> int:
        if self.client is None and self.address is None:
            return os.cpu_count() or 1
        client, own = self._client()
        try:
            return max(1, sum(client.nthreads().values()))
        finally:
            if own:
                client.close()

    def _client(self) -> tuple[Any, bool]:
        try:
            from distributed import Client
        except ImportError as exc:  # an optional extra: import only when asked for
            raise InvalidParameterError(
                "scheduler 'dask' needs the optional dependency: pip install 'qheat[dask]'"
            ) from exc
        if self.client is not None:
            return self.client, False
        if self.address is None:
            return Client(), True  # a local cluster, started for the sweep
        try:
            return Client(self.address, timeout=self.timeout), True
        except (OSError, TimeoutError) as exc:
            where = self.address
            raise InvalidParameterError(
                f"--address {where}: no Dask scheduler answered within {self.timeout:g} s "
                f"({type(exc).__name__}: {' '.join(str(exc).split())[:160]}); start one "
                "('dask scheduler') or give the address it prints"
            ) from None

    def imap(
        self, function: Callable[[C, T], R], common: C, tasks: Iterable[T]
    ) -> Iterator[tuple[T, R]]:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        client, own = self._client()
        try:
            window = 2 * max(1, sum(client.nthreads().values()))
            shared = client.scatter(common, broadcast=True, hash=False)
            queue = iter(tasks)
            index: dict[str, T] = {}
            running = as_completed()
            strikes = _Strikes(self.retries, "Dask worker died: KilledWorker")

            def submit(task: T) -> None:
                future = client.submit(function, shared, task, pure=False)
                index[future.key] = task
                running.add(future)

            for task in queue:
                submit(task)
                if len(index) >= window:
                    break
            for future in running:
                task = index.pop(future.key)
                try:
                    result = future.result()
                except KilledWorker:
                    submit(strikes.lost([task])[0])
                    continue
                future.release()
                yield task, result
                following = next(queue, None)
                if following is not None:
                    submit(following)
        finally:
            if own:
                client.close()


def scheduler_named(
    name: str, address: str | None = None, workers: int | None = None, shared: bool = False
) -> Scheduler:
    """The scheduler called ``name`` (one of :data:`SCHEDULERS`); ``shared``: Dask workers
    see the output (see :class:`Dask`)."""
    if name == "serial":
        return Serial()
    if name == "processes":
        return Processes(workers)
    if name == "dask":
        return Dask(address, shared_files=shared)
    raise InvalidParameterError(f"scheduler must be one of {', '.join(SCHEDULERS)}, got {name!r}")
