"""The benchmark harness behind `scripts/bench/run` (see docs/benchmarks.md)."""
