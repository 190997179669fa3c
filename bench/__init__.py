"""Benchmark scripts, and the baseline views they measure the project against."""
