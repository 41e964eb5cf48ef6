#!/usr/bin/env bash
# Embedded memory store benchmark (issue 4): loads 100,000 random unit vectors of dimension 384 (fixed seed) for one
# user into an EmbeddedMemoryStore in a temporary directory, then prints insert throughput (durable UpsertAsync one at a
# time and concurrently, then UpsertManyAsync in batches of 10,000 for the rest), the time to reopen the
# store (index rebuilt from disk), resident memory (VmRSS, GC heap), and the p50/p95/p99 latency of 1,000 top-5 exact
# searches through SearchAsync next to a naive scalar loop over the same vectors, with their ratio and a top-5 agreement
# check. Target: exact search p50 at most 10 ms on 2 cores. Takes one to two minutes on an idle 2-core machine; run it
# on an idle machine, as wall-clock latencies grow with other load (the CPU ms/query column does much less).
# Usage: bench/memory-search.sh [--count 100000] [--dimensions 384] [--queries 1000] [--top 5] [--durable 2000]
#        [--concurrent 1000] [--concurrency 8] [--seed 42]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Jarvis.Memory.Benchmarks -- "$@"
