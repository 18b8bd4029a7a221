"""The one exception type that means "the user gave bad input", and how its messages name a setting.

A message names a setting through `option(name)`: the Python API's parameter (`budget_epochs`) by
default, and the command line's flag (`--budget-epochs`) while `bench.cli` runs a command (inside
`command_line_names()`). So `bench.run(samples=0)` says "samples must be ..." and
`bench run --samples 0` says "--samples must be ...", from the one check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: API parameters whose flag is not `--` followed by the name with dashes for underscores.
FLAG_OF_PARAMETER = {"params": "--set", "out": "--out"}

_ON_COMMAND_LINE: ContextVar[bool] = ContextVar("bench_on_command_line", default=False)


class BenchError(Exception):
    """Bad input or an unusable environment: the CLI prints one line and exits 2."""

    exit_code = 2


def option(name: str) -> str:
    """A setting as a message names it: the API parameter, or on the command line its flag."""
    if _ON_COMMAND_LINE.get():
        return FLAG_OF_PARAMETER.get(name, "--" + name.replace("_", "-"))
    return name


def option_value(name: str, value: object) -> str:
    """A setting with a value as the user would write it: `until='target'`, or `--until target`."""
    if _ON_COMMAND_LINE.get():
        return f"{option(name)} {value}"
    return f"{name}={value!r}"


def live_option() -> str:
    """How to ask for live training: `--live` on the command line, `replay=False` in the API."""
    return "--live" if _ON_COMMAND_LINE.get() else "replay=False"


def on_command_line() -> bool:
    """Whether messages are being written for the command line (flags) or the API (parameters)."""
    return _ON_COMMAND_LINE.get()


@contextmanager
def command_line_names() -> Iterator[None]:
    """Within this block, messages name flags (`--samples`), not API parameters (`samples`)."""
    token = _ON_COMMAND_LINE.set(True)
    try:
        yield
    finally:
        _ON_COMMAND_LINE.reset(token)


#: Seeds go to numpy's global generator, which takes 0 .. 2**32 - 1.
MAX_SEED = 2**32 - 1


def check_seeds(seed: int, seeds: int) -> None:
    """Refuse a root seed whose run seeds seed .. seed + seeds - 1 leave [0, MAX_SEED]."""
    if not 0 <= seed <= MAX_SEED - (seeds - 1):
        raise BenchError(f"{option('seed')} takes an integer in [0, {MAX_SEED}] (with {option('seeds')} N, "
                         f"seed + N - 1 too), not {seed}")


def path_option(text: str) -> Path:
    """An argparse type for a path option: an empty string is refused (Path('') would mean '.')."""
    import argparse
    from pathlib import Path

    if not text.strip():
        raise argparse.ArgumentTypeError("takes a path, not an empty string (use . for the current folder)")
    return Path(text)
