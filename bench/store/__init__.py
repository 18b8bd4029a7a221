"""The run store: run folders (per-epoch tables and manifests), the run ledger and its journal,
learning-curve tables and datasets, and the curve books read from them. Live runs and replay both
write through here; reports and nightly read from here."""
