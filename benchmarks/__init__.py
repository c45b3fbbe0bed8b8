"""Benchmarks: each runs as ``python -m benchmarks.<name> [--quick]`` from the repository root and prints one
JSON object as its last stdout line. Figures and commands: ``docs/PERFORMANCE.md``."""
