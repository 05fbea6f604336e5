"""Run independent jobs serially or on any ``concurrent.futures.Executor``.

A laptop passes a ``ProcessPoolExecutor``; a cluster passes, for instance,
Dask's ``Client.get_executor()``; ``executor=None`` runs in this process.
Results always come back in the order of the jobs.
"""

from __future__ import annotations

import sys
from concurrent.futures import Executor, as_completed
from typing import Any, Callable, Iterable

from tqdm.auto import tqdm

__all__ = ["run_jobs"]


def _call(fn: Callable, job: Any):
    if isinstance(job, dict):
        return fn(**job)
    if isinstance(job, tuple):
        return fn(*job)
    return fn(job)


def run_jobs(
    fn: Callable,
    jobs: Iterable[Any],
    executor: Executor | None = None,
    progress: bool = True,
    desc: str | None = None,
) -> list:
    """Evaluate ``fn`` on every job and return the results in job order.

    Parameters
    ----------
    fn : callable
        The work.  With a process-based executor it must be picklable (a
        module-level function or a ``functools.partial`` of one).
    jobs : iterable
        Each job is a ``tuple`` of positional arguments (``fn(*job)``) or a
        ``dict`` of keyword arguments (``fn(**job)``); any other object is
        passed as the single positional argument (``fn(job)``).  Randomness
        belongs in the job (a seed or a spawned ``Generator``), so results do
        not depend on which worker ran them.
    executor : concurrent.futures.Executor or None
        ``None`` runs the jobs one after another in this process; otherwise
        every job is submitted at once and the results are gathered.
    progress : bool
        Show a tqdm bar on stderr.
    desc : str or None
        Label of the progress bar.

    Returns
    -------
    list
        ``[fn(job) for job in jobs]``, in order.

    Raises
    ------
    Exception
        the first exception raised by a job (in completion order); jobs not
        yet started are cancelled.
    """
    jobs = list(jobs)
    bar = tqdm(total=len(jobs), desc=desc, disable=not progress, file=sys.stderr, leave=False)
    try:
        if executor is None:
            results = []
            for job in jobs:
                results.append(_call(fn, job))
                bar.update(1)
            return results

        futures = [executor.submit(_call, fn, job) for job in jobs]
        index = {f: i for i, f in enumerate(futures)}
        results = [None] * len(jobs)
        try:
            for fut in as_completed(futures):
                results[index[fut]] = fut.result()
                bar.update(1)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        return results
    finally:
        bar.close()
