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
