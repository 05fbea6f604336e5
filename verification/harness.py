"""Result type, claim registry and runner of the verification suite.

The runner never lets one claim stop the others: an import error, an
exception in ``run`` or in ``plot`` is caught and recorded (with its
traceback) as verdict ``"crashed"`` (import/run) or as a figure error
(plot).  Printing happens only in ``verification.__main__``.
"""

from __future__ import annotations

import importlib
import re
import time
import traceback
import zlib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

import numpy as np

from sptheory import stats
from sptheory.experiments import to_jsonable

__all__ = [
    "RESULT_VERDICTS",
    "DEFAULT_PART",
    "ClaimResult",
    "LoadedClaim",
    "load_claims",
    "claim_seed",
    "run_claim",
    "figure_name",
    "to_jsonable",
]

#: Verdicts a claim may return, plus ``"crashed"`` set by the runner.
RESULT_VERDICTS = ("holds", "violated", "inconclusive", "crashed")

#: Part of the report a result belongs to when its claim module sets no ``PART``.
DEFAULT_PART = "paper"


@dataclass(kw_only=True)
class ClaimResult:
    """What one verification measured, the theory it is held against, and the verdict.

    Fields (keyword-only):

    id        -- identifier, unique in a run (``"zs-average"``, ``"zs-average/hfo2"``)
    claim     -- one-line statement of the claim
    source    -- where the paper states it, e.g. ``"Thm 2.2, eq. (25)"``
    setting   -- the simulated setting in words (device, sizes, replicates)
    measured  -- human summary of the measurement with its confidence interval
    bound     -- human summary of the theoretical value
    ratio     -- worst ``measured / bound`` along the curve, or None
    slope     -- fitted log-log slope with its interval vs the prediction, or None
    verdict   -- ``"holds"``, ``"violated"``, ``"inconclusive"`` (``"crashed"`` is the runner's)
    notes     -- free text for the report (method, caveats, what a verdict means here)
    data      -- JSON-serialisable numbers/lists for the figure and the JSON file
    figure    -- path of the figure relative to the output folder (set by the runner)
    seed      -- the seed the run used (the runner fills it when left None)
    seconds   -- wall time (the runner fills it when left 0)
    traceback -- set by the runner when run or plot raised
    prediction -- the claim's declared :class:`sptheory.stats.Prediction` (kind, statement, exponent, tol)
    judgement  -- :func:`sptheory.stats.judge`'s output; the verdict is taken from it
    hypotheses -- the result's hypotheses table (:class:`sptheory.stats.Hypothesis` rows), checked along the run
    checks     -- measurement checks (same row type; not the paper's hypotheses): a failed one makes judge inconclusive
    erratum    -- for an inconsistency of the paper: ``{"paper": ..., "corrected": ..., "settled_by": ...}``;
                  the report collects these into its errata section
    part       -- the part of the report it is counted in (``"paper"``, ``"network"``, ``"prior theory"``);
                  the runner sets it from the claim module's ``PART`` when the result leaves the default
    """

    id: str
    claim: str
    source: str
    setting: str
    measured: str
    bound: str
    ratio: float | None = None
    slope: str | None = None
    verdict: str | None = None
    notes: str = ""
    data: dict = field(default_factory=dict)
    figure: str | None = None
    seed: int | None = None
    seconds: float = 0.0
    traceback: str | None = None
    prediction: Any = None
    judgement: Any = None
    hypotheses: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    erratum: dict | None = None
    part: str = DEFAULT_PART

    def __post_init__(self):
        if self.judgement is not None:
            if not isinstance(self.judgement, stats.Judgement):
                raise TypeError(f"judgement must be a stats.Judgement, got {type(self.judgement).__name__}")
            if self.verdict not in (None, self.judgement.verdict):
                raise ValueError(f"verdict {self.verdict!r} disagrees with the judgement's {self.judgement.verdict!r}")
            self.verdict = self.judgement.verdict
        elif self.verdict != "crashed":
            raise ValueError(f"result {self.id!r}: the verdict must come from stats.judge (pass judgement=...); "
                             "only the runner sets verdict='crashed'")
        if self.prediction is not None and not isinstance(self.prediction, stats.Prediction):
            raise TypeError(f"prediction must be a stats.Prediction, got {type(self.prediction).__name__}")
        for h in self.hypotheses + self.checks:
            if not isinstance(h, stats.Hypothesis):
                raise TypeError(f"hypotheses and checks must hold stats.Hypothesis rows, got {type(h).__name__}")
        if self.erratum is not None:
            missing = {"paper", "corrected", "settled_by"} - set(self.erratum)
            if missing:
                raise ValueError(f"erratum lacks {sorted(missing)}")
        if self.verdict not in RESULT_VERDICTS:
            raise ValueError(f"verdict must be one of {RESULT_VERDICTS}, got {self.verdict!r}")
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"id must be a non-empty string, got {self.id!r}")
        _check_part(self.part, "part")

    @property
    def tightness(self) -> str | None:
        return None if self.judgement is None else self.judgement.tightness

    @property
    def decisive(self) -> str:
        return "" if self.judgement is None else self.judgement.decisive

    def to_dict(self) -> dict:
        """``asdict`` with every value made JSON-serialisable (see :func:`to_jsonable`).

        The prediction carries its rule in words; the judgement its reason,
        tightness and decisive number.
        """
        d = asdict(self)
        if self.prediction is not None:
            d["prediction"]["rule"] = self.prediction.describe()
        return to_jsonable(d)

    @classmethod
    def from_dict(cls, d: dict) -> "ClaimResult":
        """The inverse of :meth:`to_dict`, for one entry of a ``verification.json``.

        Tolerates files written by earlier releases: a missing ``part`` reads as
        :data:`DEFAULT_PART`, keys this release does not know are dropped, and the
        prediction's ``rule`` (derived text) is recomputed rather than read.
        """
        if not isinstance(d, dict):
            raise TypeError(f"a claim entry must be a dict, got {type(d).__name__}")
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        missing = {"id", "claim", "source", "setting", "measured", "bound"} - set(kw)
        if missing:
            raise ValueError(f"claim entry {d.get('id')!r} lacks {sorted(missing)}")
        if kw.get("part") is None:
            kw["part"] = DEFAULT_PART
        if kw.get("data") is None:
            kw["data"] = {}
        if kw.get("prediction") is not None:
            pred_names = {f.name for f in fields(stats.Prediction)}
            kw["prediction"] = stats.Prediction(**{k: v for k, v in kw["prediction"].items() if k in pred_names})
        if kw.get("judgement") is not None:
            kw["judgement"] = stats.Judgement(**{k: kw["judgement"].get(k) for k in ("verdict", "tightness", "reason", "decisive")})
        for key in ("hypotheses", "checks"):
            kw[key] = [stats.Hypothesis(**{k: h[k] for k in ("name", "required", "measured", "met")})
                       for h in (kw.get(key) or [])]
        return cls(**kw)


@dataclass
class LoadedClaim:
    """A claim module after import; ``error`` holds the traceback if import failed."""

    module_path: str
    id: str
    title: str
    module: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _check_part(part, name: str) -> str:
    if not isinstance(part, str) or not part.strip():
        raise ValueError(f"{name} must be a non-empty string, got {part!r}")
    return part


def _fallback_id(module_path: str) -> str:
    return module_path.rsplit(".", 1)[-1].replace("_", "-")


def load_claims(modules: list[str] | None = None) -> list[LoadedClaim]:
    """Import the claim modules (default ``verification.CLAIM_MODULES``), in order.

    A module that fails to import, or lacks ``ID``/``TITLE``/``run``/``plot``,
    is returned with ``error`` set and the id derived from its module name.
    """
    if modules is None:
        import verification

        modules = list(verification.CLAIM_MODULES)
    loaded = []
    for path in modules:
        try:
            mod = importlib.import_module(path)
            missing = [a for a in ("ID", "TITLE", "run", "plot") if not hasattr(mod, a)]
            if missing:
                raise AttributeError(f"claim module {path} lacks {', '.join(missing)}")
            loaded.append(LoadedClaim(path, str(mod.ID), str(mod.TITLE), mod))
        except Exception:
            loaded.append(
                LoadedClaim(path, _fallback_id(path), f"(import of {path} failed)", None, traceback.format_exc())
            )
    return loaded


def claim_seed(base_seed: int, claim_id: str) -> int:
    """Seed for one claim, derived from the run seed and the claim id.

    Independent of which other claims run, so ``--only`` reproduces a full run.
    """
    ss = np.random.SeedSequence([int(base_seed), zlib.crc32(claim_id.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def figure_name(result_id: str) -> str:
    """File name of a result's figure: the id with unsafe characters replaced."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", result_id) + ".png"


def _module_part(claim: LoadedClaim) -> str:
    """The claim module's ``PART`` (default :data:`DEFAULT_PART`; also for a module that failed to import)."""
    part = getattr(claim.module, "PART", DEFAULT_PART) if claim.module is not None else DEFAULT_PART
    return _check_part(part, f"{claim.module_path}.PART")


def _crashed(claim: LoadedClaim, seed: int | None, seconds: float, tb: str) -> ClaimResult:
    last = tb.strip().splitlines()[-1] if tb.strip() else "unknown error"
    try:
        part = _module_part(claim)
    except ValueError:
        part = DEFAULT_PART
    return ClaimResult(
        id=claim.id,
        claim=claim.title,
        source="",
        setting="",
        measured="",
        bound="",
        verdict="crashed",
        notes=f"Crashed: {last}",
        seed=seed,
        seconds=seconds,
        traceback=tb,
        part=part,
    )


def run_claim(
    claim: LoadedClaim,
    quick: bool,
    base_seed: int,
    out_dir: str | Path,
    executor=None,
    options: dict | None = None,
) -> list[ClaimResult]:
    """Run one claim, draw its figures into ``out_dir/figures``, never raise.

    Returns one or more results.  An import or run failure gives a single
    ``"crashed"`` result; a plot failure keeps the verdict, sets ``figure`` to
    None and records the traceback (and counts as a crash for the exit code).
    ``options`` (e.g. ``{"scale": "paper", "mnist": PATH}``) reach the claims whose ``run`` takes an
    ``options`` argument.
    """
    t0 = time.perf_counter()
    seed = claim_seed(base_seed, claim.id)
    if not claim.ok:
        return [_crashed(claim, seed, 0.0, claim.error)]
    try:
        extra = {}
        if options:
            import inspect

            if "options" not in inspect.signature(claim.module.run).parameters:
                raise ValueError(f"claim {claim.id} takes no options, got {options!r}")
            extra = dict(options=options)
        part = _module_part(claim)
        out = claim.module.run(quick=quick, rng_seed=seed, executor=executor, **extra)
        results = list(out) if isinstance(out, (list, tuple)) else [out]
        if not results or not all(isinstance(r, ClaimResult) for r in results):
            raise TypeError(f"{claim.module_path}.run must return ClaimResult or a list of them, got {out!r}")
    except Exception:
        return [_crashed(claim, seed, time.perf_counter() - t0, traceback.format_exc())]
    elapsed = time.perf_counter() - t0

    fig_dir = Path(out_dir) / "figures"
    plot: Callable = claim.module.plot
    for r in results:
        if r.part == DEFAULT_PART:
            r.part = part
        if r.seed is None:
            r.seed = seed
        if not r.seconds:
            r.seconds = elapsed
        try:
            import matplotlib.pyplot as plt

            fig_dir.mkdir(parents=True, exist_ok=True)
            name = figure_name(r.id)
            plot(r, fig_dir / name)
            plt.close("all")
            r.figure = f"figures/{name}" if (fig_dir / name).exists() else None
        except Exception:
            r.figure = None
            tb = traceback.format_exc()
            r.traceback = tb
            r.notes = (r.notes + "\n\n" if r.notes else "") + "Figure failed: " + tb.strip().splitlines()[-1]
    return results
