"""Nightly regression runs: suites, a history store, regression and step detection, a report."""

from bench.nightly.detect import ALPHA, classify, detect_steps
from bench.nightly.history import History
from bench.nightly.suite import Suite, load_suite

__all__ = ["ALPHA", "History", "Suite", "classify", "detect_steps", "load_suite"]
