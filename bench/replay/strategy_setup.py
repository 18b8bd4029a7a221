"""The glue `tune.run` puts around a strategy's objects, repeated for replay without Ray.

What `tune.Tuner.fit()` does before its loop: wrap a Searcher in a ConcurrencyLimiter and a
SearchGenerator (or make the default BasicVariantGenerator), hand metric, mode and the space
to the searcher and the scheduler, and size the queue of pending trials. Same classes, same
arguments; only the calls are made here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.errors import BenchError
from bench.replay.trials import ReplayExperiment
from bench.tune_compat import configure_tune, set_search_properties
from bench.tune_compat import max_pending_trials as tune_max_pending_trials
from strategies import METRIC, MODE

if TYPE_CHECKING:
    from ray.tune.schedulers import TrialScheduler
    from ray.tune.search import SearchAlgorithm

    from strategies.base import Built

#: Schedulers whose calls into the controller replay provides (checked one by one).
SUPPORTED_SCHEDULERS = (
    "FIFOScheduler", "AsyncHyperBandScheduler", "HyperBandScheduler", "HyperBandForBOHB",
    "MedianStoppingRule", "PopulationBasedTraining", "PB2",
)
_WHY_NOT = {
    "ResourceChangingScheduler": "it reallocates CPUs and GPUs between running trials, and replay "
                                 "simulates workers, not resources",
    "PopulationBasedTrainingReplay": "it replays a recorded PBT policy file rather than deciding",
}


def check_replayable(strategy_name: str, built: Built) -> None:
    """Refuse strategies whose Ray Tune objects need something replay does not simulate."""
    from ray.tune.search import SearchAlgorithm, Searcher
    from ray.tune.search.basic_variant import BasicVariantGenerator
    from ray.tune.search.search_generator import SearchGenerator

    scheduler = built.scheduler
    if scheduler is not None:
        name = type(scheduler).__name__
        if name not in SUPPORTED_SCHEDULERS:
            why = _WHY_NOT.get(name, "replay only drives schedulers it has been checked against")
            raise BenchError(
                f"strategy {strategy_name!r} cannot run in replay: its scheduler {name} is not "
                f"supported ({why}); replay supports {', '.join(SUPPORTED_SCHEDULERS)}"
            )
    search_alg = built.search_alg
    if search_alg is not None and not isinstance(search_alg,
                                                 (Searcher, BasicVariantGenerator, SearchGenerator)):
        kind = "SearchAlgorithm" if isinstance(search_alg, SearchAlgorithm) else "object"
        raise BenchError(
            f"strategy {strategy_name!r} cannot run in replay: its searcher is a custom {kind} "
            f"{type(search_alg).__name__}; replay supports Ray Tune Searchers and BasicVariantGenerator"
        )


def prepare(built: Built, workers: int) -> tuple[SearchAlgorithm, TrialScheduler]:
    """The SearchAlgorithm and TrialScheduler exactly as `tune.run` would use them.

    Returns:
        (search_alg, scheduler), with the experiment's configurations already added.
    """
    from ray.tune.schedulers import FIFOScheduler
    from ray.tune.search import ConcurrencyLimiter, Searcher
    from ray.tune.search.basic_variant import BasicVariantGenerator
    from ray.tune.search.search_generator import SearchGenerator

    scheduler = built.scheduler or FIFOScheduler()
    search_alg = built.search_alg
    if search_alg is None:
        search_alg = BasicVariantGenerator(max_concurrent=workers)
    elif isinstance(search_alg, Searcher) and not isinstance(search_alg, ConcurrencyLimiter):
        search_alg = ConcurrencyLimiter(search_alg, max_concurrent=workers)
    if isinstance(search_alg, Searcher):
        search_alg = SearchGenerator(search_alg)
    experiment = ReplayExperiment(_shared_domains(built.param_space), built.num_samples)  # type: ignore[arg-type]  # resolved by the build
    searcher_ok, scheduler_ok = set_search_properties(search_alg, scheduler, METRIC, MODE, built.param_space,
                                                      experiment.public_spec)
    if not searcher_ok:
        raise BenchError("the searcher already holds a search space, but the strategy also "
                         "gave a param_space")
    if not scheduler_ok:
        raise BenchError(f"{type(scheduler).__name__} was built with its own metric or mode")
    search_alg.add_configurations([experiment])
    return search_alg, scheduler


def max_pending_trials(search_alg: SearchAlgorithm, workers: int, cluster_cpus: float) -> int:
    """How many PENDING trials Tune keeps queued (bench.tune_compat.max_pending_trials).

    A live bench run sets TUNE_MAX_PENDING_TRIALS_PG through bench.tune_compat.configure_tune
    (to the number of workers unless the user set it); replay applies the same setting.
    """
    from ray.tune.search.basic_variant import BasicVariantGenerator

    setting = configure_tune(workers)["TUNE_MAX_PENDING_TRIALS_PG"]
    if setting != "auto":
        return int(setting)
    if isinstance(search_alg, BasicVariantGenerator):
        # Tune reads the cluster's CPUs here; replay uses those of the table's machine.
        return max(200, int(cluster_cpus * 1.1))
    return tune_max_pending_trials(search_alg)


_SHARED_TYPES: dict[type, type] = {}


def _shared_domains(space: dict) -> dict:
    """The param_space with each sampling domain marked as not worth deep-copying.

    Tune deep-copies the whole spec before drawing each sample; domains are never mutated, so
    sharing them draws the very same values (same classes, samplers and random state) at a
    fraction of the cost. Grid values and constants are left as they are.
    """
    from ray.tune.search.sample import Domain

    shared = {}
    for key, value in space.items():
        if isinstance(value, Domain):
            kind = type(value)
            subclass = _SHARED_TYPES.get(kind)
            if subclass is None:
                subclass = _SHARED_TYPES[kind] = type(kind.__name__, (kind,),
                                                      {"__deepcopy__": lambda self, memo: self})
            twin: Domain = object.__new__(subclass)
            twin.__dict__.update(value.__dict__)
            value = twin
        shared[key] = value
    if all(isinstance(value, (Domain, str, int, float, bool)) for value in shared.values()):
        return FlatConfig(shared)  # nothing nested: a copy of the dict is a deep copy
    return shared


class FlatConfig(dict):
    """A config of domains and scalars, whose deep copy is a plain copy of the dict.

    Domains are shared (see _shared_domains) and scalars are immutable, so copying the mapping
    is all a deep copy does; Tune copies the config twice for every trial it samples.
    """

    def __deepcopy__(self, memo: dict) -> FlatConfig:
        return FlatConfig(self)
