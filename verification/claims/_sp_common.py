"""Shared setting of the SP-tracking claims: re-exported from :mod:`sptheory.experiments.tracking`.

Kept so that modules importing ``_sp_common`` keep working; new code imports
``sptheory.experiments.tracking`` directly.
"""

from sptheory.experiments.tracking import (  # noqa: F401
    A_TANH, BOUND, DW_MIN, NOISE_PER_COORD, P_CHOP, PULSE_MODE, SP_MEAN, SP_STD, STEPS, Setting, algorithm,
    make_setting, record_states, starts, tanh_device,
)
