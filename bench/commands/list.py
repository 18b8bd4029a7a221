from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from bench.plugins import Plugins
    from strategies.base import Strategy
    from workloads.base import Workload

HELP = "list strategies and workloads (built-in and plugins), one line each"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def _strategy_line(name: str, strategy: Strategy) -> str:
    return f"{name:<12} {strategy.pairing:<18} {strategy.summary}"


def _workload_line(name: str, workload: Workload) -> str:
    return (f"{name:<12} v{workload.version:<4} {workload.space.grid_size()} grid points x "
            f"{workload.max_epochs} epochs  {workload.summary}")


def _print_plugins(plugins: Plugins[Any], line: Callable[[str, Any], str]) -> None:
    """Plugins after the built-ins: a broken one is listed with its problem, the others still work."""
    for listed in plugins.listing():
        if listed.problem is None:
            print(f"  {line(listed.name, listed.entry)}  [plugin: {listed.origin}]")
        else:
            print(f"  {listed.name:<12} BROKEN: {listed.problem}")


def main(args: argparse.Namespace) -> int:
    import strategies
    import workloads

    print("strategies:")
    for name, strategy in [(n, s) for n, s in strategies.REGISTRY.items()
                           if n in strategies.PLUGINS.builtins]:
        print(f"  {_strategy_line(name, strategy)}")
    _print_plugins(strategies.PLUGINS, _strategy_line)
    print(f"  searcher+scheduler: searchers {', '.join(strategies.SEARCHERS.names())}; "
          f"schedulers {', '.join(strategies.SCHEDULERS.names())}")
    print("workloads:")
    for name, workload in [(n, w) for n, w in workloads.REGISTRY.items() if n in workloads.PLUGINS.builtins]:
        print(f"  {_workload_line(name, workload)}")
    _print_plugins(workloads.PLUGINS, _workload_line)
    print("  or module:attribute naming a Workload (--workload) or Strategy (--strategy) of your own")
    return 0
