"""The one exception type that means "the user gave bad input"."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


class BenchError(Exception):
    """Bad input or an unusable environment: the CLI prints one line and exits 2."""

    exit_code = 2


#: Seeds go to numpy's global generator, which takes 0 .. 2**32 - 1.
MAX_SEED = 2**32 - 1


def check_seeds(seed: int, seeds: int) -> None:
    """Refuse a root seed whose run seeds seed .. seed + seeds - 1 leave [0, MAX_SEED]."""
    if not 0 <= seed <= MAX_SEED - (seeds - 1):
        raise BenchError(f"--seed takes an integer in [0, {MAX_SEED}] (with --seeds N, seed + N - 1 too), "
                         f"not {seed}")


def path_option(text: str) -> Path:
    """An argparse type for a path option: an empty string is refused (Path('') would mean '.')."""
    import argparse
    from pathlib import Path

    if not text.strip():
        raise argparse.ArgumentTypeError("takes a path, not an empty string (use . for the current folder)")
    return Path(text)
