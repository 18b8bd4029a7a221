"""JSON-lines files written a record at a time, read back after a crash.

A write cut short by a kill leaves a last line without its newline (a torn line). What an
unreadable line means depends on the file, so each reader says it: a run's journals refuse one
(the file was damaged or edited; resuming from it would be wrong), a recording's progress log
skips one (its job is simply trained again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from bench.errors import BenchError

DamagedLine = Literal["refuse", "skip"]
_UNREADABLE = object()


def _parse(line: bytes) -> Any:
    try:
        return json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _UNREADABLE


def _valid(record: Any, required: tuple[str, ...]) -> bool:
    return isinstance(record, dict) and all(key in record for key in required)


def read_records(path: Path, required: tuple[str, ...] = (), *,
                 damaged_line: DamagedLine) -> tuple[list[dict], int]:
    """The records of a JSON-lines file and the byte length of its intact part (its complete lines).

    Args:
        required: keys every record holds; a JSON line without one is refused in either mode.
        damaged_line: what a line that is not JSON means. "refuse": the file was damaged or edited,
            a BenchError naming the line; only a last line without its newline, torn by a crash
            mid-write, is dropped (and a last line that is complete JSON without its newline is
            refused: an edit). "skip": the line is left out, the last line included; a last line
            that is complete JSON counts even without its newline.
    """
    if not path.exists():
        return [], 0
    lines = path.read_bytes().split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    records, offset = [], 0
    for number, line in enumerate(complete, start=1):
        record = _parse(line)
        if record is _UNREADABLE and damaged_line == "skip":
            offset += len(line) + 1
            continue
        if not _valid(record, required):
            raise BenchError(f"{path}: line {number} is not a valid record (damaged or edited file)")
        records.append(record)
        offset += len(line) + 1
    if tail.strip():
        record = _parse(tail)
        if record is _UNREADABLE:
            pass  # torn by a crash mid-write: dropped
        elif damaged_line == "refuse":
            raise BenchError(f"{path}: last line has no newline but is complete (edited file)")
        elif not _valid(record, required):
            raise BenchError(f"{path}: line {len(complete) + 1} is not a valid record "
                             f"(damaged or edited file)")
        else:
            records.append(record)
    return records, offset


def cut_torn_tail(path: Path) -> None:
    """Drop a last line without its newline (a write cut by a kill) before appending after it."""
    if path.exists():
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)
