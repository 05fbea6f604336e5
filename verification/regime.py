"""The search and run-length record of the paper's regime (``sptheory.experiments.regime``): the edge that runs
it and writes the data file.

    python -m verification.regime search [--names ...] [--workers 2] [--record PATH]
    python -m verification.regime probes [--names ...]        # the bracket probes of the searched names
    python -m verification.regime length [--names ...]        # the run-length rule on the chosen points
    python -m verification.regime ladder [--names ...]        # the ladder past a "beyond" probe (regime docstring)
    python -m verification.regime show                        # the record's outcome per algorithm
    python -m verification.regime curves [--run JSON] [--png PATH]  # the regime-b run's learning curves

Every command resumes: a point already in the record (same algorithm, hyperparameters, epochs, seeds) is not
run again.  Each finished point is written to the record at once, so an interrupted run keeps its data.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from sptheory.experiments import regime


def _commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=Path(__file__).parent, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _rules():
    r = regime
    return dict(setting=repr(r.SETTING), paper_reads_per_column=r.PAPER_READS_PER_COLUMN,
                min_epochs=r.min_epochs(), epoch_ladder=list(r.epoch_ladder()), slope_tol=r.SLOPE_TOL,
                points=r.POINTS, sampler="scipy.stats.qmc.Sobol(scramble=True)", sampler_seed=r.SAMPLER_SEED,
                fast_decades=list(r.FAST_DECADES), transfer_decades=list(r.TRANSFER_DECADES), step=r.STEP,
                noise_z=r.NOISE_Z, fail_below=r.FAIL_BELOW, search_seeds=list(r.SEARCH_SEEDS))


def _same_rules(old, new):
    """The record's rules against today's: equal, except that a NetworkSetting field added to the package after the
    record was written (absent from the record's repr) is ignored when it holds its default value."""
    if not isinstance(old, dict) or set(old) != set(new):
        return False
    if any(old[k] != new[k] for k in new if k != "setting"):
        return False
    import dataclasses

    s = regime.SETTING
    added = [f for f in dataclasses.fields(s) if f"{f.name}=" not in old["setting"]]
    if any(getattr(s, f.name) != f.default for f in added):
        return False
    kept = ", ".join(f"{f.name}={getattr(s, f.name)!r}" for f in dataclasses.fields(s) if f not in added)
    return old["setting"] == f"{type(s).__name__}({kept})"


def _load(path):
    try:
        rec = regime.load_record(path)
    except FileNotFoundError:
        rec = dict(rules=_rules(), runs=[], points=[], probes=[], ladder=[], length=[])
    if not _same_rules(rec.get("rules"), _rules()):
        raise SystemExit(f"the record at {path} was made under other rules: {rec.get('rules')}")
    return rec


def _key(p):
    return (p["algorithm"], repr(sorted(p["hp"].items())), p["epochs"], tuple(p["seeds"]))


def _run(jobs, rec, field, path, workers):
    done = {_key(p) for p in rec[field]}
    todo = [j for j in jobs if _key(dict(algorithm=j[0], hp=j[1], epochs=j[2], seeds=list(regime.SEARCH_SEEDS)))
            not in done]
    print(f"{field}: {len(jobs) - len(todo)} in the record, {len(todo)} to run", flush=True)
    with ProcessPoolExecutor(max_workers=workers) as ex:
        futs = {ex.submit(regime.evaluate, *j[:3]): j for j in todo}
        for f in as_completed(futs):
            p = f.result()
            extra = futs[f][3] if len(futs[f]) > 3 else {}
            p.update(extra)
            rec[field].append(p)
            regime.save_record(rec, path)
            print(f"  {p['algorithm']:<22} {p['val_mean']:.3f}  slope {100 * p['end_slope']:+.3f} pt/ep  "
                  f"{p['seconds']:.0f}s  {dict((k, p['hp'][k]) for k, _ in regime.AXES[p['algorithm']])}",
                  flush=True)


ROOT = Path(__file__).resolve().parents[1]
RUN_PATH = ROOT / "verification" / "data" / "regime_b_long_run.json"
CURVES_PNG = ROOT / "docs" / "regime_b_curves.png"


def plot_curves(run_json, png):
    """The seed-mean validation curves of every distinct row of a regime-b run (``data.curves`` of its
    results), one figure: the nominal-cell methods, the offset rows, fig5-chopper's p rows."""
    import json

    from matplotlib.figure import Figure  # no pyplot: no global backend state

    claims = json.loads(Path(run_json).read_text())["claims"]
    rows = {}
    for c in claims:
        if c["id"].startswith("regime-b/"):
            rows.update((c.get("data") or {}).get("curves") or {})
    groups = (("nominal cell (ref_std 0.3)", [k for k in rows if k.endswith("|0.3")]),
              ("offset rows (ref_std 0.05 / 1.0)", [k for k in rows if k.endswith(("|0.05", "|1.0"))]),
              ("E-RIDER (paper): chopper p per read", [k for k in rows if "|p=" in k]))
    fig = Figure(figsize=(13, 3.8))
    axes = fig.subplots(1, 3, sharey=True)
    for ax, (title, keys) in zip(axes, groups):
        for k in sorted(keys):
            ax.plot(100 * np.asarray(rows[k]), label=k.replace("|", " "), lw=1.2)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("epoch")
        if keys:
            ax.legend(fontsize=6.5, loc="lower right")
    axes[0].set_ylabel("validation accuracy, seed mean (%)")
    fig.tight_layout()
    Path(png).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=100)
    print(f"wrote {png}", flush=True)


LADDER_RULE = ("for an axis whose probe is beyond, step STEP further past the face along that axis alone (other "
               "coordinates at the chosen point), same seeds and epochs; stop at the first step not better than the "
               "running best by more than NOISE_Z SE (flat or worse) or after LADDER_STEPS further steps; the best "
               "step becomes the chosen point; bracketed if stopped on a flat/worse step, not if the cap was hit. "
               "Added after the search's results were seen (AGAD, TT-v2 beyond on alpha); applies to every "
               "algorithm whose search did not bracket.")


def _ladder(rec, names, E, path, workers):
    """Run the ladder to its end: each round runs every algorithm's next step (at most one each) in parallel."""
    rec.setdefault("ladder", [])
    rec.setdefault("ladder_rule", dict(text=LADDER_RULE, ladder_steps=regime.LADDER_STEPS, step=regime.STEP,
                                       noise_z=regime.NOISE_Z, commit=_commit()))
    while True:
        jobs = []
        for n in names:
            pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E]
            if len(pts) < regime.POINTS:
                print(f"{n}: search incomplete ({len(pts)} of {regime.POINTS} points); no ladder", flush=True)
                continue
            s = regime.state(n, rec, E, rule="ladder")
            if any(v == "probe needed" for v in s["axes"].values()):
                print(f"{n}: probes needed first ({s['axes']})", flush=True)
                continue
            if s["next"] is not None:
                axis, step = next((a, d["k"]) for a, log in s["ladders"].items() for d in log
                                  if d["record"] is None)
                jobs.append((n, s["next"], E, dict(ladder_axis=axis, ladder_step=step)))
        if not jobs:
            return
        before = len(rec["ladder"])
        _run(jobs, rec, "ladder", path, workers)
        if len(rec["ladder"]) == before:
            return


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m verification.regime", description=__doc__.split("\n\n")[0])
    ap.add_argument("command", choices=("search", "probes", "ladder", "length", "show", "curves"))
    ap.add_argument("--run", default=str(RUN_PATH), help="curves: a verification.json of regime-b")
    ap.add_argument("--png", default=str(CURVES_PNG), help="curves: the figure to write")
    ap.add_argument("--names", nargs="+", default=list(regime.COMPARED), choices=sorted(regime.AXES))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--record", default=str(regime.RECORD_PATH))
    a = ap.parse_args(argv)
    if a.command == "curves":
        plot_curves(a.run, a.png)
        return
    rec = _load(a.record)
    if a.command != "show":
        rec["runs"].append(dict(command="python -m verification.regime " + " ".join(argv or sys.argv[1:]),
                                commit=_commit()))
    E = regime.min_epochs()
    if a.command == "search":
        jobs = [(n, hp, E) for n in a.names for hp in regime.sample(n)]
        _run(jobs, rec, "points", a.record, a.workers)
    elif a.command == "probes":
        jobs = []
        for n in a.names:
            pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E]
            if len(pts) < regime.POINTS:
                print(f"{n}: search incomplete ({len(pts)} of {regime.POINTS} points); no probes", flush=True)
                continue
            for axis, hp in regime.bracket(n, pts)["probe_points"].items():
                jobs.append((n, hp, E, dict(probe_axis=axis)))
        _run(jobs, rec, "probes", a.record, a.workers)
    elif a.command == "ladder":
        _ladder(rec, a.names, E, a.record, a.workers)
    elif a.command == "length":
        budgets = {E: {}}
        for n in a.names:  # the first budget's slopes: the chosen points of the search itself
            pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E]
            if pts:
                budgets[E][n] = regime.state(n, rec, E, rule="ladder")["best"]["end_slope"]
        for p in rec["length"]:
            budgets.setdefault(p["epochs"], {})[p["algorithm"]] = p["end_slope"]
        outcome = regime.run_length({e: s for e, s in budgets.items() if set(a.names) <= set(s)})
        if outcome["next"] is not None:
            jobs = []
            for n in a.names:
                pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E]
                jobs.append((n, regime.state(n, rec, E, rule="ladder")["best"]["hp"], outcome["next"]))
            _run(jobs, rec, "length", a.record, a.workers)
        for p in rec["length"]:
            budgets.setdefault(p["epochs"], {})[p["algorithm"]] = p["end_slope"]
        outcome = regime.run_length({e: s for e, s in budgets.items() if set(a.names) <= set(s)})
        print("run-length rule:", outcome, flush=True)
    regime.save_record(rec, a.record)
    for n in a.names:
        pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E]
        if not pts:
            continue
        for rule in ("original", "ladder"):
            b = regime.state(n, rec, E, rule=rule)
            print(f"{n:<22} {rule:<8} {len(pts)} points  best {b['best']['val_mean']:.3f}  failed {b['failed']}  "
                  f"axes {b['axes']}  hp {dict((k, b['best']['hp'][k]) for k, _ in regime.AXES[n])}", flush=True)


if __name__ == "__main__":
    main()
