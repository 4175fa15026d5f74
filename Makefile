# wfm: two commands matter: `make demo` and `make test` (see README.md).
# Everything installs into .venv, created on first use with the system's Python >= 3.11.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
OUT    ?= demo_output

.PHONY: demo test test-explore test-min lint typecheck unit bench bench-quick docs clean install install-dev chromium

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "wfm needs Python >= 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@touch $@

# Runtime install (package plus plotting/parquet/HiGHS extras the demo uses).
$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e '.[all]'
	@touch $@

# Development install: every extra plus the `dev` dependency group (pytest, hypothesis, ruff,
# mypy, stubs); `--group` needs pip >= 25.1, which $(VENV)/.created installs.
$(VENV)/.installed-dev: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet --upgrade 'pip>=25.1'
	$(PIP) install --quiet -e '.[all,docs,dask]' --group dev
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(VENV)/bin/wfm demo --output $(OUT)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

unit: $(VENV)/.installed-dev
	$(PY) -m pytest -q

docs: $(VENV)/.installed-dev
	$(VENV)/bin/mkdocs build --strict --quiet

test: lint typecheck unit docs

# Debian's headless chromium for the report's browser test (skipped where it is missing).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; }

# Property tests with fresh random examples, ten times as many as `make test` tries
# (tests/conftest.py); keep every failure found as an explicit @example on its test.
test-explore: $(VENV)/.installed-dev
	WFM_HYPOTHESIS_PROFILE=explore $(PY) -m pytest -q -p no:cacheprovider

# The suite again on the lowest versions pyproject.toml allows (.ci/min-versions.txt), on
# Python 3.11, in its own environment .venv-min (no linters: those run in `make test`).
PYTHON_MIN ?= $(shell command -v python3.11 2>/dev/null || echo python3.11)
MIN_VENV   := .venv-min
$(MIN_VENV)/.installed: pyproject.toml .ci/min-versions.txt
	@$(PYTHON_MIN) -c 'import sys; assert sys.version_info[:2] == (3, 11), "make test-min needs Python 3.11, found " + sys.version.split()[0]'
	rm -rf $(MIN_VENV)
	$(PYTHON_MIN) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -c .ci/min-versions.txt -e '.[all]' 'pytest>=8' 'hypothesis>=6.100'
	@touch $@

test-min: $(MIN_VENV)/.installed
	$(MIN_VENV)/bin/python -c 'import numpy, pandas, scipy; print("test-min on numpy", numpy.__version__, "pandas", pandas.__version__, "scipy", scipy.__version__)'
	$(MIN_VENV)/bin/python -m pytest -q -p no:cacheprovider

bench-quick: $(VENV)/.installed-dev
	$(PY) benchmarks/run_quick.py

# Full benchmarks run in their own environment, which also holds pyworkforce (the open
# baseline the issues compare against); it is never a dependency of wfm itself.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[all]' pyworkforce
	@touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run_quick.py --full

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(MIN_VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache .hypothesis .benchmarks
