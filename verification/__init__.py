"""Verification suite: one module per claim of the paper.

``python -m verification`` runs every module listed in ``CLAIM_MODULES`` (in
this order) and writes ``results/verification.json`` and
``results/report.md``.  A claim module exposes

* ``ID``    -- short identifier, e.g. ``"zs-average"``;
* ``TITLE`` -- one-line statement of the claim;
* ``run(quick: bool, rng_seed: int, executor) -> ClaimResult | list[ClaimResult]``;
* ``plot(result: ClaimResult, path) -> None`` -- writes a PNG (matplotlib, Agg);
* optionally ``PART`` -- the part of the report its results are counted in
  (default ``"paper"``: the paper's theory; ``"network"``: its Sec. 4 experiments;
  ``"prior theory"``: results the paper builds on).

See :mod:`verification.harness` for ``ClaimResult`` and the runner.
"""

# Import paths of the claim modules, in report order.  A module that fails to
# import is reported as a crashed claim, never skipped.
CLAIM_MODULES: list[str] = [
    # zero-shifting calibration (Sec. 2, App. C)
    "verification.claims.zs_avg",
    "verification.claims.zs_last",
    "verification.claims.zs_cyclic_avg",
    "verification.claims.zs_cyclic_last",
    "verification.claims.zs_pulses_scaling",
    "verification.claims.zs_floor_scaling",
    "verification.claims.update_model",
    "verification.claims.sp_formula_104",
    "verification.claims.zs_errata",
    # training with RIDER / E-RIDER (Sec. 3)
    "verification.claims.rider_rate",
    "verification.claims.rider_floor",
    "verification.claims.rider_counterexample",
    "verification.claims.rider_invariant",
    "verification.claims.rider_errata",
    "verification.claims.erider_errata",
    "verification.claims.rider_sp_tracking",
    "verification.claims.residual_bias",
    "verification.claims.cor39",
    "verification.claims.lemma35",
    "verification.claims.lemma310",
    "verification.claims.chopper",
    # network experiments (Sec. 4): SP offsets, Tables 1-2
    "verification.claims.table_sp_offsets",
    "verification.claims.ttv2_offset",
    "verification.claims.agad_offset",
    # network experiments (Sec. 4): calibration budget, pulses, chopper (Figs. 2, 4, 5)
    "verification.claims.fig2_zs_budget",
    "verification.claims.fig4_pulses",
    "verification.claims.fig5_chopper",
    # prior theory (issue 21): results the paper builds on (Wu et al. 2024, 2025; Li et al. 2025)
    "verification.claims.prior_gd_rate",
    "verification.claims.prior_asgd_floor",
    "verification.claims.prior_trains_var",
    "verification.claims.prior_implicit_penalty",
    "verification.claims.prior_tt_convergence",
    "verification.claims.prior_tt_fails",
    # the paper's regime (issue 16): 8 seeds in every run, its 16/32-seed stage only with --long (LONG_STAGES)
    "verification.claims.regime_b",
    # fig4-pulses in setting B (issue 16, item 5): only with --long (LONG_CLAIMS)
    "verification.claims.fig4_pulses_b",
]

#: Claims that run only with ``python -m verification --long``; a run without it states that it skipped them.
#: regime-b moved into the default run (docs/NETWORK_REGIME.md, the budget rule); regime-b-fig4 (fig4-pulses in setting B,
#: 413 s on one worker) runs only here.
LONG_CLAIMS: tuple = ("regime-b-fig4",)
#: Claims that run in every run but keep their seed stage (regime-b: the 16/32-seed stage) for ``--long``: the
#: command line passes them ``options={"seed_stage": args.long}``, and a run without ``--long`` states it skipped it.
#: regime-b: the --long run with its 32-seed stage cost 1339 s user CPU (22.3 min, over the rule's 20 CPU-minute
#: line), its 8 seeds alone 481 s on their own (6:15 wall); so the default run takes the 8 seeds and --long adds the stage.
LONG_STAGES: tuple = ("regime-b",)
