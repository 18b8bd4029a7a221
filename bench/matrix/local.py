"""Replay runs on N local worker processes; a worker that dies costs only the run it held.

Each worker is a spawned process (never forked: the driver may hold Ray's or torch's threads)
that loads the table once, then takes one recipe at a time over its own pipe. The driver waits
on every pipe and every process's sentinel together, so a worker killed mid-run (an
out-of-memory kill, `os._exit`) is seen at once: its run is recorded as failed, a fresh worker
takes its place, and the matrix goes on. (`concurrent.futures` would mark the whole pool broken;
`multiprocessing.Pool` would wait forever for the lost result.)
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

from bench.matrix.plan import RunRecipe

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def _serve(conn: Connection, table_path: str | None) -> None:
    """A worker process: load the table, then run recipes until told to stop (None)."""
    import logging
    import signal
    import warnings

    from bench.matrix import worker

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle: it stops the workers
    warnings.filterwarnings("ignore")
    logging.getLogger("ray").setLevel(logging.ERROR)
    if table_path is not None:
        worker.table(table_path)
    while True:
        try:
            recipe = conn.recv()
        except EOFError:
            return  # the driver is gone
        if recipe is None:
            return
        result = worker.run_replay(recipe)
        try:
            conn.send(result)
        except (BrokenPipeError, OSError):
            return  # the driver stopped listening (Ctrl-C, an error): nothing to report to


class _Worker:
    def __init__(self, context: Any, table_path: str | None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, table_path), daemon=True)
        self.process.start()
        child.close()
        self.recipe: RunRecipe | None = None
        self.started = 0.0

    def give(self, recipe: RunRecipe) -> None:
        self.recipe, self.started = recipe, time.perf_counter()
        self.conn.send(recipe)

    def stop(self) -> None:
        if self.recipe is not None:
            self.process.kill()  # the matrix is being abandoned (Ctrl-C, an error): its run is lost
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def run_local(recipes: Iterable[RunRecipe], parallel: int, table_path: str | None,
              on_done: Callable[[dict], None]) -> None:
    """Run `recipes` on `parallel` worker processes, calling `on_done(outcome)` as each ends."""
    from bench.matrix.worker import outcome, remove_scratch

    queue = deque(recipes)
    context = multiprocessing.get_context("spawn")
    workers = [_Worker(context, table_path) for _ in range(min(parallel, len(queue)))]
    try:
        while queue or any(w.recipe is not None for w in workers):
            for w in workers:
                if w.recipe is None and queue:
                    w.give(queue.popleft())
            busy = [w for w in workers if w.recipe is not None]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for w in busy:
                if w.conn not in ready and w.process.sentinel not in ready:
                    continue
                result = None
                try:
                    if w.conn.poll():
                        result = w.conn.recv()
                except (EOFError, OSError):
                    result = None
                if result is None and w.process.is_alive():
                    continue  # woken by the sentinel of another worker
                if result is None:
                    w.process.join()
                    remove_scratch(w.process.pid)
                    result = outcome(w.recipe, "failed", time.perf_counter() - w.started,  # type: ignore[arg-type]  # busy
                                     f"worker process died (exit code {w.process.exitcode})",
                                     executed={"host": None, "pid": w.process.pid, "node_id": None})
                    workers[workers.index(w)] = _Worker(context, table_path) if queue else _Idle()  # type: ignore[assignment]  # an _Idle slot has no recipe: never used again
                else:
                    w.recipe = None
                on_done(result)
    finally:
        for w in workers:
            if isinstance(w, _Worker):
                w.stop()


class _Idle:
    """A slot whose dead worker is not replaced (nothing is left to run)."""

    recipe = None
