"""Verification suite: one module per claim of the paper.

``python -m verification`` runs every module listed in ``CLAIM_MODULES`` (in
this order) and writes ``results/verification.json`` and
``results/report.md``.  A claim module exposes

* ``ID``    -- short identifier, e.g. ``"zs-average"``;
* ``TITLE`` -- one-line statement of the claim;
* ``run(quick: bool, rng_seed: int, executor) -> ClaimResult | list[ClaimResult]``;
* ``plot(result: ClaimResult, path) -> None`` -- writes a PNG (matplotlib, Agg).

See :mod:`verification.harness` for ``ClaimResult`` and the runner.
"""

# Import paths of the claim modules, in report order.  A module that fails to
# import is reported as a crashed claim, never skipped.
CLAIM_MODULES: list[str] = []
