"""BOHB: Bayesian optimisation (TuneBOHB, hpbandster + ConfigSpace) with HyperBandForBOHB.

Falkner et al., BOHB: Robust and Efficient Hyperparameter Optimization at Scale, ICML 2018.
"""

from strategies._space import tune_space
from strategies.base import METRIC, MODE, TIME_ATTR, Built, Component, Param

REFERENCE = "https://arxiv.org/abs/1807.01774"


def _build_searcher(ctx, params):
    from ray.tune.search.bohb import TuneBOHB

    return Built(search_alg=TuneBOHB(space=TuneBOHB.convert_search_space(tune_space(ctx.space)),
                                     metric=METRIC, mode=MODE, seed=ctx.seed))


def _build_scheduler(ctx, params):
    from ray.tune.schedulers import HyperBandForBOHB

    return Built(
        scheduler=HyperBandForBOHB(
            time_attr=TIME_ATTR, max_t=ctx.max_epochs, reduction_factor=params["reduction_factor"]
        )
    )


BOHB_SEARCHER = Component(
    name="bohb",
    summary="TuneBOHB: kernel-density model over configurations (hpbandster)",
    params=(),
    build=_build_searcher,
    reference=REFERENCE,
)

BOHB_SCHEDULER = Component(
    name="bohb",
    summary="HyperBandForBOHB: Hyperband brackets that feed TuneBOHB",
    params=(Param("reduction_factor", 3.0, "keep 1/reduction_factor of trials at each rung", low=1,
                  open_low=True),),
    build=_build_scheduler,
    reference=REFERENCE,
)
