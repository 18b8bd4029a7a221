"""Unusable tables, strategies replay cannot run and unknown names: one line, exit 2, nothing written."""

from __future__ import annotations

import json
import shutil

import pytest

from bench.cli import main
from bench.errors import BenchError


@pytest.fixture
def table_copy(synthetic_table_path, tmp_path):
    copy = tmp_path / "tables" / "digits-v1"
    shutil.copytree(synthetic_table_path, copy)
    return copy


def run_cli(capsys, *argv) -> tuple[int, str]:
    code = main(["run", "--strategy", "asha", "--quiet", *argv])
    return code, capsys.readouterr().err


def assert_refused(capsys, out, *argv, mentions: str) -> None:
    code, err = run_cli(capsys, "--out", str(out), *argv)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and mentions in lines[0]
    assert not out.exists() or not any(out.iterdir())


def test_missing_table(capsys, tmp_path):
    assert_refused(capsys, tmp_path / "out", "--replay", str(tmp_path), mentions="not a learning-curve table")


def test_truncated_table(capsys, table_copy, tmp_path):
    import pandas as pd

    curves = table_copy / "curves.parquet"
    pd.read_parquet(curves).iloc[:-40].to_parquet(curves, index=False)
    assert_refused(capsys, tmp_path / "out", "--replay", str(table_copy), mentions="truncated or edited")


def test_table_of_another_workload_version(capsys, table_copy, tmp_path):
    meta_path = table_copy / "table.json"
    meta = json.loads(meta_path.read_text())
    meta["workload"]["version"] = "0"
    meta_path.write_text(json.dumps(meta))
    assert_refused(capsys, tmp_path / "out", "--replay", str(table_copy), mentions="re-record it")


def test_table_of_another_schema(capsys, table_copy, tmp_path):
    meta_path = table_copy / "table.json"
    meta = json.loads(meta_path.read_text())
    meta["schema_version"] = 99
    meta_path.write_text(json.dumps(meta))
    assert_refused(capsys, tmp_path / "out", "--replay", str(table_copy), mentions="schema version")


def test_unknown_table_name(capsys, tmp_path):
    assert_refused(capsys, tmp_path / "out", "--replay", "digits-v99", mentions="unknown table 'digits-v99'")


def test_replay_refuses_options_it_cannot_honour(capsys, synthetic_table_path, tmp_path):
    assert_refused(capsys, tmp_path / "out", "--replay", str(synthetic_table_path), "--address", "auto",
                   mentions="--address")
    assert_refused(capsys, tmp_path / "out", "--replay", str(synthetic_table_path), "--repeats", "2",
                   mentions="--repeats")


def test_strategy_replay_cannot_run_says_why(digits_table, replay_spec, tmp_path):
    """A real Ray Tune scheduler that moves resources between trials has nothing to act on in replay."""
    import dataclasses

    from ray.tune.schedulers.resource_changing_scheduler import ResourceChangingScheduler

    import strategies
    from bench.replay import execute_replay
    from bench.spec import RunSpec
    from strategies.base import Built, Component

    resources = Component(name="resources", summary="moves CPUs between trials", params=(),
                          build=lambda ctx, params: Built(scheduler=ResourceChangingScheduler()))
    base = strategies.resolve("random")
    spec = replay_spec(out=tmp_path / "out")
    composed = dataclasses.replace(base, name="random+resources", scheduler=resources)  # in no registry
    named = ("strategy_name", "strategy_params", "workload_name", "workload_version")  # what .of fills in
    others = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec) if f.name not in named}
    spec = RunSpec.of(composed, spec.workload, **others)
    with pytest.raises(BenchError, match="cannot run in replay: its scheduler "
                                         "ResourceChangingScheduler.*resources"):
        execute_replay(spec, digits_table)
    assert not (tmp_path / "out").exists()


def test_repeats_only_for_grid(capsys, tmp_path):
    code = main(["run", "--strategy", "asha", "--repeats", "2", "--out", str(tmp_path / "out")])
    assert code == 2 and "only a grid run" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.fixture
def dataset_copy(digits_table, tmp_path):
    """A copy of the shipped digits dataset (grid table, space sample, cost model)."""
    copy = tmp_path / "tables" / "digits-v2"
    shutil.copytree(digits_table.path, copy)
    return copy


def test_damaged_space_sample(capsys, dataset_copy, tmp_path):
    import pandas as pd

    sample = dataset_copy / "space.parquet"
    frame = pd.read_parquet(sample)
    frame.loc[0, "val_accuracy"] = 0.99
    frame.to_parquet(sample, index=False)
    assert_refused(capsys, tmp_path / "out", "--replay", str(dataset_copy),
                   mentions="space.parquet: checksum differs")


def test_missing_cost_model(capsys, dataset_copy, tmp_path):
    (dataset_copy / "cost.parquet").unlink()
    assert_refused(capsys, tmp_path / "out", "--replay", str(dataset_copy), mentions="cost.parquet: missing")


def test_dataset_whose_space_sample_does_not_match_its_metadata(capsys, dataset_copy, tmp_path):
    meta_path = dataset_copy / "table.json"
    meta = json.loads(meta_path.read_text())
    meta["space_sample"]["rows"] += 1
    meta_path.write_text(json.dumps(meta))
    assert_refused(capsys, tmp_path / "out", "--replay", str(dataset_copy), mentions="not the space sample")


def test_surrogate_cache_of_another_dataset_version(capsys, digits_table, tmp_path, monkeypatch):
    """A cache file at the dataset's cache path that was fitted on other data is refused, not used."""
    import pickle

    from bench.store.dataset import dataset_checksum
    from bench.surrogate import DEFAULT_MODEL, SURROGATE_VERSION, cache_path

    cache = tmp_path / "cache"
    path = cache_path(cache, dataset_checksum(digits_table))
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps({"checksum": "0" * 64, "version": SURROGATE_VERSION, "model": DEFAULT_MODEL,
                                   "surrogate": None}))
    monkeypatch.setenv("BENCH_CACHE_DIR", str(cache))
    from bench.store import curves

    monkeypatch.setattr(curves, "_SURROGATES", {})
    monkeypatch.setattr(curves, "_BOOKS", {})
    before = path.read_bytes()
    assert_refused(capsys, tmp_path / "out", "--replay", str(digits_table.path),
                   mentions="delete it to refit")
    assert path.read_bytes() == before


def test_table_of_another_workload_says_so(capsys, table_copy, tmp_path):
    """Not "recorded for cifar10 version 1, but the workload is now version 1": the names differ."""
    meta_path = table_copy / "table.json"
    meta = json.loads(meta_path.read_text())
    meta["workload"].update(name="cifar10", version="1")
    meta_path.write_text(json.dumps(meta))
    assert_refused(capsys, tmp_path / "out", "--replay", str(table_copy),
                   mentions="a table recorded for workload 'cifar10', not 'digits'; accepted: "
                            "a table of digits")


def test_table_metadata_missing_fields_are_named(capsys, table_copy, tmp_path):
    """Not a changed checksum of curves.parquet: the fields table.json lacks."""
    (table_copy / "table.json").write_text(json.dumps({"schema_version": 1}))
    assert_refused(capsys, tmp_path / "out", "--replay", str(table_copy),
                   mentions="missing workload, grid_size, repeats, rows, curves_sha256")


def test_replay_of_a_file_names_what_is_accepted(capsys, tmp_path):
    path = tmp_path / "afile"
    path.write_text("x")
    assert_refused(capsys, tmp_path / "out", "--replay", str(path),
                   mentions="not a folder, nor a table name; known:")
    assert path.read_text() == "x"
