# qheat: two commands set everything up on a fresh machine.
#   make run   - create .venv, install, run the main job
#   make test  - create .venv, install, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	# compile the engine's loops once (about 10 s; numba caches them next to the sources)
	$(BIN)/qheat current --device examples/three_qubits.toml --json > /dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qheat reproduce --out out

# pytest also runs the doctests, the tutorial notebooks and the README example (tests/test_docs.py);
# then the linter and formatter (ruff), the type checker (mypy), and the documentation site is
# built with warnings as errors, so it cannot rot
# (not --quiet: it hides the warnings from --strict).
test: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -q
	$(BIN)/python -m ruff check src tests benchmarks
	$(BIN)/python -m ruff format --check src tests benchmarks
	$(BIN)/python -m mypy
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

bench: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/bench_point.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache
