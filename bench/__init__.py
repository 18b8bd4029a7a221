"""bench: compare hyperparameter-search strategies on one workload under one compute budget."""

__version__ = "0.1.0"
