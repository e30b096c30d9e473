# Quick start: `make demo` and `make test` set up .venv themselves on a machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench samples fixtures bundle bundle-check clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "duban 需要 Python 3.11 或更新版本"; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "无法建立虚拟环境：请先安装 python3-venv（sudo apt-get install python3-venv）"; exit 2; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/duban demo

# Two processes or more (pytest-xdist): the suite takes about half as long on an idle 2-core machine
# (118 s against 208 s), and no test depends on another's order or timing. --dist loadgroup keeps
# the modules marked xdist_group (each builds a whole Heshan round) on one worker: 133 s against
# 160 s idle, 212 s against 225 s with one core kept busy (2026-12-03, 1003 tests).
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

bench: $(STAMP)
	$(BIN)/python -m bench

# The offline bundle for PCs without internet (needs the package index here): dist/duban-offline/
# and its zip, with wheels for Windows x64, Linux x64 and macOS arm64. bundle-check builds it when
# absent, then installs it offline and runs it; .ci/run calls it after the tests.
bundle: $(STAMP)
	$(BIN)/python -m bundle.build

bundle-check: $(STAMP)
	$(BIN)/python -m bundle.check

# Rebuild the bundled samples from ../shared/seeds, and the test fixtures (needs LibreOffice).
samples: $(STAMP)
	$(BIN)/python toolkit/sample_workbooks/build_samples.py

fixtures: $(STAMP)
	$(BIN)/python tests/fixtures/make_import_fixtures.py

clean:
	rm -rf $(VENV) demo .pytest_cache dist
