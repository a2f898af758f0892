# Thin targets over the flinkfast package. `make help` lists them.
SHELL := /bin/bash
PY    := .venv/bin/python
SETUP_STAMPS := .venv/.requirements.sha256 .cache/jars/.pom.sha256 .env

.PHONY: help setup up down status logs clean demo test test-unit test-e2e submit report bench check

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## install system packages, .venv, jars and .env (idempotent)
	@python3 -m flinkfast.setup

$(SETUP_STAMPS): requirements.txt requirements-dev.txt pom.xml
	@python3 -m flinkfast.setup

up: $(SETUP_STAMPS)  ## start the local stack (ZooKeeper, Kafka, PostgreSQL, Flink) and wait until healthy
	@$(PY) -m flinkfast.stack up

down:  ## stop what `make up` started
	@if [ -x $(PY) ]; then $(PY) -m flinkfast.stack down; fi

status:  ## pid, health and memory of each service
	@$(PY) -m flinkfast.stack status

logs:  ## end of the logs (SERVICE=kafka to pick one)
	@$(PY) -m flinkfast.stack logs $(SERVICE)

clean:  ## stop the stack and delete its data (.state)
	@if [ -x $(PY) ]; then $(PY) -m flinkfast.stack down --purge; else rm -rf .state; fi

demo: $(SETUP_STAMPS)  ## set up, start the stack, run the pipeline on EVENTS events, print the latency report
	@$(PY) -m flinkfast.demo

submit: $(SETUP_STAMPS)  ## submit flinkfast_job.py to the local Flink cluster
	@$(PY) -m flinkfast.submit

report: $(SETUP_STAMPS)  ## print the latency report
	@$(PY) print_data_postgres.py

test: $(SETUP_STAMPS)  ## set up and run the whole test suite (unit, checks, end to end)
	@$(PY) -m pytest

test-unit: $(SETUP_STAMPS)  ## only the tests that need no service
	@$(PY) -m pytest -m "not e2e"
