"""The hypotheses table of Thm 3.7 and of its proof, shared by ``rider-counterexample`` and
``rider-rate`` (not a claim module: no ``ID``)."""

from __future__ import annotations

from sptheory import bounds, stats

__all__ = ["thm37_hypotheses"]


def _fmt(x, d=4):
    return f"{x:.{d}g}"


def thm37_hypotheses(c: dict, q_visited, P_range, W_range, c_star_run: float, along: str, *,
                     printed: bool = False, covered: str | None = None) -> list:
    """Rows (``stats.Hypothesis``) for one run with constants ``c``
    (``experiments.thm37.counterexample_constants``): Def. 2.1 on the visited range, Assumptions
    3.1-3.3, Assumption 3.6 measured along the run (``c_star_run`` = min over the run of
    E|grad f(W_bar_k; xi)|), C_star in the printed and the proof form, C2 in its interval,
    condition (a) of errata/proof-conditions, (b) when ``printed``, every step-size side
    condition of the proof, the proof's step sizes, gamma and the Theta(dw_min) term.
    ``covered``: when given, a last row saying the algorithm run is not the one Thm 3.7 covers."""
    qn, qx, mu, L, sg, cs, g = c["q_min"], c["q_max"], c["mu"], c["L"], c["sigma"], c["C_star"], c["gamma"]
    H = stats.Hypothesis
    stated = float(bounds.rider_cstar_condition(sg, mu, qn, qx, form="stated"))
    proof = float(bounds.rider_cstar_condition(sg, mu, qn, qx, form="proof"))
    lo, hi = c["C2_interval"]
    rows = [
        H("Def. 2.1 on the visited range",
          f"{_fmt(qn)} = q_min <= q_plus, q_minus <= q_max = {_fmt(qx)} (global constants used)",
          f"q over P in [{_fmt(P_range[0])}, {_fmt(P_range[1])}], W in [{_fmt(W_range[0])}, "
          f"{_fmt(W_range[1])}]: [{_fmt(q_visited[0])}, {_fmt(q_visited[1])}]", qn <= q_visited[0] and q_visited[1] <= qx),
        H("Assumptions 3.1, 3.3", f"L-smooth, mu-strongly convex: L = mu = {_fmt(mu)}",
          "f = (mu/2)(w - W*)^2 on one cell: exact", True),
        H("Assumption 3.2", f"unbiased gradient, E|xi|^2 <= sigma^2 = {_fmt(sg**2)}",
          "xi = +/- sigma with probability 1/2: E xi = 0, E xi^2 = sigma^2 exactly", True),
        H("Assumption 3.6 along the run", f"min_k E|grad f(W_bar_k; xi)| >= C_star = {_fmt(cs, 6)}",
          f"{_fmt(c_star_run, 6)} (min over {along} and all replicates; E exact: max(|grad f|, sigma))",
          c_star_run >= cs),
        H("C_star, Thm 3.7 as printed", f"C_star >= 4 sqrt2 (sigma/mu) kappa2^1.5 = {_fmt(stated)}",
          f"C_star = {_fmt(cs)}", cs >= stated),
        H("C_star, proof form (C2 interval non-empty)", f"C_star >= 4 sqrt2 sigma kappa2^1.5/sqrt(mu) = {_fmt(proof)}",
          f"C_star = {_fmt(cs)}", cs >= proof),
        H("C2 in the proof's interval", f"4 sigma^2/(C_star q_min) <= C2 <= mu q_min^2 C_star/(8 q_max^3): "
          f"[{_fmt(lo)}, {_fmt(hi)}]", f"C2 = {_fmt(c['C2'])}", lo <= c["C2"] <= hi),
        H("condition (a), errata/proof-conditions", f"C2 >= 3 sigma^2/(C_star q_min) + mu q_min^5/(8 sqrt34 q_max^4 "
          f"C_star) = {_fmt(c['C2_a'])}", f"C2 = {_fmt(c['C2'])}", c["C2"] >= c["C2_a"]),
    ]
    if printed:
        rows.append(H("condition (b), errata/proof-conditions", "C2 <= 1 (the constant 5 of (72) is (4 + C2) <= 5)",
                      f"C2 = {_fmt(c['C2'])}", c["C2"] <= 1.0))
    side = bounds.rider_side_conditions(c["alpha"], c["beta"], c["eta"], g, L, mu, qn, qx, c["C2"], sigma=sg,
                                        C_star=cs)
    for name, sc in side.items():
        if name.startswith("C2_"):
            continue  # in the rows above
        rows.append(H(f"step sizes: {name}", bounds.RIDER_SIDE_CONDITIONS[name],
                      f"lhs {_fmt(float(sc.lhs))}, rhs {_fmt(float(sc.rhs))}", bool(sc.holds)))
    st = bounds.rider_step_sizes(c["alpha"], g, mu, qn, qx)
    rows += [
        H("proof's step sizes", "beta = alpha gamma mu q_min^3/(4 sqrt34 q_max^3), eta <= alpha mu q_min^4/(52 q_max^3), "
          "C1 = 10 beta gamma q_max^2/(alpha q_min^2)",
          f"alpha = {_fmt(c['alpha'])}, beta = {_fmt(c['beta'])}, eta = {_fmt(c['eta'])}, C1 = {_fmt(c['C1'])}",
          c["beta"] == float(st.beta) and c["eta"] <= float(st.eta_max) and c["C1"] == float(st.C1)),
        H("gamma = Theta(1)", "a fixed constant", f"gamma = {g}", True),
        H("Theta(dw_min) term", "dw_min -> 0 (the term has no explicit constant)",
          "noiseless update (pulse_mode='noiseless' recursion): the term is 0", True),
    ]
    if covered is not None:
        rows.append(H("algorithm covered by Thm 3.7", "RIDER (Alg. 2, no chopper)", covered, False))
    return rows
