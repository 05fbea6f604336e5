"""Training algorithms as step functions over explicit state (the paper's Alg. 2-4).

    algo = algorithms.rider(dev_p, dev_w, alpha, beta, eta, gamma)
    state = algo.init(W0, replicates=64)
    state, trace = algorithms.run(algo, objective, state, n_iter, rng)
"""

from .base import PULSE_MODES, Trace, analog_update, run
from .rider import Rider, TrainState, TwoStage, e_rider, residual_learning, rider
from .sgd import AnalogSGD, DigitalSGD
from .tiki_taka import BufferedTransfer, ColumnLayout, TikiTaka, TransferState, c_ttv2, column_layout, tiki_taka, tt_v2
from .agad import AGAD, agad
from .erider_paper import ERiderPaper, e_rider_paper, rider_paper

__all__ = [
    "PULSE_MODES", "Trace", "analog_update", "run",
    "Rider", "TrainState", "TwoStage", "rider", "e_rider", "residual_learning",
    "AnalogSGD", "DigitalSGD",
    "TikiTaka", "BufferedTransfer", "AGAD", "TransferState", "ColumnLayout", "column_layout",
    "tiki_taka", "tt_v2", "c_ttv2", "agad", "ERiderPaper", "e_rider_paper", "rider_paper",
]
