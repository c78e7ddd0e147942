# The two commands of the README. Each installs uv first when it is missing.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
DB ?= sqlite postgres
PYTEST_ARGS ?=

.PHONY: demo test lint bench uv

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
	  || python3 -m pip install --user --quiet uv \
	  || python3 -m pip install --user --quiet --break-system-packages uv

demo: uv
	$(UV) run --frozen hromada demo

test: uv
	$(UV) sync --frozen --quiet
	@set -e; for engine in $(DB); do \
	  echo "== tests on $$engine =="; \
	  $(UV) run --frozen pytest --db=$$engine $(PYTEST_ARGS); \
	done

lint: uv
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy
	$(UV) run --frozen lint-imports --no-cache
	$(UV) run --frozen vulture

bench: uv
	$(UV) run --frozen --group bench python -m bench
