# Hearth: the two commands are `make run` and `make test`; both set up what they need.

SWIFT := $(or $(shell command -v swift 2>/dev/null),/opt/swift/usr/bin/swift)

# Local services started by scripts/services (override in the environment to point elsewhere).
export DATABASE_URL ?= postgres://hearth:hearth@127.0.0.1:54329/hearth?sslmode=disable
export REDIS_URL ?= redis://127.0.0.1:63799/0
export HEARTH_TEST_DATABASE_URL ?= postgres://hearth:hearth@127.0.0.1:54329/postgres?sslmode=disable
export HEARTH_TEST_REDIS_URL ?= redis://127.0.0.1:63799/0

# `make bench WORKLOADS="A D"` runs some of them.
WORKLOADS ?= floor A B C D E F G

.PHONY: run test bench services services-down build migrate

## Start Postgres and Redis, apply migrations, serve on http://127.0.0.1:8080
run: services build
	.build/debug/hearth migrate
	.build/debug/hearth serve

## Start Postgres and Redis, then run every test: Swift tests, a quick run of the benchmark
## (it fails on any lost, duplicated or reordered message), then the browser tests
test: services
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	.build/debug/hearth-bench smoke
	scripts/e2e-test

## Start Postgres and Redis, build for release, run every benchmark workload (docs/BENCHMARKS.md)
bench: services
	$(SWIFT) build -c release
	.build/release/hearth-bench $(WORKLOADS)

## Install (if missing) and start the local Postgres and Redis
services:
	scripts/services up

## Stop the local Postgres and Redis
services-down:
	scripts/services down

build: services
	$(SWIFT) build

migrate: services build
	.build/debug/hearth migrate
