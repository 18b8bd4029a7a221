"""Recording a learning-curve dataset for any workload: `bench record` and `bench.record`.

- plan: which (configuration, training seed) pairs a recording trains (the grid, K+1 seeds, and a
  scrambled Sobol sample of the space, K seeds), fixed by the workload and the options alone.
- execute: each pair is one Ray task through the workload's own trainer (locally or on a cluster),
  its epochs timed as a live trial times them; progress is appended pair by pair, so the same
  command after a kill continues where it stopped. The dataset is written by
  bench.store.dataset_recording in the format replay reads.
"""
