"""The anonymiser's evaluation harness: a labelled set and its scores.

    uv run python -m tools.anonymiser_eval [--size N] [--seed S] [--examples N] [--real FILE]

Kept beside the project, not in the runtime package: the server never needs it.
"""
