# The two commands a newcomer needs are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test bench lint format messages clean

run: $(VENV)/.installed
	$(BIN)/gonghui setup
	$(BIN)/gonghui serve --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Needs GNU gettext (apt-get install gettext); the compiled .mo is committed so running doesn't.
messages: $(VENV)/.test-installed
	cd gonghui && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --no-location --settings=gonghui.settings
	cd gonghui && ../$(BIN)/django-admin compilemessages -l zh_Hans --settings=gonghui.settings

$(VENV)/.installed: pyproject.toml
	scripts/bootstrap-venv $(PYTHON) $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info
