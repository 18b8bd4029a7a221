"""Tell a Ctrl-C that Ray Tune handled gracefully from a run that finished.

On the first SIGINT Ray Tune stops its loop, saves its experiment state, puts back the SIGINT
handler it found and returns from `fit()` as if the run had ended. Installing our own handler
before `fit()` lets us see that: after an interrupted `fit()`, ours is installed again.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType

    from ray.tune import Tuner


class _Marker:
    """The SIGINT handler Ray Tune saves and restores; a second Ctrl-C lands here."""

    def __init__(self) -> None:
        self.called = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.called = True
        raise KeyboardInterrupt


def fit(tuner: Tuner) -> bool:
    """Run `tuner.fit()`; True when a Ctrl-C (SIGINT, or Tune's SIGUSR1) ended it early."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    tune_catches_sigint = in_main_thread and not int(os.environ.get("TUNE_DISABLE_SIGINT_HANDLER", "0"))
    if not in_main_thread:
        tuner.fit()
        return False
    marker = _Marker()
    previous = signal.signal(signal.SIGINT, marker)
    previous_usr1 = signal.getsignal(signal.SIGUSR1) if hasattr(signal, "SIGUSR1") else None
    try:
        tuner.fit()
    finally:
        current = signal.signal(signal.SIGINT, previous)
        if previous_usr1 is not None:
            signal.signal(signal.SIGUSR1, previous_usr1)  # Tune's SIGUSR1 handler also stops runs
    return marker.called or (tune_catches_sigint and current is marker)
