"""An example bench workload from outside bench: a small MLP on synthetic, noisy blobs.

This module only declares the workload (cheap to import: `bench list` imports it); the model
and the data live in `own_workload.model`, imported when a trial trains.
"""

from pathlib import Path

from workloads import Hyperparameter, SearchSpace, Workload

SPACE = SearchSpace((
    Hyperparameter("learning_rate", 1e-3, 1.0, log=True, integer=False, grid=(0.01, 0.3)),
    Hyperparameter("momentum", 0.0, 0.95, log=False, integer=False, grid=(0.0, 0.9)),
    Hyperparameter("weight_decay", 1e-5, 1e-1, log=True, integer=False, grid=(1e-4,)),
    Hyperparameter("batch_size", 8, 128, log=True, integer=True, grid=(16, 64)),
    Hyperparameter("hidden_units", 4, 64, log=True, integer=True, grid=(16,), mutable=False),
))


def make_trainer(config, ctx):
    """Build the trainer for one configuration (torch is imported only here)."""
    from own_workload.model import MLPTrainer

    return MLPTrainer(config, ctx)


BLOBS = Workload(
    name="blobs",
    version="1",
    summary="example plugin: an MLP on 600 noisy synthetic points in 3 classes, 6 epochs; CPU, milliseconds",
    space=SPACE,
    max_epochs=6,
    num_classes=3,
    make_trainer=make_trainer,
    max_cpu_threads=1,
    cost_axes=("batch_size", "hidden_units"),  # what an epoch's compute depends on (for `bench record`)
    # The grid's learning curves, recorded with `bench run --strategy grid --workload blobs
    # --until budget` and copied here: replay, the report's reference and --until target use it.
    reference_table=str(Path(__file__).parent / "reference" / "blobs-v1"),
)
