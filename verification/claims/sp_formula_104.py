"""sp-formula-104: the SoftBounds symmetric point, printed (104) vs the root of G (errata id ``errata/sp-formula-104``).

For random SoftBounds devices (magnitude convention of (103): bounds
``w in (-tau_min, tau_max)``, ``tau_min, tau_max > 0``) the reference SP is
the root of ``G = (q_minus - q_plus)/2`` found numerically (vectorised
bisection on ``dev.G`` over the device bounds, cross-checked with
``scipy.optimize.brentq`` on a subset), independent of any closed form.
Against it:

* the paper's (104) as printed, ``(a_up - a_dn)/(a_up/tau_max - a_dn/tau_min)``,
  fed the magnitudes (``bounds.sp_formula_104_printed``) -- result ``sp-formula-104``;
* the same printed expression fed the SIGNED lower bound ``-tau_min``
  (aihwkit convention), the (103) closed form ``bounds.sp_soft_bounds``,
  ``SoftBounds.symmetric_point()`` and ``SoftBounds.from_signed_bounds`` --
  result ``sp-formula-104/signed``.

Prediction (kind ``identity``, declared before running, unchanged from the
previous rule): a formula "holds" when its largest absolute error over all
devices is at most ``TOL = 1e-9`` (the root solve is accurate to ~1e-15),
"violated" when it exceeds TOL for some device (a formula for an exact
quantity admits no statistical slack).  Both results settle the erratum
``errata/sp-formula-104`` (sympy: ``bounds.errata_sp_formula_104``; simulation: the
root of G), so both carry ``erratum=``.
"""

from __future__ import annotations

import numpy as np

from sptheory import bounds, devices, stats
from verification.harness import ClaimResult

ID = "sp-formula-104"
TITLE = "SoftBounds SP: printed (104) under magnitudes vs root of G; signed-convention form"
TOL = 1e-9
PREDICTIONS = {
    "printed": stats.Prediction("identity", "(104) as printed, (a_up - a_dn)/(a_up/tau_max - a_dn/tau_min), "
                                "equals the root of G with tau_min the bound's magnitude", tol=TOL),
    "signed": stats.Prediction("identity", "(104) with the signed lower bound, equivalently (103) with "
                               "magnitudes, equals the root of G", tol=TOL),
}
ERRATUM = {
    "paper": "(104): w_sp = (a_up - a_dn)/(a_up/tau_max - a_dn/tau_min), with tau_min the magnitude of the "
             "lower bound as in (103)",
    "corrected": "w_sp = (a_up - a_dn)/(a_up/tau_max + a_dn/tau_min) for magnitudes tau_min > 0; the printed "
                 "form holds only if tau_min is the signed (negative) lower bound, as in aihwkit",
    "settled_by": "both",
}


def _random_devices(n, rng):
    a_up = np.exp(0.5 * rng.standard_normal(n))
    a_dn = np.exp(0.5 * rng.standard_normal(n))
    tau_max = rng.uniform(0.5, 1.5, n)
    tau_min = rng.uniform(0.5, 1.5, n)
    return a_up, a_dn, tau_max, tau_min


def root_of_G(dev, steps=200):
    """Vectorised bisection of dev.G on [lower, upper] (G < 0 at lower, > 0 at upper)."""
    lo = np.array(dev.lower, dtype=float)
    hi = np.array(dev.upper, dtype=float)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        pos = dev.G(mid) > 0
        hi = np.where(pos, mid, hi)
        lo = np.where(pos, lo, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(mid))):
            break
    return 0.5 * (lo + hi)


def run(quick: bool, rng_seed: int, executor=None):
    from scipy.optimize import brentq

    rng = np.random.default_rng(rng_seed)
    n = 10000
    a_up, a_dn, t_max, t_min = _random_devices(n, rng)
    dev = devices.SoftBounds(a_up=a_up, a_dn=a_dn, tau_max=t_max, tau_min=t_min, dw_min=1e-3)
    root = root_of_G(dev)
    # brentq cross-check on a subset, one scalar device at a time
    n_b = 200 if quick else 1000
    br = np.array([
        brentq(lambda w, i=i: 0.5 * (a_dn[i] * (1 + w / t_min[i]) - a_up[i] * (1 - w / t_max[i])),
               -t_min[i], t_max[i], xtol=1e-15, rtol=4 * np.finfo(float).eps)
        for i in range(n_b)
    ])
    brent_err = float(np.max(np.abs(br - root[:n_b])))

    printed_mag = np.asarray(bounds.sp_formula_104_printed(a_up, a_dn, t_max, t_min))
    printed_signed = np.asarray(bounds.sp_formula_104_printed(a_up, a_dn, t_max, -t_min))
    closed_103 = np.asarray(bounds.sp_soft_bounds(a_up, a_dn, t_max, t_min))
    method = dev.symmetric_point()
    signed_dev = devices.SoftBounds.from_signed_bounds(t_max, -t_min, 1e-3 * a_up, 1e-3 * a_dn)
    from_signed = signed_dev.symmetric_point()
    # the converted device must be the same device (same q up to dw_min scaling)
    same_dev = float(np.max(np.abs(signed_dev.dw_min * signed_dev.q_plus(root) - 1e-3 * dev.q_plus(root)))
                     + np.max(np.abs(signed_dev.dw_min * signed_dev.q_minus(root) - 1e-3 * dev.q_minus(root))))

    def err(v):
        e = np.abs(v - root)
        return np.where(np.isfinite(e), e, np.inf)

    e_mag = err(printed_mag)
    errs = {"printed (104), signed tau_min": err(printed_signed), "(103) sp_soft_bounds": err(closed_103),
            "SoftBounds.symmetric_point()": err(method), "SoftBounds.from_signed_bounds": err(from_signed)}
    sym = bounds.errata_sp_formula_104()
    n_nonfinite = int(np.sum(~np.isfinite(printed_mag)))
    frac_bad = float(np.mean(e_mag > TOL))
    rel = e_mag / np.maximum(np.abs(root), 1e-12)
    # subset where the printed form has the right sign of the denominator, for context
    setting = (f"{n} random SoftBounds devices: a_up, a_dn = exp(0.5 xi) (lognormal), tau_max, tau_min ~ "
               "U[0.5, 1.5] (magnitudes); reference SP = bisection root of dev.G to machine precision "
               f"(brentq on {n_b} devices agrees to {brent_err:.1e})")
    data = {
        "root": root[:2000].tolist(), "printed_mag": printed_mag[:2000].tolist(),
        "printed_signed": printed_signed[:2000].tolist(),
        "err_printed_mag": np.where(np.isfinite(e_mag), e_mag, np.nan)[:2000].tolist(),
        "max_err": {k: float(np.max(v)) for k, v in errs.items()} | {"printed (104), magnitudes": float(np.max(e_mag))},
        "median_err_printed_mag": float(np.median(e_mag)),
        "frac_printed_mag_bad": frac_bad, "n_nonfinite": n_nonfinite, "brent_err": brent_err,
        "tol": TOL, "same_device_check": same_dev,
        "sympy": {"printed_minus_correct": str(sym.printed_minus_correct),
                  "printed_right_for_magnitudes": sym.printed_right_for_magnitudes,
                  "printed_right_for_signed": sym.printed_right_for_signed},
    }
    max_mag = float(np.max(e_mag))
    r1 = ClaimResult(
        id=ID,
        claim="The printed (104), (a_up - a_dn)/(a_up/tau_max - a_dn/tau_min), is the SP when tau_min is the "
              "bound's magnitude (the convention of (103))",
        source="eq. (104) vs (103); errata/sp-formula-104",
        setting=setting,
        measured=(f"|printed - root|: max {max_mag:.3g}, median {np.median(e_mag):.3g}, relative median "
                  f"{np.median(rel):.3g}; {100 * frac_bad:.1f} % of devices off by more than {TOL:g}"),
        bound=f"exact formula: error <= {TOL:g}",
        ratio=max_mag / TOL if np.isfinite(max_mag) else None,
        slope=None,
        prediction=PREDICTIONS["printed"],
        judgement=stats.judge(PREDICTIONS["printed"], stats.MaxError(max_mag, n)),
        erratum=ERRATUM,
        notes=(f"Under magnitudes the printed denominator a_up/tau_max - a_dn/tau_min can vanish or change sign "
               f"(non-finite values: {n_nonfinite}); sympy (bounds.errata_sp_formula_104): printed - correct = "
               f"{sym.printed_minus_correct} (not identically 0), right for signed tau_min: "
               f"{sym.printed_right_for_signed}."),
        data=data,
    )
    worst = max(float(np.max(v)) for v in errs.values())
    r2 = ClaimResult(
        id=f"{ID}/signed",
        claim="(104) is the SP when tau_min is the SIGNED lower bound (aihwkit convention); equivalently (103) "
              "with magnitudes: (a_up - a_dn)/(a_up/tau_max + a_dn/tau_min)",
        source="eq. (103)/(104); errata/sp-formula-104",
        setting=setting,
        measured="max |formula - root|: " + "; ".join(f"{k} {float(np.max(v)):.2g}" for k, v in errs.items()),
        bound=f"exact formula: error <= {TOL:g}",
        ratio=worst / TOL,
        slope=None,
        prediction=PREDICTIONS["signed"],
        judgement=stats.judge(PREDICTIONS["signed"], stats.MaxError(worst, n * len(errs))),
        erratum=ERRATUM,
        notes=("All four agree with the numerical root of G to rounding error. from_signed_bounds(w_max=tau_max, "
               f"w_min=-tau_min, dw_up=1e-3 a_up, dw_down=1e-3 a_dn) builds the same device (max step "
               f"difference {same_dev:.1e})."),
        data=data,
    )
    return [r1, r2]


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    root = np.asarray(d["root"], float)
    fig, axs = plt.subplots(1, 2, figsize=(10, 4.2))
    ax = axs[0]
    pm = np.asarray(d["printed_mag"], float)
    ok = np.isfinite(pm)
    ax.scatter(root[ok], np.clip(pm[ok], -3, 3), s=3, alpha=0.4, label="printed (104), magnitudes (clipped to +/-3)")
    ax.scatter(root, d["printed_signed"], s=3, alpha=0.6, label="printed (104), signed tau_min")
    ax.plot([-1.5, 1.5], [-1.5, 1.5], "k-", lw=0.6)
    ax.set_xlabel("root of G (bisection)")
    ax.set_ylabel("formula")
    ax.legend(fontsize=7)
    ax.set_title(f"{result.id}: {result.verdict}", fontsize=9)
    ax = axs[1]
    e = np.asarray(d["err_printed_mag"], float)
    e = e[np.isfinite(e) & (e > 0)]
    ax.hist(np.log10(e), bins=60, alpha=0.7, label="printed, magnitudes")
    ax.axvline(np.log10(d["tol"]), color="r", ls="--", label=f"tolerance {d['tol']:g}")
    for k, v in d["max_err"].items():
        if "magnitudes" not in k:
            ax.axvline(np.log10(max(v, 1e-18)), color="g", lw=0.8)
    ax.set_xlabel("log10 |formula - root|  (green: max error of the correct forms)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
