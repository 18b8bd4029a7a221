"""HyperOpt's Tree-structured Parzen Estimator through Ray Tune's HyperOptSearch.

Bergstra et al., Algorithms for Hyper-Parameter Optimization, NeurIPS 2011.
"""

from strategies._space import tune_space
from strategies.base import METRIC, MODE, Built, Component, Param


def _build(ctx, params):
    from ray.tune.search.hyperopt import HyperOptSearch

    return Built(
        search_alg=HyperOptSearch(
            space=HyperOptSearch.convert_search_space(tune_space(ctx.space)), metric=METRIC, mode=MODE,
            n_initial_points=params["n_initial_points"], gamma=params["gamma"],
            random_state_seed=ctx.seed,
        )
    )


TPE = Component(
    name="tpe",
    summary="HyperOpt TPE (HyperOptSearch)",
    params=(
        Param("n_initial_points", 20, "random configurations before TPE takes over", low=1),
        Param("gamma", 0.25, "share of observations TPE treats as good", low=0, high=1, open_low=True,
              open_high=True),
    ),
    build=_build,
    reference="https://papers.nips.cc/paper/4443-algorithms-for-hyper-parameter-optimization",
)
