"""Replay: run any strategy against a recorded learning-curve table in simulated time.

The strategy's own Ray Tune searcher and scheduler objects make every decision; a simulated
controller stands in for Tune's execution, so a run takes milliseconds instead of hours.
Never imports bench.live: both write through bench.store.
"""

from bench.replay.engine import DEFAULT_WORKERS, check_specs, execute_replay

__all__ = ["execute_replay", "check_specs", "DEFAULT_WORKERS"]
