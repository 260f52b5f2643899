# Two commands set up a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= .oraculum
export ORACULUM_DATA_DIR := $(DATA_DIR)
# make demo LLM=local: the reading is written by the local model (llama.cpp) instead of the
# extractive composer; installs the local-llm extra (compiles llama.cpp: ~13 min on 2 cores).
LLM ?=
# llama.cpp's default -march=native turns on AMX where the CPU reports it; some virtual
# machines report AMX but trap it (SIGILL at the first matrix product), so build without it.
LLAMA_CMAKE_ARGS := -DCMAKE_C_FLAGS='-mno-amx-tile -mno-amx-int8 -mno-amx-bf16' -DCMAKE_CXX_FLAGS='-mno-amx-tile -mno-amx-int8 -mno-amx-bf16'
# The venv installs exactly the versions in a lock (requirements/, hashes checked; `make lock`
# writes them): lock.txt is the package and its test extra, lock-local-llm.txt adds local-llm.
ifeq ($(LLM),local)
LOCK := requirements/lock-local-llm.txt
export ORACULUM_GENERATOR := llama
export ORACULUM_GENERATION_TIMEOUT_S := 28
else
LOCK := requirements/lock.txt
endif
LOCKED_INSTALL := CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 \
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)

.PHONY: demo test lint bench install check-system clean lambda-package lock samples

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version)). Install it, or run make PYTHON=python3.12"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || \
	  { echo "the venv module is missing: install python3-venv (Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# pip and uv, pinned (requirements/tools.txt)
$(BIN)/uv: requirements/tools.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/tools.txt
	@touch $@

# pip check: a dependency in pyproject.toml that the lock lacks (make lock not run) fails here.
$(BIN)/oraculum: pyproject.toml $(LOCK) | $(BIN)/uv
	$(LOCKED_INSTALL)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
	  echo "the installed packages do not satisfy pyproject.toml: run make lock"; exit 1; }
	@touch $@

install: $(BIN)/oraculum
ifeq ($(LLM),local)
	@$(BIN)/python -c 'import llama_cpp' 2>/dev/null || $(LOCKED_INSTALL)
endif

# Writes the locks from pyproject.toml and requirements/*.in, keeping every version that still
# satisfies them; make lock UPGRADE=1 takes the newest. lock.txt: the package and its test
# extra, for any Python >= 3.11 (tested on 3.11, linux x86_64); lock-local-llm.txt: the same
# versions and the local-llm extra; lambda*.txt: the Lambda packages (arm64, CPython 3.12,
# wheels only), in the versions of lock.txt.
COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --custom-compile-command 'make lock' \
	$(if $(UPGRADE),--upgrade )--output-file
HERE := --universal --python-version 3.11
LAMBDA := --python-platform aarch64-manylinux2014 --python-version 3.12 --only-binary :all:
lock: | $(BIN)/uv
	$(COMPILE) requirements/tools.txt $(HERE) requirements/tools.in
	$(COMPILE) requirements/lock.txt $(HERE) pyproject.toml --extra test
	$(COMPILE) requirements/lock-local-llm.txt $(HERE) pyproject.toml --extra test \
	  --extra local-llm -c requirements/lock.txt
	$(COMPILE) requirements/lambda.txt $(LAMBDA) requirements/lambda.in -c requirements/lock.txt
	$(COMPILE) requirements/lambda-asgi.txt $(LAMBDA) requirements/lambda.in \
	  requirements/lambda-asgi.in -c requirements/lambda.txt -c requirements/lock.txt

demo: install
	$(BIN)/oraculum ingest data/knowledge
	$(BIN)/oraculum verify
	$(BIN)/oraculum search "sudden upheaval, everything I built is collapsing" --top-k 3
	$(BIN)/oraculum demo

# docs/samples/: real readings in English and Vietnamese, the clock fixed, every draw seeded
samples: install
	$(BIN)/oraculum ingest data/knowledge
	$(BIN)/python scripts/make_samples.py

# Dates are inputs: `faketime '2027-09-01 12:00:00' make test` passes like `make test`. Debian's
# libfaketime (0.9.10) also shifts the monotonic clock, and then every timed wait of Python's
# threads hangs and its sleeps fail (EINVAL); the build the test extra ships also interposes
# pthread's timed waits, sleeps and timers, and crashed threaded tests at random (segfaults in
# moto's Step Functions interpreter). So under faketime pytest runs with libfaketime compiled
# here from the source the test extra ships, faking only the wall clock (time, gettimeofday,
# clock_gettime of the realtime clocks): the machine's date moves, durations stay real.
PYTEST_ARGS ?=
FAKETIME_LIB := .cache/libfaketime/libfaketime.so.1
ifneq ($(FAKETIME),)
FAKED := env -u FAKETIME_SHARED FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1 \
	LD_PRELOAD="$(CURDIR)/$(FAKETIME_LIB)"
TEST_NEEDS := $(FAKETIME_LIB)
endif

$(FAKETIME_LIB): | install
	@command -v cc >/dev/null || { echo "faketime runs need a C compiler to build libfaketime: install one (sudo apt-get install gcc)"; exit 1; }
	@mkdir -p $(@D)
	src="$$($(BIN)/python -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("libfaketime").origin).parent / "vendor/libfaketime/src")')" && \
	cc -std=gnu99 -O2 -fPIC -shared -DFAKE_INTERNAL_CALLS -DPREFIX='"/usr/local"' \
	  -DLIBDIRNAME='"/lib/faketime"' -Wl,-soname,libfaketime.so.1 \
	  -Wl,--version-script="$$src/libfaketime.map" -o $@ "$$src/libfaketime.c" -ldl -lm -lrt -lpthread

test: install check-system $(TEST_NEEDS)
	$(BIN)/ruff check src tests bench
	$(FAKED) $(BIN)/pytest $(PYTEST_ARGS)

# System packages are not installed by make (no root): say what is missing and what skips.
check-system:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  echo "note: chromium is not installed; the web-page test will be skipped. Install it with: sudo apt-get install chromium"
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  echo "note: the PostgreSQL server is not installed; the legacy-table tests will be skipped. Install it with: sudo apt-get install postgresql"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: install
	$(BIN)/python bench/run_all.py

# One deployment package per Lambda function in build/lambda/<function>/ (arm64 wheels,
# Python 3.12, from requirements/lambda*.txt), for infra/template.yaml. The .pyc are compiled by
# a working Python 3.12 it finds (python3.12 on PATH, uv's, pyenv's, /usr/bin), or by
# LAMBDA_PYTHON: make lambda-package LAMBDA_PYTHON=/path/to/python3.12
LAMBDA_PYTHON ?=
lambda-package: install
	$(BIN)/python scripts/package_lambda.py $(if $(LAMBDA_PYTHON),--compile-with $(LAMBDA_PYTHON))

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .ruff_cache
