"""A surrogate of whole learning curves over a workload's space, chosen by cross-validation.

Recorded configurations return their recorded curves exactly for their recorded seeds. Any other
(configuration, seed) gets a seed-mean curve (recorded, or modelled and calibrated onto the
recorded space sample) plus seed noise drawn from recorded seed residuals by a generator keyed by
(seed, configuration), bounded below the best recorded accuracy. See scripts/surrogate_fidelity.py
and scripts/replay_noise.py.
"""

from bench.surrogate._cache import SURROGATE_VERSION, cache_path, load_surrogate
from bench.surrogate._candidates import CANDIDATES, DEFAULT_MODEL
from bench.surrogate._check import CHECK_FILE, DatasetCheck, check_dataset, read_check
from bench.surrogate._competitive import CompetitiveFidelity, competitive_fidelity, competitive_table
from bench.surrogate._evaluate import (
    HeldOut,
    NestedHeldOut,
    cross_validate,
    forward_cpu_s,
    latency_cpu_s,
    nested_cross_validate,
)
from bench.surrogate._fidelity import fidelity, target_accuracy
from bench.surrogate._select import (
    GOALS,
    LATENCY_BUDGET_S,
    best_ignoring_latency,
    choose_competitive,
    choose_model,
    goals_met,
)
from bench.surrogate._surrogate import CurvePrediction, Surrogate, fit_surrogate

__all__ = [
    "CANDIDATES",
    "CHECK_FILE",
    "DatasetCheck",
    "check_dataset",
    "read_check",
    "CompetitiveFidelity",
    "DEFAULT_MODEL",
    "GOALS",
    "LATENCY_BUDGET_S",
    "SURROGATE_VERSION",
    "CurvePrediction",
    "HeldOut",
    "NestedHeldOut",
    "Surrogate",
    "best_ignoring_latency",
    "cache_path",
    "choose_competitive",
    "choose_model",
    "competitive_fidelity",
    "competitive_table",
    "cross_validate",
    "fidelity",
    "fit_surrogate",
    "forward_cpu_s",
    "goals_met",
    "latency_cpu_s",
    "load_surrogate",
    "nested_cross_validate",
    "target_accuracy",
]
