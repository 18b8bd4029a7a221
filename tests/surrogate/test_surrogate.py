"""The learning-curve surrogate on a synthetic frame whose truth is known (see conftest.py)."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest

from bench.errors import BenchError
from bench.surrogate import (
    CANDIDATES,
    SURROGATE_VERSION,
    cache_path,
    cross_validate,
    fidelity,
    fit_surrogate,
    load_surrogate,
    target_accuracy,
)
from bench.surrogate._fidelity import filled
from tests.surrogate.conftest import MAX_EPOCHS, diverges, unit_to_config


def recorded(frame, config_id, seed):
    rows = frame[(frame.config_id == config_id) & (frame.seed == seed)].sort_values("epoch")
    return rows, dict(rows.iloc[0])


def test_recorded_configurations_return_their_recorded_curves_exactly(small_frame, small_surrogate):
    for (config_id, seed), rows in small_frame.groupby(["config_id", "seed"]):
        curve = small_surrogate.curve(dict(rows.iloc[0]), int(seed))
        for name in ("val_accuracy", "val_loss", "train_loss", "diverged"):
            np.testing.assert_array_equal(getattr(curve, name), rows[name].to_numpy(),
                                          err_msg=f"{config_id} {name}")


def test_an_unrecorded_seed_of_a_recorded_configuration_is_keyed_noise_around_its_recorded_mean(
        small_frame, small_surrogate, space):
    for config_id in (0, 20):
        rows, config = recorded(small_frame, config_id, 0)
        # Another key order, a float batch size and an extra key are the same configuration.
        reordered = {"extra": 1, **{name: config[name] for name in reversed(space.names)}}
        reordered["batch_size"] = float(reordered["batch_size"])
        curve = small_surrogate.curve(reordered, 7)
        np.testing.assert_array_equal(curve.val_accuracy, small_surrogate.curve(config, 7).val_accuracy)
        seeds = [recorded(small_frame, config_id, s)[0]["val_accuracy"].to_numpy() for s in (0, 1)]
        assert not any(np.array_equal(curve.val_accuracy, s) for s in seeds)
        mean = small_surrogate.mean_curve(config).val_accuracy
        assert np.max(np.abs(curve.val_accuracy - mean)) < 0.1


def extreme_and_random_configs(space, count=40):
    corners = [unit_to_config(space, unit) for unit in itertools.product([0.0, 1.0], repeat=5)]
    rng = np.random.default_rng(1)
    return corners + [unit_to_config(space, unit) for unit in rng.random((count, 5))]


def test_modelled_curves_stay_plausible_across_the_space(small_surrogate, space):
    for config in extreme_and_random_configs(space):
        for seed in range(4):
            curve = small_surrogate.curve(config, seed)
            length = len(curve.val_accuracy)
            assert all(len(values) == length for values in curve)
            assert np.all((curve.val_accuracy >= 0) & (curve.val_accuracy <= 1)), config
            if curve.diverged[-1]:
                assert length < MAX_EPOCHS and not curve.diverged[:-1].any()
            else:
                assert length == MAX_EPOCHS and not curve.diverged.any()
                assert np.all(np.isfinite(curve.val_loss) & (curve.val_loss >= 0))
                assert np.all(np.isfinite(curve.train_loss) & (curve.train_loss >= 0))


def test_seeds_of_an_unrecorded_configuration_differ(small_surrogate, space):
    config = unit_to_config(space, [0.5, 0.3, 0.4, 0.5, 0.6])
    first, second = small_surrogate.curve(config, 0), small_surrogate.curve(config, 1)
    assert not np.array_equal(first.val_accuracy, second.val_accuracy)
    assert np.max(np.abs(first.val_accuracy - second.val_accuracy)) < 0.1


def test_divergence_is_preserved_where_the_neighbours_diverge(small_surrogate, space):
    unit = [0.93, 0.93, 0.5, 0.5, 0.5]
    assert diverges(unit)
    curve = small_surrogate.curve(unit_to_config(space, unit), 0)
    assert curve.diverged[-1] and len(curve.val_accuracy) < MAX_EPOCHS
    assert curve.val_accuracy[-1] == pytest.approx(0.1)
    safe = small_surrogate.curve(unit_to_config(space, [0.5, 0.2, 0.5, 0.5, 0.5]), 0)
    assert not safe.diverged.any()


@pytest.mark.parametrize("model", sorted(CANDIDATES))
def test_every_candidate_fits_and_its_fast_path_matches_its_batch_path(small_frame, space, model):
    surrogate = fit_surrogate(small_frame, space, model=model)
    trained = np.isfinite(surrogate.curves.mean_scaled).all(axis=(1, 2))
    points = surrogate.curves.points[trained]
    targets = surrogate.curves.mean_scaled[trained].reshape(len(points), -1)
    batch = surrogate.model.predict(points)
    np.testing.assert_allclose(surrogate.model.predict_one(points[3]), batch[3], rtol=1e-9, atol=1e-9)
    residual = np.sum((batch - targets) ** 2) / np.sum((targets - targets.mean(axis=0)) ** 2)
    assert residual < 0.2, f"{model} does not fit its own training curves: 1 - R^2 = {residual:.2f}"


def test_cache_round_trip_loads_the_same_surrogate(small_frame, space, tmp_path):
    checksum = "ab" * 32
    fitted = load_surrogate(small_frame, checksum, tmp_path, space=space, model="knn-5")
    path = cache_path(tmp_path, checksum, "knn-5")
    assert path.name == f"surrogate-{checksum[:16]}-knn-5-v{SURROGATE_VERSION}.pkl"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    loaded = load_surrogate(small_frame.iloc[:0], checksum, tmp_path, space=space, model="knn-5")
    config = unit_to_config(space, [0.4, 0.4, 0.4, 0.4, 0.4])
    np.testing.assert_array_equal(loaded.curve(config, 1).val_accuracy, fitted.curve(config, 1).val_accuracy)


def one_line_error(call) -> str:
    with pytest.raises(BenchError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_cache_fitted_on_other_data_or_version_is_refused(small_frame, space, tmp_path):
    load_surrogate(small_frame, "c" * 16 + "1", tmp_path, space=space, model="knn-5")
    message = one_line_error(lambda: load_surrogate(small_frame, "c" * 16 + "2", tmp_path, space=space,
                                                    model="knn-5"))
    assert "c" * 16 + "1" in message and "c" * 16 + "2" in message and "delete it to refit" in message
    path = cache_path(tmp_path, "d" * 16, "knn-5")
    path.write_bytes(pickle.dumps({"version": "0", "checksum": "d" * 16, "model": "knn-5",
                                   "surrogate": None}))
    message = one_line_error(lambda: load_surrogate(small_frame, "d" * 16, tmp_path, space=space,
                                                    model="knn-5"))
    assert str(path) in message and f"version {SURROGATE_VERSION}" in message


def test_another_model_is_another_cache_file_and_is_fitted_not_refused(small_frame, space, tmp_path):
    load_surrogate(small_frame, "f" * 16, tmp_path, space=space, model="knn-5")
    other = load_surrogate(small_frame, "f" * 16, tmp_path, space=space, model="knn-3")
    assert other.model_name == "knn-3" and len(list(tmp_path.iterdir())) == 2


def test_a_damaged_cache_is_refused_in_one_line(small_frame, space, tmp_path):
    path = cache_path(tmp_path, "e" * 16)
    path.write_bytes(b"\x80\x05not a pickle")
    message = one_line_error(lambda: load_surrogate(small_frame, "e" * 16, tmp_path, space=space))
    assert str(path) in message and "damaged" in message


def test_bad_inputs_are_one_line_errors(small_frame, space):
    one_line_error(lambda: fit_surrogate(small_frame, space, model="nope"))
    one_line_error(lambda: fit_surrogate(small_frame.drop(columns=["width"]), space))


def test_fidelity_on_known_truth():
    truth = np.array([[0.2, 0.5, 0.90], [0.2, 0.4, 0.70], [0.1, np.nan, np.nan], [0.3, 0.6, 0.95]])
    ids, seeds = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    perfect = fidelity(truth, truth, ids, seeds, target=0.9)
    assert perfect["spearman_final"] == pytest.approx(1.0) and perfect["final_mae"] == 0.0
    assert perfect["seed_difference"] == pytest.approx((0.2 + 0.85) / 2)
    assert (perfect["true_positive"], perfect["true_negative"], perfect["reach_accuracy"]) == (2, 2, 1.0)
    reversed_ranks = 1.0 - filled(truth)
    worst = fidelity(truth, reversed_ranks, ids, seeds, target=0.9)
    assert worst["spearman_final"] == pytest.approx(-1.0)
    assert (worst["false_positive"], worst["false_negative"]) == (1, 2)
    assert worst["reach_accuracy"] == pytest.approx(0.25)


def test_cross_validation_of_a_smooth_truth_ranks_configurations(small_frame, space):
    held = cross_validate(small_frame, "knn-5", space=space, folds=5, seed=0)
    assert len(held.config_ids) == small_frame.groupby(["config_id", "seed"]).ngroups
    figures = fidelity(held.true_accuracy, held.predicted_accuracy, held.config_ids, held.seeds,
                       target_accuracy(small_frame))
    assert figures["spearman_final"] > 0.6  # measured 0.75; a model that ignores the configuration scores ~0
    assert figures["configs"] == small_frame.config_id.nunique()


@pytest.mark.parametrize("name, value", [("learning_rate", 5.0), ("width", 64), ("momentum", -0.1),
                                         ("batch_size", float("nan"))])
def test_an_out_of_range_configuration_is_refused_naming_the_range(small_surrogate, space, name, value):
    config = {**unit_to_config(space, [0.5] * 5), name: value}
    message = one_line_error(lambda: small_surrogate.curve(config, 0))
    hp = space[name]
    assert f"{name}=" in message and f"[{hp.low:g}, {hp.high:g}]" in message
