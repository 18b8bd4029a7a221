"""Optuna's TPE sampler through Ray Tune's OptunaSearch.

Akiba et al., Optuna: A Next-generation Hyperparameter Optimization Framework, KDD 2019.
"""

from strategies._space import tune_space
from strategies.base import METRIC, MODE, Built, Component, Param


def _build(ctx, params):
    import optuna
    from ray.tune.search.optuna import OptunaSearch

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=ctx.seed, n_startup_trials=params["n_startup_trials"])
    return Built(
        search_alg=OptunaSearch(space=OptunaSearch.convert_search_space(tune_space(ctx.space)), metric=METRIC,
                                mode=MODE, sampler=sampler)
    )


OPTUNA = Component(
    name="optuna",
    summary="Optuna TPE (OptunaSearch with a seeded TPESampler)",
    params=(Param("n_startup_trials", 10, "random configurations before TPE takes over", low=0),),
    build=_build,
    reference="https://arxiv.org/abs/1907.10902",
)
