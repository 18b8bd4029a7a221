"""The one exception type that means "the user gave bad input"."""


class BenchError(Exception):
    """Bad input or an unusable environment: the CLI prints one line and exits 2."""

    exit_code = 2
