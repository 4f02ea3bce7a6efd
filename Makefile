# rhoresearch: `make` lists the targets. The two commands a new user needs: `make reports`, `make test`.
.DEFAULT_GOAL := help
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.rhoresearch-env
DEMO_STAMP := data/demo/.generated
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder --durations=15
LAB_PORT ?= 8888
# A cheap check that .venv still works: finds (without importing) the packages the project runs on.
export ENV_PROBE := import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in ("rhoresearch", "pandas", "papermill", "statsmodels", "seaborn", "nbval", "ipykernel", "nbconvert", "pandera", "mypy", "importlinter")))

.PHONY: help env data reports test verify lab lint format hooks lock clean check-python bench

help: ## list the targets (this text)
	@echo "rhoresearch: a reproducible research template for evidence on ethnic inequalities in health care"
	@echo
	@echo "  make reports   set everything up, then build every report in reports.yml on the demo data"
	@echo "  make test      set everything up, then run the linter and every test"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

check-python: ## check that python3 is 3.11 or newer
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "rhoresearch needs Python 3.11 or newer: '$(PYTHON)' was not found on PATH"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { echo "rhoresearch needs Python 3.11 or newer: $(PYTHON) is $$($(PYTHON) -c 'import platform; print(platform.python_version())')"; exit 1; }

env: ## make .venv from the lock, install the package editable, register the 'rhoresearch' kernel
	@if [ -f $(STAMP) ] && ! $(PY) -c "$$ENV_PROBE" >/dev/null 2>&1; then \
		echo "env: .venv is broken (its python or a locked package is missing): rebuilding"; rm -f $(STAMP); fi
	@$(MAKE) -q $(STAMP) 2>/dev/null || $(MAKE) --no-print-directory $(STAMP)
	@$(MAKE) -q $(LAB_SETTINGS) 2>/dev/null || $(MAKE) --no-print-directory $(LAB_SETTINGS)

# JupyterLab settings overrides (no news, no update checks, no extension manager): nothing in
# `make lab` reaches for the network. jupyterlab/README.md says what each setting does.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_SETTINGS): jupyterlab/overrides.json $(STAMP)
	@install -D -m 644 $< $@
	@echo "env: JupyterLab settings overrides installed ($@)"

$(STAMP): pyproject.toml requirements.lock
	@$(MAKE) --no-print-directory check-python
	@echo "env: building $(VENV) from requirements.lock"
	@rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m ipykernel install --prefix $(VENV) --name rhoresearch --display-name "Python (rhoresearch)" >/dev/null
	@$(PY) -c 'import rhoresearch, papermill, statsmodels, seaborn' 
	@touch $(STAMP)
	@echo "env: ready ($(VENV), kernel 'rhoresearch')"

data: env ## generate the demonstration data into data/demo (seeded: same seed, same bytes)
	@$(MAKE) -q $(DEMO_STAMP) 2>/dev/null || $(MAKE) --no-print-directory $(DEMO_STAMP)

# The demo data depends on the generators and every module they import (listed, by path, in
# data/demo/.sources.mk at each generation; before the first one, on every module of the package).
DEMO_SOURCES_MK := data/demo/.sources.mk
-include $(DEMO_SOURCES_MK)
DEMO_SOURCES ?= $(shell find src/rhoresearch -name '*.py' -not -path '*/__pycache__/*')

$(DEMO_STAMP): $(STAMP) $(DEMO_SOURCES) $(wildcard data/reference/*)
	$(PY) -m rhoresearch data --sources-mk $(DEMO_SOURCES_MK)
	@touch $@

reports: env data ## build every report listed in reports.yml (incremental; make -j2 reports runs two at once)
	@$(MAKE) --no-print-directory _reports

# The report targets come from a fragment generated from reports.yml (regenerated, and every
# report's parameters revalidated, when reports.yml or a notebook changes). Each report is the file
# target reports/<id>/manifest.json, depending on its notebook, its own entry of reports.yml
# (reports/.config/<id>.json), every .py below src/rhoresearch and its inputs. Read only for `_reports`.
BUILD_MK := reports/.build.mk
ifneq ($(filter _reports,$(MAKECMDGOALS)),)
-include $(BUILD_MK)
endif

$(BUILD_MK): reports.yml $(wildcard src/rhoresearch/build/*.py)
	$(PY) -m rhoresearch makefile --output $@

.PHONY: _reports
_reports: $(REPORT_MANIFESTS) reports/index.html

reports/index.html: $(REPORT_MANIFESTS)
	$(PY) -m rhoresearch index

.PHONY: release
release: env ## make release REPORT=<id>: reports/<id>/release/ with only the files an output checker can release, and release.md
	@test -n "$(REPORT)" || { echo "make release needs REPORT=<id> (python -m rhoresearch list)"; exit 1; }
	$(PY) -m rhoresearch release $(REPORT)

verify: env data ## rerun every built report into a temporary folder and check it reproduces (REPORT=id for one)
	$(PY) -m rhoresearch verify $(if $(REPORT),$(REPORT),)

.PHONY: pdf
pdf: env ## print the built reports to PDF with headless Chromium: reports/<id>/report.pdf (REPORT=id for one)
	$(PY) -m rhoresearch.build.pdf $(if $(REPORT),$(REPORT),)

test: env data spark-check ## run the linters (style, import layers, types), the unit and backtests, and the notebook tests (nbval)
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory pytest

.PHONY: test-fast
test-fast: env data ## the tests not marked slow (no notebook runs, builds, browser or Spark notebooks): the quick loop while editing
	@$(MAKE) --no-print-directory pytest PYTEST_ARGS="$(PYTEST_ARGS) -m 'not slow' tests"

.PHONY: check
check: # the static checks of `make test`: style, notebook format, import layers, types
	$(VENV)/bin/ruff check src tests benchmarks notebooks scripts docs
	$(VENV)/bin/ruff format --check notebooks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

.PHONY: spark-check bench-scale
spark-check: env ## check for the Java runtime Spark needs (the Spark tests skip without it)
	@$(PY) scripts/check_java.py

.PHONY: docs
docs: env ## build the documentation into docs/_build/html (offline; a warning or broken link fails it)
	@rm -f docs/_build/html/.build-ok && mkdir -p docs/_build && touch docs/_build/.build-started
	$(VENV)/bin/sphinx-build -b html -E -W --keep-going -n -q docs docs/_build/html
	@mv docs/_build/.build-started docs/_build/html/.build-ok
	@echo "docs: docs/_build/html/index.html"

bench-scale: env ## the record-level scale benchmark (ROWS=100000000 by default; needs ~2 GB of disk)
	$(PY) benchmarks/scale.py --rows $(or $(ROWS),100000000)

.PHONY: pytest
pytest: # run pytest only (no set-up); "no tests collected" (exit 5) is a failure
	@rc=0; $(VENV)/bin/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

lab: env data ## start JupyterLab on the project kernel with the notebooks folder open
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) --MappingKernelManager.default_kernel_name=rhoresearch \
		$(if $(filter 0,$(shell id -u)),--allow-root,)

lint: env ## check code style (ruff), notebook format and outputs, import layers (import-linter), types (mypy)
	$(VENV)/bin/ruff check src tests benchmarks notebooks
	$(VENV)/bin/ruff format --check src tests benchmarks notebooks
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

format: env ## format the code (ruff) and strip notebook outputs
	$(VENV)/bin/ruff check --fix src tests benchmarks notebooks
	$(VENV)/bin/ruff format src tests benchmarks notebooks
	$(VENV)/bin/nbstripout notebooks/*.ipynb

hooks: env ## install the offline pre-commit hooks (ruff, nbstripout, large-file guard)
	$(VENV)/bin/pre-commit install

lock: check-python ## re-resolve requirements.lock from pyproject.toml (needs the package index)
	@rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet "pip>=24" "pip-tools>=7.4"
	.lock-venv/bin/pip-compile --quiet --upgrade --extra dev --extra spark --strip-extras --no-emit-index-url \
		--no-emit-find-links --no-emit-trusted-host -o requirements.lock pyproject.toml
	@rm -rf .lock-venv
	$(PYTHON) scripts/sync_environment.py
	@echo "lock: requirements.lock and environment.yml refreshed; commit it with the change that needed it"

$(VENV)-bench/.ready: requirements.lock
	@$(MAKE) --no-print-directory check-python
	rm -rf $(VENV)-bench
	$(PYTHON) -m venv $(VENV)-bench
	$(VENV)-bench/bin/pip install --quiet -c requirements.lock numpy pandas scipy pyarrow statsmodels phstatsmethods
	$(VENV)-bench/bin/pip install --quiet --no-deps -e .
	@touch $@

bench: env data $(VENV)-bench/.ready ## run the benchmarks (PHStatsMethods, GPL-3, goes into .venv-bench only)
	$(VENV)-bench/bin/python benchmarks/indicators.py
	$(PY) benchmarks/build.py

clean: ## remove built reports, demo data and caches (keeps .venv; 'make clean-all' removes it too)
	rm -rf reports .pytest_cache .ruff_cache .mypy_cache .import_linter_cache build *.egg-info src/*.egg-info docs/_build docs/api/generated
	find data/demo -mindepth 1 ! -name README.md -exec rm -rf {} +
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

.PHONY: clean-all
clean-all: clean ## also remove .venv
	rm -rf $(VENV)
