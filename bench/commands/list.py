HELP = "list strategies and workloads, one line each"


def add_arguments(parser) -> None:
    pass


def main(args) -> int:
    import strategies
    import workloads

    print("strategies:")
    for name, strategy in strategies.REGISTRY.items():
        pairing = f"{strategy.searcher}+{strategy.scheduler}"
        print(f"  {name:<12} {pairing:<18} {strategy.summary}")
    print(f"  searcher+scheduler: searchers {', '.join(strategies.SEARCHERS.names())}; "
          f"schedulers {', '.join(strategies.SCHEDULERS.names())}")
    print("workloads:")
    for name, workload in workloads.REGISTRY.items():
        print(f"  {name:<12} v{workload.version:<4} {workload.space.grid_size()} grid points x "
              f"{workload.max_epochs} epochs  {workload.summary}")
    return 0
