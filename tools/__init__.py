"""Development tools run from the repository (``uv run python -m tools.<name>``); not shipped."""
