"""The strategies x seeds matrix, executed N runs at a time, locally or on a Ray cluster, resumably.

- Replay (`bench compare`, `bench nightly`): N local worker processes (`bench.matrix.local`),
  each loading the table once, or, with `--address`, one Ray task per run
  (`bench.matrix.ray_tasks`). Either way a run executes into a private temporary folder and
  its files come back to the driver as bytes, which writes them into `--out`
  (`bench.matrix.folders`): no shared file system is needed between Ray nodes, and a replay
  folder appears in `--out` whole or not at all.
- Live: N `bench` driver subprocesses, each running one live run with its own `--workers`
  trials and 1/N of the cluster's CPUs and GPUs, all joined to one Ray cluster
  (`bench.matrix.live_drivers`).
- Resume: a run's folder is named by a hash of what decides its results
  (`bench.matrix.plan.RunRecipe.run_name`), so the same matrix into the same `--out` finds it;
  a folder whose manifest says complete and whose `epochs.parquet` matches the manifest's
  checksum is skipped, any other is redone.
- A run that raises, whose worker process dies or whose Ray task fails is a recorded failure
  (`OUT/matrix.jsonl`, one flat record per run); the matrix goes on.
"""

from bench.matrix.executor import MatrixResult, run_matrix
from bench.matrix.options import MatrixOptions, add_matrix_arguments, parallel_count
from bench.matrix.plan import MatrixRunSpec, RunRecipe

__all__ = ["run_matrix", "MatrixResult", "MatrixOptions", "add_matrix_arguments", "parallel_count",
           "RunRecipe", "MatrixRunSpec"]
