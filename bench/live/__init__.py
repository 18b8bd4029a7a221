"""Live runs: one strategy trained for real through Ray Tune (bench.live.runner.execute), with
resume, fault handling and cluster placement. Never imports bench.replay."""
