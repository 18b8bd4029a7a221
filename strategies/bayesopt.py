"""Gaussian-process Bayesian optimisation through Ray Tune's BayesOptSearch.

Snoek et al., Practical Bayesian Optimization of Machine Learning Algorithms, NeurIPS 2012.
Batch size and width are searched as continuous values; the trainable rounds them.
BayesOptSearch drops log scales (Ray Tune warns so): learning rate and weight decay are
searched on a linear scale, which is what a user of BayesOptSearch gets.
"""

from strategies._space import tune_space
from strategies.base import METRIC, MODE, Built, Component, Param


def _build(ctx, params):
    from ray.tune.search.bayesopt import BayesOptSearch

    return Built(
        search_alg=BayesOptSearch(
            space=BayesOptSearch.convert_search_space(tune_space(ctx.space, continuous=True)), metric=METRIC,
            mode=MODE, random_state=ctx.seed, random_search_steps=params["random_search_steps"],
        )
    )


BAYESOPT = Component(
    name="bayesopt",
    summary="GP Bayesian optimisation (BayesOptSearch); integers searched as floats",
    params=(Param("random_search_steps", 10, "random configurations before the GP takes over", low=1),),
    build=_build,
    reference="https://arxiv.org/abs/1206.2944",
)
