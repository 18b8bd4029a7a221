"""A `bench run` as plain values (`RunRequest`), validated into RunSpecs by `plan`;
shared by the CLI and the API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.errors import BenchError, on_command_line, option, option_value
from bench.spec import MAX_FAILURES, SHIPPED_COST_MODEL

if TYPE_CHECKING:
    from bench.spec import RunSpec
    from workloads.base import Workload


@dataclass(frozen=True)
class RunRequest:
    """The plain values of a `bench run` (its options, or `run`'s arguments), before validation."""

    strategy: str | None
    workload: str = "digits"
    seed: int = 0
    seeds: int = 1
    workers: int | None = None
    samples: int | None = None
    budget_epochs: float | None = None
    budget_seconds: float | None = None
    budget_fraction: float | None = None
    until: str | None = None  # "budget" or "target"; None: target when the workload has a reference
    target: float | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    set_pairs: tuple[str, ...] = ()  # `--set KEY=VALUE` as given, parsed (after params) when validated
    out: Path = Path("results")
    address: str | None = None
    trials_per_gpu: int | None = None
    data_dir: Path | None = None
    progress: bool = True
    max_failures: int = MAX_FAILURES
    resume: str | None = None  # an unfinished run: its folder, or its run id under `out`
    replay: str | None = None  # None: train live; "": the workload's shipped table; else a table
    repeats: int | None = None
    command: tuple[str, ...] = ()


def call_command(function: str, **arguments: Any) -> tuple[str, ...]:
    """What a manifest records as the command of an API call: the call, written out."""
    shown = {k: str(v) if isinstance(v, Path) else v for k, v in arguments.items() if v is not None}
    given = ", ".join(f"{k}={v!r}" for k, v in shown.items())
    return (f"{function}({given})",)


def path_value(name: str, value: str | Path) -> Path:
    """A path argument; an empty string is refused (Path('') would mean '.'), as the CLI refuses it."""
    if not str(value).strip():
        raise BenchError(f"{option(name)} takes a path, not an empty string (use . for the current folder)")
    return Path(value)


def replay_option(replay: bool | str | Path) -> str | None:
    """`replay` as `--replay`'s value: None (train live), "" (the shipped table) or a table."""
    if replay is False or replay is None:
        return None
    return "" if replay is True else str(path_value("replay", replay))


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """`--set KEY=VALUE` pairs as a mapping; a malformed or repeated pair is refused."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BenchError(f"{option('params')} takes KEY=VALUE, not {pair!r}")
        if key.strip() in params:
            raise BenchError(f"{option('params')} {key.strip()} given twice ({params[key.strip()]!r} and "
                             f"{value.strip()!r}); accepted: each parameter once")
        params[key.strip()] = value.strip()
    return params


def plan(request: RunRequest, cost_model: Any = SHIPPED_COST_MODEL) -> list:
    """Validate every value and return one RunSpec per seed; nothing is written here.

    Args:
        cost_model: what will charge the runs' epochs (a replayed table's cost model, or None),
            which sets the default budget's unit; by default the workload's shipped one, as live runs use.
    """
    import workloads
    from bench.reporting.basis import default_stop
    from bench.spec import check_buildable, check_writable, make_specs, raise_if_bad_target
    from bench.store.recording import repeat_seeds

    if request.strategy is None:
        if request.resume is not None:
            return [_resume_spec(request, None)]
        raise BenchError(f"bench run: {option('strategy')} is required (or {option('resume')} RUN to "
                         "continue a run)")
    seeds = repeat_seeds(request.repeats, request.strategy, request.seeds, request.replay is not None)
    params = {**request.params, **parse_params(request.set_pairs)}
    workload = workloads.get(request.workload)
    until, target = default_stop(request.until, request.target, workload.name)
    raise_if_bad_target(target)
    if until == "target" and target is None:
        raise BenchError(f"{option_value('until', 'target')} needs {option('target')}"
                         f"{' ACCURACY' if on_command_line() else ''}")
    check_run_options(request.trials_per_gpu, request.max_failures)
    if request.address is not None:
        from bench.live.ray_session import parse_address

        parse_address(request.address)  # the syntax now; whether a cluster answers when Ray starts
    options = workload_options(request.data_dir, workload, live=request.replay is None)
    check_writable(request.out)
    specs = make_specs(
        [(request.strategy, params)], workload.name, seed=request.seed, seeds=seeds, out_dir=request.out,
        samples=request.samples, workers=request.workers, budget_epochs=request.budget_epochs,
        budget_seconds=request.budget_seconds, budget_fraction=request.budget_fraction, cost_model=cost_model,
        target=target if until == "target" else None, address=request.address,
        trials_per_gpu=request.trials_per_gpu or 1, workload_options=options,
        command=request.command, progress=request.progress, max_failures=request.max_failures,
    )
    if request.replay is not None:
        return specs  # replays finish in seconds: nothing to resume
    check_buildable(specs)  # a parameter refused against the workload fails here, before Ray starts
    if request.resume is not None:
        if seeds != 1:
            raise BenchError(f"{option('resume')} continues one run; drop {option('seeds')}")
        return [_resume_spec(request, specs[0])]
    from bench.live.unfinished import with_unfinished_run

    return [with_unfinished_run(spec) for spec in specs]


def check_run_options(trials_per_gpu: int | None, max_failures: int) -> None:
    """`--trials-per-gpu` and `--max-failures`, as `run` and `compare` take them."""
    from bench.spec import check_positive

    check_positive("trials_per_gpu", trials_per_gpu)
    if isinstance(max_failures, bool) or not isinstance(max_failures, int) or max_failures < 0:
        raise BenchError(f"{option('max_failures')} must be 0 or more, not {max_failures}")


def workload_options(data_dir: str | Path | None, workload: Workload, live: bool) -> dict:
    """--data-dir as a workload option; a live run's workload checks its data before anything is written."""
    from workloads import Workload

    if data_dir is None:
        options = {}
    elif workload.check_ready is Workload.check_ready:  # the base's no-op: the workload reads no data
        raise BenchError(f"{option('data_dir')}: workload {workload.name} reads no data files; "
                         "workloads that do: cifar10")
    else:
        options = {"data_dir": str(Path(data_dir).expanduser().absolute())}
    if live:
        workload.check_ready(options)  # data missing: one line, exit 2
    return options


def _resume_spec(request: RunRequest, given: RunSpec | None) -> RunSpec:
    """The spec that continues `resume`; values given must match the run's manifest."""
    from bench.live import unfinished

    return unfinished.resume_spec(request.resume, request.out, given, address=request.address,  # type: ignore[arg-type]  # a --resume request
                                  trials_per_gpu=request.trials_per_gpu or 1, command=request.command,
                                  progress=request.progress)
