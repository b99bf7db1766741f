# Two commands for a fresh machine: `make report` and `make test`. Everything else is here for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The latest complete calendar year; override with `make report YEAR=2023`.
YEAR ?= $(shell $(PYTHON) -c 'import datetime; print(datetime.date.today().year - 1)')
FIRST_YEAR := 2018
INBOX ?= var/demo-inbox
OUT ?= out/$(YEAR)
SEED ?= 2024
export DAGSTER_HOME ?= $(CURDIR)/var/dagster_home

.PHONY: install report demo-inbox test test-fast lint check dev clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

demo-inbox: install
	$(BIN)/samverkan synth --forbund 3 --years $(FIRST_YEAR)-$(YEAR) --participants-per-year 600 \
		--seed $(SEED) --out $(INBOX)

report: demo-inbox $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/samverkan run --inbox $(INBOX) --year $(YEAR) --out $(OUT)

test: install
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: install
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow"

lint: install
	$(BIN)/ruff check .

check: lint $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster definitions validate -m pipelines.definitions

dev: demo-inbox $(DAGSTER_HOME)/dagster.yaml
	SAMVERKAN_INBOX=$(INBOX) $(BIN)/dagster dev -m pipelines.definitions

clean:
	rm -rf var out
