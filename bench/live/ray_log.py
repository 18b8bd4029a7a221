"""Ray's log records and warnings go to RUN/driver.log while a run trains (bench.store.run_log)."""

from bench.store.run_log import LOG_FILE, held_log, to_run_log

__all__ = ["LOG_FILE", "held_log", "to_run_log"]
