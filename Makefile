# jielong: set-up, demo, tests and benchmark.
#
#   make setup   .venv with the package (editable) and the test + postgres extras
#   make demo    replay the example chat into out/demo.db and out/demo-orders.json
#   make test    everything the tests need on a fresh Debian machine, then pytest
#   make bench   every speed figure: start-up, the big 接龙, catalogues, live, many rooms
#   make clean   build/test debris and out/ (make distclean also drops .venv)
#
# pip only runs when pyproject.toml is newer than the stamp files in .venv, so a
# repeated `make setup` / `make test` skips straight to the work.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
SETUP_STAMP := $(VENV)/.stamp-setup
TEST_STAMP  := $(VENV)/.stamp-test
WECHATY_SERVICE := tests/wechaty_service

# root needs no sudo; anyone else does for apt-get.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Byte-code for the project's own modules, written even where PYTHONDONTWRITEBYTECODE
# is set (it stops Python writing .pyc at import, so every command would compile the
# project again: ~0.2 s). Up-to-date files are skipped; __pycache__ is ignored by git.
BYTECODE := $(PY) -m compileall -q bot parsers storage grammar

# Editable install as a plain path entry (.pth) rather than setuptools' default
# import hook: the hook's finder module (and pathlib, importlib.util with it) is
# imported by every Python start-up in the venv, ~10 ms of each `jielong` command.
EDITABLE := --config-settings editable_mode=compat -e

.PHONY: setup test-deps postgres-bin cjk-font chromium wechaty-service-deps demo test bench clean distclean

setup: $(SETUP_STAMP)
	@$(BYTECODE) >/dev/null

$(PY):
	$(PYTHON) -m venv $(VENV)

$(SETUP_STAMP): pyproject.toml | $(PY)
	$(PIP) install -q $(EDITABLE) '.[test,postgres]'
	touch $@

# A superset of setup's install, so it also stands for setup's stamp: a fresh
# `make test` runs pip once, not twice.
$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install -q $(EDITABLE) '.[test,postgres,wechat]'
	touch $@ $(SETUP_STAMP)

test-deps: $(TEST_STAMP)
	@$(BYTECODE) >/dev/null

# A CJK font so charts (汇总 图) draw Chinese labels instead of boxes; bot/merchant/charts.py finds it.
cjk-font:
	@if fc-list :lang=zh family 2>/dev/null | grep -q . || ls /usr/share/fonts/truetype/wqy/*.ttc >/dev/null 2>&1; then \
	    echo "CJK font: $$(fc-list :lang=zh family 2>/dev/null | head -n1)"; \
	else \
	    echo "No CJK font found: installing fonts-wqy-microhei with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-wqy-microhei; \
	fi

# PostgreSQL server binaries; tests/pg_server.py starts its own throwaway cluster.
postgres-bin:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	    echo "PostgreSQL: $$(ls /usr/lib/postgresql/*/bin/initdb | head -n1)"; \
	else \
	    echo "PostgreSQL server not found: installing it with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql; \
	fi

# Debian's chromium for the web page's browser test (tests/test_web_browser.py drives it
# with Playwright; Playwright never downloads a browser of its own here).
chromium:
	@if [ -x /usr/bin/chromium ]; then \
	    echo "Chromium: $$(/usr/bin/chromium --version 2>/dev/null | head -n1)"; \
	else \
	    echo "Chromium not found: installing it with apt-get"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	fi

# Node side of the Wechaty tests, only once someone has written its package.json.
# The stamp inside node_modules makes a repeated run skip npm. --no-save: npm
# installs what the committed lock file says but never rewrites it (a plain
# `npm install` adds other platforms' optional @swc/core builds to it and leaves
# the checkout dirty; `npm ci` refuses the lock for missing those same entries).
wechaty-service-deps:
	@if [ -f $(WECHATY_SERVICE)/package.json ]; then \
	    stamp=$(WECHATY_SERVICE)/node_modules/.stamp-npm-install; \
	    if [ ! -f $$stamp ] || [ $(WECHATY_SERVICE)/package.json -nt $$stamp ] || \
	       { [ -f $(WECHATY_SERVICE)/package-lock.json ] && [ $(WECHATY_SERVICE)/package-lock.json -nt $$stamp ]; }; then \
	        (cd $(WECHATY_SERVICE) && npm install --no-save --no-audit --no-fund) && touch $$stamp; \
	    fi; \
	fi

demo: setup cjk-font
	mkdir -p out
	rm -f out/demo.db
	JIELONG_FILES_DIR=out/files $(VENV)/bin/jielong replay examples/demo-chat.jsonl --config examples/demo.toml \
	    --db sqlite:///out/demo.db --orders-json out/demo-orders.json

test: test-deps postgres-bin cjk-font chromium wechaty-service-deps
	JIELONG_REQUIRE_PG=1 JIELONG_REQUIRE_WECHATY=1 JIELONG_REQUIRE_BROWSER=1 $(PY) -m pytest

# Every speed figure (README "Figures"): start-up against the regex baseline, the
# 300-person 接龙, persistence alone, a 10,000-product catalogue, the live path
# against the local puppet service, and many rooms on PostgreSQL with two workers.
bench: setup postgres-bin
	$(PY) bench/startup_bench.py
	$(PY) bench/replay_bench.py
	$(PY) bench/persistence_floor.py
	$(PY) bench/menu_bench.py
	$(PY) bench/web_bench.py
	$(PY) bench/catalogue_bench.py
	@$(MAKE) --no-print-directory test-deps wechaty-service-deps >/dev/null
	$(PY) bench/live_bench.py
	$(PY) bench/many_rooms_bench.py

clean:
	rm -rf out build .pytest_cache .hypothesis *.egg-info
	find . -path ./$(VENV) -prune -o -path '*/node_modules' -prune -o \
	    -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(WECHATY_SERVICE)/node_modules
