from hromada.cli import entrypoint

entrypoint()
