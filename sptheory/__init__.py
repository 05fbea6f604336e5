"""sptheory: checkable theory of training on analog in-memory hardware.

Implements the device recursions, zero-shifting calibration and the bounds of
Xiao, Li, Wu, Gokmen, Chen, "Dynamic Symmetric Point Tracking: Tackling
Non-ideal Reference in Analog In-memory Training" (arXiv 2602.21321).

    from sptheory import devices, pulses, calibration, bounds

Submodules are imported lazily so that ``import sptheory`` stays cheap (sympy
is only loaded when a bound's symbolic form is asked for).
"""

from importlib import import_module

__version__ = "0.1.0"

_SUBMODULES = (
    "devices",
    "pulses",
    "calibration",
    "bounds",
    "stats",
    "sweep",
    "algorithms",
    "objectives",
    "nn",
    "data",
)

__all__ = list(_SUBMODULES) + ["__version__"]


def __getattr__(name):
    if name in _SUBMODULES:
        return import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
