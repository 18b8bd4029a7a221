"""Workloads only the tests register (through BENCH_WORKLOADS), for behaviour digits never shows.

`exploding` is the real digits trainer with learning rates up to 1e4: its large-rate grid
points really produce non-finite losses, which is how a diverging trial looks to bench.
"""

import dataclasses

from workloads.digits import DIGITS
from workloads.space import Hyperparameter, SearchSpace

_space = list(DIGITS.space.hyperparameters)
_space[0] = Hyperparameter("learning_rate", 1.0, 1e4, log=True, integer=False, grid=(1.0, 100.0, 1e4))

EXPLODING = dataclasses.replace(
    DIGITS, name="exploding", version="test", summary="digits with learning rates up to 1e4 (tests only)",
    space=SearchSpace(tuple(_space)),
)
