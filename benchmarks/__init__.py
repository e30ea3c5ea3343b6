"""Benchmarks of bulk-tasks against its sandbox on loopback: ``python -m benchmarks.run`` (see BENCHMARKS.md)."""
