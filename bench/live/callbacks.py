"""The Tune callbacks and stopper that feed a run's ledger from the driver loop.

The callback sees results in the order the driver processes them (the order the report's
trajectories use); the stopper reads the same ledger and ends every trial on budget or target.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ray import tune

from bench import tune_compat
from bench.live import experiment_snapshot, faults
from bench.store.ledger import RunLedger

if TYPE_CHECKING:
    from ray.tune.experiment import Trial

    from bench.store.journal import DurableLedger


class LedgerCallback(tune.Callback):
    """Feeds the ledger from the Tune driver loop."""

    def __init__(self, ledger: RunLedger) -> None:
        self.ledger = ledger

    def on_trial_result(self, iteration: int, trials: list[Trial], trial: Trial, result: dict,
                        **info: Any) -> None:
        if "epoch_compute_s" in result:
            self.ledger.record(trial.trial_id, trial.config, result, str(result.get("node_ip", "")))

    def on_trial_complete(self, iteration: int, trials: list[Trial], trial: Trial, **info: Any) -> None:
        self.ledger.trial_finished(trial.trial_id)

    def on_trial_error(self, iteration: int, trials: list[Trial], trial: Trial, **info: Any) -> None:
        self.ledger.trial_errored(trial.trial_id)

    def on_experiment_end(self, trials: list[Trial], **info: Any) -> None:
        for trial in trials:
            self.ledger.trial_left(trial.trial_id, paused=trial.status == "PAUSED")
        tune_compat.name_unstarted_trial_dirs(trials)


class LedgerStopper(tune.Stopper):
    """Stops every trial once the shared budget is spent or the target is reached."""

    def __init__(self, ledger: RunLedger) -> None:
        self.ledger = ledger

    def __call__(self, trial_id: str, result: dict) -> bool:
        return False

    def stop_all(self) -> bool:
        return self.ledger.should_stop()


class JournalCallback(LedgerCallback):
    """LedgerCallback that records the node id, error messages and retries, and spots full storage."""

    ledger: DurableLedger

    def on_trial_result(self, iteration: int, trials: list[Trial], trial: Trial, result: dict,
                        **info: Any) -> None:
        if "epoch_compute_s" in result:
            node = result.get("node_id") or result.get("node_ip", "")
            self.ledger.record(trial.trial_id, trial.config, result, str(node))

    def _failure(self, trial: Trial, retrying: bool) -> None:
        error, text = _read_error(trial)
        message = faults.one_line(error) if error is not None else _last_line(text)
        storage = ((faults.storage_error(error) if error is not None else None)
                   or faults.storage_error_in_text(text))
        if storage is None and self.ledger.log is not None:
            storage = faults.probe_storage(self.ledger.log.path.parent)
        if storage is not None and self.ledger.storage_failure is None:
            self.ledger.storage_failure = storage
        self.ledger.trial_failed(trial.trial_id, message, retrying)

    def on_trial_start(self, iteration: int, trials: list[Trial], trial: Trial, **info: Any) -> None:
        self.staging_dir = tune_compat.staging_dir(trial)

    def get_state(self) -> dict | None:
        """Tune calls this as it saves, right after its experiment and searcher states: copy them,
        with the state of the scheduler (`ledger.scheduler`) that Tune's save leaves out.

        (That order is Ray-version-sensitive; tests/bench/test_tune_compat.py checks it.)
        """
        staging, log = getattr(self, "staging_dir", None), self.ledger.log
        if staging and log is not None:
            # None: nothing to keep
            state = tune_compat.scheduler_state(getattr(self.ledger, "scheduler", None))
            experiment_snapshot.capture(staging, log.path.parent, state)
        return None

    def on_trial_recover(self, iteration: int, trials: list[Trial], trial: Trial, **info: Any) -> None:
        self._failure(trial, retrying=True)

    def on_trial_error(self, iteration: int, trials: list[Trial], trial: Trial, **info: Any) -> None:
        self._failure(trial, retrying=False)


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


def _read_error(trial: Trial) -> tuple[BaseException | None, str | None]:
    """The trial's latest error and its text, from the driver-side files Tune just wrote.

    (`Trial.get_pickled_error` reads the storage copy, which is synced later.) A file that
    cannot be read, for example one cut short by a full disk, gives None.
    """
    import cloudpickle

    error = text = None
    try:
        if trial.pickled_error_file:
            with open(trial.pickled_error_file, "rb") as handle:
                error = cloudpickle.load(handle)
    except Exception:
        error = None
    try:
        if trial.error_file:
            text = Path(trial.error_file).read_text(errors="replace")
    except OSError:
        text = None
    return error, text
