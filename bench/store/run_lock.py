"""One live driver per run folder: a lock file naming its owner, released on exit, stale after a crash.

`RUN/driver.lock` holds the owner's host name, process id and start time. It is created
exclusively (O_EXCL), so of two drivers starting on the same folder only one gets it. A lock
whose owner is on this host and no longer running (a killed driver) is stale and taken over; a
lock held from another host cannot be checked from here and is respected.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path

from bench.errors import BenchError

LOCK = "driver.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def live_owner(folder: Path) -> dict | None:
    """The driver holding `folder`'s lock, or None when there is no lock or it is stale."""
    try:
        owner = json.loads((Path(folder) / LOCK).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None  # torn by a crash while it was written: nobody holds it
    if not isinstance(owner, dict):
        return None
    if owner.get("host") == socket.gethostname() and not _alive(int(owner.get("pid", -1))):
        return None
    return owner


def describe(folder: Path, owner: dict) -> str:
    return (f"{folder}: run in progress by driver pid {owner.get('pid')} on {owner.get('host')} since "
            f"{owner.get('started_at')}; wait for it to finish, or delete "
            f"{Path(folder) / LOCK} if that driver is gone")


def acquire(folder: Path) -> None:
    """Take `folder`'s lock for this process, or raise BenchError naming its live owner."""
    path = Path(folder) / LOCK
    body = json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                       "started_at": dt.datetime.now(dt.UTC).isoformat()}).encode()
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = live_owner(folder)
            if owner is not None:
                raise BenchError(describe(folder, owner)) from None
            path.unlink(missing_ok=True)  # stale: its driver is gone
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        return
    raise BenchError(f"{path}: another driver took the lock at the same moment; run again")


def release(folder: Path) -> None:
    """Remove `folder`'s lock if this process holds it."""
    path = Path(folder) / LOCK
    try:
        owner = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    if (isinstance(owner, dict) and owner.get("pid") == os.getpid()
        and owner.get("host") == socket.gethostname()):
        path.unlink(missing_ok=True)
