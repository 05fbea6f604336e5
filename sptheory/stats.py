"""Confidence intervals, log-log slope fits and the verdict rules of the verification suite.

Everything here is a pure function of its arguments: no printing, no files,
no randomness.  The verdict strings are ``"holds"``, ``"violated"`` and
``"inconclusive"``.

A claim declares a :class:`Prediction` (one of :data:`KINDS`) before it runs,
measures it (:class:`Curve`, :class:`Slope`, :class:`MaxError`,
:class:`Difference`) and checks its hypotheses along the run
(:class:`Hypothesis`); :func:`judge` alone maps these to the verdict, one
rule per kind.  The helpers above it (:func:`mean_ci`, :func:`loglog_slope`,
:func:`bound_verdict_curve`, :func:`simultaneous_level`, :func:`regime_check`)
build the measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple

import numpy as np
from scipy import stats as _st

from . import _validate

__all__ = [
    "VERDICTS",
    "Estimate",
    "SlopeFit",
    "CurveVerdict",
    "mean_ci",
    "loglog_slope",
    "bound_verdict_curve",
    "combine_verdicts",
    "clt_margin",
    "KINDS",
    "Prediction",
    "Curve",
    "Slope",
    "MaxError",
    "Difference",
    "Hypothesis",
    "Judgement",
    "judge",
    "unmeasured",
    "combine",
    "simultaneous_level",
    "regime_check",
]

VERDICTS = ("holds", "violated", "inconclusive")


def _check_level(level: float) -> float:
    return _validate.number("level", level, lo=0.0, hi=1.0, lo_open=True, hi_open=True)


def _fmt(v: float, digits: int = 3) -> str:
    return f"{float(v):.{digits}g}"


# ---------------------------------------------------------------------------
# Means with confidence intervals
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A sample mean with its standard error and a two-sided t interval.

    Attributes are floats for 1-d input and arrays when :func:`mean_ci`
    reduced one axis of a larger array.  ``lo``/``hi`` are the ends of the
    ``level`` confidence interval for the mean.  An exactly known value can be
    written ``Estimate(mean=v, sem=0.0, n=1, lo=v, hi=v)``.
    """

    mean: Any
    sem: Any
    n: int
    lo: Any
    hi: Any
    level: float = 0.95

    def format(self, digits: int = 3) -> str:
        """Human summary ``mean [lo, hi] (n=...)`` for scalar estimates."""
        return (
            f"{_fmt(self.mean, digits)} [{_fmt(self.lo, digits)}, "
            f"{_fmt(self.hi, digits)}] (n={self.n})"
        )


def mean_ci(x, axis: int = 0, level: float = 0.95) -> Estimate:
    """Mean of ``x`` along ``axis`` with a Student-t confidence interval.

    Parameters
    ----------
    x : array_like
        Samples; replicates run along ``axis``.
    axis : int
        Axis of independent replicates (default 0, the replicate axis of the
        ``(replicates, cells)`` convention).
    level : float
        Two-sided confidence level, in (0, 1).

    Returns
    -------
    Estimate
        ``mean``, ``sem = std(ddof=1) / sqrt(n)``, ``n`` and
        ``lo, hi = mean -/+ t_{(1+level)/2, n-1} * sem``.

    Raises
    ------
    ValueError
        if ``x`` has fewer than two samples along ``axis`` or holds NaN/inf.
    """
    level = _check_level(level)
    x = np.asarray(x, dtype=float)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension, got a scalar")
    n = x.shape[axis]
    if n < 2:
        raise ValueError(f"x needs at least 2 samples along axis {axis}, got {n}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf")
    mean = x.mean(axis=axis)
    sem = x.std(axis=axis, ddof=1) / np.sqrt(n)
    half = _st.t.ppf(0.5 * (1.0 + level), df=n - 1) * sem
    if np.ndim(mean) == 0:
        mean, sem, half = float(mean), float(sem), float(half)
    return Estimate(mean=mean, sem=sem, n=int(n), lo=mean - half, hi=mean + half, level=level)


# ---------------------------------------------------------------------------
# Log-log slopes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares fit of ``log y = intercept + slope * log x``.

    ``lo``/``hi`` bound the slope at confidence ``level``; ``se`` is the
    slope's standard error; ``r2`` the (weighted, if weights were used)
    coefficient of determination; ``weighted`` says whether ``y_err`` was used.
    Logarithms are natural, so ``y ~ exp(intercept) * x**slope``.
    """

    slope: float
    intercept: float
    lo: float
    hi: float
    n: int
    r2: float
    se: float = float("nan")
    level: float = 0.95
    weighted: bool = False

    @property
    def width(self) -> float:
        """Width ``hi - lo`` of the slope interval."""
        return self.hi - self.lo

    def format(self, digits: int = 3) -> str:
        """Human summary ``slope [lo, hi]``."""
        return f"{_fmt(self.slope, digits)} [{_fmt(self.lo, digits)}, {_fmt(self.hi, digits)}]"


def loglog_slope(x, y, y_err=None, level: float = 0.95) -> SlopeFit:
    """Fit a power law ``y ~ C x**slope`` by least squares in log-log space.

    Without ``y_err`` this is ordinary least squares of ``log y`` on
    ``log x``; the slope interval is ``slope -/+ t_{(1+level)/2, n-2} * se``
    with ``se`` from the residual variance (``n - 2`` degrees of freedom).

    With ``y_err`` (one standard error per point, e.g. ``Estimate.sem``) the
    fit is weighted least squares with ``sigma_i = y_err_i / y_i`` (the
    first-order error of ``log y_i``) and weights ``1 / sigma_i**2``.  The
    reported interval comes from this weighted fit and is deliberately
    conservative: its standard error is the larger of (a) the one implied by
    the stated errors alone and (b) the one rescaled by the observed scatter
    (reduced chi-square), so neither optimistic error bars nor a lucky
    alignment of few points can make the interval too narrow.  The t
    quantile with ``n - 2`` degrees of freedom is used in both cases.

    Raises
    ------
    ValueError
        naming the argument: ``x``/``y`` not 1-d of equal length, fewer than
        3 points, non-positive or non-finite values, all ``x`` equal, or
        ``y_err`` of the wrong length or not positive and finite.
    """
    level = _check_level(level)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-d, got shape {x.shape}")
    if y.ndim != 1:
        raise ValueError(f"y must be 1-d, got shape {y.shape}")
    if x.size != y.size:
        raise ValueError(f"x and y must have equal lengths, got {x.size} and {y.size}")
    n = x.size
    if n < 3:
        raise ValueError(f"x needs at least 3 points for a slope interval, got {n}")
    if not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise ValueError(f"x must be positive and finite, got {x.tolist()}")
    if not (np.all(np.isfinite(y)) and np.all(y > 0)):
        raise ValueError(f"y must be positive and finite, got {y.tolist()}")
    lx, ly = np.log(x), np.log(y)

    weighted = y_err is not None
    if weighted:
        y_err = np.asarray(y_err, dtype=float)
        if y_err.shape != y.shape:
            raise ValueError(f"y_err must have the shape of y {y.shape}, got {y_err.shape}")
        if not (np.all(np.isfinite(y_err)) and np.all(y_err > 0)):
            raise ValueError(f"y_err must be positive and finite, got {y_err.tolist()}")
        w = (y / y_err) ** 2
    else:
        w = np.ones(n)

    sw = w.sum()
    xbar = np.dot(w, lx) / sw
    ybar = np.dot(w, ly) / sw
    sxx = np.dot(w, (lx - xbar) ** 2)
    if not sxx > 0:
        raise ValueError("x must contain at least two distinct values")
    slope = np.dot(w, (lx - xbar) * (ly - ybar)) / sxx
    intercept = ybar - slope * xbar
    resid = ly - (intercept + slope * lx)
    rss = float(np.dot(w, resid**2))
    tss = float(np.dot(w, (ly - ybar) ** 2))
    r2 = 1.0 - rss / tss if tss > 0 else 1.0

    dof = n - 2
    se_scatter = np.sqrt(rss / dof / sxx)
    se = max(se_scatter, np.sqrt(1.0 / sxx)) if weighted else se_scatter
    half = _st.t.ppf(0.5 * (1.0 + level), df=dof) * se
    return SlopeFit(
        slope=float(slope),
        intercept=float(intercept),
        lo=float(slope - half),
        hi=float(slope + half),
        n=int(n),
        r2=float(r2),
        se=float(se),
        level=level,
        weighted=weighted,
    )


# ---------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------


class CurveVerdict(NamedTuple):
    """Verdict over a curve of measurements and the worst ``measured / bound``."""

    verdict: str
    worst_ratio: float | None


def _check_kind(kind: str) -> None:
    if kind not in ("upper", "lower"):
        raise ValueError(f"kind must be 'upper' or 'lower', got {kind!r}")


def bound_verdict_curve(lo, hi, bound, mean=None, kind: str = "upper") -> CurveVerdict:
    """Verdict of measured intervals ``[lo, hi]`` against a bound, point by point.

    For an upper bound (``kind="upper"``): *violated* if any point has
    ``lo > bound``; *holds* if every point has ``hi <= bound``; otherwise
    *inconclusive*.  For a lower bound (``kind="lower"``) the inequalities are
    mirrored (violated if any ``hi < bound``, holds if all ``lo >= bound``).

    ``worst_ratio`` is ``measured / bound`` at the worst point (largest for an
    upper bound, smallest for a lower bound), with ``measured = mean`` or,
    when ``mean`` is None, the interval midpoint.  Points with a
    non-positive or infinite bound are left out of the ratio; if none remain
    it is None.  All arguments broadcast together.
    """
    _check_kind(kind)
    lo, hi, bound = np.broadcast_arrays(
        np.asarray(lo, dtype=float), np.asarray(hi, dtype=float), np.asarray(bound, dtype=float)
    )
    if lo.size == 0:
        raise ValueError("lo, hi and bound must not be empty")
    if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
        raise ValueError("lo/hi contain NaN")
    if np.any(np.isnan(bound)):
        raise ValueError("bound contains NaN")
    if np.any(lo > hi):
        raise ValueError("lo must not exceed hi")

    if kind == "upper":
        violated, holds = np.any(lo > bound), np.all(hi <= bound)
    else:
        violated, holds = np.any(hi < bound), np.all(lo >= bound)
    verdict = "violated" if violated else ("holds" if holds else "inconclusive")

    measured = 0.5 * (lo + hi) if mean is None else np.broadcast_to(np.asarray(mean, float), lo.shape)
    ok = (bound > 0) & np.isfinite(bound)
    if np.any(ok):
        r = measured[ok] / bound[ok]
        worst = float(r.max() if kind == "upper" else r.min())
    else:
        worst = None
    return CurveVerdict(verdict, worst)


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """Combine the verdicts of parts of a claim.

    ``"violated"`` if any part is violated, else ``"inconclusive"`` if any
    part is inconclusive, else ``"holds"``.
    """
    verdicts = list(verdicts)
    if not verdicts:
        raise ValueError("verdicts must not be empty")
    bad = [v for v in verdicts if v not in VERDICTS]
    if bad:
        raise ValueError(f"verdicts must be among {VERDICTS}, got {bad!r}")
    if "violated" in verdicts:
        return "violated"
    if "inconclusive" in verdicts:
        return "inconclusive"
    return "holds"


def clt_margin(std, n, p_false: float = 1e-6):
    """CLT margin ``z_{1 - p_false/2} * std / sqrt(n)`` for statistical tests.

    A test asserting ``|mean - expected| <= clt_margin(std, n, p_false)`` on
    the mean of ``n`` independent samples with standard deviation ``std``
    fails by chance with probability about ``p_false`` (two-sided, normal
    approximation).  Default ``p_false = 1e-6``.
    """
    if not 0.0 < p_false < 1.0:
        raise ValueError(f"p_false must lie in (0, 1), got {p_false!r}")
    n_arr = np.asarray(n, dtype=float)
    if np.any(n_arr < 1):
        raise ValueError(f"n must be at least 1, got {n!r}")
    std_arr = np.asarray(std, dtype=float)
    if np.any(std_arr < 0):
        raise ValueError(f"std must be non-negative, got {std!r}")
    out = _st.norm.isf(0.5 * p_false) * std_arr / np.sqrt(n_arr)
    return float(out) if np.ndim(out) == 0 else out


# ---------------------------------------------------------------------------
# Predictions as data and the one verdict mapping
# ---------------------------------------------------------------------------
#
# A claim declares WHAT the paper predicts (a :class:`Prediction`, fixed at
# module level before any run), measures it (one of the measurement types
# below) and checks the result's hypotheses along the run (a list of
# :class:`Hypothesis`).  :func:`judge` alone turns these into a verdict.

#: The kinds of prediction and what each one means.
KINDS = ("upper", "order-upper", "scaling", "independent", "identity", "comparison")

_TOWARDS = ("inf", "0")


@dataclass(frozen=True)
class Prediction:
    """What a result of the paper predicts, declared before the run.

    kind        one of :data:`KINDS`:

                ``upper``        an explicit upper bound B(x): every point of the
                                 measured curve at or below B (Thm C.2, eq. (72));
                ``order-upper``  an O(x^a) / Theta(x^a) term inside an upper bound
                                 (a rate or a floor): the measured quantity must not
                                 shrink slower than x^a as x -> ``towards``;
                ``scaling``      a two-sided growth law y ~ x^a (pulses to 1 % ~ 1/dw_min);
                ``independent``  "does not grow with x" as x -> ``towards``;
                ``identity``     an exact identity, checked to a maximum error;
                ``comparison``   A better than B (paired difference A - B > 0).
    statement   the prediction in words and symbols, e.g. ``"E_K <= O(K^-1/2)"``.
    exponent    predicted exponent a (``order-upper``, ``scaling``).
    tol         ``scaling``: allowed |slope - a| beyond the interval;
                ``independent``: allowed growth, as an exponent in x;
                ``identity``: the maximum admissible error; unused otherwise.
    towards     ``"inf"`` or ``"0"``: the limit the order/independence statement
                is about (K -> inf, dw_min -> 0).  Needed by ``order-upper`` and
                ``independent``.
    level       family-wise confidence level the measurement's intervals must have.
    """

    kind: str
    statement: str
    exponent: float | None = None
    tol: float = 0.0
    towards: str | None = None
    level: float = 0.95

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.statement, str) or not self.statement:
            raise ValueError(f"statement must be a non-empty string, got {self.statement!r}")
        if self.kind in ("order-upper", "scaling"):
            if self.exponent is None or not np.isfinite(float(self.exponent)):
                raise ValueError(f"a {self.kind!r} prediction needs a finite exponent, got {self.exponent!r}")
        if self.kind in ("order-upper", "independent") and self.towards not in _TOWARDS:
            raise ValueError(f"a {self.kind!r} prediction needs towards in {_TOWARDS}, got {self.towards!r}")
        tol = float(self.tol)
        if not (np.isfinite(tol) and tol >= 0):
            raise ValueError(f"tol must be finite and >= 0, got {self.tol!r}")
        if self.kind == "identity" and not tol > 0:
            raise ValueError(f"an 'identity' prediction needs tol > 0, got {self.tol!r}")
        _check_level(self.level)

    def describe(self) -> str:
        """The rule this prediction is judged by, in one sentence."""
        a, t = self.exponent, self.tol
        if self.kind == "upper":
            return "holds if every point's interval is at or below the bound; violated if one lies entirely above"
        if self.kind == "order-upper":
            side = "above" if self.towards == "inf" else "below"
            return (f"holds unless the slope interval lies entirely {side} {_fmt(a)} "
                    f"(x -> {self.towards}); violated only then, in an asymptotic range")
        if self.kind == "scaling":
            return f"holds if the slope interval meets [{_fmt(a - t)}, {_fmt(a + t)}]; violated if it misses it"
        if self.kind == "independent":
            grow = f"slope < {_fmt(-t)}" if self.towards == "0" else f"slope > {_fmt(t)}"
            return f"holds if the slope interval stays within the tolerance; violated if entirely at {grow} (growth as x -> {self.towards})"
        if self.kind == "identity":
            return f"holds if the maximum error is at most {_fmt(t)}; violated above"
        return "holds if the paired difference interval lies above 0; violated if entirely below"


@dataclass(frozen=True)
class Curve:
    """Measured curve against an explicit bound (kind ``upper``).

    ``lo``/``hi`` must be simultaneous intervals (e.g. Bonferroni over the
    points, see :func:`simultaneous_level`); ``family`` says which.
    """

    mean: Any
    lo: Any
    hi: Any
    bound: Any
    family: str = ""


@dataclass(frozen=True)
class Slope:
    """A fitted exponent (kinds ``order-upper``, ``scaling``, ``independent``).

    ``asymptotic`` states whether the fit range was shown to be asymptotic
    (see :func:`regime_check`); ``regime`` says how.
    """

    fit: SlopeFit
    asymptotic: bool
    regime: str = ""


@dataclass(frozen=True)
class MaxError:
    """Largest error of an identity over every instance checked (kind ``identity``)."""

    value: float
    instances: int = 0


@dataclass(frozen=True)
class Difference:
    """Paired difference A - B with its interval, positive = A better (kind ``comparison``)."""

    mean: float
    lo: float
    hi: float


@dataclass(frozen=True)
class Hypothesis:
    """One row of a hypotheses table: checked numerically along the run."""

    name: str
    required: str
    measured: str
    met: bool

    def __post_init__(self):
        if not isinstance(self.met, (bool, np.bool_)):
            raise TypeError(f"met must be a bool, got {type(self.met).__name__}")
        object.__setattr__(self, "met", bool(self.met))


@dataclass(frozen=True)
class Judgement:
    """The verdict of one prediction: ``verdict`` in :data:`VERDICTS`.

    ``tightness`` is reported apart from the verdict (None where it does not
    apply); ``reason`` explains an inconclusive verdict or the deciding
    comparison; ``decisive`` is the one number that decides, as text.
    """

    verdict: str
    tightness: str | None
    reason: str
    decisive: str


_MEASUREMENT = {
    "upper": Curve,
    "order-upper": Slope,
    "scaling": Slope,
    "independent": Slope,
    "identity": MaxError,
    "comparison": Difference,
}


def simultaneous_level(level: float, m: int) -> float:
    """Per-interval level giving family-wise ``level`` over ``m`` intervals (Bonferroni)."""
    level = _check_level(level)
    if int(m) != m or m < 1:
        raise ValueError(f"m must be a positive integer, got {m!r}")
    return 1.0 - (1.0 - level) / int(m)


def regime_check(x, y, y_err=None, rate=None, min_rate_x: float = 10.0, level: float = 0.95) -> tuple[bool, str]:
    """Is a power-law fit range asymptotic?

    Two tests, both required: (1) if ``rate`` is given (the slowest rate of
    the recursion, e.g. ``beta * mu``, ``eta`` or ``p``), ``x * rate >=
    min_rate_x`` at every fitted point; (2) the slopes fitted on the first and
    the second half of the range (at least 3 points each, sharing the middle
    point when the count is odd) have overlapping ``level`` intervals.
    Returns ``(ok, text)``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-d of equal shape, got {x.shape} and {y.shape}")
    parts = []
    ok = True
    if rate is not None:
        rate = float(rate)
        if not rate > 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        first = float(np.min(x) * rate)
        fine = first >= min_rate_x
        ok &= fine
        parts.append(f"x*rate at the first point = {_fmt(first)} ({'>=' if fine else '<'} {_fmt(min_rate_x)})")
    n = x.size
    if n < 5:
        parts.append(f"only {n} points: half-range stability not testable")
        return False, "; ".join(parts)
    half = (n + 1) // 2
    sl1, sl2 = slice(0, half), slice(n - half, n)
    e1 = None if y_err is None else np.asarray(y_err, float)[sl1]
    e2 = None if y_err is None else np.asarray(y_err, float)[sl2]
    f1 = loglog_slope(x[sl1], y[sl1], e1, level=level)
    f2 = loglog_slope(x[sl2], y[sl2], e2, level=level)
    stable = not (f1.hi < f2.lo or f2.hi < f1.lo)
    ok &= stable
    parts.append(f"half-range slopes {f1.format()} and {f2.format()} ({'agree' if stable else 'differ'})")
    return bool(ok), "; ".join(parts)


def _apply_hypotheses(verdict: str, reason: str, hypotheses) -> tuple[str, str]:
    unmet = [h.name for h in hypotheses if not h.met]
    if verdict == "violated" and unmet:
        return "inconclusive", f"outside the hypotheses: {', '.join(unmet)} (would be violated: {reason})"
    return verdict, reason


def unmeasured(reason: str) -> Judgement:
    """The judgement when there is nothing to judge (e.g. fewer than 3 points for a slope): inconclusive."""
    if not isinstance(reason, str) or not reason:
        raise ValueError(f"reason must be a non-empty string, got {reason!r}")
    return Judgement("inconclusive", None, f"no measurement: {reason}", "no measurement")


def _non_finite(measurement) -> str:
    """Which numbers of ``measurement`` are NaN or inf ("" if none).  An ``upper`` curve's bound may be
    +inf (a vacuous bound), not NaN or -inf."""
    if isinstance(measurement, Curve):
        fields = {"mean": measurement.mean, "lo": measurement.lo, "hi": measurement.hi}
    elif isinstance(measurement, Slope):
        f = measurement.fit
        fields = {"slope": f.slope, "lo": f.lo, "hi": f.hi}
    elif isinstance(measurement, MaxError):
        fields = {"value": measurement.value}
    else:
        fields = {"mean": measurement.mean, "lo": measurement.lo, "hi": measurement.hi}
    out = []
    for name, value in fields.items():
        if value is None and name == "mean":
            continue
        try:
            a = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"measurement.{name} must be numbers, got {value!r}") from None
        n = int(a.size - np.count_nonzero(np.isfinite(a)))
        if n:
            out.append(f"{name} has {n} NaN/inf value{'s' if n > 1 else ''}")
    if isinstance(measurement, Curve):
        b = np.asarray(measurement.bound, dtype=float)
        if np.isnan(b).any() or (b == -np.inf).any():
            out.append("bound has NaN or -inf")
    return "; ".join(out)


def judge(prediction: Prediction, measurement, hypotheses=(), checks=()) -> Judgement:
    """The verdict of ``measurement`` against ``prediction``: the one mapping every claim uses.

    Rules per kind (``lo``/``hi`` are the measurement's interval ends):

    * ``upper``: violated if some point has ``lo > bound``; holds if every
      point has ``hi <= bound``; inconclusive otherwise.  Tightness: the worst
      ``mean / bound``.
    * ``order-upper`` (a = exponent): the unfavourable side is ``slope > a``
      for x -> inf and ``slope < a`` for x -> 0.  Violated if the interval lies
      entirely on it, holds otherwise; a fit range not shown asymptotic makes
      the verdict inconclusive.  Tightness: "tight" if the interval contains
      a, else "not tight: exponent ...".
    * ``scaling``: holds if ``[lo, hi]`` meets ``[a - tol, a + tol]``, violated
      if it misses it; needs an asymptotic range like ``order-upper``.
    * ``independent``: growth means ``slope > tol`` (x -> inf) or
      ``slope < -tol`` (x -> 0).  Violated if the interval lies entirely in
      growth; holds if it lies entirely out of it; inconclusive otherwise.
    * ``identity``: holds if the maximum error is ``<= tol``, else violated.
    * ``comparison``: holds if ``lo > 0``, violated if ``hi < 0``,
      inconclusive otherwise.

    Hypotheses: a "violated" verdict with any hypothesis not met becomes
    "inconclusive (outside the hypotheses: ...)"; "holds" is kept.

    Checks (``checks``, :class:`Hypothesis` rows that are not the paper's
    hypotheses but conditions for the measurement to mean anything, e.g. a
    Monte Carlo cross-check of an exact computation): any failed check makes
    the verdict inconclusive, whatever the comparison says.

    Non-finite measurements: a NaN or inf anywhere in the measured numbers
    (a curve's mean/lo/hi, a slope fit's slope/lo/hi, a maximum error, a
    difference's mean/lo/hi; a bound that is NaN or -inf) makes the verdict
    "inconclusive" with the reason "measurement not finite: ...", never
    holds or violated.
    """
    if not isinstance(prediction, Prediction):
        raise TypeError(f"prediction must be a Prediction, got {type(prediction).__name__}")
    want = _MEASUREMENT[prediction.kind]
    if not isinstance(measurement, want):
        raise TypeError(f"a {prediction.kind!r} prediction needs a {want.__name__} measurement, "
                        f"got {type(measurement).__name__}")
    hypotheses, checks = list(hypotheses), list(checks)
    for h in hypotheses + checks:
        if not isinstance(h, Hypothesis):
            raise TypeError(f"hypotheses and checks must be Hypothesis objects, got {type(h).__name__}")
    kind = prediction.kind
    tightness = None
    bad = _non_finite(measurement)
    if bad:  # a NaN or inf in a measurement never decides a verdict (it would read as holds or violated)
        return Judgement("inconclusive", None, f"measurement not finite: {bad}", "—")

    if kind == "upper":
        cv = bound_verdict_curve(measurement.lo, measurement.hi, measurement.bound, mean=measurement.mean)
        verdict = cv.verdict
        lo, hi, bound = (np.asarray(v, float) for v in np.broadcast_arrays(measurement.lo, measurement.hi, measurement.bound))
        if verdict == "violated":
            i = int(np.argmax(lo - bound))
            reason = f"point {i}: interval [{_fmt(lo.flat[i])}, {_fmt(hi.flat[i])}] entirely above the bound {_fmt(bound.flat[i])}"
        elif verdict == "holds":
            reason = f"all {lo.size} intervals at or below the bound"
        else:
            reason = "some interval straddles the bound"
        worst = cv.worst_ratio
        decisive = "worst measured/bound " + ("—" if worst is None else _fmt(worst))
        tightness = None if worst is None else f"worst measured/bound {_fmt(worst)}"
    elif kind in ("order-upper", "scaling", "independent"):
        fit = measurement.fit
        lo, hi, a, t = float(fit.lo), float(fit.hi), prediction.exponent, prediction.tol
        if np.isnan(lo) or np.isnan(hi):
            raise ValueError("the slope interval must not be NaN")
        decisive = f"slope {fit.format()}" + ("" if a is None else f" vs {_fmt(a)}")
        if kind == "order-upper":
            bad = lo > a if prediction.towards == "inf" else hi < a
            verdict = "violated" if bad else "holds"
            reason = ("slope interval entirely on the unfavourable side of the predicted order" if bad
                      else "slope interval not entirely on the unfavourable side")
            if lo <= a <= hi:
                tightness = "tight"
            elif not bad:
                tightness = f"not tight: exponent {fit.format(5)}"
        elif kind == "scaling":
            miss = hi < a - t or lo > a + t
            verdict = "violated" if miss else "holds"
            reason = (f"slope interval misses [{_fmt(a - t)}, {_fmt(a + t)}]" if miss
                      else f"slope interval meets [{_fmt(a - t)}, {_fmt(a + t)}]")
        else:
            if prediction.towards == "inf":
                grows, clear = lo > t, hi <= t
            else:
                grows, clear = hi < -t, lo >= -t
            verdict = "violated" if grows else ("holds" if clear else "inconclusive")
            reason = {"violated": "slope interval entirely in growth beyond the tolerance",
                      "holds": "slope interval within the tolerance on the growth side",
                      "inconclusive": "slope interval straddles the growth tolerance"}[verdict]
            decisive = f"slope {fit.format()} (growth tolerance {_fmt(t)})"
        if kind != "independent" and not measurement.asymptotic:
            verdict, reason = "inconclusive", f"pre-asymptotic: {measurement.regime or 'range not shown asymptotic'}"
    elif kind == "identity":
        err = float(measurement.value)
        if np.isnan(err):
            raise ValueError("the identity's maximum error must not be NaN")
        verdict = "holds" if err <= prediction.tol else "violated"
        reason = f"max error {_fmt(err)} {'<=' if verdict == 'holds' else '>'} tolerance {_fmt(prediction.tol)}"
        decisive = f"max error {_fmt(err)}"
    else:
        lo, hi = float(measurement.lo), float(measurement.hi)
        verdict = "holds" if lo > 0 else ("violated" if hi < 0 else "inconclusive")
        reason = f"paired difference interval [{_fmt(lo)}, {_fmt(hi)}]"
        decisive = f"difference {_fmt(measurement.mean)} [{_fmt(lo)}, {_fmt(hi)}]"

    verdict, reason = _apply_hypotheses(verdict, reason, hypotheses)
    failed = [c.name for c in checks if not c.met]
    if failed:
        verdict, reason = "inconclusive", f"measurement check failed: {', '.join(failed)} (otherwise: {reason})"
    if verdict == "inconclusive" and kind != "upper":
        tightness = None  # no order is established, so there is no tightness to report
    return Judgement(verdict, tightness, reason, decisive)


def combine(judgements: Iterable[Judgement]) -> Judgement:
    """One judgement from several parts: violated > inconclusive > holds.

    The reason and decisive number are those of the first part that carries
    the combined verdict; tightness labels are joined.
    """
    js = list(judgements)
    if not js:
        raise ValueError("judgements must not be empty")
    verdict = combine_verdicts([j.verdict for j in js])
    lead = next(j for j in js if j.verdict == verdict)
    tight = [j.tightness for j in js if j.tightness]
    return Judgement(verdict, "; ".join(dict.fromkeys(tight)) or None, lead.reason, lead.decisive)
