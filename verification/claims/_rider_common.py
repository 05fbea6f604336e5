"""Shared settings of the Thm 3.7 claims: re-exported from :mod:`sptheory.experiments.rider`.

Kept so that modules importing ``_rider_common`` keep working; new code
imports ``sptheory.experiments.rider`` directly.
"""

from sptheory.experiments.rider import BOUND_B, TANH_A, quadratic, soft_device, sp_offsets, tanh_device

__all__ = ["tanh_device", "soft_device", "sp_offsets", "quadratic", "TANH_A", "BOUND_B"]
