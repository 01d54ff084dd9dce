# The two commands of the README:
#   make demo   -- set up .venv if needed, run the main job on the embedded data, write maps/demo/
#   make test   -- set up .venv if needed, lint, type-check and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.geo-installed

.PHONY: demo test lint bench clean browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/geo demo --out maps/demo

# Debian packages for the browser tests and Chinese labels in static maps (chromium, fonts-noto-cjk);
# installed when missing and apt is usable, otherwise the tests that need them skip or warn.
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; browser tests will skip"; \
	  else echo "note:$$missing not installed; browser tests will skip"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check geo tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) browser lint
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf $(VENV) .geo-cache maps/demo
