# One-line targets over the `flinkfast` command (flinkfast/cli/__init__.py). `make help` lists them.
SHELL := /bin/bash
PY    := .venv/bin/python
FF    := .venv/bin/flinkfast

.PHONY: help setup up down status logs clean demo check test test-long test-unit fuzz chaos submit skip lost report reconcile bench bench-growth bench-scaling drill dashboard sql psql k8s-schema

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Setup is idempotent and takes a fraction of a second when nothing changed, so the targets
# that need it simply run it first. It runs on the system Python: .venv does not exist yet.
setup:  ## install system packages, .venv (with the flinkfast command), jars, the job's function, .env
	@python3 -m flinkfast.bootstrap

up: setup  ## start the local stack (ZooKeeper, Kafka, PostgreSQL, Flink) and wait until healthy
	@$(FF) up

down:  ## stop what `make up` started
	@if [ -x $(FF) ]; then $(FF) down; fi

status:  ## pid, health and memory of each service; the job's state, restarts and lag (exit 1 on trouble)
	@$(FF) status

logs:  ## end of the logs (SERVICE=kafka to pick one)
	@$(FF) logs $(SERVICE)

clean:  ## stop the stack and delete its data (.state)
	@if [ -x $(FF) ]; then $(FF) clean; else rm -rf .state; fi

demo: setup  ## set up, start the stack, run the pipeline on EVENTS events, print the latency report
	@$(FF) demo

submit: setup  ## submit flinkfast_job.py to the local Flink cluster
	@$(FF) submit

skip: setup  ## record the message at AT=PARTITION:OFFSET as a dead letter, unread, and resubmit the job
	@$(FF) skip $(AT)

lost: setup  ## show messages deleted from the topic before the job read them; RECORD=1 records them and resumes the job
	@$(FF) lost $(if $(RECORD),--record)

report: setup  ## print the latency report
	@$(FF) report

reconcile: setup  ## check that every consumed Kafka message is in exactly one table (exit 1 on a gap)
	@$(FF) reconcile --wait 120

bench: setup  ## benchmark: drain BENCH_EVENTS (default 1,000,000) and latency at 1k and 10k events/s
	@$(FF) bench

bench-growth: setup  ## the cost per event as one table grows to GROWTH_EVENTS rows (default 10,000,000; about 20 minutes)
	@$(FF) bench-growth

bench-scaling: setup  ## the cost per event at parallelism 1, 2 and 4 on a stack of its own (2 TaskManagers; SCALING_EVENTS, default 500,000)
	@$(FF) bench-scaling

drill: setup  ## faults and rescales (in place, by savepoint) under load on a stack of its own (3 TaskManagers, 3 brokers, the adaptive scheduler; about 12 minutes): exit 0 only if nothing was lost or doubled
	@$(FF) drill

dashboard: setup  ## the live latency dashboard on http://127.0.0.1:$DASHBOARD_PORT (default 8050)
	@$(FF) dashboard

sql: setup  ## Flink's SQL client on the local cluster, the job's tables declared
	@$(FF) sql

psql: setup  ## psql on the results database with the credentials from .env
	@$(FF) psql

k8s-schema:  ## copy sql/postgres into deploy/k8s/base/sql/postgres (kubectl apply -k reads only its own tree; tests/deploy checks the copy)
	@rm -f deploy/k8s/base/sql/postgres/*.sql && cp sql/postgres/*.sql deploy/k8s/base/sql/postgres/

# Every run keeps its durations: .state/test-results/<target>.xml (JUnit XML; `python -m tests.times`
# sums them by file and tier), so the budgets below are kept by looking.
RESULTS := .state/test-results
PYTEST   = $(PY) -m pytest --junitxml=$(RESULTS)/$@.xml

# make check and make test run TEST_WORKERS pytest-xdist workers (2: the machine's cores), each on a stack of its
# own; a file's tests stay together on one worker (tests/conftest.py). TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
XDIST = $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder)

check:  ## every tier that needs no running service: unit, compose, deploy, flink (JUnit included); about 4 minutes
	@python3 -m flinkfast.bootstrap --tests && $(PYTEST) $(XDIST) tests/unit tests/compose tests/deploy tests/flink

test:  ## set up (with the browser the dashboard's tests drive) and run every tier on TEST_WORKERS (2) stacks of its own, not the long ones; what CI runs
	@python3 -m flinkfast.bootstrap --tests && $(PYTEST) $(XDIST) -m "not long"

test-long:  ## the benchmark tooling's tests (bench, growth, scaling, peers), a chaos walk of CHAOS_STEPS (40) and the drill
	@python3 -m flinkfast.bootstrap --tests && $(PYTEST) -m long && CHAOS_STEPS=$${CHAOS_STEPS:-40} $(MAKE) --no-print-directory chaos && $(FF) drill

fuzz: setup  ## the fuzz tests, long: FUZZ_EXAMPLES messages (default 20000) with fresh randomness
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-20000} $(PY) -m pytest tests/flink/test_fuzz_transform.py tests/e2e/test_fuzz_e2e.py tests/e2e/test_placing_e2e.py

chaos: setup  ## the gauntlet's faults at random and overlapping, under load, against the model, on a stack of its own: CHAOS_STEPS (200) steps, its seed printed (CHAOS_SEED replays)
	@FLINKFAST_TEST_STATE_DIR=$${FLINKFAST_TEST_STATE_DIR:-$(CURDIR)/.state/chaos} CHAOS_STEPS=$${CHAOS_STEPS:-200} $(PYTEST) -s -p no:cacheprovider tests/e2e/test_chaos_e2e.py

test-unit: setup  ## the fast tier: tests/unit (no JVM, no service; under 2 minutes)
	@$(PYTEST) tests/unit
