"""Run independent jobs serially or on any ``concurrent.futures.Executor``.

A laptop passes a ``ProcessPoolExecutor``; a cluster passes, for instance,
Dask's ``Client.get_executor()``; ``executor=None`` runs in this process.
Results always come back in the order of the jobs.
"""

from __future__ import annotations

import contextlib
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from typing import Any, Callable, Iterable, Iterator

from tqdm.auto import tqdm

__all__ = ["run_jobs", "open_executor", "parse_executor"]

EXECUTOR_KINDS = ("serial", "process", "dask")


def parse_executor(spec: str | None) -> tuple[str, str | None]:
    """``"serial"``, ``"process"``, ``"dask"`` or ``"dask=ADDRESS"`` -> ``(kind, address)``.

    ``None`` means ``"process"``.  Raises ``ValueError`` naming the spec otherwise.
    """
    if spec is None:
        return "process", None
    if not isinstance(spec, str):
        raise TypeError(f"executor spec must be a string, got {type(spec).__name__}")
    kind, sep, address = spec.partition("=")
    if kind not in EXECUTOR_KINDS:
        raise ValueError(f"executor must be one of serial, process, dask or dask=ADDRESS, got {spec!r}")
    if sep and kind != "dask":
        raise ValueError(f"only the dask executor takes an address, got {spec!r}")
    if sep and not address:
        raise ValueError(f"executor {spec!r}: the address after 'dask=' is empty")
    return kind, (address or None)


@contextlib.contextmanager
def open_executor(spec: str | None = None, workers: int = 1,
                  connect_timeout: float = 10.0) -> Iterator[Executor | None]:
    """An executor for :func:`run_jobs`, closed on exit.

    * ``"serial"`` -- None (jobs run in this process);
    * ``"process"`` (default) -- a ``ProcessPoolExecutor`` with ``workers``
      processes, or None when ``workers == 1``;
    * ``"dask"`` -- a local Dask cluster of ``workers`` single-threaded worker
      processes, started here and stopped on exit (needs ``dask.distributed``,
      the ``dask`` extra);
    * ``"dask=ADDRESS"`` -- a client of the running scheduler at ``ADDRESS``
      (e.g. ``tcp://10.0.0.5:8786``); the cluster stays up on exit.  A scheduler that does not
      answer within ``connect_timeout`` seconds is a ``ConnectionError`` naming the address.

    Both Dask forms hand back ``Client.get_executor()``, a
    ``concurrent.futures.Executor``; the jobs carry their own seeds, so the
    results do not depend on which worker ran them.
    """
    kind, address = parse_executor(spec)
    if int(workers) != workers or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    workers = int(workers)
    if kind == "serial" or (kind == "process" and workers == 1):
        yield None
        return
    if kind == "process":
        with ProcessPoolExecutor(max_workers=workers) as ex:
            yield ex
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the dask executor needs dask.distributed: pip install 'sptheory[dask]'") from exc
    if address is None:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client.get_executor()
    else:
        from . import _validate

        timeout = _validate.number("connect_timeout", connect_timeout, lo=0.0, lo_open=True)
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConnectionError(f"no Dask scheduler answered at {address!r} within {timeout:g} s "
                                  f"({type(exc).__name__}: {exc})") from None
        with client:
            yield client.get_executor()


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
