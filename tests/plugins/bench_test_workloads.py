"""Workloads only the tests register (through BENCH_WORKLOADS), for behaviour digits never shows.

`exploding` is the real digits trainer with learning rates of 1e3 to 1e4, momentum of 0.9 and
up and strong weight decay, which really produce non-finite losses in the first epoch: that is
how a diverging trial looks to bench.
"""

import dataclasses

from workloads.digits import DIGITS
from workloads.space import Hyperparameter, SearchSpace

_replaced = {
    "learning_rate": Hyperparameter("learning_rate", 1e3, 1e4, log=True, integer=False, grid=(1e3, 3e3, 1e4)),
    "momentum": Hyperparameter("momentum", 0.9, 0.95, log=False, integer=False, grid=(0.9, 0.92, 0.95)),
    "weight_decay": Hyperparameter("weight_decay", 1e-2, 1e-1, log=True, integer=False, grid=(1e-2, 3e-2, 1e-1)),
}

EXPLODING = dataclasses.replace(
    DIGITS, name="exploding", version="test", summary="digits with learning rates of 1e3 to 1e4 (tests only)",
    space=SearchSpace(tuple(_replaced.get(hp.name, hp) for hp in DIGITS.space)),
)
