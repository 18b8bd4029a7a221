"""A run ledger that survives a crash of the driver: rows and trial outcomes are journaled as
they happen, a resumed run takes them over, and epochs a restored trial trains again are
dropped instead of counted twice.

Ray Tune pickles its run config (with the stopper and callback that hold the ledger) into its
experiment folder and unpickles it on `Tuner.restore`. A pickled ledger therefore resolves to
the live ledger of the same run when one is attached in this process, so the restored Tune
loop feeds the ledger that holds the rows already recorded and appends to the run's files.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Mapping

from bench import faults, tune_snapshot
from bench.recorder import LedgerCallback, RunLedger
from bench.results import JsonLinesLog

TRIALS_JOURNAL = "trials.partial.jsonl"
JOURNAL_SCHEMA_VERSION = 1

_LIVE: dict[str, "DurableLedger"] = {}


def _resolve_ledger(run_id: str, state: dict) -> "DurableLedger":
    """Unpickling hook: the live ledger of `run_id` if attached here, else a detached copy."""
    live = _LIVE.get(run_id)
    if live is not None:
        return live
    ledger = DurableLedger.__new__(DurableLedger)
    ledger.__dict__.update(state)
    return ledger


class TrialJournal(JsonLinesLog):
    """Trial outcomes, errors and retries, one JSON line each, appended as they happen."""

    def __init__(self, folder: Path) -> None:
        super().__init__(Path(folder) / TRIALS_JOURNAL)

    def append(self, event: Mapping[str, Any]) -> None:
        super().append({"schema_version": JOURNAL_SCHEMA_VERSION, "timestamp": time.time(), **event})


def row_key(trial_id: str, lineage: str | None, epoch: int) -> tuple[str, str, int]:
    """What makes an epoch unique: a PBT exploit starts a new lineage, a restore does not."""
    return (str(trial_id), str(lineage or trial_id), int(epoch))


class DurableLedger(RunLedger):
    """A RunLedger whose rows and trial events are journaled and that drops replayed epochs.

    Args (besides RunLedger's):
        journal: where trial outcomes, errors and retries are appended.
    """

    def __init__(self, *args, journal: TrialJournal | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.journal = journal
        self.seen: set[tuple[str, str, int]] = set()
        self.replayed_epochs = 0
        self.replayed_compute_s = 0.0
        self.errors: dict[str, str] = {}
        self.retries: list[dict] = []
        self.storage_failure: OSError | None = None  # output storage full or read-only: stop the run

    def __reduce__(self):
        state = {**self.__getstate__(), "journal": None}
        return (_resolve_ledger, (self.identity["run_id"], state))

    def attach(self) -> None:
        """Make pickled copies of this run's ledger (Tune's restored run config) resolve to self."""
        _LIVE[self.identity["run_id"]] = self

    def detach(self) -> None:
        _LIVE.pop(self.identity["run_id"], None)

    def adopt(self, rows: list[dict], events: list[dict]) -> None:
        """Take over what an earlier process of this run recorded (rows in arrival order)."""
        for row in rows:
            self.rows.append(row)
            self.seen.add(row_key(row["trial_id"], row.get("lineage"), row["epoch"]))
            self.run_epochs += 1
            self.run_compute_s += float(row["epoch_cost_s"])
            self.trial_epochs[row["trial_id"]] = int(row["epoch"])
            self.trial_diverged[row["trial_id"]] = bool(row["diverged"])
            if self.best_accuracy is None or row["val_accuracy"] > self.best_accuracy:
                self.best_accuracy, self.best_config = row["val_accuracy"], self.normalise(row)
        for event in events:
            if event["event"] in ("finished", "errored"):
                self.outcomes[event["trial_id"]] = event["outcome"]
            if event["event"] == "errored":
                self.errors[event["trial_id"]] = event["error"]
            if event["event"] == "retried":
                self.retries.append({"trial_id": event["trial_id"], "error": event["error"]})

    def record(self, trial_id: str, config: Mapping[str, Any], result: Mapping[str, Any], node: str):
        key = row_key(trial_id, result.get("lineage"), result["epoch"])
        if key in self.seen:
            # A trial restored from a checkpoint older than what the driver recorded trains
            # these epochs again; they were recorded and counted once already.
            self.replayed_epochs += 1
            self.replayed_compute_s += self.charge(self.normalise(config), result)
            return None
        self.seen.add(key)
        log, self.log = self.log, None  # append the row once it carries its lineage
        try:
            row = super().record(trial_id, config, result, node)
        finally:
            self.log = log
        row["lineage"] = key[1]
        if self.log is not None:
            self.log.append(row)
        return row

    def should_stop(self) -> bool:
        return super().should_stop() or self.storage_failure is not None

    def _journal(self, **event) -> None:
        if self.journal is not None:
            self.journal.append(event)

    def trial_finished(self, trial_id: str) -> None:
        if trial_id in self.outcomes:
            return
        super().trial_finished(trial_id)
        if not getattr(self, "_leaving", False):
            self._journal(event="finished", trial_id=trial_id, outcome=self.outcomes[trial_id], error=None)

    def trial_left(self, trial_id: str, paused: bool) -> None:
        """End-of-run outcome of an open trial: not journaled, as a resumed run continues it."""
        self._leaving = True
        try:
            super().trial_left(trial_id, paused)
        finally:
            self._leaving = False

    def trial_failed(self, trial_id: str, error: str, retrying: bool) -> None:
        """A trial raised or lost its worker; Ray Tune retries it or gives up."""
        if retrying:
            self.retries.append({"trial_id": trial_id, "error": error})
            self._journal(event="retried", trial_id=trial_id, outcome=None, error=error)
            return
        self.trial_errored(trial_id)
        self.errors[trial_id] = error
        self._journal(event="errored", trial_id=trial_id, outcome="errored", error=error)

    def error_list(self) -> list[dict]:
        return [{"trial_id": trial_id, "error": error} for trial_id, error in self.errors.items()]


class JournalCallback(LedgerCallback):
    """LedgerCallback that records the node id, error messages and retries, and spots full storage."""

    def on_trial_result(self, iteration, trials, trial, result, **info):
        if "epoch_compute_s" in result:
            node = result.get("node_id") or result.get("node_ip", "")
            self.ledger.record(trial.trial_id, trial.config, result, str(node))

    def _failure(self, trial, retrying: bool) -> None:
        error, text = _read_error(trial)
        message = faults.one_line(error) if error is not None else _last_line(text)
        storage = (faults.storage_error(error) if error is not None else None) or faults.storage_error_in_text(text)
        if storage is None and self.ledger.log is not None:
            storage = faults.probe_storage(self.ledger.log.path.parent)
        if storage is not None and self.ledger.storage_failure is None:
            self.ledger.storage_failure = storage
        self.ledger.trial_failed(trial.trial_id, message, retrying)

    def on_trial_start(self, iteration, trials, trial, **info):
        self.staging_dir = trial.local_experiment_path  # where Tune stages its experiment state

    def get_state(self):
        """Tune calls this as it saves, right after its experiment and searcher states: copy them."""
        staging, log = getattr(self, "staging_dir", None), self.ledger.log
        if staging and log is not None:
            tune_snapshot.capture(staging, log.path.parent)
        return None

    def on_trial_recover(self, iteration, trials, trial, **info):
        self._failure(trial, retrying=True)

    def on_trial_error(self, iteration, trials, trial, **info):
        self._failure(trial, retrying=False)


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


def _read_error(trial) -> tuple[BaseException | None, str | None]:
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
