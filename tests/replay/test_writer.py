"""Replay writes epochs.parquet column by column; it must read back as the live writer's file does."""

from __future__ import annotations

import pandas as pd

from bench.replay import execute_replay
from bench.store.results import EPOCHS, load_run, write_epochs, write_epochs_columnar


def test_columnar_epochs_read_back_like_the_live_writer(digits_table, replay_spec, tmp_path):
    spec = replay_spec(strategy="pbt")
    rows = load_run(execute_replay(spec, digits_table).folder).epochs.to_dict("records")
    names = spec.workload.space.names
    (tmp_path / "live").mkdir()
    (tmp_path / "replay").mkdir()
    write_epochs(tmp_path / "live", rows, names)
    write_epochs_columnar(tmp_path / "replay", rows, names)
    live, replay = (pd.read_parquet(tmp_path / kind / EPOCHS) for kind in ("live", "replay"))
    assert list(replay.columns) == list(live.columns)
    assert replay.dtypes.equals(live.dtypes)
    assert replay.equals(live)


def test_a_grid_table_replay_is_flagged_approximate_and_a_dataset_replay_is_not(tmp_path,
                                                                                 synthetic_table_path):
    """Sampling strategies replayed from a grid table train every sample as its nearest grid point:
    the report says so (naming them and the grid's size); the grid itself, and any dataset replay, not."""
    import bench
    import workloads
    from bench.reporting.caveats import grid_table_warnings

    runs = [bench.run(name, replay=synthetic_table_path, samples=8, budget_fraction=0.05,
                      out=tmp_path / "grid") for name in ("asha", "random", "grid")]
    (warning,) = grid_table_warnings(runs)
    size = workloads.get("digits").space.grid_size()
    assert warning.startswith("asha, random: replayed from the grid points of their table only")
    assert f"nearest of the {size} grid points" in warning
    shipped = [bench.run("asha", replay=True, samples=8, budget_fraction=0.05, out=tmp_path / "dataset")]
    assert grid_table_warnings(shipped) == []
