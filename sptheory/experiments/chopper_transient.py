"""The wrong-sign read of c-TTv2 after a chopper flip, and AGAD's reference reset, on the digits MLP.

c-TTv2 (Rasch et al. 2024; aihwkit's ChoppedTransferCompound) writes ``-alpha c g`` to the fast
array A and moves ``lr_t c (A_col - r_col)`` into the buffer H at each read of a column, with
``c`` the column's chopper sign at the read.  A is never reset, so after a column's chopper flips
A still holds what it accumulated under the old sign, and the read multiplies that content by
the new sign: it enters H with the wrong sign until the device's response has worn it away.
aihwkit 1.1.0 does the same (``rpu_chopped_transfer_device.cpp``, ``readAndUpdate``: the read is
signed with the chopper as it stands, the chopper is redrawn after the read, A is not touched).

Size.  Each step changes A by the gradient request ``dW = -alpha c g`` through the response,
``dW F(A) - |dW| G(A) + noise`` (eq. (2)); only the signed part ``dW F(A)`` carries the chopper
sign, the rest is the drift the chopper is there to modulate.  Split the signed parts of every
cell by the chopper sign under which they arrived, ``S_+`` and ``S_-`` (running sums; what the
drift wears away of them is booked with the drift).  A read with sign ``c`` puts
``lr_t c (A - r)`` into H, of which ``c S_-c`` is gradient content that arrived under the other
sign: the wrong-sign part.  :func:`simulate` reports, over every read of every cell, the share
``sum |S_-c| / sum (|S_c| + |S_-c|)`` of the signed content that is wrong-signed and the fraction
of reads where ``|S_-c| > |S_c|``.  Running sums overstate what a saturating array still holds
(on HfO2, about 4 states, ``sum |S_-c|`` exceeds ``sum |A - r|``), so these shares are an upper
reading of the transient.  Its effect on accuracy is measured against the same run (same seeds,
same draws) in which each flipping column of A is reset to ``r`` right after the flipping read
(``mode="reset"``, an ideal reprogramming: A then holds only content of the new sign); the
difference bounds what removing the transient can gain.

AGAD (aihwkit's DynamicTransferCompound) subtracts the running mean ``M`` of the reads, frozen
into ``Pref`` at each flip, so the old-sign content of A is removed up to the lag of that mean;
:func:`simulate` reports, per flip, ``|v - M| / |v - Pref_old|`` at the flipping read (the
share of the content left after the reset).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import pulses
from ..algorithms.base import analog_update
from ..algorithms.tiki_taka import (
    BufferedTransfer, broadcast_reference, buffer_pulses, chopper_flips, granularity, layout_for, read,
    write_columns,
)
from . import network

__all__ = ["READS", "step_tracked", "simulate"]

#: c-TTv2 as implemented and as aihwkit does ("chopped"), or with each flipping column of A reset to the
#: reference right after its flipping read ("reset": no old-sign content).
READS = ("chopped", "reset")


def step_tracked(algo: BufferedTransfer, state, S, objective, rng, mode: str = "chopped"):
    """One step of c-TTv2 (``algo``, a chopped :class:`BufferedTransfer`) that also keeps ``S = (S_+, S_-)``.

    Returns ``(state, S, wrong, right, whole)``: ``|S_-c|``, ``|S_c|`` and ``|A - r|`` on the cells
    read this step (empty arrays when no transfer happened).  ``mode="chopped"`` is
    :meth:`BufferedTransfer.step` (same arithmetic, same draws); ``"reset"`` also sets the flipping
    columns of A (read value and hidden weight) to ``r`` clipped into A's bounds, and their ``S`` to 0."""
    if not isinstance(algo, BufferedTransfer) or not algo.chopped:
        raise TypeError(f"algo must be a chopped BufferedTransfer (c_ttv2), got {algo!r}")
    if mode not in READS:
        raise ValueError(f"mode must be one of {READS}, got {mode!r}")
    layout = layout_for(algo, state, objective)
    g = objective.grad(algo.forward_weights(state), rng)
    chop = state.chop
    dW = (-algo.alpha * chop) * g
    res_a = analog_update(algo.dev_a, state.A, dW, rng, algo.pulse_mode, algo.c2c_fast)
    A, C, H = res_a.w, state.C, state.H
    signed = dW * algo.dev_a.F(pulses.hidden_weights(state.A))
    S_p, S_m = S
    S_p, S_m = S_p + np.where(chop > 0, signed, 0.0), S_m + np.where(chop > 0, 0.0, signed)
    pulses_w, reads, t = state.pulses_w, state.reads, state.transfers
    wrong = right = whole = np.empty(0)
    if (state.cycles + 1) % algo.transfer_every == 0:
        cells = layout.cells(t)
        ref = broadcast_reference(algo.reference, A.shape)
        v = read(A, cells, ref, algo.read_noise, rng)
        c = chop[:, cells]
        other = np.where(c > 0, S_m[:, cells], S_p[:, cells])
        wrong, right, whole = np.abs(other), np.abs(np.where(c > 0, S_p[:, cells], S_m[:, cells])), np.abs(v)
        signal = c * v
        dw = granularity(algo.dev_c, A.shape, cells)
        n, h = buffer_pulses(H[:, cells] + algo.transfer_lr * signal, algo.thres_scale * dw,
                             algo.max_pulses, algo.momentum, algo.forget_buffer)
        H = H.copy()
        H[:, cells] = h
        if np.any(n != 0.0):
            C, fired = write_columns(algo.dev_c, C, cells, n * dw, rng, algo.pulse_mode, algo.c2c_slow)
            pulses_w = pulses_w + fired
        if algo.in_chop_prob > 0.0:
            flip = chopper_flips(algo, layout, t, rng, A.shape[0])
            chop = chop.copy()
            chop[:, cells] = np.where(flip, -chop[:, cells], chop[:, cells])
            if mode == "reset" and np.any(flip):
                A, S_p, S_m = _reset(algo.dev_a, A, ref, cells, flip, S_p, S_m)
        reads = reads + cells.size / layout.D
        t += 1
    state = state._replace(A=A, C=C, H=H, chop=chop, layout=layout, transfers=t,
                           pulses_p=state.pulses_p + res_a.n_pulses.mean(axis=-1),
                           pulses_w=pulses_w, reads=reads, cycles=state.cycles + 1)
    return state, (S_p, S_m), wrong, right, whole


def _reset(dev, A, ref, cells, flip, S_p, S_m):
    """A's read cells where ``flip`` set to ``ref`` (clipped into the device's bounds), their sums to 0."""
    mask = np.zeros(A.shape, dtype=bool)
    mask[:, cells] = flip
    target = np.clip(np.broadcast_to(ref, A.shape), dev.lower, dev.upper)
    A = pulses.ReadOut(np.where(mask, target, np.asarray(A)), np.where(mask, target, pulses.hidden_weights(A)))
    return A, np.where(mask, 0.0, S_p), np.where(mask, 0.0, S_m)


def _start(setting, name, hp, net, seed):
    nd = network._devices(setting, net, seed)
    if not setting.write_noise:
        nd = nd._replace(c2c_fast=0.0, c2c_slow=0.0)
    algo = network.make_algorithm(name, hp, nd, setting.pulse_mode)
    rng = np.random.Generator(np.random.PCG64(seed))
    return algo, algo.init(net.init_weights(rng, replicates=1)), rng


def simulate(setting=None, seeds=(0, 1, 2), epochs=None, ctt_hp=None, agad_hp=None) -> dict:
    """c-TTv2 with and without the wrong-sign read, and AGAD's reset residual, per seed.

    ``setting`` a :class:`network.NetworkSetting` (default ``network.SETTINGS["hfo2"]``), ``epochs``
    overrides its budget, ``ctt_hp``/``agad_hp`` the hyperparameters (default: the stored nominal
    choices, ``network.nominal_hyperparameters``).  Seed ``s`` draws the devices, the initial
    weights and the minibatches as :func:`network.train` does (the chopped run is that run).

    Returns per seed ``acc`` (test accuracy, chopped and reset), ``wrong_share``
    (sum |S_-c| / sum (|S_c| + |S_-c|) over all reads), ``wrong_of_read`` (sum |S_-c| / sum |A - r|),
    ``wrong_dominant`` (fraction of reads with |S_-c| > |S_c|), ``flips`` (chopper flips per cell
    over the run), and for AGAD ``agad_acc``, ``agad_flips`` (per cell) and ``agad_residual`` (median over flipping reads and cells of
    |v - Pref_new| / |v - Pref_old|, ``v`` the flipping read)."""
    setting = network.SETTINGS["hfo2"] if setting is None else setting
    if epochs is not None:
        setting = dataclasses.replace(setting, epochs=int(epochs))
    ctt_hp = network.nominal_hyperparameters("c-TTv2") if ctt_hp is None else dict(ctt_hp)
    agad_hp = network.nominal_hyperparameters("AGAD") if agad_hp is None else dict(agad_hp)
    splits, net = network._problem(setting)
    X, y = splits.test
    K = setting.epochs * net.steps_per_epoch
    out = dict(setting=setting.name, epochs=setting.epochs, steps=K, seeds=list(seeds), ctt_hp=ctt_hp,
               agad_hp=agad_hp, acc={m: [] for m in READS}, wrong_share=[], wrong_of_read=[],
               wrong_dominant=[], flips=[], agad_acc=[], agad_flips=[], agad_residual=[])
    for seed in seeds:
        for mode in READS:
            algo, state, rng = _start(setting, "c-TTv2", ctt_hp, net, int(seed))
            S = (np.zeros(state.A.shape), np.zeros(state.A.shape))
            w_sum = r_sum = a_sum = 0.0
            dominant, n_reads, flips = 0, 0, 0
            for _ in range(K):
                c_before = state.chop
                state, S, wrong, right, whole = step_tracked(algo, state, S, net, rng, mode)
                w_sum, r_sum, a_sum = w_sum + wrong.sum(), r_sum + right.sum(), a_sum + whole.sum()
                dominant, n_reads = dominant + int(np.sum(wrong > right)), n_reads + wrong.size
                flips += int(np.sum(state.chop != c_before))
            out["acc"][mode].append(float(net.accuracy(algo.forward_weights(state), X, y)[0]))
            if mode == "chopped":
                out["wrong_share"].append(float(w_sum / (w_sum + r_sum)))
                out["wrong_of_read"].append(float(w_sum / a_sum))
                out["wrong_dominant"].append(dominant / n_reads)
                out["flips"].append(flips / state.A.shape[-1])
        algo, state, rng = _start(setting, "AGAD", agad_hp, net, int(seed))
        ratios, flips = [], 0
        for _ in range(K):
            before = state
            state = algo.step(state, net, rng)
            changed = state.chop != before.chop
            if changed.any():
                flips += int(changed.sum())
                v = np.asarray(state.A)[changed]
                old = before.Pref[changed]
                new = state.Pref[changed]
                keep = np.abs(v - old) > 0
                ratios.append(np.abs(v - new)[keep] / np.abs(v - old)[keep])
        out["agad_acc"].append(float(net.accuracy(algo.forward_weights(state), X, y)[0]))
        out["agad_flips"].append(flips / state.A.shape[-1])
        out["agad_residual"].append(float(np.median(np.concatenate(ratios))) if ratios else float("nan"))
    return out

