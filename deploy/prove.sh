#!/usr/bin/env bash
# The container deployment, proven with a real container engine: builds the jars (unless they are
# fresh) and the images, then runs the proof (deploy/proof, packaged as deploy/proof/target/proof.jar),
# which brings docker-compose.yml up with the demo and monitoring profiles, checks eight scenarios through
# the ports published on 127.0.0.1 (the seventh through Prometheus's query API), then takes it down and
# brings up in its place the replicated deployment (deploy/compose.ha.yml over it, demo profile), whose
# Redis and PostgreSQL primaries it kills during Plays (scenarios 9 and 10), and prints a table. Every
# container, network and volume it created is removed at the end, failure or not (the images stay, so that
# the next run builds only what changed). Exits non-zero on any failure.
#
#   deploy/prove.sh
#
# Engine: Docker, with `docker compose` or else docker-compose; deploy/containers/setup-docker.sh installs
# and starts it where no Docker engine answers (Debian's docker.io and docker-compose). Podman, through
# its Docker-compatible socket and docker-compose (deploy/containers/setup-podman.sh), only where no
# Docker engine starts, or when asked for. The postgres, redis, S3Proxy (the object store), Prometheus and
# JRE images are the official ones when they can be pulled (Docker), stand-ins built from deploy/standins/
# on a Debian base made by deploy/containers/debian-base.sh otherwise (the S3Proxy stand-in with the jar
# Maven fetches from Maven Central). PostgreSQL with pg_auto_failover, which has no official image, is
# always built (deploy/standins/pg-auto-failover) on that Debian base (Docker's debian:bookworm when it
# can be pulled).
#
# Settings: PROOF_ENGINE=docker or podman (default: Docker, podman where no Docker engine starts);
# PROOF_API_PORT (18080), PROOF_SIM_PORT (18089) and PROOF_PROMETHEUS_PORT (19090), the ports published
# on 127.0.0.1; PROOF_SKIP_BUILD=1 uses the jars as they are; PROOF_IMAGES=standin never pulls;
# PROOF_SCENARIOS=1,7 runs only those scenarios (3 to 6 need 2, 5 needs 1; 9,10 brings up only the
# replicated deployment).
# Logs: deploy/target/compose-proof/ (every compose and engine command, the services' logs).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
log_dir=deploy/target/compose-proof
rm -rf "$log_dir" && mkdir -p "$log_dir"

# Only the proof's settings reach the containers: a secret exported in this shell would turn the demo
# into a deployment of its own (see deploy/images/entrypoint.sh).
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(PLAYBACK|QUARKUS)_' || true)

# ---------------------------------------------------------------- the engine
engine=${PROOF_ENGINE:-}
case "$engine" in
  ""|docker|podman) ;;
  *) echo "PROOF_ENGINE is docker or podman, not $engine" >&2; exit 1 ;;
esac
compose=()
if [ "$engine" != podman ] && bash deploy/containers/setup-docker.sh; then
  engine=docker
  if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
  else
    compose=(docker-compose)
  fi
elif [ "$engine" = docker ]; then
  echo "PROOF_ENGINE=docker, but no Docker engine answers" >&2
  exit 1
else
  [ -z "$engine" ] && echo "no Docker engine starts here: using podman"
  engine=podman
  sock=/run/podman-compat.sock
  # Always: the setup is idempotent (seconds when all is there), and it also replaces a podman service
  # that answers its ping but can no longer start containers.
  bash deploy/containers/setup-podman.sh
  export DOCKER_HOST=unix://$sock
  compose=(docker-compose)
fi
build_flags=()
[ "$engine" = podman ] && build_flags=(--format docker)
echo "engine: $engine, compose: ${compose[*]} ($("${compose[@]}" version 2>/dev/null | head -1))"
# Both deployments, as one compose project: the replicated one's files, with every profile, name every
# service either can start (the cleanup below takes down whichever is up).
replicated=(-f docker-compose.yml -f deploy/compose.ha.yml)
"${compose[@]}" config -q && "${compose[@]}" --profile demo config -q && "${compose[@]}" --profile monitoring config -q
"${compose[@]}" "${replicated[@]}" --profile demo config -q
echo "docker-compose.yml: valid, with and without the demo and monitoring profiles, and with deploy/compose.ha.yml"

# ---------------------------------------------------------------- the jars
jars=(api/target/quarkus-app/quarkus-run.jar worker/target/quarkus-app/quarkus-run.jar simulator/target/simulator.jar
  deploy/proof/target/proof.jar)
stale=false
for jar in "${jars[@]}"; do
  if [ ! -f "$jar" ] || [ -n "$(find pom.xml ./*/pom.xml ./*/src deploy/proof/pom.xml deploy/proof/src -newer "$jar" -print -quit 2>/dev/null)" ]; then
    stale=true
  fi
done
compgen -G "devstack/target/devstack-*.jar" >/dev/null || stale=true
if [ "${PROOF_SKIP_BUILD:-0}" != 1 ] && $stale; then
  echo "building the jars (./mvnw package, tests skipped)"
  nice -n 10 ./mvnw -B -q package -DskipTests -pl api,worker,simulator,devstack,deploy/proof -am
fi
built_jars=$(date +%s)

# ---------------------------------------------------------------- the images
jre_image=eclipse-temurin:17-jre
postgres_image=postgres:16
redis_image=redis:7
s3_image=andrewgaul/s3proxy:3.0.0
prometheus_image=prom/prometheus:v2.53.0
standins=true
if [ "$engine" = docker ] && [ "${PROOF_IMAGES:-}" != standin ]; then
  if timeout 300 docker pull -q "$jre_image" >/dev/null && timeout 300 docker pull -q "$postgres_image" >/dev/null \
      && timeout 300 docker pull -q "$redis_image" >/dev/null && timeout 300 docker pull -q "$s3_image" >/dev/null \
      && timeout 300 docker pull -q "$prometheus_image" >/dev/null; then
    standins=false
  else
    echo "the official images cannot be pulled: building stand-ins"
  fi
fi
base=localhost/debian:bookworm
bash deploy/containers/debian-base.sh "$engine" "$base"
pg_auto_failover_image=localhost/playback-pg-auto-failover:latest
nice -n 10 $engine build -q "${build_flags[@]}" --build-arg BASE_IMAGE="$base" \
  -f deploy/standins/pg-auto-failover/Containerfile -t "$pg_auto_failover_image" deploy/standins/pg-auto-failover >/dev/null
if $standins; then
  for standin in jre postgres redis prometheus; do
    nice -n 10 $engine build -q "${build_flags[@]}" --build-arg BASE_IMAGE="$base" \
      -f "deploy/standins/$standin/Containerfile" -t "localhost/playback-standin-$standin:latest" "deploy/standins/$standin" >/dev/null
  done
  jre_image=localhost/playback-standin-jre:latest
  postgres_image=localhost/playback-standin-postgres:latest
  redis_image=localhost/playback-standin-redis:latest
  prometheus_image=localhost/playback-standin-prometheus:latest
  s3proxy_version=${s3_image##*:}
  if [ ! -f "deploy/standins/s3proxy/target/s3proxy-$s3proxy_version-jar-with-dependencies.jar" ]; then
    echo "fetching S3Proxy $s3proxy_version from Maven Central"
    ./mvnw -B -q -N dependency:copy -Dartifact="org.gaul:s3proxy:$s3proxy_version:jar:jar-with-dependencies" \
      -DoutputDirectory=deploy/standins/s3proxy/target
  fi
  nice -n 10 $engine build -q "${build_flags[@]}" --build-arg BASE_IMAGE="$jre_image" \
    --build-arg S3PROXY_VERSION="$s3proxy_version" -f deploy/standins/s3proxy/Containerfile \
    -t localhost/playback-standin-s3proxy:latest deploy/standins/s3proxy >/dev/null
  s3_image=localhost/playback-standin-s3proxy:latest
fi
declare -A containerfile=([api]=quarkus [worker]=quarkus [simulator]=simulator)
declare -A port=([api]=8080 [worker]=8081 [simulator]=8089)
for service in api worker simulator; do
  nice -n 10 $engine build -q "${build_flags[@]}" --build-arg BASE_IMAGE="$jre_image" \
    --build-arg SERVICE="$service" --build-arg PORT="${port[$service]}" \
    -f "deploy/images/${containerfile[$service]}/Containerfile" -t "localhost/playback-$service:proof" . >/dev/null
done
built_images=$(date +%s)
megabytes() { echo $(( $($engine image inspect --format '{{.Size}}' "$1") / 1000000 )); }
echo "images: api $(megabytes localhost/playback-api:proof) MB, worker $(megabytes localhost/playback-worker:proof) MB," \
  "simulator $(megabytes localhost/playback-simulator:proof) MB, on $jre_image $(megabytes "$jre_image") MB;" \
  "object store $s3_image $(megabytes "$s3_image") MB; Prometheus $prometheus_image $(megabytes "$prometheus_image") MB;" \
  "PostgreSQL with pg_auto_failover $pg_auto_failover_image $(megabytes "$pg_auto_failover_image") MB" \
  | tee "$log_dir/images.txt"

# ---------------------------------------------------------------- the deployment under test
export COMPOSE_PROJECT_NAME=playback-proof-$$
export API_PORT=${PROOF_API_PORT:-18080} SIM_PORT=${PROOF_SIM_PORT:-18089} PROMETHEUS_PORT=${PROOF_PROMETHEUS_PORT:-19090}
export JRE_IMAGE=$jre_image POSTGRES_IMAGE=$postgres_image REDIS_IMAGE=$redis_image S3_IMAGE=$s3_image
export PROMETHEUS_IMAGE=$prometheus_image PG_AUTO_FAILOVER_IMAGE=$pg_auto_failover_image
export PLAYBACK_API_IMAGE=localhost/playback-api:proof PLAYBACK_WORKER_IMAGE=localhost/playback-worker:proof
export PLAYBACK_SIMULATOR_IMAGE=localhost/playback-simulator:proof
# Shorter than production so that the scenarios take minutes: a dead worker's slot and run expire after
# 10 s; retries come after 1-5 s. 4 downloads per worker: 3 workers (12 at once) stay below the 30 slots
# of the backlog's 10 businesses, so that the workers, not the slots, bound its time.
export PLAYBACK_SLOTS_PER_BUSINESS=3 PLAYBACK_SLOTS_LEASE=10s PLAYBACK_RETRY_BACKOFF=1s,2s,3s,5s
export PLAYBACK_WORKER_SWEEP_INTERVAL=1s PLAYBACK_WORKER_ORPHAN_AFTER=5s PLAYBACK_WORKER_CONCURRENCY=4
export PROOF_ENGINE=$engine PROOF_COMPOSE="${compose[*]}" PROOF_LOG_DIR=$log_dir
for port in "$API_PORT" "$SIM_PORT" "$PROMETHEUS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port on 127.0.0.1 is taken: set PROOF_API_PORT / PROOF_SIM_PORT / PROOF_PROMETHEUS_PORT" >&2
    exit 1
  fi
done

ticker=""
cleanup() {
  local status=$?
  set +e
  timeout 120 "${compose[@]}" "${replicated[@]}" --profile demo --profile monitoring logs --no-color \
    > "$log_dir/services.log" 2>&1
  timeout 300 "${compose[@]}" "${replicated[@]}" --profile demo --profile monitoring down -v --remove-orphans -t 10 \
    >> "$log_dir/down.log" 2>&1
  # Whatever compose lost track of, by the project's label.
  local label=label=com.docker.compose.project=$COMPOSE_PROJECT_NAME left
  left=$(timeout 60 $engine ps -aq --filter "$label")
  [ -n "$left" ] && timeout 120 $engine rm -f $left >> "$log_dir/down.log" 2>&1
  left=$(timeout 60 $engine volume ls -q --filter "$label")
  [ -n "$left" ] && timeout 120 $engine volume rm -f $left >> "$log_dir/down.log" 2>&1
  left=$(timeout 60 $engine network ls -q --filter "$label")
  [ -n "$left" ] && timeout 60 $engine network rm $left >> "$log_dir/down.log" 2>&1
  [ -n "$ticker" ] && kill "$ticker" 2>/dev/null
  left=$( { $engine ps -aq --filter "$label"; $engine volume ls -q --filter "$label";
            $engine network ls -q --filter "$label"; } 2>/dev/null | wc -l)
  echo "removed the proof's containers, networks and volumes ($left left); logs in $log_dir"
  echo "compose proof: $(( $(date +%s) - started )) s in all (jars $(( built_jars - started )) s," \
    "images $(( built_images - built_jars )) s, deployment and scenarios $(( $(date +%s) - built_images )) s)"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Podman runs health checks from systemd timers; without systemd, this loop runs them.
if [ "$engine" = podman ] && [ ! -d /run/systemd/system ]; then
  deploy/containers/podman-healthchecks.sh "$COMPOSE_PROJECT_NAME" > "$log_dir/healthchecks.log" 2>&1 &
  ticker=$!
fi

java -Xmx256m -jar deploy/proof/target/proof.jar
