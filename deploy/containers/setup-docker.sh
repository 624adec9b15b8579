#!/usr/bin/env bash
# Makes a Docker engine answer on a Debian 12 machine (root) where none does: installs Debian's docker.io
# when dockerd is missing, starts it (through systemd where systemd runs, in the background otherwise)
# and waits until `docker info` answers; installs Debian's docker-compose (1.29) when neither
# `docker compose` nor docker-compose is there. Exits non-zero when no Docker engine answers in the end
# (deploy/prove.sh then uses podman). Idempotent: a second or so when the engine already answers.
#   usage: deploy/containers/setup-docker.sh
# Settings: DOCKER_START_TIMEOUT (60), the seconds to wait for a started engine to answer.
set -euo pipefail
timeout_s=${DOCKER_START_TIMEOUT:-60}

# A podman socket behind DOCKER_HOST answers `docker info` too: that is not a Docker engine.
answers() {
  docker info >/dev/null 2>&1 && ! docker version 2>/dev/null | grep -qi podman
}

install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "no Docker engine answers and $* cannot be installed here (needs root and apt-get)" >&2
    exit 1
  fi
  echo "installing $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# shellcheck source=deploy/containers/detached.sh
. "$(dirname "$0")/detached.sh"

if ! answers; then
  command -v dockerd >/dev/null && command -v docker >/dev/null || install docker.io
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl start docker
  elif ! pgrep -x dockerd >/dev/null; then
    echo "starting dockerd (log: /var/log/dockerd.log)"
    detached /var/log/dockerd.log dockerd &
  fi
  for _ in $(seq 1 "$timeout_s"); do answers && break; sleep 1; done
  if ! answers; then
    echo "the Docker engine does not answer after ${timeout_s} s (see /var/log/dockerd.log)" >&2
    exit 1
  fi
fi
docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null || install docker-compose
echo "Docker engine $(docker version --format '{{.Server.Version}}')"
