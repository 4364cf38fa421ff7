# Thin wrappers over npm scripts and the cluster/service scripts; `make help` lists them.
BROKERS ?= 4
.PHONY: help setup build test storm bench bench-quick cluster-up cluster-down cluster-status redis-up redis-down clean

help: ## this list
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: ## install everything (Debian packages, npm, Kafka jars), idempotent
	bash scripts/setup.sh

build: ## compile TypeScript into dist/
	npm run -s build

test: ## set up, start a 3-broker cluster and Redis, run all tests
	npm test

storm: ## set up and run a storm on a local $(BROKERS)-broker cluster
	bash scripts/storm.sh --brokers $(BROKERS)

cluster-up: ## start a local Kafka cluster of $(BROKERS) brokers
	bash kafka-cluster/cluster.sh up --brokers $(BROKERS)

cluster-down: ## stop the local cluster (data kept)
	bash kafka-cluster/cluster.sh down

cluster-status: ## show each node, its pid and port
	bash kafka-cluster/cluster.sh status

redis-up: ## start Debian's redis-server on 127.0.0.1:6379 unless one answers
	bash scripts/redis.sh up

redis-down: ## stop redis, only if redis.sh started it
	bash scripts/redis.sh down

clean: ## remove build output (not the Kafka jar cache)
	rm -rf dist

.PHONY: bench bench-quick
bench: ## side-by-side benchmarks, 1 and 4 brokers, acks=all, 3 runs, with the C reference producer: benchmarks/RESULTS.md
	bash benchmarks/run.sh full

bench-quick: ## the regression gate (CI runs it): DataStorm vs the C reference, 1 broker, 3 alternated runs; exits 1 outside benchmarks/baseline.json
	bash benchmarks/run.sh quick

.PHONY: soak
soak: ## 10 minutes at 50,000/s on 3 brokers: memory, event-loop delay and GC sampled every 5 s, beside ProducerPerformance: benchmarks/SOAK.md
	bash benchmarks/run.sh soak

.PHONY: bench-pulse
bench-pulse: ## pulse (counts and points into InfluxDB) beside Kafka's ConsumerPerformance on one topic, 3 rotated rounds; exits 1 when the counts store falls below benchmarks/pulse-baseline.json
	bash benchmarks/run.sh pulse

.PHONY: fuzz
FUZZ_TESTS = dist/test/unit/serve/dashboard-fuzz.test.js dist/test/integration/serve/markup.test.js dist/test/integration/pulse/extreme-values.test.js dist/test/integration/storm/hostile-files.test.js dist/test/integration/local/stale-pid.test.js dist/test/unit/supervisor.test.js dist/test/integration/coord/quota.test.js dist/test/unit/thresholds/threshold.test.js dist/test/unit/report/junit.test.js dist/test/integration/kafka/client-properties-oracle.test.js dist/test/integration/service-answers.test.js dist/test/unit/generate/recursion.test.js dist/test/unit/generate/hint-combinations.test.js dist/test/integration/storm/topic-configs.test.js
fuzz: ## generated hostile input, DATASTORM_FUZZ_SCALE (default 20) times npm test's count per surface, a new seed; starts the test services; prints what each surface took: docs/hostile-input.md
	rm -f .run/fuzz.log; mkdir -p .run
	DATASTORM_FUZZ_SCALE=$${DATASTORM_FUZZ_SCALE:-20} DATASTORM_FUZZ_SEED=$${DATASTORM_FUZZ_SEED:-$$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')} DATASTORM_FUZZ_LOG=$(CURDIR)/.run/fuzz.log DATASTORM_TEST_FILES="$(FUZZ_TESTS)" bash scripts/test.sh
	cat .run/fuzz.log

.PHONY: bench-readers
bench-readers: ## the storm's readers beside Kafka's ConsumerPerformance (read rate, CPU) and EndToEndLatency (p50 at a low rate), 3 alternated rounds: benchmarks/READERS.md
	bash benchmarks/run.sh readers

.PHONY: bench-omb
bench-omb: ## OpenMessaging Benchmark's 1-topic-16-partitions-1kb workload with its kafka-latency driver, full scale (15 min) on 1 broker, its result file checked as OMB's: benchmarks/OMB.md
	bash benchmarks/run.sh omb

.PHONY: bench-pipeline
bench-pipeline: ## storm and pulse at once on 1 broker: rate steps up to where pulse's lag stops staying under 2 s, freshness in InfluxDB: benchmarks/PIPELINE.md
	bash benchmarks/run.sh pipeline

.PHONY: bench-records
bench-records: ## any schema: every datagen quickstart's generator alone (records/s per core), then storms of tweets and quickstarts, rotated, 3 rounds: benchmarks/RECORDS.md
	bash benchmarks/run.sh records

.PHONY: bench-scenarios
bench-scenarios: ## what keys cost: storms without keys, with zipf and uniform keys, beside ProducerPerformance, rotated, 3 rounds: benchmarks/SCENARIOS.md
	bash benchmarks/run.sh scenarios

.PHONY: bench-dashboard
bench-dashboard: ## what serving --dashboard costs a storm: storms without and with it, alternated, 3 pairs: benchmarks/DASHBOARD.md
	bash benchmarks/run.sh dashboard

.PHONY: bench-scale
bench-scale: ## a run of 3 instances vs one process with 3 workers, alternated, 3 pairs: overhead, start skew, merged latency checked, Redis load per instance: benchmarks/SCALE.md
	bash benchmarks/run.sh scale

.PHONY: bench-tls
bench-tls: ## what TLS and SASL cost: the storm, the C reference and ProducerPerformance over the PLAINTEXT and SASL_SSL listeners of one broker, rotated, 3 rounds: benchmarks/TLS.md
	bash benchmarks/run.sh tls
