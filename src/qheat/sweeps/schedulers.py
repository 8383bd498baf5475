"""Where the chunks of a sweep run: serially, on local processes, or on a Dask cluster.

Every scheduler has one method, ``imap(function, tasks)``, yielding ``(task, result)`` pairs as
tasks finish (in any order). Results travel back to the calling process, which alone writes
files, so workers need no shared file system. Errors are not swallowed: the first failing
task raises in the caller.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..errors import InvalidParameterError

__all__ = ["Scheduler", "Serial", "Processes", "Dask", "scheduler_named", "SCHEDULERS"]

T = TypeVar("T")
R = TypeVar("R")

SCHEDULERS = ("serial", "processes", "dask")


class Scheduler(Protocol):
    """Runs ``function`` on each task; yields ``(task, result)`` as they complete."""

    def imap(self, function: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]: ...


@dataclass(frozen=True)
class Serial:
    """One task after the other in the calling process."""

    def imap(self, function: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        for task in tasks:
            yield task, function(task)


@dataclass(frozen=True)
class Processes:
    """Local worker processes (``concurrent.futures``); ``workers=None`` uses every core.

    At most ``2 * workers`` tasks are in flight, so memory stays bounded by the chunk size.
    """

    workers: int | None = None

    def imap(self, function: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        workers = self.workers or os.cpu_count() or 1
        pending: dict[Future[R], T] = {}
        queue = iter(tasks)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for task in queue:
                pending[pool.submit(function, task)] = task
                if len(pending) >= 2 * workers:
                    yield from _drain(pending, wait(pending, return_when=FIRST_COMPLETED).done)
            while pending:
                yield from _drain(pending, wait(pending, return_when=FIRST_COMPLETED).done)


def _drain(pending: dict[Future[R], T], done: Iterable[Future[R]]) -> Iterator[tuple[T, R]]:
    for future in done:
        task = pending.pop(future)
        yield task, future.result()


@dataclass(frozen=True)
class Dask:
    """A Dask cluster, one task per chunk (needs the extra ``qheat[dask]``).

    Args:
        address: ``tcp://host:port`` of a running scheduler; None starts a local cluster
            (``distributed.LocalCluster``) for the duration of the sweep.
        client: an existing ``distributed.Client`` to use instead (not closed afterwards).
    """

    address: str | None = None
    client: object | None = None

    def imap(self, function: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        try:
            from distributed import Client, as_completed
        except ImportError as exc:  # an optional extra: import only when asked for
            raise InvalidParameterError(
                "scheduler 'dask' needs the optional dependency: pip install 'qheat[dask]'"
            ) from exc
        own = self.client is None
        client = Client(self.address) if own else self.client
        try:
            task_list = list(tasks)
            futures = client.map(function, task_list, pure=False)  # type: ignore[attr-defined]
            index = {future.key: task for future, task in zip(futures, task_list)}
            for future in as_completed(futures):
                yield index[future.key], future.result()
        finally:
            if own:
                client.close()  # type: ignore[attr-defined]


def scheduler_named(name: str, address: str | None = None, workers: int | None = None) -> Scheduler:
    """The scheduler called ``name`` (one of :data:`SCHEDULERS`)."""
    if name == "serial":
        return Serial()
    if name == "processes":
        return Processes(workers)
    if name == "dask":
        return Dask(address)
    raise InvalidParameterError(f"scheduler must be one of {', '.join(SCHEDULERS)}, got {name!r}")
