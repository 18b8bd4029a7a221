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
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.store.ledger import RunLedger
from bench.store.results import JsonLinesLog

if TYPE_CHECKING:
    from ray.tune.schedulers import TrialScheduler

TRIALS_JOURNAL = "trials.partial.jsonl"
JOURNAL_SCHEMA_VERSION = 1

_LIVE: dict[str, DurableLedger] = {}


def _resolve_ledger(run_id: str, state: dict) -> DurableLedger:
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

    def __init__(self, *args: Any, journal: TrialJournal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.journal = journal
        self.seen: set[tuple[str, str, int]] = set()
        self.replayed_epochs = 0
        self.replayed_compute_s = 0.0
        self.errors: dict[str, str] = {}
        self.retries: list[dict] = []
        self.storage_failure: OSError | None = None  # output storage full or read-only: stop the run
        #: The run's Tune scheduler, whose state bench.live.callbacks saves with Tune's; never pickled.
        self.scheduler: TrialScheduler | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        state = {**self.__getstate__(), "journal": None, "scheduler": None}
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

    def record(self, trial_id: str, config: Mapping[str, Any], result: Mapping[str, Any],  # type: ignore[override]  # None: an epoch trained again
               node: str) -> dict | None:
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

    def _journal(self, **event: Any) -> None:
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
