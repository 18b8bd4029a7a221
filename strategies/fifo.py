"""First-in first-out: every trial runs to its end (Ray Tune's default scheduler)."""

from strategies.base import Built, Component


def _build(ctx, params):
    return Built(scheduler=None)


FIFO = Component(
    name="fifo",
    summary="no early stopping: every trial trains to max_epochs",
    params=(),
    build=_build,
)
