"""Each registered strategy builds the Ray Tune classes it names, with its parameters,
and stops early when it should.

The contract, engine and equivalence suites would all pass if `asha` were built with FIFO: a
strategy's runs look the same whatever its scheduler decides. This module pins the wiring (exact
classes, not subclasses, and the settings read back from the built objects) and shows in a
replay that the early-stopping strategies stop trials which FIFO would have trained to the end.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from optuna.samplers import TPESampler
from ray.tune.schedulers import (
    ASHAScheduler,
    HyperBandForBOHB,
    HyperBandScheduler,
    MedianStoppingRule,
    PopulationBasedTraining,
)
from ray.tune.schedulers.pb2 import PB2
from ray.tune.search.basic_variant import BasicVariantGenerator
from ray.tune.search.bayesopt import BayesOptSearch
from ray.tune.search.bohb import TuneBOHB
from ray.tune.search.hyperopt import HyperOptSearch
from ray.tune.search.nevergrad import NevergradSearch
from ray.tune.search.optuna import OptunaSearch

import strategies
import workloads
from strategies import BuildContext

METRIC, MODE, TIME_ATTR = "val_accuracy", "max", "training_iteration"
SEED, SAMPLES = 5, 12

#: Strategy name: (searcher class, scheduler class). None: Tune's default, filled in by the Tuner
#: (a BasicVariantGenerator over param_space; FIFOScheduler).
WIRING = {
    "grid": (BasicVariantGenerator, None),
    "random": (BasicVariantGenerator, None),
    "tpe": (HyperOptSearch, None),
    "optuna-asha": (OptunaSearch, ASHAScheduler),
    "asha": (BasicVariantGenerator, ASHAScheduler),
    "hyperband": (BasicVariantGenerator, HyperBandScheduler),
    "pbt": (BasicVariantGenerator, PopulationBasedTraining),
    "pb2": (BasicVariantGenerator, PB2),
    "bohb": (TuneBOHB, HyperBandForBOHB),
    "median": (BasicVariantGenerator, MedianStoppingRule),
    "fifo": (None, None),
    "bayesopt": (BayesOptSearch, None),
    "nevergrad": (NevergradSearch, None),
}

#: Non-default `--set` values for every parameter of every component.
OVERRIDES = {
    "tpe": {"n_initial_points": "5", "gamma": "0.5"},
    "optuna": {"n_startup_trials": "4"},
    "bayesopt": {"random_search_steps": "4"},
    "nevergrad": {"optimizer": "TwoPointsDE"},
    "asha": {"grace_period": "2", "reduction_factor": "2", "brackets": "2"},
    "hyperband": {"reduction_factor": "2"},
    "bohb": {"reduction_factor": "2"},
    "pbt": {"population_size": "8", "perturbation_interval": "3", "quantile_fraction": "0.5",
            "resample_probability": "0.5"},
    "pb2": {"population_size": "8", "perturbation_interval": "3", "quantile_fraction": "0.5"},
    "median": {"grace_period": "2", "min_samples_required": "5"},
}


def _same_stream(rng, seed: int) -> bool:
    """Whether a fresh generator is the one `seed` makes (legacy RandomState or Generator)."""
    if isinstance(rng, np.random.Generator):
        return rng.bit_generator.state == np.random.default_rng(seed).bit_generator.state
    return np.array_equal(rng.get_state()[1], np.random.RandomState(seed).get_state()[1])


def _space():
    return workloads.get("digits").space


def _mutable():
    return [hp for hp in _space() if hp.mutable]


# ---- what each component's built object says about itself: {setting: (observed, expected)} -----

def _grid(built, ctx, p):
    return {"param_space": (built.param_space, {hp.name: {"grid_search": list(hp.grid)} for hp in ctx.space}),
            "num_samples": (built.num_samples, 1)}


def _random(built, ctx, p):
    return {"space": (sorted(built.param_space), sorted(ctx.space.names)),
            "seeded": (_same_stream(built.search_alg._random_state.rng, ctx.seed), True)}


def _default(built, ctx, p):
    return {"space": (sorted(built.param_space), sorted(ctx.space.names)),
            "num_samples": (built.num_samples, ctx.samples)}


def _searcher_target(alg):
    return {"metric": (alg.metric, METRIC), "mode": (alg.mode, MODE)}


def _tpe(built, ctx, p):
    alg = built.search_alg
    return {**_searcher_target(alg),
            "algo": (alg.algo.keywords, {"n_startup_jobs": p["n_initial_points"], "gamma": p["gamma"]}),
            "seeded": (_same_stream(alg.rstate, ctx.seed), True)}


def _optuna(built, ctx, p):
    sampler = built.search_alg._sampler
    return {**_searcher_target(built.search_alg), "sampler": (type(sampler), TPESampler),
            "n_startup_trials": (sampler._n_startup_trials, p["n_startup_trials"]),
            "seeded": (_same_stream(sampler._rng.rng, ctx.seed), True)}


def _bohb_searcher(built, ctx, p):
    return {**_searcher_target(built.search_alg), "seed": (built.search_alg._seed, ctx.seed)}


def _bayesopt(built, ctx, p):
    alg = built.search_alg
    return {**_searcher_target(alg), "random_search_steps": (alg.random_search_trials,
                                                             p["random_search_steps"]),
            "random_state": (alg._random_state, ctx.seed)}


def _nevergrad(built, ctx, p):
    import nevergrad as ng

    alg = built.search_alg
    return {**_searcher_target(alg), "optimizer": (alg._opt_factory, ng.optimizers.registry[p["optimizer"]]),
            "optimizer_kwargs": (alg._optimizer_kwargs, {"budget": ctx.samples}),
            "seeded": (_same_stream(alg._space.random_state, ctx.seed), True)}


def _scheduler_target(scheduler):
    # Left unset: the Tuner's TuneConfig(metric, mode) sets them, and refuses a scheduler that has its own.
    return {"metric": (scheduler._metric, None), "mode": (scheduler._mode, None),
            "time_attr": (scheduler._time_attr, TIME_ATTR)}


def _fifo(built, ctx, p):
    return {"live_trials": (built.live_trials, None)}


def _asha(built, ctx, p):
    s = built.scheduler
    return {**_scheduler_target(s), "max_t": (s._max_t, ctx.max_epochs),
            "reduction_factor": (s._reduction_factor, p["reduction_factor"]),
            "brackets": (len(s._brackets), p["brackets"]),
            # the first bracket's lowest rung is the grace period
            "grace_period": (min(rung for rung, _ in s._brackets[0]._rungs), p["grace_period"])}


def _hyperband(built, ctx, p):
    s = built.scheduler
    eta = p["reduction_factor"]
    # Li et al.'s most exploratory bracket: ceil(eta ** s_max) trials, s_max = log_eta(max_t) as Ray rounds it
    largest_bracket = math.ceil(eta ** round(math.log(ctx.max_epochs) / math.log(eta)))
    return {**_scheduler_target(s), "max_t": (s._max_t_attr, ctx.max_epochs),
            "reduction_factor": (s._eta, eta), "live_trials": (built.live_trials, largest_bracket)}


def _population(built, ctx, p):
    s = built.scheduler
    return {**_scheduler_target(s), "perturbation_interval": (s._perturbation_interval,
                                                              p["perturbation_interval"]),
            "quantile_fraction": (s._quantile_fraction, p["quantile_fraction"]),
            "num_samples": (built.num_samples, p["population_size"]),
            "live_trials": (built.live_trials, p["population_size"])}


def _pbt(built, ctx, p):
    s = built.scheduler
    return {**_population(built, ctx, p),
            "resample_probability": (s._resample_probability, p["resample_probability"]),
            "mutations": (sorted(s._hyperparam_mutations), sorted(hp.name for hp in _mutable()))}


def _pb2(built, ctx, p):
    return {**_population(built, ctx, p),
            "bounds": (built.scheduler._hyperparam_bounds, {hp.name: [hp.low, hp.high] for hp in _mutable()})}


def _bohb_scheduler(built, ctx, p):
    s = built.scheduler
    return {**_scheduler_target(s), "max_t": (s._max_t_attr, ctx.max_epochs),
            "reduction_factor": (s._eta, p["reduction_factor"])}


def _median(built, ctx, p):
    s = built.scheduler
    return {**_scheduler_target(s), "grace_period": (s._grace_period, p["grace_period"]),
            "min_samples_required": (s._min_samples_required, p["min_samples_required"])}


SEARCHER_SETTINGS = {
    "grid": _grid, "random": _random, "default": _default, "tpe": _tpe, "optuna": _optuna,
    "bohb": _bohb_searcher, "bayesopt": _bayesopt, "nevergrad": _nevergrad,
}
SCHEDULER_SETTINGS = {
    "fifo": _fifo, "asha": _asha, "hyperband": _hyperband, "pbt": _pbt, "pb2": _pb2, "bohb": _bohb_scheduler,
    "median": _median,
}


def _build(resolved):
    workload = workloads.get("digits")
    ctx = BuildContext(space=workload.space, max_epochs=workload.max_epochs, seed=SEED, samples=SAMPLES)
    return resolved.build(ctx), ctx


def _settings(resolved) -> tuple[dict, dict]:
    """(observed, expected) settings of both components of a built strategy."""
    built, ctx = _build(resolved)
    searcher = SEARCHER_SETTINGS[resolved.searcher.name](built, ctx, resolved.params)
    scheduler = SCHEDULER_SETTINGS[resolved.scheduler.name](built, ctx, resolved.params)
    pairs = {**{f"searcher {k}": v for k, v in searcher.items()},
             **{f"scheduler {k}": v for k, v in scheduler.items()}}
    return {k: v[0] for k, v in pairs.items()}, {k: v[1] for k, v in pairs.items()}


def _defaults(resolved) -> dict:
    return {p.name: p.default for c in (resolved.searcher, resolved.scheduler) for p in c.params}


def test_the_table_covers_every_registered_strategy():
    assert sorted(WIRING) == sorted(strategies.REGISTRY.names())
    assert sorted(SEARCHER_SETTINGS) == sorted(strategies.SEARCHERS.names())
    assert sorted(SCHEDULER_SETTINGS) == sorted(strategies.SCHEDULERS.names())
    assert set(OVERRIDES) == {c.name for r in (strategies.SEARCHERS, strategies.SCHEDULERS)
                              for c in map(r.get, r.names()) if c.params}


@pytest.mark.parametrize("name", sorted(WIRING))
def test_strategy_builds_its_exact_ray_classes_with_its_default_settings(name):
    resolved = strategies.resolve(name)
    built, _ = _build(resolved)
    searcher, scheduler = WIRING[name]
    # `is`, not isinstance: HyperBandForBOHB is a HyperBandScheduler and PB2 a PopulationBasedTraining
    assert (type(built.search_alg) if searcher else built.search_alg) is searcher
    assert (type(built.scheduler) if scheduler else built.scheduler) is scheduler
    assert dict(resolved.params) == _defaults(resolved)
    observed, expected = _settings(resolved)
    assert observed == expected


@pytest.mark.parametrize("name", sorted(WIRING))
def test_every_set_override_reaches_the_built_objects(name):
    plain = strategies.resolve(name)
    overrides = {**OVERRIDES.get(plain.searcher.name, {}), **OVERRIDES.get(plain.scheduler.name, {})}
    resolved = strategies.resolve(name, overrides)
    changed = {k for k in overrides if resolved.params[k] != plain.params[k]}
    assert changed == set(overrides) == set(_defaults(plain))  # every parameter, each to a non-default value
    observed, expected = _settings(resolved)
    assert observed == expected
    assert observed != _settings(plain)[0] or not overrides


@pytest.mark.parametrize("name, pairs", [
    ("asha", ["grace_period=2", "reduction_factor=2", "brackets=2"]),
    ("pbt", ["population_size=8", "perturbation_interval=3", "quantile_fraction=0.5",
             "resample_probability=0.5"]),
])
def test_bench_run_set_reaches_the_built_scheduler(name, pairs, tmp_path):
    import argparse

    from bench.commands import run

    parser = argparse.ArgumentParser()
    run.add_arguments(parser)
    argv = ["--strategy", name, "--until", "budget", "--out", str(tmp_path / "runs")]
    args = parser.parse_args(argv + [arg for pair in pairs for arg in ("--set", pair)])
    args.argv = ["bench", "run", *argv]
    (spec,) = run.build_specs(args)
    observed, expected = _settings(spec.strategy)
    assert observed == expected
    set_values = {k: spec.strategy.params[k] for k in (pair.split("=")[0] for pair in pairs)}
    assert set_values == {k: type(_defaults(spec.strategy)[k])(v)
                          for k, v in (pair.split("=") for pair in pairs)}


# ---- decisions: replay on the synthetic digits table ----------------------------------------------

STOPPERS = ["asha", "hyperband", "bohb", "median", "optuna-asha"]
PERTURBERS = ["pbt", "pb2"]
RUN_TO_THE_END = ["fifo", "grid", "random"]
REPLAY_SAMPLES = 12


@pytest.fixture(scope="module")
def synthetic_table(tmp_path_factory):
    from bench.store.tables import load_table
    from tests.replay.synthetic import write_synthetic_table

    return load_table(write_synthetic_table(tmp_path_factory.mktemp("tables") / "digits-synthetic",
                                            workloads.get("digits")))


def _replay(name, table, out: Path, budget_epochs: float):
    """One replay of `name` on 4 simulated workers; returns the stored run and one row per trial."""
    from bench.budget import Budget
    from bench.replay import execute_replay
    from bench.spec import RunSpec
    from bench.store.results import load_run

    spec = RunSpec.of(strategy=strategies.resolve(name), workload=workloads.get("digits"), seed=0,
                   budget=Budget("epochs", budget_epochs), samples=REPLAY_SAMPLES, workers=4, out_dir=out,
                   target=None, progress=False)
    stored = load_run(execute_replay(spec, table).folder)
    assert stored.manifest["status"] == "complete"
    trials = stored.epochs.groupby("trial_id").agg(outcome=("outcome", "first"), last_epoch=("epoch", "max"))
    return stored, trials


@pytest.mark.parametrize("name", STOPPERS)
def test_early_stopping_strategy_stops_a_trial_before_max_epochs(name, synthetic_table, tmp_path):
    max_epochs = workloads.get("digits").max_epochs
    # a budget that never binds: every trial ends by the scheduler's decision or at max_epochs
    _, trials = _replay(name, synthetic_table, tmp_path, budget_epochs=2 * REPLAY_SAMPLES * max_epochs)
    stopped = trials[trials["outcome"] == "stopped_early"]
    assert len(stopped) >= 1, trials["outcome"].value_counts().to_dict()
    assert (stopped["last_epoch"] < max_epochs).all()


@pytest.mark.parametrize("name", PERTURBERS)
def test_population_strategy_exploits_and_perturbs(name, synthetic_table, tmp_path):
    params = strategies.resolve(name).params
    # on average two perturbation intervals per member of the population
    stored, _ = _replay(name, synthetic_table, tmp_path,
                        budget_epochs=params["population_size"] * 2 * params["perturbation_interval"])
    assert stored.manifest["simulation"]["clones"] >= 1
    # an exploiting trial carries on with a perturbed copy of another trial's hyperparameters
    mutable = [hp.name for hp in _mutable()]
    changed = stored.epochs.groupby("trial_id")[mutable].nunique().gt(1).any(axis=1)
    assert changed.any()


@pytest.mark.parametrize("name", RUN_TO_THE_END)
def test_strategy_without_early_stopping_trains_every_trial_to_the_end(name, synthetic_table, tmp_path):
    max_epochs = workloads.get("digits").max_epochs
    # grid (243 trials) is cut by this budget; random and fifo (REPLAY_SAMPLES trials) are not
    stored, trials = _replay(name, synthetic_table, tmp_path, budget_epochs=2 * REPLAY_SAMPLES * max_epochs)
    assert set(trials["outcome"]) <= {"completed", "diverged", "budget_cut"}, (
        trials["outcome"].value_counts().to_dict())
    assert (trials.loc[trials["outcome"] == "completed", "last_epoch"] == max_epochs).all()
    assert (trials["outcome"] == "completed").sum() >= REPLAY_SAMPLES // 2
    assert stored.manifest["simulation"]["clones"] == 0
