# Two commands do all the set-up on a fresh machine:
#   make demo   build the reference episode (creates .venv and installs everything it needs)
#   make test   lint, type-check and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
REF    := examples/anchorage-2025-08-15.txt
OUT    ?= output

.PHONY: demo test lint typecheck pytest bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[kokoro,qa,dev,batch]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/briefing sections $(REF)
	$(BIN)/briefing script $(REF) -o $(OUT)/anchorage-2025-08-15.script.md
	$(BIN)/briefing build $(OUT)/anchorage-2025-08-15.script.md --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
