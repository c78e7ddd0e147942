"""Benchmarks: ``python -m bench`` (``make bench``) runs every one and prints the figures."""
