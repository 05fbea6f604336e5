"""Shared pieces of the sympy side: the ``BoundExpr`` record and the symbols.

sympy is imported only inside functions, so ``import sptheory.bounds`` stays
cheap; the expressions are built on first request and cached.
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType, SimpleNamespace
from typing import Any, NamedTuple


class BoundExpr(NamedTuple):
    """A result in symbolic form, next to the numeric function that evaluates it.

    expr:  the sympy expression the numeric function returns.
    args:  sympy Symbols in the numeric function's positional order; when the
           function takes ``cells=`` the symbol ``D`` comes last.
    steps: named intermediate expressions of the derivation (read-only mapping).
    """

    expr: Any
    args: tuple
    steps: MappingProxyType

    def lambdify(self):
        """A numpy function of ``args`` evaluating ``expr``."""
        import sympy

        return sympy.lambdify(self.args, self.expr, "numpy")


def make(expr, args, **steps) -> BoundExpr:
    return BoundExpr(expr, tuple(args), MappingProxyType(dict(steps)))


@lru_cache(maxsize=1)
def symbols() -> SimpleNamespace:
    """The symbols of the zero-shifting and filtering results, named like the function arguments."""
    import sympy as sp

    pos = dict(positive=True)
    return SimpleNamespace(
        N=sp.Symbol("N", **pos),                    # pulses (ZS) or up/down pairs (cyclic)
        n=sp.Symbol("n", integer=True, nonnegative=True),
        dw_min=sp.Symbol("dw_min", **pos),          # response granularity
        phi0=sp.Symbol("phi0", nonnegative=True),   # phi(W_0) - phi(W_sp)
        L_q=sp.Symbol("L_q", **pos),                # max |G'|
        q_max=sp.Symbol("q_max", **pos),
        mu_q=sp.Symbol("mu_q", **pos),              # Def. C.1 modulus
        dist0_sq=sp.Symbol("dist0_sq", **pos),      # (W_0 - w_sp)^2
        delta=sp.Symbol("delta", **pos),            # target accuracy
        D=sp.Symbol("D", **pos),                    # number of cells
        F=sp.Symbol("F", real=True),
        G=sp.Symbol("G", real=True),
        q_plus=sp.Symbol("q_plus", **pos),
        q_minus=sp.Symbol("q_minus", **pos),
        x=sp.Symbol("x", **pos),                    # dw_min * mu_q
        r=sp.Symbol("r", **pos),                    # contraction factor
        omega=sp.Symbol("omega", real=True),
        eta=sp.Symbol("eta", **pos),
        w=sp.Symbol("w", real=True),
        a_up=sp.Symbol("a_up", **pos),
        a_dn=sp.Symbol("a_dn", **pos),
        tau_max=sp.Symbol("tau_max", **pos),
        tau_min=sp.Symbol("tau_min", **pos),
    )


def geometric_sum(r, N):
    """sum_{n<N} r^n in closed form (r != 1), derived by sympy summation."""
    import sympy as sp

    n = symbols().n
    s = sp.Sum(r**n, (n, 0, N - 1)).doit()
    if isinstance(s, sp.Piecewise):  # drop the r == 1 branch
        s = s.args[-1][0]
    return s
