#!/usr/bin/env bash
# Runs the whole system on this machine: builds what is needed, then starts the worker and the api
# against the local PostgreSQL and Redis, with dev auth on. Ctrl-C stops everything it started.
#
# Environment (all optional): API_PORT (8080), WORKER_PORT (8081), PLAYBACK_PROVIDER_BASE_URL
# (http://127.0.0.1:8089), PLAYBACK_PROVIDER_ACCOUNT_SID, PLAYBACK_PROVIDER_AUTH_TOKEN.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

api_port=${API_PORT:-8080}
worker_port=${WORKER_PORT:-8081}
mkdir -p data/logs data/recordings

bash scripts/ensure-services.sh
if [ ! -f api/target/quarkus-app/quarkus-run.jar ] || [ ! -f worker/target/quarkus-app/quarkus-run.jar ] \
   || [ -n "$(find shared-model/src api/src worker/src pom.xml -newer api/target/quarkus-app/quarkus-run.jar -print -quit 2>/dev/null)" ]; then
  echo "building (tests skipped; ./mvnw verify runs them)"
  ./mvnw -B -q package -DskipTests
fi

export PLAYBACK_STORAGE_DIR="$root/data/recordings"
export PLAYBACK_PROVIDER_BASE_URL=${PLAYBACK_PROVIDER_BASE_URL:-http://127.0.0.1:8089}
export PLAYBACK_PROVIDER_ACCOUNT_SID=${PLAYBACK_PROVIDER_ACCOUNT_SID:-AC00000000000000000000000000000000}
export PLAYBACK_PROVIDER_AUTH_TOKEN=${PLAYBACK_PROVIDER_AUTH_TOKEN:-dev-provider-auth-token}
export PLAYBACK_DEV_AUTH_ENABLED=true
export PLAYBACK_JWT_PUBLIC_KEY_LOCATION="$root/api/src/main/resources/dev-keys/publicKey.pem"
export PLAYBACK_JWT_PRIVATE_KEY_LOCATION="$root/api/src/main/resources/dev-keys/privateKey.pem"
export PLAYBACK_STREAM_URL_SECRET=${PLAYBACK_STREAM_URL_SECRET:-dev-stream-url-secret}

pids=()
stop() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo "stopping"
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop INT TERM EXIT

wait_ready() {
  local name=$1 port=$2
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  echo "$name did not become ready; see data/logs/$name.log" >&2
  exit 1
}

# The api migrates the schema; the worker only validates it, so the api goes first.
QUARKUS_HTTP_PORT=$api_port java -jar api/target/quarkus-app/quarkus-run.jar >data/logs/api.log 2>&1 &
pids+=($!)
wait_ready api "$api_port"
QUARKUS_HTTP_PORT=$worker_port java -jar worker/target/quarkus-app/quarkus-run.jar >data/logs/worker.log 2>&1 &
pids+=($!)
wait_ready worker "$worker_port"

cat <<TXT

Recording playback is running.
  api     http://127.0.0.1:$api_port   (health /q/health/ready, OpenAPI /q/openapi)
  worker  http://127.0.0.1:$worker_port   (health and metrics only)
  provider $PLAYBACK_PROVIDER_BASE_URL
  logs    data/logs/

Get a token:  curl -s -X POST localhost:$api_port/api/dev/token -H 'Content-Type: application/json' \\
                -d '{"business_id":1,"user":"alice"}'
List calls:   curl -s localhost:$api_port/api/calls -H "Authorization: Bearer \$TOKEN"
Ctrl-C stops everything.
TXT
wait -n "${pids[@]}"
