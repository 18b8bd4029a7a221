"""Search strategies by name: thirteen named pairings and `searcher+scheduler` compositions."""

from __future__ import annotations

from collections.abc import Mapping

from bench.errors import BenchError
from bench.plugins import Plugins
from bench.registry import Registry
from strategies.base import (
    METRIC,
    MODE,
    TIME_ATTR,
    BuildContext,
    Built,
    Component,
    Param,
    ResolvedStrategy,
    Strategy,
    resolve_params,
)
from strategies.bayesopt import BAYESOPT
from strategies.bohb import BOHB_SCHEDULER, BOHB_SEARCHER
from strategies.fifo import FIFO
from strategies.grid import GRID
from strategies.hyperband import ASHA, HYPERBAND
from strategies.median import MEDIAN
from strategies.nevergrad_search import NEVERGRAD
from strategies.optuna_search import OPTUNA
from strategies.pbt import PB2_SCHEDULER, PBT
from strategies.random_search import DEFAULT, RANDOM
from strategies.tpe import TPE

SEARCHERS: Registry[Component] = Registry("searcher")
for _c in (GRID, RANDOM, DEFAULT, TPE, OPTUNA, BOHB_SEARCHER, BAYESOPT, NEVERGRAD):
    SEARCHERS.register(_c.name, _c)

SCHEDULERS: Registry[Component] = Registry("scheduler")
for _c in (FIFO, ASHA, HYPERBAND, PBT, PB2_SCHEDULER, BOHB_SCHEDULER, MEDIAN):
    SCHEDULERS.register(_c.name, _c)

REGISTRY: Registry[Strategy] = Registry("strategy")
for _s in (
    Strategy("grid", "grid", "fifo", "exhaustive grid search, every trial to the end"),
    Strategy("random", "random", "fifo", "random search, every trial to the end"),
    Strategy("tpe", "tpe", "fifo", "HyperOpt TPE, every trial to the end"),
    Strategy("optuna-asha", "optuna", "asha", "Optuna TPE with ASHA early stopping"),
    Strategy("asha", "random", "asha", "random search with ASHA early stopping"),
    Strategy("hyperband", "random", "hyperband", "random search with synchronous Hyperband"),
    Strategy("pbt", "random", "pbt", "population based training from a random population"),
    Strategy("pb2", "random", "pb2", "population based bandits from a random population"),
    Strategy("bohb", "bohb", "bohb", "BOHB: TuneBOHB with HyperBandForBOHB"),
    Strategy("median", "random", "median", "random search with the median stopping rule"),
    Strategy("fifo", "default", "fifo", "Ray Tune with no options (the A/A twin of random)"),
    Strategy("bayesopt", "bayesopt", "fifo", "GP Bayesian optimisation, every trial to the end"),
    Strategy("nevergrad", "nevergrad", "fifo", "Nevergrad NGOpt, every trial to the end"),
):
    REGISTRY.register(_s.name, _s)

_POPULATION_SCHEDULERS = ("pbt", "pb2")


def _check_compatible(searcher: str, scheduler: str) -> None:
    if (searcher == "bohb") != (scheduler == "bohb"):
        raise BenchError(
            "the bohb searcher and the bohb scheduler only work together "
            "(HyperBandForBOHB feeds TuneBOHB's model); use 'bohb'"
        )
    if scheduler in _POPULATION_SCHEDULERS and searcher not in ("random", "default"):
        raise BenchError(
            f"{scheduler} changes configurations mid-training, so it needs a random initial "
            f"population: a {searcher} searcher would learn from configurations it did not "
            f"suggest; use random+{scheduler}"
        )


def _check_strategy(obj) -> None:
    if not isinstance(obj, Strategy):
        raise TypeError(f"is a {type(obj).__name__}, not a strategies.Strategy")
    if "+" in obj.name or ":" in obj.name:
        raise TypeError(f"its name {obj.name!r} holds '+' or ':', which name compositions and import paths")


PLUGINS: Plugins[Strategy] = Plugins("strategy", "bench.strategies", REGISTRY, _check_strategy)


def _component(registry: Registry[Component], ref: str | Component) -> Component:
    return ref if isinstance(ref, Component) else registry.get(ref)


def resolve(name: str, overrides: Mapping[str, str] | None = None) -> ResolvedStrategy:
    """Set a strategy's parameters: a registered name, a plugin (entry point `bench.strategies` or
    `module:attribute`), or `searcher+scheduler`."""
    if "+" in name and ":" not in name:
        searcher_name, _, scheduler_name = name.partition("+")
        searcher_key = {"optuna-asha": "optuna"}.get(searcher_name, searcher_name)
        searcher = SEARCHERS.get(searcher_key)
        scheduler = SCHEDULERS.get(scheduler_name)
    else:
        strategy = PLUGINS.find(name)
        if strategy is None:
            plugins = [n for n in PLUGINS.names() if n not in REGISTRY]
            raise BenchError(
                f"unknown strategy {name!r}; accepted: {', '.join([*REGISTRY.names(), *plugins])}, "
                f"or searcher+scheduler with searcher in {', '.join(SEARCHERS.names())} "
                f"and scheduler in {', '.join(SCHEDULERS.names())}, or module:attribute naming a "
                f"strategies.Strategy"
            )
        name = strategy.name
        searcher = _component(SEARCHERS, strategy.searcher)
        scheduler = _component(SCHEDULERS, strategy.scheduler)
    _check_compatible(searcher.name, scheduler.name)
    params = resolve_params([searcher, scheduler], overrides or {})
    return ResolvedStrategy(name=name, searcher=searcher, scheduler=scheduler, params=params)


__all__ = [
    "REGISTRY", "PLUGINS", "SEARCHERS", "SCHEDULERS", "resolve", "Strategy", "Component", "Param",
    "BuildContext", "Built", "ResolvedStrategy", "METRIC", "MODE", "TIME_ATTR",
]
