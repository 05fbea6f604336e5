"""Eager checks of public arguments: one place for the rules and the wording of their errors.

Every public entry point (algorithm constructors, ``nn.IOSettings``, ``nn.MLP``,
``experiments.network.NetworkSetting``, ``pulses.Trains``, the data sources, ...) checks its
arguments when it is called or constructed, with these helpers, so that a bad value fails at once
with a ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong value) whose message
names the argument and repeats the value, e.g. ``alpha must be a finite number > 0, got 'x'``.

Rules shared by every helper:

* booleans are never numbers (``True`` is not the rate 1, nor the seed 1), and only real booleans
  (``bool``, ``numpy.bool_``) are booleans: ``write_noise="no"`` is a TypeError, not "on";
* numbers are real ``int``/``float`` or NumPy integer/floating scalars, never strings (``"0.1"`` is
  a TypeError: a string stored as a rate would fail only at the first step);
* integers (seeds, sizes, counts) are ``int`` or NumPy integers: ``1.5`` is never truncated to 1.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

__all__ = ["number", "boolean", "integer", "positive_int", "seed", "seeds", "choice", "fraction",
           "split_sizes", "finite_array"]


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_int(value) -> bool:
    return not _is_bool(value) and isinstance(value, (Integral, np.integer))


def _is_real(value) -> bool:
    return not _is_bool(value) and isinstance(value, (Real, np.integer, np.floating))


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is not None and hi is not None:
        return f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {lo:g}"
    if hi is not None:
        return f"{'<' if hi_open else '<='} {hi:g}"
    return ""


def number(name: str, value, *, lo=None, hi=None, lo_open: bool = False, hi_open: bool = False,
           finite: bool = True) -> float:
    """``value`` as a float: a real number (not a bool, not a string), finite unless ``finite=False``
    (then only NaN is refused), within ``[lo, hi]`` (ends open with ``lo_open``/``hi_open``)."""
    rng = _range_text(lo, hi, lo_open, hi_open)
    wanted = f"a {'finite ' if finite else ''}number{(' ' + rng) if rng else ''}"
    if not _is_real(value):
        raise TypeError(f"{name} must be {wanted}, got {_show(value)}")
    x = float(value)
    if math.isnan(x) or (finite and math.isinf(x)):
        raise ValueError(f"{name} must be {wanted}, got {_show(value)}")
    if ((lo is not None and (x <= lo if lo_open else x < lo))
            or (hi is not None and (x >= hi if hi_open else x > hi))):
        raise ValueError(f"{name} must be {wanted}, got {_show(value)}")
    return x


def boolean(name: str, value) -> bool:
    """``value`` as a bool: only ``True``/``False`` (or NumPy's), never a truthy string or number."""
    if not _is_bool(value):
        raise TypeError(f"{name} must be True or False, got {_show(value)}")
    return bool(value)


def integer(name: str, value, *, lo=None, hi=None, allow_none: bool = False):
    """``value`` as an int (``int`` or a NumPy integer, not a bool, never a truncated float) within
    ``[lo, hi]``; ``None`` passes through with ``allow_none``."""
    if value is None and allow_none:
        return None
    rng = _range_text(lo, hi, False, False)
    wanted = f"an integer{(' ' + rng) if rng else ''}{' or None' if allow_none else ''}"
    if not _is_int(value):
        raise TypeError(f"{name} must be {wanted}, got {_show(value)}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name} must be {wanted}, got {_show(value)}")
    return v


def positive_int(name: str, value, *, hi=None) -> int:
    """A shape or a count: an integer >= 1 (at most ``hi``)."""
    return integer(name, value, lo=1, hi=hi)


def seed(name: str, value) -> int:
    """A seed of ``np.random.PCG64``: a non-negative integer (a NumPy integer is fine, a bool or a
    float is not)."""
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative integer, got {_show(value)}")
    if int(value) < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {_show(value)}")
    return int(value)


def seeds(name: str, values) -> tuple:
    """A non-empty sequence of seeds (:func:`seed` each) as a tuple of ints."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a non-empty sequence of non-negative integers, got {_show(values)}")
    out = tuple(seed(f"{name}[{k}]", v) for k, v in enumerate(values))
    if not out:
        raise ValueError(f"{name} must hold at least one seed, got none")
    return out


def choice(name: str, value, options) -> object:
    """``value`` if it is one of ``options`` (same type and equal: ``1`` is not ``True``, ``"1"`` not ``1``)."""
    options = tuple(options)
    try:
        ok = any(type(value) is type(o) and bool(value == o) for o in options)
    except (TypeError, ValueError):  # e.g. an array compared with a string
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {options}, got {_show(value)}")
    return value


def fraction(name: str, value, *, allow_zero: bool = False) -> float:
    """A share of a data set: a number in (0, 1) (``[0, 1)`` with ``allow_zero``)."""
    return number(name, value, lo=0.0, hi=1.0, lo_open=not allow_zero, hi_open=True)


def split_sizes(n: int, parts: dict, *, what: str = "the data") -> dict:
    """Sizes of the splits of ``n`` examples: ``parts`` maps a split's name to a fraction in (0, 1)
    (rounded down) or a count (an int >= 1); the rest is ``"train"``.  Every split, the training one
    included, must get at least one example: otherwise ValueError naming the split, its request and
    ``n``."""
    n = integer("n", n, lo=0)
    sizes = {}
    for key, v in parts.items():
        if _is_int(v):
            sizes[key] = integer(key, v, lo=1)
        else:
            sizes[key] = int(fraction(key, v) * n)
        if sizes[key] < 1:
            raise ValueError(f"{key}={_show(v)} of {what} ({n} examples) leaves the {key} split empty; "
                             f"ask for a larger share or at least one example")
    rest = n - sum(sizes.values())
    if rest < 1:
        asked = ", ".join(f"{k}={_show(v)} ({sizes[k]})" for k, v in parts.items())
        raise ValueError(f"{asked} of {what} ({n} examples) leaves no training split; hold out fewer examples")
    return dict(train=rest, **sizes)


def finite_array(name: str, value) -> np.ndarray:
    """``value`` as a float array with every entry finite."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {_show(value)}") from None
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, got {bad} non-finite entr{'y' if bad == 1 else 'ies'}")
    return arr
