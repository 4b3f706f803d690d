"""Benchmarks of the standalone server against the raw database driver, side by side in one run."""
