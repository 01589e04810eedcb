# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DATABASE_URL ?= sqlite:///./concierge.db

.PHONY: run test test-pg lint eval install migrate demo clean lock session-secret

# The locked, hash-checked development set (production + dev + otel), then the project itself without
# dependencies (its build uses the locked setuptools: nothing unpinned is downloaded).
$(STAMP): pyproject.toml setup.py requirements/development.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/development.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/concierge db upgrade

# Only a first run imports the demo: the owner's edits in the admin are never undone by a restart.
demo: migrate
	$(BIN)/concierge import --if-missing examples/casa-azul.yaml
	$(BIN)/concierge users demo casa-azul

# A random SESSION_SECRET in .env, written once: sign-ins survive restarts of `make run`.
session-secret:
	@grep -qs '^SESSION_SECRET=' .env || echo "SESSION_SECRET=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(32))')" >> .env

run: demo session-secret
	@echo "Guest simulator: http://127.0.0.1:8000/simulator (sign in with the demo account printed above)"
	$(BIN)/concierge serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest

test-pg: install
	CONCIERGE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy concierge knowledge escalation
	$(BIN)/lint-imports

# The scenario and adversarial suites on a scratch database, then the realistic suite's test split in both
# responder modes (offline; model = every turn through the local fact-seeking fake model), then the demo property's
# marked cases (tests/evals/marked: replies staff marked, exported with `concierge eval --marked --export`). All
# run and print their scorecards; exit 1 when any is below its thresholds (CI runs it).
eval: install
	@status=0; \
	$(BIN)/concierge eval tests/evals --json eval-scorecard.json || status=1; \
	$(BIN)/concierge eval tests/evals/marked --pack examples/casa-azul.yaml --json eval-marked.json || status=1; \
	$(BIN)/concierge eval tests/evals/realistic --split test --mode offline --json eval-realistic-offline.json || status=1; \
	$(BIN)/concierge eval tests/evals/realistic --split test --mode model --json eval-realistic-model.json || status=1; \
	exit $$status

# Hashed locks from pyproject.toml: production (the image) and development (make install). Versions already in a
# lock are kept; `make lock UPGRADE=--upgrade` (or UPGRADE="-P name") moves them.
LOCK := $(BIN)/uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 --quiet $(UPGRADE)
lock: install
	$(LOCK) -o requirements/production.txt
	$(LOCK) --extra dev --extra otel -o requirements/development.txt

clean:
	rm -rf $(VENV) concierge.db concierge.db-*
