"""Argument checks and output shaping shared by the bound functions.

Every public bound function validates its inputs here, early, and raises a
``ValueError`` that names the argument and the offending value, never a silent NaN.
"""

from __future__ import annotations

import numpy as np


def as_float_array(name: str, value) -> np.ndarray:
    """``value`` as a float array; a non-numeric value is a ValueError naming ``name``."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric (float or array of floats); got {value!r}") from exc


def require(name: str, arr: np.ndarray, ok, what: str) -> None:
    """Raise ``ValueError`` unless ``ok`` holds everywhere (NaN counts as failing)."""
    ok = np.asarray(ok, dtype=bool)
    if ok.all():
        return
    bad = np.broadcast_to(arr, ok.shape)[~ok]
    if np.ndim(arr) == 0:
        raise ValueError(f"{name} must be {what}; got {float(arr)!r}")
    raise ValueError(
        f"{name} must be {what}; got {bad.size} bad entr{'y' if bad.size == 1 else 'ies'}, "
        f"first {float(bad.flat[0])!r}"
    )


def broadcast(**named: np.ndarray) -> list[np.ndarray]:
    """Broadcast the arrays together; a shape mismatch names every argument's shape."""
    try:
        return list(np.broadcast_arrays(*named.values()))
    except ValueError as exc:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in named.items())
        raise ValueError(f"arguments do not broadcast together: {shapes}") from exc


def cells_array(cells) -> np.ndarray:
    """The ``cells=`` keyword: a positive integer D (or an array of them)."""
    arr = as_float_array("cells", cells)
    require("cells", arr, (arr >= 1) & (arr == np.round(arr)), "a positive integer (number of cells D)")
    return arr


def choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def out(x: np.ndarray):
    """Python float for a 0-d result, the array otherwise."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x
