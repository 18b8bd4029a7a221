"""Third-party log records and Python warnings go to the run's log file, not to the terminal.

A run that fails (a folder that became read-only or full) or is interrupted (Ctrl-C) ends with
one line saying what happened and what to do. Ray Tune logs the same event first as ERROR
records with tracebacks (a trial's failed checkpoint write, a stopped experiment) and Python
warnings; those would bury bench's line, so while a run trains or replays they are written to
RUN/driver.log. The libraries a strategy builds on (nevergrad's bounds warning, BayesOpt's dropped
log scales, Optuna's study lines) and MLflow's store set-up go there too: the terminal carries
bench's lines only. Live and replay both use this module; they meet in the store.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

LOG_FILE = "driver.log"
#: Loggers whose terminal handlers are swapped for the file: Ray's root logger (ray.tune and
#: the rest propagate to it), the one Python warnings go to while captured, and the libraries
#: bench builds on that log on their own handlers.
_LOGGERS = ("ray", "py.warnings", "mlflow", "alembic", "optuna", "hyperopt", "nevergrad", "bayes_opt")


class _LogFile(logging.FileHandler):
    """A log file that never complains: on a full or read-only disk its records are lost quietly."""

    def __init__(self, path: Path) -> None:
        self.error_records = 0  # ERROR records seen, written or not
        try:
            super().__init__(path, encoding="utf-8")  # opened now: a folder made read-only later keeps it
            self.usable = True
        except OSError:  # already full or read-only: bench's own checks report that
            super().__init__(path, encoding="utf-8", delay=True)
            self.usable = False

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.error_records += 1
        if self.usable:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass  # the terminal stays quiet; bench's own line reports the storage failure


def _to_terminal(handler: logging.Handler) -> bool:
    """A handler that writes to a stream (Ray's PlainRayHandler on stderr), not to a file."""
    return isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler)


@contextlib.contextmanager
def to_run_log(folder: Path | str) -> Iterator[_LogFile]:
    """Within the block, third-party log records and Python warnings go to folder/driver.log.

    Yields the file handler; its `error_records` counts the ERROR records Ray logged.
    """
    handler = _LogFile(Path(folder) / LOG_FILE)
    try:
        with _routed_to(handler):
            yield handler
    finally:
        try:
            handler.close()
        except OSError:
            pass  # a full disk: the records not yet flushed are lost; bench's own line says why


class HeldRecords(logging.Handler):
    """Records kept in memory until the run's folder exists (a strategy is built before it does)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(_FORMAT)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 (a record that cannot be formatted is dropped, never shown)
            pass

    def write_to(self, folder: Path) -> None:
        """Append the held records to folder/driver.log (nothing when there are none or it fails)."""
        if not self.lines:
            return
        try:
            with open(Path(folder) / LOG_FILE, "a", encoding="utf-8") as file:
                file.writelines(line + "\n" for line in self.lines)
        except OSError:
            pass  # a full or read-only folder: bench's own checks report that
        self.lines.clear()


@contextlib.contextmanager
def held_log() -> Iterator[HeldRecords]:
    """Within the block, third-party records and warnings are held (HeldRecords) for the run's log."""
    handler = HeldRecords()
    with _routed_to(handler):
        yield handler


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Within the block, third-party records and warnings are dropped: checks that build a strategy
    only to validate it, before the run that builds it again and logs what it says."""
    import warnings

    with _routed_to(logging.NullHandler()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ignored, not shown: the run's own build still logs them
        yield


_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


@contextlib.contextmanager
def _routed_to(handler: logging.Handler) -> Iterator[logging.Handler]:
    if handler.formatter is None:
        handler.setFormatter(_FORMAT)
    saved = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, list(logger.handlers), logger.propagate))
        for old in [h for h in logger.handlers if _to_terminal(h)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
    capturing = _capturing_warnings()
    logging.captureWarnings(True)
    try:
        yield handler
    finally:
        if not capturing:
            logging.captureWarnings(False)
        for logger, handlers, propagate in saved:
            logger.removeHandler(handler)
            for old in handlers:
                if old not in logger.handlers:
                    logger.addHandler(old)
            logger.propagate = propagate


def _capturing_warnings() -> bool:
    """Whether warnings already go to logging (an enclosing block routes them): leave it so."""
    import warnings

    return getattr(warnings.showwarning, "__name__", "") == "_showwarning"
