#!/usr/bin/env bash
# Builds what the benchmarks need, then runs them one after the other (each in its own JVM, with its own
# simulator + api + worker on free ports) and prints a summary table.
#
#   bench/run.sh                      all eight
#   bench/run.sh cold|warm|memory|dedup|s3|backlog|hits|firstaudio ...   only those (s3: recordings in
#                                     object storage, proxy vs presigned redirect, and the memory benchmark
#                                     through the proxy; backlog: cold Plays idle and under 1,000 queued
#                                     prefetches; hits: the share of Plays served warm with prefetch on;
#                                     firstaudio: time from a cold Play to the first audio byte, for
#                                     recordings of 1, 10 and 60 minutes)
#   BENCH_SKIP_BUILD=1 bench/run.sh   reuse the jars already built
#
# Uses the machine's PostgreSQL (127.0.0.1:5432, user postgres, database playback_bench, dropped and
# recreated by each benchmark) and Redis (127.0.0.1:6379, database 4, flushed by each benchmark).
set -uo pipefail
cd "$(dirname "$0")/.."

declare -A MAIN=([cold]=ColdPlay [warm]=WarmStream [memory]=StreamMemory [dedup]=Dedup [s3]=ObjectStorageServing
  [backlog]=PrefetchBacklog [hits]=PrefetchHits [firstaudio]=FirstAudio)
selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=(cold warm memory dedup s3 backlog hits firstaudio)
for name in "${selected[@]}"; do
  [ -n "${MAIN[$name]:-}" ] || { echo "unknown benchmark '$name' (cold, warm, memory, dedup, s3, backlog, hits, firstaudio)" >&2; exit 2; }
done

bash scripts/ensure-services.sh || exit 1
if [[ " ${selected[*]} " == *" warm "* ]]; then
  command -v nginx >/dev/null || (apt-get update && apt-get install -y nginx) || exit 1
  # Optional: wrk is the stronger load generator; the Java one is used in any case.
  command -v wrk >/dev/null || apt-get install -y wrk || echo "wrk not installed: the Java generator alone decides"
fi

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  # -Dexec.skip: the api's build also builds the UI (frontend/, npm ci + vite) through exec-maven-plugin;
  # the benchmarks do not need it, so npm is not run and the api packages whatever frontend/dist holds.
  echo "building simulator, api, worker, devstack, bench (not the UI) ..."
  ./mvnw -B -q package -DskipTests -Dexec.skip=true -pl bench -am \
    || { echo "build failed; to benchmark the jars already in */target: BENCH_SKIP_BUILD=1 bench/run.sh" >&2; exit 1; }
fi

if [[ " ${selected[*]} " == *" s3 "* ]] && [ ! -s bench/target/s3proxy/s3proxy.jar ]; then
  echo "fetching s3proxy (a real S3 API server) from Maven Central ..."
  ./mvnw -B -q dependency:copy -Dartifact=org.gaul:s3proxy:3.0.0:jar:jar-with-dependencies \
    -DoutputDirectory=bench/target/s3proxy && mv bench/target/s3proxy/s3proxy-3.0.0-jar-with-dependencies.jar \
    bench/target/s3proxy/s3proxy.jar || exit 1
fi

# The benchmarks start copies of the jars, so that a rebuild of api/ or worker/ by someone else meanwhile
# (another ./mvnw run on this machine) cannot pull them from under a running process.
snap=bench/target/snapshot
rm -rf "$snap.tmp" && mkdir -p "$snap.tmp"/{api,worker,simulator}/target "$snap.tmp/api/src/main/resources" || exit 1
cp -r api/target/quarkus-app "$snap.tmp/api/target/" && cp -r worker/target/quarkus-app "$snap.tmp/worker/target/" \
  && cp simulator/target/simulator.jar "$snap.tmp/simulator/target/" \
  && cp -r api/src/main/resources/dev-keys "$snap.tmp/api/src/main/resources/" || exit 1
for jar in {api,worker}/target/quarkus-app/{quarkus-run.jar,quarkus/generated-bytecode.jar}; do
  [ -s "$snap.tmp/$jar" ] || { echo "$jar is missing: is another build running? rerun later" >&2; exit 1; }
done
rm -rf "$snap" && mv "$snap.tmp" "$snap"

mkdir -p bench/target/bench-results
failed=0
for name in "${selected[@]}"; do
  rm -f "bench/target/bench-results/$name.tsv"
  [ "$name" = s3 ] && rm -f bench/target/bench-results/memory-s3.tsv
  echo
  echo "################ $name (playback.bench.${MAIN[$name]})"
  java -Xmx1g -cp bench/target/bench.jar "playback.bench.${MAIN[$name]}" || failed=1
done
java -cp bench/target/bench.jar playback.bench.Report "${selected[@]}"
exit $failed
