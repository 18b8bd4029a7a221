"""Successive halving schedulers: asynchronous (ASHA) and synchronous Hyperband.

Li et al., A System for Massively Parallel Hyperparameter Tuning (ASHA), MLSys 2020.
Li et al., Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization, JMLR 2018.
"""

from bench.errors import BenchError
from strategies.base import TIME_ATTR, Built, Component, Param


def check_grace_period(ctx, params) -> None:
    """A grace period longer than training would never let the scheduler act (Ray asserts on it)."""
    if params["grace_period"] > ctx.max_epochs:
        raise BenchError(f"parameter 'grace_period' takes an int in [1, {ctx.max_epochs}] (the workload's "
                         f"max_epochs), not {params['grace_period']}")


def _build_asha(ctx, params):
    from ray.tune.schedulers import ASHAScheduler

    check_grace_period(ctx, params)
    return Built(
        scheduler=ASHAScheduler(
            time_attr=TIME_ATTR, max_t=ctx.max_epochs, grace_period=params["grace_period"],
            reduction_factor=params["reduction_factor"], brackets=params["brackets"],
        )
    )


def _build_hyperband(ctx, params):
    from ray.tune.schedulers import HyperBandScheduler

    scheduler = HyperBandScheduler(
        time_attr=TIME_ATTR, max_t=ctx.max_epochs, reduction_factor=params["reduction_factor"]
    )
    # Synchronous Hyperband halves a bracket only once all its trials reached the rung, so
    # the largest bracket must exist at once (paused or pending) on `workers` workers.
    from bench.tune_compat import hyperband_largest_bracket

    largest_bracket = hyperband_largest_bracket(scheduler)
    return Built(scheduler=scheduler, live_trials=largest_bracket)


ASHA = Component(
    name="asha",
    summary="asynchronous successive halving (ASHAScheduler)",
    params=(
        Param("grace_period", 1, "epochs every trial gets before it can be stopped (at most max_epochs)",
              low=1),
        Param("reduction_factor", 3.0, "keep 1/reduction_factor of trials at each rung", low=1,
              open_low=True),
        Param("brackets", 1, "number of brackets (1 = plain ASHA)", low=1),
    ),
    build=_build_asha,
    reference="https://arxiv.org/abs/1810.05934",
)

HYPERBAND = Component(
    name="hyperband",
    summary="synchronous Hyperband (HyperBandScheduler) that pauses and resumes trials",
    params=(Param("reduction_factor", 3.0, "keep 1/reduction_factor of trials at each rung", low=1,
                  open_low=True),),
    build=_build_hyperband,
    reference="https://arxiv.org/abs/1603.06560",
)
