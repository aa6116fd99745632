# The two commands of the README: `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
GATEWAY ?= 127.0.0.1:26500
REST ?= 127.0.0.1:8080

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The console's browser bundle of form-js-viewer, which ships only as an ES module with bare imports.
CONSOLE_BUNDLE := console/static/build/form-js-viewer.js
$(CONSOLE_BUNDLE): $(NODE_STAMP)
	node_modules/.bin/esbuild node_modules/@bpmn-io/form-js-viewer/dist/index.es.js \
		--bundle --format=esm --minify --log-level=warning --outfile=$@

install: $(STAMP) $(NODE_STAMP) $(CONSOLE_BUNDLE)
	bash scripts/install-system-packages.sh

run: install
	$(PY) -m minsheng.run --gateway-address $(GATEWAY) --rest-address $(REST)

test: install
	MINSHENG_TEST_POSTGRES_URL=$$(bash scripts/test-postgres.sh) $(PY) -m pytest -n auto --dist loadfile

lint: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	node scripts/lint-bpmn.mjs
	node scripts/check-forms.mjs > /dev/null

bench: install
	$(PY) bench/one_task_throughput.py
	$(PY) bench/one_task_throughput.py --workers 1 --rate 200
	$(PY) bench/hotline_throughput.py
	$(PY) bench/knowledge_search.py
	$(PY) bench/knowledge_eval.py

clean:
	rm -rf $(VENV) node_modules var console/static/build .pytest_cache .mypy_cache .ruff_cache
