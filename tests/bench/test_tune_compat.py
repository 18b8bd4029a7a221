"""Every private or version-sensitive Ray Tune name in bench.tune_compat, against the installed Ray.

A Ray upgrade that renames, moves or reorders one of them fails here, in the test named after it.
"""

from __future__ import annotations

import inspect

import pytest

from bench import tune_compat


def test_tune_settings_are_environment_variables_tune_reads(monkeypatch):
    from ray.tune.execution import tune_controller

    for name in ("TUNE_MAX_PENDING_TRIALS_PG", "TUNE_GLOBAL_CHECKPOINT_S"):
        monkeypatch.setenv(name, "restored after the test")
    source = inspect.getsource(tune_controller)
    settings = tune_compat.configure_tune(2)
    assert settings.keys() == {"TUNE_MAX_PENDING_TRIALS_PG", "TUNE_GLOBAL_CHECKPOINT_S"}
    assert all(f'"{name}"' in source for name in settings)


def test_the_local_ray_settings_go_only_to_a_ray_that_bench_starts(monkeypatch, tmp_path):
    """Ray joins a cluster instead of starting one when RAY_ADDRESS is set or a `ray start` left
    its address in Ray's temp folder, and then refuses any _system_config."""
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setenv("RAY_TMPDIR", str(tmp_path))  # Ray's temp folder: tmp_path/ray
    assert tune_compat.local_ray_system_config() == tune_compat.LOCAL_RAY_SYSTEM_CONFIG
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "ray_current_cluster").write_text("127.0.0.1:6379")
    assert tune_compat.local_ray_system_config() == {}
    (tmp_path / "ray" / "ray_current_cluster").unlink()
    monkeypatch.setenv("RAY_ADDRESS", "127.0.0.1:6379")
    assert tune_compat.local_ray_system_config() == {}


def test_state_file_names():
    from ray.tune.callback import CallbackList
    from ray.tune.execution.tune_controller import TuneController
    from ray.tune.search.basic_variant import BasicVariantGenerator
    from ray.tune.search.search_generator import SearchGenerator

    assert TuneController.CKPT_FILE_TMPL.format("x") == f"{tune_compat.EXPERIMENT_STATE_PREFIX}x.json"
    assert BasicVariantGenerator.CKPT_FILE_TMPL.startswith(tune_compat.SEARCHER_STATE_PREFIX)
    assert CallbackList.CKPT_FILE_TMPL.startswith(tune_compat.CALLBACK_STATE_PREFIX)
    for saver in (CallbackList.save_to_dir, BasicVariantGenerator.save_to_dir, SearchGenerator.save_to_dir):
        assert f'f"{tune_compat.STAGING_TEMP_PREFIX}{{file_name}}"' in inspect.getsource(saver)


def test_callbacks_get_state_runs_after_the_experiment_and_searcher_states_are_staged():
    """bench's callback copies the staging folder from get_state (bench.live.experiment_snapshot)."""
    from ray.tune.callback import CallbackList
    from ray.tune.execution.tune_controller import TuneController

    save = inspect.getsource(TuneController.save_to_dir)
    experiment = save.index("self.experiment_state_file_name")
    searcher = save.index("self._search_alg.save_to_dir(")
    callbacks = save.index("self._callbacks.save_to_dir(")
    assert experiment < searcher < callbacks
    callback_save = inspect.getsource(CallbackList.save_to_dir)
    assert callback_save.index("get_state()") < callback_save.index("tmp_file_name")


def test_staging_dir_is_the_trials_local_experiment_path(ray_session, tmp_path):
    trial = _never_started_trial(tmp_path)
    assert tune_compat.staging_dir(trial) == trial.local_experiment_path


def test_max_pending_trials(monkeypatch, ray_session):  # reads the cluster's CPUs
    from ray.tune.search.basic_variant import BasicVariantGenerator

    monkeypatch.setenv("TUNE_MAX_PENDING_TRIALS_PG", "auto")
    assert tune_compat.max_pending_trials(BasicVariantGenerator()) >= 1


def test_controller_facade_names_are_the_controllers():
    from ray.tune.execution.tune_controller import TuneController
    from ray.tune.schedulers import pbt

    assert list(inspect.signature(TuneController._schedule_trial_save).parameters)[:3] == ["self", "trial",
                                                                                           "result"]
    assert list(inspect.signature(TuneController._set_trial_status).parameters) == ["self", "trial", "status"]
    assert "tune_controller._schedule_trial_save(" in inspect.getsource(pbt)

    class Controller(tune_compat.ControllerFacade):
        def schedule_trial_save(self, trial, result=None):
            return ("saved", trial, result)

        def set_trial_status(self, trial, status):
            self.status = (trial, status)

    controller = Controller()
    assert controller._schedule_trial_save("t", result={"a": 1}) == ("saved", "t", {"a": 1})
    controller._set_trial_status("t", "RUNNING")
    assert controller.status == ("t", "RUNNING")


def test_saved_result_is_a_resolved_future_training_result():
    from ray.train._internal.session import _FutureTrainingResult, _TrainingResult

    saved = tune_compat.saved_result("checkpoint", {"epoch": 3})
    assert isinstance(saved, _FutureTrainingResult)
    resolved = saved.resolve()
    assert isinstance(resolved, _TrainingResult)
    assert resolved.checkpoint == "checkpoint" and resolved.metrics == {"epoch": 3}


def test_latest_checkpoint_result_on_a_trials_checkpoint_manager(ray_session, tmp_path):
    from ray.tune import CheckpointConfig

    trial = _never_started_trial(tmp_path)
    manager = trial.run_metadata.checkpoint_manager
    assert manager._latest_checkpoint_result is None and hasattr(manager, "checkpoint_config")
    manager._latest_checkpoint_result = "restored"
    assert tune_compat.take_restored_checkpoint(trial) == "restored"
    assert tune_compat.take_restored_checkpoint(trial) is None
    manager._latest_checkpoint_result = "older"
    tune_compat.clear_restored_checkpoint(trial)
    assert manager._latest_checkpoint_result is None
    stub = tune_compat.CheckpointManagerStub(CheckpointConfig(num_to_keep=4))
    assert set(stub.__slots__) <= set(dir(manager))


def test_trials_made_by_replaces_trial_creation_for_both_search_algorithms():
    from ray import tune
    from ray.tune.experiment import Experiment
    from ray.tune.search import ConcurrencyLimiter
    from ray.tune.search.basic_variant import BasicVariantGenerator
    from ray.tune.search.optuna import OptunaSearch
    from ray.tune.search.search_generator import SearchGenerator

    class Bare(Experiment):
        def __init__(self, config):
            tune_compat.bare_experiment(self, "compat")
            self.spec = {"run": "compat", "config": config, "num_samples": 2}

        @property
        def public_spec(self):
            return {"stop": {}, "num_samples": 2, "time_budget_s": None}

    made = []
    space = {"x": tune.uniform(0, 1)}
    for search_alg in (BasicVariantGenerator(), SearchGenerator(ConcurrencyLimiter(OptunaSearch(), 2))):
        experiment = Bare(space if isinstance(search_alg, BasicVariantGenerator) else {})
        searcher_ok, scheduler_ok = tune_compat.set_search_properties(
            search_alg, _fifo(), "val_accuracy", "max",
            {} if isinstance(search_alg, BasicVariantGenerator) else space, experiment.public_spec)
        assert searcher_ok and scheduler_ok
        search_alg.add_configurations([experiment])
        with tune_compat.trials_made_by(lambda spec, **kwargs: made.append(spec["config"])
                                        or _Made(kwargs["trial_id"])):
            assert isinstance(search_alg.next_trial(), _Made)
    assert len(made) == 2 and all(0 <= config["x"] <= 1 for config in made)


def test_name_unstarted_trial_dirs(ray_session, tmp_path):
    trial = _never_started_trial(tmp_path)
    with pytest.raises(RuntimeError, match="trial_dir_name"):
        _ = trial.path
    assert tune_compat.name_unstarted_trial_dirs([trial]) == [trial.trial_id]
    assert trial.path.startswith(str(tmp_path))


def test_hyperband_largest_bracket():
    from ray.tune.schedulers import HyperBandScheduler

    scheduler = HyperBandScheduler(time_attr="training_iteration", max_t=27, reduction_factor=3)
    assert tune_compat.hyperband_largest_bracket(scheduler) == 27


class _Made:
    def __init__(self, trial_id):
        self.trial_id = trial_id


def _fifo():
    from ray.tune.schedulers import FIFOScheduler

    return FIFOScheduler()


def _never_started_trial(tmp_path):
    from ray.train._internal.storage import StorageContext
    from ray.tune.experiment import Trial

    storage = StorageContext(storage_path=str(tmp_path), experiment_dir_name="tune")
    return Trial("train_trial", config={"learning_rate": 0.1}, storage=storage, stub=True)


def test_tuner_scheduler_is_the_one_tune_runs(tmp_path):
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler

    scheduler = ASHAScheduler(max_t=9)
    tuner = tune.Tuner(lambda config: None, tune_config=tune.TuneConfig(scheduler=scheduler),
                       run_config=tune.RunConfig(storage_path=str(tmp_path)))
    assert tune_compat.tuner_scheduler(tuner) is scheduler


def test_scheduler_state_is_ashas_own_save_and_restore_keeps_tunes_metric(tmp_path):
    import pickle

    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler, HyperBandScheduler, MedianStoppingRule

    class Trial:  # ASHA reads only the id of the trials it is told of
        def __init__(self, trial_id):
            self.trial_id = trial_id

    asha = ASHAScheduler(max_t=9, grace_period=1, reduction_factor=3)
    asha.set_search_properties("val_accuracy", "max")
    for index, value in enumerate((0.5, 0.7, 0.2)):
        trial = Trial(f"t{index}")
        asha.on_trial_add(None, trial)
        asha.on_trial_result(None, trial, {"training_iteration": 1, "val_accuracy": value})
    state = tune_compat.scheduler_state(asha)
    asha.save(str(tmp_path / "asha.pkl"))  # Tune's own save: the same pickle of __dict__
    assert pickle.loads(state).keys() == pickle.loads((tmp_path / "asha.pkl").read_bytes()).keys()

    fresh = ASHAScheduler(max_t=9, grace_period=1, reduction_factor=3)
    tune_compat.restore_scheduler_state(fresh, state)
    assert fresh._metric is None and fresh._mode is None  # Tune sets them when the run starts
    assert fresh.set_search_properties("val_accuracy", "max")  # no conflict with the saved ones
    assert sorted(fresh._trial_info) == ["t0", "t1", "t2"]
    assert fresh._brackets[0]._rungs == asha._brackets[0]._rungs  # the recorded rung results
    # A fourth trial's first result is judged against the restored rung, as in the first process.
    fourth = Trial("t3")
    fresh.on_trial_add(None, fourth)
    assert fresh.on_trial_result(None, fourth, {"training_iteration": 1, "val_accuracy": 0.1}) == "STOP"
    for kept_none in (FIFOScheduler(), HyperBandScheduler(max_t=9), MedianStoppingRule()):
        assert tune_compat.scheduler_state(kept_none) is None
