"""The median stopping rule (Ray Tune's MedianStoppingRule).

Golovin et al., Google Vizier: A Service for Black-Box Optimization, KDD 2017.
"""

from strategies.base import TIME_ATTR, Built, Component, Param
from strategies.hyperband import check_grace_period


def _build(ctx, params):
    from ray.tune.schedulers import MedianStoppingRule

    check_grace_period(ctx, params)
    return Built(
        scheduler=MedianStoppingRule(
            time_attr=TIME_ATTR, grace_period=params["grace_period"],
            min_samples_required=params["min_samples_required"],
        )
    )


MEDIAN = Component(
    name="median",
    summary="stop a trial whose best result is below the median of others at the same epoch",
    params=(
        Param("grace_period", 1, "epochs before a trial can be stopped (at most max_epochs)", low=1),
        Param("min_samples_required", 3, "trials needed at an epoch before the rule applies", low=1),
    ),
    build=_build,
    reference="https://research.google/pubs/pub46180/",
)
