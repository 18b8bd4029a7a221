"""The cost model of a recorded dataset as a function of the workload's cost axes
(bench.store.cost_fit.fit_cost_function, read back by bench.store.dataset.CostModel)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import workloads
from bench.store.cost_fit import fit_cost_function
from bench.store.dataset import CostModel

AXES = ("batch_size", "width")


def _seconds(batch_size: float, width: float) -> float:
    """exp of a quadratic in the axes on their search scales, scaled to [0, 1]: within the fit's degree."""
    from bench.store.cost_fit import axis_scales, scaled_axes

    u, v = scaled_axes(np.array([[batch_size, width]]), axis_scales(workloads.get("digits").space, AXES))[0]
    return 0.02 * math.exp(-0.7 * u + 1.5 * v + 0.4 * u * v - 0.3 * v ** 2)


def _frame(shapes: list[tuple[int, int]], noise: float = 0.0, seed: int = 0) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    rows = []
    for config_id, (batch_size, width) in enumerate(shapes):
        for epoch in (1, 2):
            seconds = _seconds(batch_size, width) * (1 + noise * generator.standard_normal())
            rows.append({"config_id": config_id, "seed": 0, "batch_size": batch_size, "width": width,
                         "epoch": epoch, "epoch_compute_s": seconds, "train_flops": 1e6 * batch_size})
    return pd.DataFrame(rows)


def _model(frame: pd.DataFrame) -> CostModel:
    space = workloads.get("digits").space
    shapes, function = fit_cost_function(frame, space, AXES)
    keys = [tuple(float(v) for v in row) for row in shapes[list(AXES)].itertuples(index=False)]
    return CostModel("test", "0", dict(zip(keys, shapes["epoch_cost_s"], strict=True)),
                     dict(zip(keys, shapes["epoch_train_flops"], strict=True)), axes=AXES,
                     function={**function, "coefficients": {k: np.asarray(v)
                                                            for k, v in function["coefficients"].items()}})


RECORDED = [(8, 4), (8, 16), (8, 32), (32, 4), (32, 16), (32, 32), (128, 4), (128, 16), (128, 32),
            (16, 8), (64, 24), (24, 12)]


def test_recorded_shapes_cost_their_median_and_others_the_fit():
    model = _model(_frame(RECORDED))
    for batch_size, width in RECORDED:
        assert model.epoch_cost_s({"batch_size": batch_size, "width": width}) == pytest.approx(
            _seconds(batch_size, width), rel=1e-12)
    # an unrecorded shape: the polynomial in log space is exact for a log-linear cost
    for batch_size, width in ((12, 6), (100, 30), (48, 20)):
        value = model.epoch_cost_s({"batch_size": batch_size, "width": width, "learning_rate": 0.1})
        assert value == pytest.approx(_seconds(batch_size, width), rel=1e-6)
        assert math.isfinite(model.epoch_flops({"batch_size": batch_size, "width": width}))


def test_the_fit_does_not_depend_on_the_order_of_the_recordings():
    frame = _frame(RECORDED, noise=0.05)
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    a, b = fit_cost_function(frame, workloads.get("digits").space, AXES), \
        fit_cost_function(shuffled, workloads.get("digits").space, AXES)
    pd.testing.assert_frame_equal(a[0], b[0])
    assert a[1] == b[1]


def test_a_recorded_dataset_of_a_workload_with_cost_axes_holds_a_cost_function(tmp_path):
    """write_dataset stores the function for the workload's declared axes; table.json describes it."""
    import json

    from bench.recording.plan import make_plan, plan_jobs
    from bench.store.dataset import read_cost_model
    from bench.store.dataset_recording import write_dataset

    workload = workloads.get("digits")
    plan = make_plan(workload, 2, 1)
    jobs = plan_jobs(plan, workload)
    done = {}
    for job in jobs:  # made-up curves with the cost above: no training needed to test the writing
        seconds = _seconds(job["config"]["batch_size"], job["config"]["width"])
        done[(job["config_id"], job["seed"])] = {"rows": [[e, 0.5, 1.0, 1.0, seconds, 1e6, False]
                                                           for e in range(1, workload.max_epochs + 1)]}
    folder = write_dataset(tmp_path / "d", workload, jobs, done, plan=plan.as_dict(), command=["test"],
                           wall_s=0.0)
    entry = json.loads((folder / "table.json").read_text())["cost_model"]
    assert entry["form"] == "function" and [a["name"] for a in entry["axes"]] == list(AXES)
    model = read_cost_model(folder, json.loads((folder / "table.json").read_text()))
    point = next(iter(workload.space.grid_points()))
    assert model.epoch_cost_s(point) == pytest.approx(_seconds(point["batch_size"], point["width"]))
    assert "batch size and width" in model.record()["meaning"]


def test_a_recording_on_mixed_hardware_gets_no_cost_model_and_says_why(tmp_path):
    import json

    from bench.recording.plan import make_plan, plan_jobs
    from bench.store.dataset_recording import write_dataset

    workload = workloads.get("digits")
    plan = make_plan(workload, 2, 1)
    jobs = plan_jobs(plan, workload)
    done = {(job["config_id"], job["seed"]): {
        "rows": [[e, 0.5, 1.0, 1.0, 0.1, 1e6, False] for e in range(1, workload.max_epochs + 1)],
        "hardware_fingerprint": "cpu A" if index % 2 else "cpu B"} for index, job in enumerate(jobs)}
    folder = write_dataset(tmp_path / "d", workload, jobs, done, plan=plan.as_dict(), command=["test"],
                           wall_s=0.0)
    meta = json.loads((folder / "table.json").read_text())
    assert "cost_model" not in meta and meta["mixed_hardware"]["fingerprints"] == ["cpu A", "cpu B"]
