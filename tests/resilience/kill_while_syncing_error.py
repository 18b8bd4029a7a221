"""`python tests/resilience/kill_while_syncing_error.py run ...`: `bench run`, killed with SIGKILL at the
moment Tune's sync has copied a trial's pickled error into the run folder, with that copy cut short.

Tune writes a trial's `error.pkl` in its driver staging folder and copies the folder (experiment
state first, the trial folders after) into the run folder on its next sync, in a thread. A driver
killed during that copy leaves an experiment state that says the trial errored beside an empty
or partial `error.pkl`. This launcher makes that moment deterministic: after the first copy that
brought an `error.pkl` into the run folder, it cuts the copied pickle to half its bytes and kills
its own process, as the kill would have. Nothing else in the run is changed.

It kills only once bench's trial journal holds the trial's error: Tune's sync thread may copy the
pickle before bench's callback has journaled the error (seen on a loaded machine), and a kill then
tests another moment. That copy is left whole; Tune's next sync copies the folder again.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def journal_events(folder: Path) -> list[dict]:
    """bench's trial journal in run folder `folder` so far, read as a resume reads it (a line being
    written is left out; no journal yet: none). The tests read it with this too."""
    from bench.live.resume import EVENT_KEYS
    from bench.store.journal import TRIALS_JOURNAL
    from bench.store.jsonl import read_records

    return read_records(folder / TRIALS_JOURNAL, EVENT_KEYS, damaged_line="refuse")[0]


def _journaled_error(pickled: Path) -> bool:
    """Whether the run folder holding `pickled` has bench's journal entry of an errored trial."""
    from bench.store.journal import TRIALS_JOURNAL

    for folder in pickled.parents:
        if (folder / TRIALS_JOURNAL).exists():
            return any(event["event"] == "errored" for event in journal_events(folder))
    return False


def _kill_after_copying_an_error_pickle() -> None:
    import ray.train._internal.storage as storage

    from bench import tune_compat

    copy = storage._pyarrow_fs_copy_files
    name = tune_compat.error_pickle_file()

    def copy_then_kill(source, destination, *args, **kwargs):
        result = copy(source, destination, *args, **kwargs)
        target = Path(destination)
        copied = [target] if target.name == name else sorted(target.rglob(name)) if target.is_dir() else []
        for pickled in copied:
            if not _journaled_error(pickled):
                continue
            data = pickled.read_bytes()
            pickled.write_bytes(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    storage._pyarrow_fs_copy_files = copy_then_kill


if __name__ == "__main__":
    _kill_after_copying_an_error_pickle()
    from bench.cli import main

    sys.exit(main(sys.argv[1:]))
