"""Faults during a run: one-line trial error messages, storage failures, and fault injection.

A trial that raises or whose worker dies is retried by Ray Tune from its last checkpoint up to
`--max-failures` times (default `bench.spec.MAX_FAILURES`), then recorded as errored; the run goes on. A
full or read-only output folder is different: every later write fails too, so the run stops
with one clear message.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: errno values that mean "this storage cannot take more writes" (not a bug in one trial).
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EFBIG})

#: Environment variable that makes trials fail on purpose (tests and drills); recorded in the manifest.
INJECT_ENV = "BENCH_INJECT_FAULT"
INJECT_KINDS = ("raise", "exit")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, its causes and contexts, and the causes Ray wraps inside task errors."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend([current.__cause__, current.__context__, getattr(current, "cause", None)])


def storage_error(exc: BaseException) -> OSError | None:
    """The OSError in `exc`'s chain that means the output storage is full or read-only, if any."""
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in STORAGE_ERRNOS:
            return link
    return None


def storage_error_in_text(text: str | None) -> OSError | None:
    """A storage OSError named in an error's text (when Ray could not keep the exception itself)."""
    for code in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
        if text and os.strerror(code) in text:
            return OSError(code, os.strerror(code))
    return None


def probe_storage(folder: Path, size_bytes: int = 1 << 16) -> OSError | None:
    """Write, sync and delete a scratch file in `folder`; the OSError if storage refuses it."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe.") as handle:
            handle.write(b"\0" * size_bytes)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        return exc if exc.errno in STORAGE_ERRNOS else None
    return None


def describe_storage_error(error: OSError, folder: Path) -> str:
    """One line for a failed write: what failed, where, and that the written part stays readable."""
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(folder) else ""
    return (f"cannot write results under {folder}: {os.strerror(error.errno)}{where}; what was written "  # type: ignore[arg-type]  # a storage errno
            f"so far stays readable; free space or fix permissions, then resume with "
            f"`python -m bench run --resume {folder}`")


def one_line(exc: BaseException | None) -> str:
    """A trial's error as one line: the original exception's type and message."""
    if exc is None:
        return "unknown error"
    from ray.exceptions import RayActorError, WorkerCrashedError

    for link in _chain(exc):
        if isinstance(link, (RayActorError, WorkerCrashedError)):
            return f"{type(link).__name__}: the trial's worker process died"
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        exc = cause
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()


@dataclass(frozen=True)
class Injection:
    """Fail one trial on purpose: `kind` at the start of `epoch` in trials whose id ends in `trial_suffix`."""

    kind: str
    trial_suffix: str
    epoch: int

    def fire(self, trial_id: str, epoch: int) -> None:
        if epoch != self.epoch or not trial_id.endswith(self.trial_suffix):
            return
        if self.kind == "raise":
            raise RuntimeError(f"injected fault in trial {trial_id} at epoch {epoch}")
        os._exit(3)  # the worker process dies without cleanup, like an out-of-memory kill


def parse_injection(text: str | None) -> Injection | None:
    """Parse `KIND:TRIAL_SUFFIX:EPOCH` (e.g. `raise:00001:2`); None when unset."""
    from bench.errors import BenchError

    if not text:
        return None
    parts = text.split(":")
    if len(parts) != 3 or parts[0] not in INJECT_KINDS or not parts[2].isdigit():
        raise BenchError(f"{INJECT_ENV}={text!r} is not KIND:TRIAL_SUFFIX:EPOCH with KIND in "
                         f"{', '.join(INJECT_KINDS)} (e.g. raise:00001:2)")
    return Injection(parts[0], parts[1], int(parts[2]))


def injection_from_env() -> Injection | None:
    return parse_injection(os.environ.get(INJECT_ENV))
