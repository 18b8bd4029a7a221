"""A driver killed while Tune wrote a trial's pickled error: the resumed run must not die at its end.

Tune restores the experiment, then builds its ResultGrid by unpickling every failed trial's
error; an empty `error.pkl` made that an `EOFError` after all the work was done (issue seen in
the trial-journal resume test). bench.live.resume drops such pickles, and Tune falls back to the
text trace it writes beside them.
"""

from __future__ import annotations

import pytest

from bench import tune_compat
from bench.live.resume import drop_damaged_error_pickles


def _fails(config):
    raise ValueError("planted failure")


def _failed_experiment(tmp_path):
    from ray import tune

    tuner = tune.Tuner(_fails, param_space={"x": tune.grid_search([1])},
                       run_config=tune.RunConfig(name="exp", storage_path=str(tmp_path), verbose=0))
    tuner.fit()
    [pickled] = list((tmp_path / "exp").rglob(tune_compat.error_pickle_file()))
    return tmp_path / "exp", pickled


def test_an_empty_error_pickle_is_dropped_and_tune_restores_from_the_text_trace(ray_session, tmp_path):
    from ray import tune

    experiment, pickled = _failed_experiment(tmp_path)
    intact = drop_damaged_error_pickles(experiment)
    assert intact == [] and pickled.stat().st_size > 0  # a whole pickle stays
    pickled.write_bytes(b"")  # what a kill mid-write leaves
    with pytest.raises(EOFError):  # the bug, as Tune meets it
        tune.Tuner.restore(str(experiment), _fails).get_results()
    assert drop_damaged_error_pickles(experiment) == [str(pickled.relative_to(experiment))]
    results = tune.Tuner.restore(str(experiment), _fails).get_results()
    assert len(results.errors) == 1 and "planted failure" in str(results.errors[0])


def test_a_pickle_cut_short_is_dropped_too(ray_session, tmp_path):
    experiment, pickled = _failed_experiment(tmp_path)
    pickled.write_bytes(pickled.read_bytes()[:10])
    assert drop_damaged_error_pickles(experiment) == [str(pickled.relative_to(experiment))]
    assert not pickled.exists()
