"""nox sessions: tests, lint and types, and benchmark scripts that print figures (not timed tests)."""

import nox

nox.options.default_venv_backend = "none"  # torch installs from this machine's disk into the system Python
nox.options.sessions = ["tests"]


@nox.session
def tests(session):
    """The whole suite, four tests at a time (pytest-xdist; the README's test command, what CI runs)."""
    session.run("python", "-m", "pytest", "-q", "-n", "4", *session.posargs)


@nox.session
def quick(session):
    """The tests that neither start Ray nor train (`-m "not slow"`), one per CPU (pytest-xdist's
    `-n auto`; these tests never wait on Ray, so more workers than CPUs only share them): the
    edit-and-check loop."""
    session.run("python", "-m", "pytest", "-q", "-m", "not slow", "-n", "auto", *session.posargs)


@nox.session
def suite_cpu(session):
    """Where the test suite's CPU goes, by kind of process (pytest, bench commands, Ray trial
    processes, Ray's daemons): `nox -s tests` under scripts/suite_cpu.py (the whole suite, 15-18
    min here)."""
    session.run("python", "scripts/suite_cpu.py", "--", "python", "-m", "pytest", "-q", "-n", "4",
                *session.posargs)


@nox.session
def lint(session):
    """ruff over the whole repository and mypy over the bench package (settings in pyproject.toml)."""
    session.run("python", "-m", "ruff", "check", ".")
    session.run("python", "-m", "mypy", "bench")


@nox.session
def benchmarks(session):
    """Speed figures: replay throughput, the 13-strategy x 20-seed matrix at --parallel 1 and 2 and on
    two nodes, recording throughput, and what a process's start-up steps cost."""
    for script in ("scripts/bench_replay.py", "scripts/matrix_speed.py"):
        session.run("python", script, *session.posargs)
    session.run("python", "scripts/record_throughput.py")
    session.run("python", "scripts/startup_cost.py")


@nox.session
def fidelity(session):
    """Replay against live training: the surrogate's cross-validation, live vs replay, and the load test
    (about 25 min)."""
    for script in ("scripts/surrogate_fidelity.py", "scripts/live_vs_replay.py",
                   "scripts/load_invariance.py"):
        session.run("python", script)


@nox.session
def answer(session):
    """How far the verdict can be trusted: replay noise and tail,
    then the verdict on three refitted surrogates (posargs go to scripts/verdict_robustness.py,
    e.g. --strategies asha,random,hyperband --seeds 20)."""
    session.run("python", "scripts/replay_noise.py")
    session.run("python", "scripts/verdict_robustness.py", *session.posargs)


@nox.session
def gpu(session):
    """cifar10 throughput and MFU with 1, 2, 4 and 8 trials per GPU (tiny CPU figures, labelled,
    without CUDA)."""
    session.run("python", "scripts/gpu_throughput.py", *session.posargs)
