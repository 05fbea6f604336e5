"""Which chopper does aihwkit's CPU ``gamma`` de-chop each cell with?  ``python -m benchmarks.peer_gamma_layout``

aihwkit 1.2.0 documents the forward weight of ChoppedTransferCompound / DynamicTransferCompound with
``gamma > 0`` as ``W = gamma (c_d outer c_x) A + C`` (c_x the input chopper of the cell's COLUMN, c_d the
output chopper of its row; 1 here, ``out_chop_prob = 0``).  Its CPU code
(``ChoppedTransferRPUDevice::reduceToWeights``, ``src/rpucuda/rpu_chopped_transfer_device.cpp``) walks the
flat index ``idx`` of the weights as ``d_idx = idx % d_size, x_idx = idx / d_size`` (column-major), while the
CPU weights are row-major ``idx = d * x_size + x`` (``doDenseUpdate`` of the same file walks them so).

This probe measures what the library does, without reading its code: a small tile (5 inputs, 3 outputs,
ConstantStep devices, perfect IO, ``in_chop_prob = 0.5`` so that the choppers differ between columns) is
trained a few steps; then per cell the sign ``s = (W - C) / (gamma A)`` (W from ``get_weights``, A and C the
hidden weights) is the chopper the cell was de-chopped with.  Documented behaviour: ``s`` constant down
every column.  The row-major / column-major mix-up predicts instead: ``s`` constant on runs of ``d_size``
consecutive flat indices.  :func:`check` returns both tests per compound.  Needs aihwkit >= 1.2.0 and torch
(it is not imported by the test suite).
"""

from __future__ import annotations

import sys

import numpy as np

GAMMA = 0.1
IN, OUT = 5, 3


def _signs(compound: str, seed: int = 0) -> np.ndarray:
    import torch
    from aihwkit.nn import AnalogLinear
    from aihwkit.optim import AnalogSGD
    from aihwkit.simulator.configs import UnitCellRPUConfig, compounds
    from aihwkit.simulator.configs.devices import ConstantStepDevice

    torch.manual_seed(seed)
    cls = getattr(compounds, compound)
    dev = cls(unit_cell_devices=[ConstantStepDevice(dw_min=0.01), ConstantStepDevice(dw_min=0.01)], gamma=GAMMA,
              in_chop_prob=0.5, fast_lr=0.5, transfer_lr=1.0, units_in_mbatch=True)
    cfg = UnitCellRPUConfig(device=dev)
    cfg.forward.is_perfect = True
    cfg.backward.is_perfect = True
    layer = AnalogLinear(IN, OUT, bias=False, rpu_config=cfg)
    opt = AnalogSGD(layer.parameters(), lr=0.1)
    opt.regroup_param_groups(layer)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(9):
        opt.zero_grad()
        layer(torch.randn(4, IN, generator=gen)).pow(2).sum().backward()
        opt.step()
    tile = next(layer.analog_tiles())
    hp = tile.get_hidden_parameters()
    A, C = hp["hidden_weights_0"].numpy().astype(float), hp["hidden_weights_1"].numpy().astype(float)
    W = tile.get_weights()[0].numpy().astype(float)
    ok = np.abs(A) > 1e-3
    s = np.full(A.shape, np.nan)
    s[ok] = (W[ok] - C[ok]) / (GAMMA * A[ok])
    return s


def _constant_groups(values: np.ndarray, groups) -> bool:
    for g in groups:
        v = values[g]
        v = v[np.isfinite(v)]
        if v.size and not np.allclose(v, v[0], atol=1e-3):
            return False
    return True


def check(compounds=("ChoppedTransferCompound", "DynamicTransferCompound"), seed: int = 0) -> dict:
    """Per compound: the measured sign matrix (rows = outputs d, columns = inputs x), whether it is
    constant down every column (the documented ``c_x``), and whether it is constant on runs of ``d_size``
    consecutive row-major flat indices (the ``idx / d_size`` reading), and whether the signs are +-1."""
    out = {}
    for compound in compounds:
        s = _signs(compound, seed)
        flat = s.reshape(-1)
        d_size, x_size = s.shape
        columns = [np.s_[:, j] for j in range(x_size)]
        runs = [np.s_[k * d_size:(k + 1) * d_size] for k in range(x_size)]
        unit = bool(np.all(np.isclose(np.abs(flat[np.isfinite(flat)]), 1.0, atol=1e-3)))
        out[compound] = {"signs": np.round(s, 3).tolist(), "unit_signs": unit,
                         "constant_down_columns": unit and _constant_groups(s, columns),
                         "constant_on_flat_runs_of_d_size": unit and _constant_groups(flat, runs)}
    return out


def summary(result: dict) -> str:
    lines = []
    for compound, r in result.items():
        v = np.asarray(r["signs"], dtype=float)
        v = v[np.isfinite(v)]
        if r["unit_signs"] and v.size and np.all(v == v[0]):
            what = ("every cell the same sign: no de-chopping (gamma A + C, as aihwkit 1.1.0) or all choppers equal; "
                    "the probe cannot tell the layouts apart")
        elif r["constant_down_columns"]:
            what = "de-chopped with each column's own chopper (as documented)"
        elif r["constant_on_flat_runs_of_d_size"]:
            what = ("NOT as documented: cell (d, x) is de-chopped with the chopper of column "
                    "floor((d * x_size + x) / d_size) (row-major weights read as column-major)")
        else:
            what = "neither the documented pattern nor the idx / d_size pattern"
        lines.append(f"{compound} gamma {GAMMA}: measured chopper signs (rows d, columns x) {r['signs']}: {what}")
    return "\n".join(lines)


def main() -> int:
    try:
        import aihwkit
    except ImportError:
        print("aihwkit is not installed here (make peer12 builds aihwkit 1.2.0 into .venv-peer12)")
        return 0
    print(f"aihwkit {aihwkit.__version__}")
    print(summary(check()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
