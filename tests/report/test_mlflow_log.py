"""`bench run --mlflow`: runs logged to a real local MLflow store and read back with MLflow's client."""

from __future__ import annotations

import sys

import pytest

from bench.cli import main
from bench.errors import BenchError
from bench.reporting.mlflow_log import tracking_uri

REPLAY = ["run", "--replay", "--strategy", "asha", "--samples", "12", "--budget-epochs", "120", "--quiet"]


def test_without_mlflow_the_option_says_how_to_install_it_before_anything_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mlflow", None)  # `import mlflow` raises ImportError
    code = main([*REPLAY, "--out", str(tmp_path / "out"), "--mlflow", str(tmp_path / "store")])
    assert code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        'error: --mlflow needs MLflow, which is not installed: pip install -e ".[mlflow]" '
        '(or pip install "mlflow-skinny>=3" sqlalchemy alembic)']
    assert not (tmp_path / "out").exists() and not (tmp_path / "store").exists()


def test_a_folder_is_an_sqlite_store_inside_it_and_a_uri_is_kept(tmp_path):
    assert tracking_uri(str(tmp_path / "store")) == f"sqlite:///{tmp_path / 'store' / 'mlflow.db'}"
    assert not (tmp_path / "store").exists()  # made when a run is logged: bad input writes nothing
    assert tracking_uri("http://localhost:5000") == "http://localhost:5000"
    (tmp_path / "file").write_text("")
    with pytest.raises(BenchError, match="not a folder nor a tracking URI"):
        tracking_uri(str(tmp_path / "file"))


def test_each_run_is_a_parent_run_with_one_child_run_per_trial(tmp_path, capsys):
    pytest.importorskip("mlflow", reason="the mlflow extra is not installed")
    import pandas as pd
    from mlflow.tracking import MlflowClient

    from bench.store.results import read_manifest

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert main([*REPLAY, "--seeds", "2", "--target", "0.85", "--out", str(tmp_path / "out"), "--mlflow",
                 uri]) == 0
    assert capsys.readouterr().out.count("  mlflow             run ") == 2
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("bench-digits")
    for folder in sorted(p for p in (tmp_path / "out").iterdir() if p.is_dir()):
        manifest = read_manifest(folder)
        epochs = pd.read_parquet(folder / "epochs.parquet")
        (parent,) = client.search_runs([experiment.experiment_id],
                                       filter_string=f"tags.`bench.run_id` = '{manifest['run_id']}'")
        params, metrics = parent.data.params, parent.data.metrics
        assert (params["strategy"], params["workload"], params["seed"], params["budget"],
                params["target"]) == (
            "asha", "digits", str(manifest["seed"]), "120.0 epochs", "0.85")
        assert metrics["compute_epochs"] == len(epochs) and metrics["target"] == 0.85
        assert metrics["best_val_accuracy"] == pytest.approx(epochs["val_accuracy"].max())
        assert "compute_to_target_normalised" in metrics and "compute_to_target_seconds" in metrics
        assert [a.path for a in client.list_artifacts(parent.info.run_id)] == ["manifest.json"]
        children = client.search_runs([experiment.experiment_id],
                                      filter_string=f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
        assert sorted(c.info.run_name for c in children) == sorted(epochs["trial_id"].unique())
        child = children[0]
        rows = epochs[epochs["trial_id"] == child.info.run_name].sort_values("epoch")
        assert float(child.data.params["learning_rate"]) == pytest.approx(rows["learning_rate"].iloc[0])
        history = sorted((m.step, m.value)
                         for m in client.get_metric_history(child.info.run_id, "val_accuracy"))
        assert history == list(zip(rows["epoch"], rows["val_accuracy"], strict=False))
