#!/usr/bin/env bash
# Podman runs containers' health checks from systemd timers. Where there is no systemd (a container
# sandbox, a CI machine) nothing runs them, a container stays "starting" for ever and compose waits for
# service_healthy in vain. This loop runs them instead: every second for containers still starting,
# every 10 s for the others. Only the containers of one compose project when one is named.
#   usage: podman-healthchecks.sh [COMPOSE_PROJECT] &      (stop it with kill)
set -uo pipefail
filters=()
[ -n "${1:-}" ] && filters=(--filter "label=com.docker.compose.project=$1")

check() {
  local ids
  ids=$(podman ps -q "${filters[@]}" "$@" 2>/dev/null) || return 0
  for id in $ids; do podman healthcheck run "$id" >/dev/null 2>&1 & done
  wait
}

round=0
while true; do
  check --filter health=starting
  if (( round % 10 == 0 )); then
    check --filter health=healthy --filter health=unhealthy
  fi
  round=$((round + 1))
  sleep 1
done
