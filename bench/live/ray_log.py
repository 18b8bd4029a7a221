"""Ray's own log records go to the run's log file while it trains, not to the terminal.

A run that fails (a folder that became read-only or full) or is interrupted (Ctrl-C) ends with
one line saying what happened and what to do. Ray Tune logs the same event first as ERROR
records with tracebacks (a trial's failed checkpoint write, a stopped experiment) and Python
warnings; those would bury bench's line, so during `fit()` they are written to RUN/driver.log.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

LOG_FILE = "driver.log"
#: Loggers whose terminal handlers are swapped for the file: Ray's root logger (ray.tune and
#: the rest propagate to it) and the one Python warnings go to while captured.
_LOGGERS = ("ray", "py.warnings")


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
def to_run_log(folder: Path):
    """Within the block, Ray's log records and Python warnings go to folder/driver.log.

    Yields the file handler; its `error_records` counts the ERROR records Ray logged.
    """
    handler = _LogFile(Path(folder) / LOG_FILE)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = []
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, list(logger.handlers), logger.propagate))
        for old in [h for h in logger.handlers if _to_terminal(h)]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
    logging.captureWarnings(True)
    try:
        yield handler
    finally:
        logging.captureWarnings(False)
        for logger, handlers, propagate in saved:
            logger.removeHandler(handler)
            for old in handlers:
                if old not in logger.handlers:
                    logger.addHandler(old)
            logger.propagate = propagate
        try:
            handler.close()
        except OSError:
            pass  # a full disk: the records not yet flushed are lost; bench's own line says why
