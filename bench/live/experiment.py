"""The Ray Tune objects of a live run: the trainable with its resources, and a new or restored Tuner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench.live.callbacks import JournalCallback, LedgerStopper
from strategies import METRIC, MODE

if TYPE_CHECKING:
    from pathlib import Path

    from ray.tune import Tuner

    from bench.spec import RunSpec
    from bench.store.ledger import RunLedger
    from strategies.base import Built


def make_trainable(spec: RunSpec, resources: dict) -> Any:
    """bench.live.trainable.train_trial with the run's fixed arguments and per-trial resources."""
    from ray import tune

    from bench.live.trainable import train_trial

    return tune.with_resources(
        tune.with_parameters(
            train_trial, workload_name=spec.workload.name, workload_options=dict(spec.workload_options),
            training_seed=spec.seed, cpu_threads=spec.workload.cpu_threads(resources["cpu"]),
            device_share=resources.get("gpu", 1.0),
        ),
        resources,
    )


def make_tuner(spec: RunSpec, built: Built, slots: int, folder: Path, ledger: RunLedger, trainable: Any,
               restore_from: Path | str | None = None) -> Tuner:
    """A Tuner for the strategy's objects writing under `folder/ray`,
    or Tune's saved one from `restore_from`."""
    from ray import tune

    if restore_from is not None:
        return tune.Tuner.restore(str(restore_from), trainable=trainable, resume_unfinished=True,
                                  resume_errored=False)
    return tune.Tuner(
        trainable,
        param_space=built.param_space,
        tune_config=tune.TuneConfig(
            metric=METRIC, mode=MODE, search_alg=built.search_alg, scheduler=built.scheduler,
            num_samples=built.num_samples,  # type: ignore[arg-type]  # resolved by the strategy's build
            max_concurrent_trials=slots, reuse_actors=True,
        ),
        run_config=tune.RunConfig(
            name="tune", storage_path=str(folder / "ray"), stop=LedgerStopper(ledger),
            callbacks=[JournalCallback(ledger)], verbose=0,
            checkpoint_config=tune.CheckpointConfig(num_to_keep=4),
            failure_config=tune.FailureConfig(max_failures=spec.max_failures),
        ),
    )
