"""regime-b: the network claims decided in the paper's regime (issue 16).

Experiment (:mod:`sptheory.experiments.regime`): setting B (the HfO2-like preset on both arrays, the fast
array's SP offsets, the paper's Table 6 IO with bound management ITERATIVE), the digits MLP, for the budget of
the run-length rule (at least 183 epochs: the paper's 306 transfer reads per first-layer column; 1.5x up to
twice while some compared method's end slope exceeds 0.1 points per epoch), with the hyperparameters the
search chose, read back from its record ``verification/data/regime_search_B.json``.  E-RIDER is E-RIDER as the
paper ran it (``algorithms.erider_paper``: AGAD plus the gamma-mixed gradient).  Test accuracy once per run,
seeds :data:`SEEDS` (disjoint from the search's).

Which chosen point (two rules, both reported): the **ladder** rule (``regime.ladder``, added after the search's
results were seen, committed in e91742f before its run) is the one the runs use; the **original** rule (the
search's best point and one probe, fixed in 49f1ec3 before the search) is judged beside it: its bracket check
fails for every method whose probe was *beyond*, so under it such a claim reads inconclusive whatever the
numbers.  Each result's notes give the verdict under both rules.

Predictions (kind ``comparison``, fixed before any run in this regime; erider-best, fig5-chopper and the
16-seed stage fixed on 2026-12-06 before their first run; the 32-seed stage added after the 8-seed results,
before its run), per-seed paired differences of test accuracy in
points:

* ``regime-b/erider-vs-agad``: E-RIDER (paper) - AGAD > 0 at the nominal cell (ref_mean 0.2, ref_std 0.3);
* ``regime-b/agad-vs-ttv2``: AGAD - TT-v2 > 0 at the nominal cell;
* ``regime-b/ttv2-offset``: TT-v2(ref_std 0.05) - TT-v2(ref_std 1.0) > 0 at ref_mean 0.2;
* ``regime-b/agad-offset``: |AGAD(ref_std 0.05) - AGAD(ref_std 1.0)| is within 2 points (AGAD's offset
  robustness, the paper's reading), decided as: holds if the interval lies inside (-2, 2), violated if it
  lies entirely outside, inconclusive otherwise;
* ``regime-b/erider-best`` (as ``table-sp-offsets/erider-best``): E-RIDER (paper) - X > 0 for X in {TT-v2,
  c-TTv2, AGAD} at the nominal cell; three paired t intervals simultaneous at 95 % (Bonferroni, 98.3 % each);
  holds if all three lie above 0, violated if some lies entirely below 0, inconclusive otherwise;
* ``regime-b/fig5-chopper`` (as ``fig5-chopper``): max over p > 0 of acc(p) - acc(0) > 0 for E-RIDER (paper) at
  its searched point, the per-column-read chopper probability p in {0, 0.01, 0.02, 0.05, 0.1, 0.2}
  (:data:`FIG5_P`; AGAD's filter weight tail_weightening / ceil(1/p) follows p as in aihwkit; p = 0 takes the
  searched point's filter weight as eta), nominal cell; the five differences' intervals simultaneous at 95 %
  (Bonferroni); holds if the largest lower end is above 0, violated if every upper end is below 0.

The first three: 95 % paired t interval; holds if it lies above 0, violated if below 0, inconclusive otherwise.
Measurement checks (a failed one makes the verdict inconclusive; the verdict without the checks is in the
notes): each method a claim involves has a complete search, not failed (best validation >= 20 %) and bracketed
(every axis interior, flat, or bracketed by the ladder); the run-length rule was met over the claims' methods
(:data:`METHODS`); no compared row is at chance (mean test accuracy >= 20 %); fig5-chopper: every p's end slope
<= 0.1 points per epoch.  Power: an inconclusive verdict carries ``n = ((1.96 + 0.84) sd / distance)^2`` paired
seeds (distance: |mean| to 0, or to the band's edge; erider-best and fig5-chopper: the largest n over their
intervals that straddle 0).

**Seed stages** (:data:`STAGES`, :data:`STAGE_BLOCKS`): when a claim's 8-seed verdict is inconclusive and its
power analysis asks for n <= 32 paired seeds, the claim's rows run on more claim seeds and the claim is judged
again, with the same prediction and interval rule, on the smallest stage that covers n: n <= 16 -> seeds 0-15,
16 < n <= 32 -> seeds 0-31.  The added seeds run in stacked blocks of 8 (8-15, 16-23, 24-31: one simulation per
row and block, so seeds 0-7 and each block are the same whichever stage asks for them).  Both verdicts are
reported (the 8-seed verdict beside the staged one); a staged result that still reads inconclusive carries the
power figure of the staged seeds.  This is a second look, so its error rate is above the nominal 5 %.  History:
the 16-seed stage (n <= 16) was fixed on 2026-12-06 before the first run; the **32-seed stage** (16 < n <= 32)
is a rule added after seeing the 8-seed results (erider-vs-agad, agad-offset and erider-best inconclusive, their
power analyses 18, 20 and 26 seeds), committed before its first run.  Each result's ``data["cpu_seconds"]``
gives the CPU seconds of the training jobs (8 seeds, and the stage).

Where it runs: at 8 seeds in every ``python -m verification`` run; the seed stages only with ``--long``
(``verification.LONG_STAGES``; the run with the 32-seed stage cost 22.3 CPU-minutes, over the 20 CPU-minute line
for the default run, docs/NETWORK_REGIME.md).

``quick``: a 3-epoch smoke at the Table 5 centres with 2 seeds; every verdict inconclusive by its checks.

Not here: the offset grid of Tables 1-2 (9 cells) and ``fig4-pulses`` in this regime (docs/NETWORK_REGIME.md).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sptheory import stats
from sptheory.experiments import network, regime
from verification.harness import ClaimResult

PART = "network"  # counted in the report's network part (verification.harness.ClaimResult.part)
ID = "regime-b"
TITLE = "Network claims in the paper's regime (setting B, >= 183 epochs, bracketing search)"
SEEDS = tuple(range(8))
#: The seed stages: a claim inconclusive at 8 seeds whose power analysis asks for n <= s paired seeds (the
#: smallest such s) is judged again on claim seeds 0 .. s-1 (module docstring; 32 added after the 8-seed run).
STAGES = (16, 32)
MAX_SEEDS = STAGES[-1]
#: The stages' added seeds, one stacked run per row and block.
STAGE_BLOCKS = (tuple(range(8, 16)), tuple(range(16, 24)), tuple(range(24, 32)))
QUICK_SEEDS, QUICK_EPOCHS = (0, 1), 3
AGAD_BAND = 2.0
E = "E-RIDER (paper)"
#: The methods of the claims (the run-length rule and the searches are read over these).
METHODS = tuple(regime.COMPARED) + ("c-TTv2",)
#: fig5-chopper's chopper probabilities per column read (the paper's Fig. 5 values).
FIG5_P = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
Z_POWER = 1.959964 + 0.841621

PREDICTIONS = {
    "erider-vs-agad": stats.Prediction("comparison", "test accuracy E-RIDER (paper) - AGAD > 0 at the nominal cell "
                                       "of B (paired over seeds)"),
    "agad-vs-ttv2": stats.Prediction("comparison", "test accuracy AGAD - TT-v2 > 0 at the nominal cell of B "
                                     "(paired over seeds)"),
    "ttv2-offset": stats.Prediction("comparison", "TT-v2 accuracy at ref_std 0.05 - at ref_std 1.0 > 0 "
                                    "(ref_mean 0.2, paired over seeds)"),
    "agad-offset": stats.Prediction("comparison", f"|AGAD accuracy at ref_std 0.05 - at ref_std 1.0| < {AGAD_BAND} "
                                    "points (ref_mean 0.2, paired over seeds)"),
    "erider-best": stats.Prediction("comparison", "E-RIDER (paper) - X > 0 for X in {TT-v2, c-TTv2, AGAD} at the "
                                    "nominal cell of B (paired over seeds, simultaneous over the three)"),
    "fig5-chopper": stats.Prediction("comparison", "max over p > 0 of acc(p) - acc(0) > 0 for E-RIDER (paper) in B "
                                     "(paired over seeds, simultaneous over the five p)"),
}
# a row: (algorithm, ref_std, chopper p or None = the searched point)
PAIRS = {"erider-vs-agad": [((E, 0.3, None), ("AGAD", 0.3, None))],
         "agad-vs-ttv2": [(("AGAD", 0.3, None), ("TT-v2", 0.3, None))],
         "ttv2-offset": [(("TT-v2", 0.05, None), ("TT-v2", 1.0, None))],
         "agad-offset": [(("AGAD", 0.05, None), ("AGAD", 1.0, None))],
         "erider-best": [((E, 0.3, None), ("TT-v2", 0.3, None)), ((E, 0.3, None), ("c-TTv2", 0.3, None)),
                         ((E, 0.3, None), ("AGAD", 0.3, None))],
         "fig5-chopper": [((E, 0.3, p), (E, 0.3, 0.0)) for p in FIG5_P[1:]]}


def involved(key) -> list:
    """The methods a claim's rows use (its search checks cover these)."""
    return sorted({r[0] for pair in PAIRS[key] for r in pair})


def seeds_needed(diff, band: float | None = None) -> float:
    """Paired seeds a two-sided 95 % test with 80 % power needs for the observed mean and sd of ``diff``: against
    0, or (``band``) against the nearer edge of ``(-band, band)`` (the distance ``band - |mean|``)."""
    d = np.asarray(diff, float)
    m, sd = abs(float(d.mean())), float(d.std(ddof=1))
    if band is not None:
        m = abs(band - m)
    if m == 0.0:
        return float("inf")
    return float(math.ceil((Z_POWER * sd / m) ** 2))


def stage_size(need: float):
    """The seed stage a claim inconclusive at 8 seeds goes to: the smallest of :data:`STAGES` that is >= ``need``
    (paired seeds by :func:`seeds_needed`), or None when ``need`` exceeds them all."""
    if not need == need or need < 0:  # NaN or negative
        raise ValueError(f"need must be a number of seeds >= 0, got {need!r}")
    return next((s for s in STAGES if need <= s), None)


def _first(c, n: int):
    """The first ``n`` seeds of the Curves ``c``."""
    return c._replace(val=c.val[:n], test=c.test[:n], curve=c.curve[:n])


def _timed_train(setting, name, hp, seeds):
    """``network.train_curves`` and the CPU seconds of this process it took (for the cost record)."""
    import time

    t0 = time.process_time()
    c = network.train_curves(setting, name, hp, seeds)
    return c, time.process_time() - t0


def hp_of(hps: dict, row) -> dict:
    """The hyperparameters of a row: the searched point, with fig5-chopper's chopper probability p in place (p = 0:
    eta = the searched point's filter weight tail_weightening / max(ceil(1/p*), 2), as AGAD computes it)."""
    name, _, p = row
    hp = dict(hps[name])
    if p is None:
        return hp
    if p == 0.0:
        n = max(math.ceil(1.0 / hp["in_chop_prob"]), 2)
        return dict(hp, in_chop_prob=0.0, eta=min(hp["tail_weightening"] / n, 1.0))
    return dict(hp, in_chop_prob=float(p))


def _search_state(rec, rule):
    """Per method of METHODS: (chosen hp or None, check text, ok) under ``rule`` ("original" or "ladder")."""
    out = {}
    for n in METHODS:
        s = regime.state(n, rec, rule=rule)
        if not s["complete"]:
            out[n] = (None, f"{n}: search incomplete ({s['n']} of {regime.POINTS} points)", False)
            continue
        out[n] = (None if s["failed"] else s["best"]["hp"],
                  f"{n} ({rule} rule): best val {s['best']['val_mean']:.3f}, axes {s['axes']}", s["bracketed"])
    return out


def _length(rec, search):
    """The run-length rule over the methods whose search is complete (COMPARED at least)."""
    E0 = regime.min_epochs()
    names = [n for n in METHODS if search[n][0] is not None]
    budgets = {E0: {n: regime.state(n, rec, rule="ladder")["best"]["end_slope"] for n in names}}
    for p in rec.get("length", []):
        budgets.setdefault(p["epochs"], {})[p["algorithm"]] = p["end_slope"]
    full = {e: s for e, s in budgets.items() if set(names) <= set(s)}
    return dict(regime.run_length(full), names=names)


def _inconclusive(key, why):
    pred = PREDICTIONS[key]
    j = stats.judge(pred, stats.Difference(float("nan"), float("nan"), float("nan")), [],
                    [stats.Hypothesis("the regime's inputs exist", "search record complete and run-length rule "
                                      "applied", why, False)])
    return ClaimResult(id=f"{ID}/{key}", claim=pred.statement, source="Tables 1-2, Sec. 4; issue 16",
                       setting="setting B of experiments.regime (not run)", measured="not run: " + why, bound="> 0",
                       notes="Run python -m verification.regime search / probes / ladder / length first.",
                       prediction=pred, judgement=j)


def _measure(key, runs):
    """The claim's measurement from ``runs`` (row -> Curves): (Difference, per-interval table, paired diffs per
    pair, seeds needed)."""
    pairs = PAIRS[key]
    level = stats.simultaneous_level(0.95, len(pairs))
    diffs = [100.0 * (runs[a].test - runs[b].test) for a, b in pairs]
    ests = [stats.mean_ci(d, level=level) for d in diffs]
    if key == "agad-offset":  # the band as a comparison: BAND - |d| > 0 over the whole interval
        e = ests[0]
        near = 0.0 if e.lo <= 0.0 <= e.hi else min(abs(e.lo), abs(e.hi))
        m = stats.Difference(AGAD_BAND - abs(e.mean), AGAD_BAND - max(abs(e.lo), abs(e.hi)), AGAD_BAND - near)
        need = seeds_needed(diffs[0], AGAD_BAND)
    elif key == "fig5-chopper":  # the max over p of the differences: [max lo, max hi]
        i = int(np.argmax([x.mean for x in ests]))
        m = stats.Difference(ests[i].mean, max(x.lo for x in ests), max(x.hi for x in ests))
        straddle = [seeds_needed(d) for d, x in zip(diffs, ests) if x.lo <= 0.0 <= x.hi and x.mean > 0]
        need = min(straddle) if straddle else float("inf")
    else:  # every interval above 0 (one or three)
        i = int(np.argmin([x.lo for x in ests]))
        m = stats.Difference(min(x.mean for x in ests), min(x.lo for x in ests), min(x.hi for x in ests))
        straddle = [seeds_needed(d) for d, x in zip(diffs, ests) if x.lo <= 0.0 <= x.hi]
        need = max(straddle) if straddle else float("inf")
    return m, ests, diffs, need


def _label(row):
    name, std, p = row
    return f"{name}|{std}" + ("" if p is None else f"|p={p:g}")


def run(quick: bool, rng_seed: int, executor=None, options: dict | None = None):
    """The claims of the module docstring (Where it runs: at 8 seeds in every ``python -m verification`` run; the seed stages only with ``--long``
(``verification.LONG_STAGES``; the run with the 32-seed stage cost 22.3 CPU-minutes, over the 20 CPU-minute line
for the default run, docs/NETWORK_REGIME.md).

``quick``: a 3-epoch smoke at the Table 5 centres, 2 seeds, every
    verdict inconclusive by its checks).  ``options={"seed_stage": False}`` leaves the seed stage out (the command
    line passes it when regime-b is in ``verification.LONG_STAGES`` and ``--long`` is not given): an inconclusive
    result whose power figure a stage would cover then says that ``--long`` runs it."""
    opts = dict(options or {})
    seed_stage = opts.pop("seed_stage", True)
    if not isinstance(seed_stage, bool):
        raise TypeError(f"options['seed_stage'] must be a bool, got {seed_stage!r}")
    if opts:
        raise ValueError(f"regime-b takes only the option 'seed_stage', got {sorted(opts)}")
    if quick:
        hps = {n: regime.centre(n) for n in METHODS}
        epochs, seeds = QUICK_EPOCHS, QUICK_SEEDS
        search = {n: (hps[n], "quick smoke: Table 5 centres, 3 epochs", False) for n in METHODS}
        original = search
        length = dict(epochs=epochs, met=False, over={}, names=list(METHODS))
        length_note = "quick"
    else:
        try:
            rec = regime.load_record()
        except FileNotFoundError as exc:
            return [_inconclusive(k, str(exc)) for k in PREDICTIONS]
        search = _search_state(rec, "ladder")
        original = _search_state(rec, "original")
        missing = [t for n, (hp, t, _) in search.items() if hp is None and n in regime.COMPARED]
        length = _length(rec, search)
        if missing or length["epochs"] is None:
            why = "; ".join(missing) or f"run-length rule not applied (next budget {length['next']})"
            return [_inconclusive(k, why) for k in PREDICTIONS]
        hps = {n: hp for n, (hp, _, _) in search.items() if hp is not None}
        epochs, seeds = length["epochs"], SEEDS
        length_note = f"run-length outcome {length}"
    keys = [k for k in PREDICTIONS if all(n in hps for n in involved(k))]
    out = [_inconclusive(k, "; ".join(search[n][1] for n in involved(k) if n not in hps))
           for k in PREDICTIONS if k not in keys]
    rows = list(dict.fromkeys(r for k in keys for pair in PAIRS[k] for r in pair))

    def train(jobs_rs):
        """Curves and CPU seconds per (row, seed block) of ``jobs_rs``; a repeated job (fig5's searched-p row is
        the nominal row itself) runs once."""
        from sptheory import sweep

        jobs = [(dataclasses.replace(regime.SETTING, epochs=int(epochs), ref_std=std), name, hp_of(hps, (name, std, p)),
                 tuple(block)) for (name, std, p), block in jobs_rs]
        keyof = [repr((j[0], j[1], sorted(j[2].items()), j[3])) for j in jobs]
        first = dict(zip(reversed(keyof), reversed(jobs)))
        uniq = list(dict.fromkeys(keyof))
        got = dict(zip(uniq, sweep.run_jobs(_timed_train, [first[u] for u in uniq], executor=executor,
                                            progress=False)))
        return {jr: got[k][0] for jr, k in zip(jobs_rs, keyof)}, float(sum(c for _, c in got.values()))

    base, cpu8 = train([(r, tuple(seeds)) for r in rows])
    runs = {r: base[(r, tuple(seeds))] for r in rows}
    len_check = stats.Hypothesis("run-length rule met", f"every end slope <= {100 * regime.SLOPE_TOL:.1f} "
                                 f"points/epoch over {length['names']}",
                                 f"{epochs} epochs; over the tolerance: {length['over']}", length["met"])
    results = {}
    for key in keys:
        results[key] = _judge(key, runs, search, original, len_check, quick)
    # the seed stages (module docstring): a claim inconclusive at 8 seeds with n <= 32 reruns on 0-15 or 0-31
    stage = {k: stage_size(results[k][3]) for k in keys if not quick and results[k][0].verdict == "inconclusive"}
    stage = {k: s for k, s in stage.items() if s is not None}
    deferred = {} if seed_stage else stage  # the stage left to --long
    stage = stage if seed_stage else {}
    size = {}  # per row: the largest stage that asks for it
    for k, s in stage.items():
        for r in dict.fromkeys(r for pair in PAIRS[k] for r in pair):
            size[r] = max(size.get(r, 0), s)
    cpu_stage, staged = 0.0, {}
    if stage:  # only the rows of the claims in a stage, only the blocks their stage needs
        more, cpu_stage = train([(r, b) for r, s in size.items() for b in STAGE_BLOCKS if b[0] < s])
        for r, s in size.items():
            parts = [runs[r]] + [more[(r, b)] for b in STAGE_BLOCKS if b[0] < s]
            staged[r] = runs[r]._replace(val=np.concatenate([c.val for c in parts]),
                                         test=np.concatenate([c.test for c in parts]),
                                         curve=np.concatenate([c.curve for c in parts]))
    cpu = dict(seeds_8=round(cpu8, 1), stage=round(cpu_stage, 1), stage_claims=dict(stage))
    for key in keys:
        j8, m8, ests8, need8, diffs8, checks8, bare8, orig8 = results[key]
        used_runs, used_seeds = runs, list(seeds)
        j, m, ests, need, diffs, checks, bare, orig = results[key]
        stage_note = ""
        if key in stage:
            s = stage[key]
            used_runs = {r: _first(staged[r], s) for r in staged}
            used_seeds = list(range(s))
            j, m, ests, need, diffs, checks, bare, orig = _judge(key, used_runs, search, original, len_check, quick)
            stage_note = (f" {s}-seed stage (8-seed verdict {j8.verdict}, {need8:.0f} seeds needed): seeds 0-{s - 1}, "
                          f"verdict {j.verdict}; 8-seed measurement {m8.mean:.2f} [{m8.lo:.2f}, {m8.hi:.2f}]"
                          f" ({'; '.join(e.format() for e in ests8)}).")
        elif key in deferred:
            stage_note = (f" The {deferred[key]}-seed stage ({need8:.0f} paired seeds needed) did not run: "
                          "python -m verification --long runs it.")
        elif j8.verdict == "inconclusive" and not quick:
            stage_note = f" No seed stage: {need8:.0f} paired seeds needed, over the largest stage ({MAX_SEEDS})."
        a_rows = list(dict.fromkeys(r for pair in PAIRS[key] for r in pair))
        power = "" if j.verdict != "inconclusive" else (f"; power: about {need:.0f} paired seeds for the observed "
                                                         "difference at 95 %/80 %")
        if key in deferred:
            power += f" (the {deferred[key]}-seed stage runs with python -m verification --long)"
        table = "; ".join(f"{_label(a)} - {_label(b)} = {e.format()}" for (a, b), e in zip(PAIRS[key], ests))
        out.append(ClaimResult(
            id=f"{ID}/{key}", claim=PREDICTIONS[key].statement,
            source="Sec. 4, Fig. 5; issue 16" if key == "fig5-chopper" else "Tables 1-2, Sec. 4; issue 16",
            setting=(f"setting B of experiments.regime, {epochs} epochs, seeds {used_seeds}; "
                     + "; ".join(f"{_label(r)}: {dict((k, hp_of(hps, r)[k]) for k, _ in regime.AXES[r[0]])}"
                                 for r in a_rows)),
            measured=f"{table} points" + power,
            bound=(f"inside (-{AGAD_BAND}, {AGAD_BAND})" if key == "agad-offset" else "> 0"),
            notes=(f"Paired t intervals, {len(PAIRS[key])} simultaneous at 95 % (Bonferroni). Verdict under the "
                   f"ladder rule: {j.verdict}; without the measurement checks: {bare}; under the original rule "
                   f"(no ladder, the search's best point): {orig}.{stage_note} {length_note}."),
            data=dict(diff={f"{_label(a)} - {_label(b)}": d.round(3).tolist() for (a, b), d in zip(PAIRS[key], diffs)},
                      test={_label(r): used_runs[r].test.round(4).tolist() for r in a_rows},
                      curves={_label(r): used_runs[r].curve.mean(axis=0).round(4).tolist() for r in a_rows},
                      end_slopes={_label(r): network.end_slope(used_runs[r].curve) for r in a_rows}
                      if used_runs[a_rows[0]].curve.shape[1] >= 4 else {},
                      epochs=int(epochs), seeds=used_seeds, seeds_needed=need, verdict_8_seeds=j8.verdict,
                      seeds_needed_8=need8, measured_8_seeds=[float(m8.mean), float(m8.lo), float(m8.hi)],
                      verdict_original_rule_8_seeds=orig8, verdict_original_rule=orig, verdict_without_checks=bare,
                      stage=stage.get(key), stage_deferred=deferred.get(key), cpu_seconds=cpu),
            prediction=PREDICTIONS[key], judgement=j, checks=checks))
    order = list(PREDICTIONS)
    return sorted(out, key=lambda r: order.index(r.id.split("/", 1)[1]))


def _judge(key, runs, search, original, len_check, quick):
    """(judgement, measurement, intervals, seeds needed, diffs, checks, verdict without checks, verdict under the
    original rule) of ``key`` from ``runs``."""
    m, ests, diffs, need = _measure(key, runs)
    a_rows = list(dict.fromkeys(r for pair in PAIRS[key] for r in pair))
    chance = {_label(r): float(runs[r].test.mean()) for r in a_rows}
    common = [len_check, stats.Hypothesis("no row at chance", "mean test accuracy >= 0.20",
                                          str({k: round(v, 3) for k, v in chance.items()}),
                                          min(chance.values()) >= 0.20)]
    if key == "fig5-chopper" and runs[a_rows[0]].curve.shape[1] >= 4:
        slopes = {_label(r): network.end_slope(runs[r].curve) for r in a_rows}
        common.append(stats.Hypothesis("trained at every p", f"end slope <= {100 * regime.SLOPE_TOL:.1f} "
                                       "points/epoch", str({k: round(100 * v, 3) for k, v in slopes.items()}),
                                       all(v <= regime.SLOPE_TOL for v in slopes.values())))

    def checks_of(state):
        return [stats.Hypothesis(f"search of {n} bracketed", "complete, not failed, every axis interior, flat or "
                                 "bracketed by the ladder", state[n][1], state[n][2]) for n in involved(key)] + common

    checks = checks_of(search)
    pred = PREDICTIONS[key]
    j = stats.judge(pred, m, [], checks)
    bare = stats.judge(pred, m, [], []).verdict
    orig = "not judged (quick)" if quick else stats.judge(pred, m, [], checks_of(original)).verdict
    return j, m, ests, need, diffs, checks, bare, orig


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for k, c in (result.data.get("curves") or {}).items():
        ax.plot(100 * np.asarray(c), label=k)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy, seed mean (%)")
    ax.set_title(f"{result.id}: {result.verdict}", fontsize=9)
    if result.data.get("curves"):
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
