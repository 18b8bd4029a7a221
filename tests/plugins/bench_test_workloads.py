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
    "weight_decay": Hyperparameter("weight_decay", 1e-2, 1e-1, log=True, integer=False,
                                   grid=(1e-2, 3e-2, 1e-1)),
}

EXPLODING = dataclasses.replace(
    DIGITS, name="exploding", version="test", summary="digits with learning rates of 1e3 to 1e4 (tests only)",
    space=SearchSpace(tuple(_replaced.get(hp.name, hp) for hp in DIGITS.space)),
)


#: `barrier`: the digits trainer, but a trial's first epoch waits until `BARRIER_TRIALS` trials have
#: started one (each leaves a file in $BENCH_TEST_BARRIER_DIR), so that many train at the same
#: time: on nodes of one CPU each, every node trains. It waits on files, not on a clock; the
#: timeout only keeps a broken placement from hanging the test (it then fails on its assertions).
BARRIER_ENV = "BENCH_TEST_BARRIER_DIR"
BARRIER_TRIALS = 2
BARRIER_TIMEOUT_S = 180


class _BarrierTrainer:
    def __init__(self, trainer):
        self._trainer = trainer
        self._waited = False

    def __getattr__(self, name):
        return getattr(self._trainer, name)

    def train_epoch(self, *args, **kwargs):
        if not self._waited:
            import os
            import time
            import uuid
            from pathlib import Path

            folder = Path(os.environ[BARRIER_ENV])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{os.getpid()}-{uuid.uuid4().hex}").touch()
            deadline = time.monotonic() + BARRIER_TIMEOUT_S
            while len(list(folder.iterdir())) < BARRIER_TRIALS and time.monotonic() < deadline:
                time.sleep(0.05)
            self._waited = True
        return self._trainer.train_epoch(*args, **kwargs)


def _barrier_trainer(config, context):
    return _BarrierTrainer(DIGITS.make_trainer(config, context))


BARRIER = dataclasses.replace(
    DIGITS, name="barrier", version="test", summary="digits whose first trials start together (tests only)",
    make_trainer=_barrier_trainer,
)


#: `short`: digits trained for 9 epochs instead of 27, for schedulers whose brackets and rungs come
#: from max_epochs (Hyperband's max_t): the same kind of decisions (pauses at rungs, resumes) in
#: fewer, shorter brackets (3 of them at max_t 9; 4 at digits' 27).
SHORT = dataclasses.replace(DIGITS, name="short", version="test", summary="digits for 9 epochs (tests only)",
                            max_epochs=9)


#: `tiny`: the digits trainer on a 2-point grid (learning rate 0.1 or 1; the rest one value) for
#: 2 epochs, so a test can record a whole grid live in seconds.
TINY = dataclasses.replace(
    DIGITS, name="tiny", version="test", summary="digits on a 2-point grid, 2 epochs (tests only)",
    max_epochs=2, space=SearchSpace(tuple(
        dataclasses.replace(hp, grid=(0.1, 1.0) if hp.name == "learning_rate" else (hp.grid[1],))
        for hp in DIGITS.space
    )),
)


#: `nogrid`: tiny with no grid values for momentum (a workload `bench record` must refuse).
NOGRID = dataclasses.replace(
    TINY, name="nogrid", summary="tiny without momentum grid values (tests only)",
    space=SearchSpace(tuple(dataclasses.replace(hp, grid=()) if hp.name == "momentum" else hp
                            for hp in TINY.space)),
)


def _needs_data(options):
    from pathlib import Path

    from bench.errors import BenchError

    folder = options.get("data_dir")
    if not folder or not (Path(folder) / "ready").exists():
        raise BenchError(f"no data in {folder} (tests only: a file named ready)")


#: `needsdata`: tiny whose data must be in --data-dir (a file `ready`) on every node that trains it.
NEEDSDATA = dataclasses.replace(TINY, name="needsdata", summary="tiny that needs a data folder (tests only)",
                                check_ready=_needs_data)
