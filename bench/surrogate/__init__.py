"""A surrogate of whole learning curves over a workload's space, chosen by cross-validation.

Recorded configurations return their recorded curves exactly for their recorded seeds. Any other
(configuration, seed) gets a seed-mean curve (recorded, or modelled and calibrated onto the
recorded space sample) plus seed noise drawn from recorded seed residuals by a generator keyed by
(seed, configuration), bounded below the best recorded accuracy. See scripts/surrogate_fidelity.py
and scripts/replay_noise.py.
"""

from bench.surrogate._cache import SURROGATE_VERSION, cache_path, load_surrogate
from bench.surrogate._candidates import CANDIDATES, DEFAULT_MODEL
from bench.surrogate._evaluate import HeldOut, cross_validate, latency_cpu_s
from bench.surrogate._fidelity import fidelity, target_accuracy
from bench.surrogate._select import GOALS, LATENCY_BUDGET_S, best_ignoring_latency, choose_model, goals_met
from bench.surrogate._surrogate import CurvePrediction, Surrogate, fit_surrogate

__all__ = [
    "CANDIDATES",
    "DEFAULT_MODEL",
    "GOALS",
    "LATENCY_BUDGET_S",
    "SURROGATE_VERSION",
    "CurvePrediction",
    "HeldOut",
    "Surrogate",
    "best_ignoring_latency",
    "cache_path",
    "choose_model",
    "cross_validate",
    "fidelity",
    "fit_surrogate",
    "goals_met",
    "latency_cpu_s",
    "load_surrogate",
    "target_accuracy",
]
