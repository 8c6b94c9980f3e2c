# Two commands: `make site` builds the site from the committed data; `make test` runs every test.
# Both set up what they need first (a virtualenv, and for the tests a headless Chromium).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: install site test test-fast ci-rehearsal serve validate schema translations i18n-compile i18n-status browser clean

# Installs Debian packages, with sudo when not root (a bare Debian or Ubuntu machine has no more).
APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq

# Debian's and Ubuntu's Python lack ensurepip until pythonX.Y-venv is installed: venv then fails
# and leaves a virtualenv without pip, which is removed before trying again.
$(STAMP): pyproject.toml
	test -x $(BIN)/pip || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  pkg="python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv"; \
	  echo "Installing Debian's $$pkg for the virtualenv"; \
	  $(APT_INSTALL) $$pkg >/dev/null && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Only the virtualenv with the package and its test tools (CI runs commands from .venv/bin/ after it).
install: $(STAMP)

site: $(STAMP)
	$(BIN)/openmodels build

serve: $(STAMP)
	$(BIN)/openmodels serve

validate: $(STAMP)
	$(BIN)/openmodels validate

# Regenerate the committed JSON Schema files after changing generator/schema.py or data/criteria.yml.
schema: $(STAMP)
	$(BIN)/openmodels schema --write

# Template strings: extract them into templates/locales/messages.pot and merge them into every
# language's catalog; the catalog's prose (notes, family texts, criteria): extract it from data/ into
# data/locales/data.pot and merge it into every data/locales/<lang>/LC_MESSAGES/data.po. Changed
# strings are marked fuzzy for translators to review.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
	  -o templates/locales/messages.pot templates generator/figures.py
	$(BIN)/pybabel update -i templates/locales/messages.pot -d templates/locales --ignore-pot-creation-date \
	  --ignore-obsolete -w 100
	$(BIN)/openmodels i18n extract

# Compile every catalog (the build reads the .po files itself; this checks them and shows statistics).
i18n-compile: $(STAMP)
	rm -rf build/locales build/data-locales && mkdir -p build && cp -r templates/locales build/locales
	$(BIN)/pybabel compile -d build/locales --statistics
	cp -r data/locales build/data-locales
	$(BIN)/pybabel compile -D data -d build/data-locales --statistics

i18n-status: $(STAMP)
	$(BIN)/openmodels i18n status

# Debian's Chromium for the browser tests; Playwright's own download cannot work offline.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(APT_INSTALL) chromium >/dev/null; }

test: $(STAMP) browser
	$(BIN)/ruff check generator tests
	$(BIN)/python -m pytest -q

# The fast tier, for contributors: every test except those that drive Chromium, run MkDocs or are
# marked slow (tests/conftest.py finds the first two by what they call), in two processes
# (pytest-xdist; a module's tests stay together, so its fixtures are made once). `make test` stays
# in one process: its browser and dev-server tests are not proven safe side by side.
test-fast: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/python -m pytest -q -n 2 --dist loadscope -m "not browser and not build and not slow"

# Every GitHub workflow, rehearsed for real in clean copies (make install, make test, make site ...):
# minutes. `make test` runs the quick rehearsal (make targets as dry runs) in tests/test_rehearsal.py.
ci-rehearsal: $(STAMP)
	$(BIN)/python tests/rehearsal.py --full $(WORKFLOWS)

clean:
	rm -rf build site .pytest_cache
