"""Simulated time: each of K workers trains one trial; results arrive in time order."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.replay.trials import SimTrial

# An epoch's result; the trainable returning after its last epoch; a checkpoint saved, after
# which Tune acts on the decision it held back while saving.
RESULT, RETURNED, SAVED = 0, 1, 2


class WorkerClock:
    """A heap of pending results, one per busy worker, ordered by (time, submission order).

    An event is stale when its trial has been paused or stopped since it was scheduled
    (the trial's `event_seq` no longer matches); stale events are skipped, as Tune drops
    the futures of a stopped actor.
    """

    __slots__ = ("now", "free", "_heap", "_seq")

    def __init__(self, workers: int) -> None:
        self.now = 0.0
        self.free = workers
        self._heap: list = []
        self._seq = 0

    def start(self, trial: SimTrial) -> None:
        self.free -= 1

    def release(self, trial: SimTrial) -> None:
        """The trial's worker is free again; any result it had in flight is dropped."""
        self.free += 1
        trial.event_seq = -1

    def schedule(self, trial: SimTrial, delay_s: float, kind: int = RESULT) -> None:
        self._seq += 1
        trial.event_seq = self._seq
        heapq.heappush(self._heap, (self.now + delay_s, self._seq, kind, trial))

    def pop(self) -> tuple[SimTrial, int] | None:
        """The next live event as (trial, kind), advancing the clock; None when none is left."""
        heap = self._heap
        while heap:
            time_s, seq, kind, trial = heapq.heappop(heap)
            if trial.event_seq == seq:
                self.now = time_s
                return trial, kind
        return None
