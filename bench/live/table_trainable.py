"""A live trial source that reports a recorded table instead of training.

Selected with the workload option `replay_table=<table folder>` (bench.live.trainable.train_trial
hands over to it). It reports exactly what replay reads for a configuration (the same
bench.store.curves book: a dataset's recorded or modelled curve for the run's seed, or a grid
table's nearest grid point) and checkpoints every epoch like the real trainable, so a real Tune
run and a replay of the same strategy can be compared decision by decision
(tests/replay/test_equivalence.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.store.curves import CurveBook, ModelBook
    from workloads.base import Workload

STATE_FILE = "state.json"


@lru_cache(maxsize=4)
def _book(table_path: str, workload_name: str, training_seed: int) -> CurveBook | ModelBook:
    import workloads
    from bench.store.curves import curve_book
    from bench.store.tables import load_table

    return curve_book(load_table(table_path), workloads.get(workload_name).space, training_seed)


class TableTrial:
    """The recorded epochs of `config`'s curve (bench.live.trainable.report_epochs runs the loop)."""

    def __init__(self, config: Mapping[str, Any], workload: Workload, table_path: str,
                 training_seed: int) -> None:
        self.hyperparameters = workload.space.normalise(config)
        self.curve = _book(str(table_path), workload.name, training_seed).curve_for(config)

    def restore(self, folder: str) -> dict:
        with open(os.path.join(folder, STATE_FILE), encoding="utf-8") as handle:
            return json.load(handle)

    def train_epoch(self, index: int) -> dict:
        curve = self.curve
        accuracy, val_loss, train_loss, compute_s, flops, diverged = (curve[index] if index < len(curve)
                                                                      else curve[-1])
        return {"val_accuracy": accuracy, "val_loss": val_loss, "train_loss": train_loss,
                "epoch_compute_s": compute_s, "train_flops": flops, "diverged": diverged}

    def save(self, folder: str, state: dict) -> None:
        with open(os.path.join(folder, STATE_FILE), "w", encoding="utf-8") as handle:
            json.dump(state, handle)
