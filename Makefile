# Two commands on a fresh machine:  make report  (build the report)   make test  (run the tests)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: report test setup system-deps bench clean baselines
report: setup
	$(VENV)/bin/fer-report build --all $(ARGS)

test: setup
	$(VENV)/bin/pytest -q --durations=20 $(ARGS)

setup: system-deps $(STAMP)

# Redraw tests/baseline/*.png after an intended change to a figure; look at them before committing.
baselines: setup
	FER_REGEN_BASELINES=1 $(VENV)/bin/pytest -q tests/test_figure_regression.py -k matches_its_baseline

system-deps:
	@bash scripts/system-deps.sh

# torch first, pinned: anything that depends on torch installed before it pulls GBs of other builds.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.14.1 torchvision==0.29.1
	$(PY) -m pip install -q -e '.[test]'
	if command -v npm >/dev/null; then npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@4; fi
	touch $(STAMP)

clean:
	rm -rf build
