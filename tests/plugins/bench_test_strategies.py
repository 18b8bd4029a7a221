"""A strategy only the tests use, written as a plugin would be: its own scheduler Component."""

from strategies import Built, Component, Param, Strategy
from strategies.base import TIME_ATTR


def _build(ctx, params):
    from ray.tune.schedulers import ASHAScheduler

    return Built(scheduler=ASHAScheduler(time_attr=TIME_ATTR, max_t=ctx.max_epochs, grace_period=1,
                                         reduction_factor=params["halving_factor"]))


HALVING = Component(
    name="halving", summary="successive halving by a factor of its own", build=_build,
    params=(Param("halving_factor", 2, "keep 1/factor of the trials at each rung", low=1, open_low=True),),
)

HALVING_STRATEGY = Strategy("halving", "random", HALVING, "random search, halving by 2 (a test plugin)")
