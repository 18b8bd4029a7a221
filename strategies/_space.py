"""Convert a workload's search space into Ray Tune's sampling domains."""

from __future__ import annotations

from workloads.space import Hyperparameter, SearchSpace


def _domain(hp: Hyperparameter, continuous: bool):
    from ray import tune  # imported when a strategy is built, so `bench list` stays fast

    if hp.integer and not continuous:
        # randint's upper bound is exclusive
        return (tune.lograndint if hp.log else tune.randint)(int(hp.low), int(hp.high) + 1)
    return (tune.loguniform if hp.log else tune.uniform)(hp.low, hp.high)


def tune_space(space: SearchSpace, continuous: bool = False) -> dict:
    """Sampling domains for every hyperparameter.

    Args:
        continuous: model integers as floats (for searchers that only know floats, such
            as BayesOptSearch); the trainable rounds them.
    """
    return {hp.name: _domain(hp, continuous) for hp in space}


def grid_space(space: SearchSpace) -> dict:
    """Every hyperparameter as a grid_search over its grid values."""
    from ray import tune

    return {hp.name: tune.grid_search(list(hp.grid)) for hp in space}
