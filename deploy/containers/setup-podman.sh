#!/usr/bin/env bash
# Makes a container engine usable on a machine that has no Docker engine and reaches no image registry
# (root, Debian 12): podman + runc from Debian, a Docker-compatible API socket for docker-compose, and a
# Debian base image built from Debian's packages, from which deploy/standins/ builds stand-ins for the
# official postgres, redis and JRE images. Idempotent; about a minute the first time.
#   usage: deploy/containers/setup-podman.sh     then: export DOCKER_HOST=unix:///run/podman-compat.sock
# Where no systemd runs, podman's health checks need deploy/containers/podman-healthchecks.sh beside.
set -euo pipefail
SOCK=${PODMAN_SOCK:-/run/podman-compat.sock}
BASE=${BASE_IMAGE:-localhost/debian:bookworm}

need=()
for b in podman runc debootstrap docker-compose; do command -v "$b" >/dev/null || need+=("$b"); done
if ((${#need[@]})); then
  echo "installing podman, runc, debootstrap, docker-compose"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap docker-compose >/dev/null
fi

# crun fails on such machines ("cgroups in hybrid mode not supported"), and podman's default ulimits are
# above what the sandbox may set (setrlimit: Operation not permitted).
mkdir -p /etc/containers
if ! grep -q 'runtime = "runc"' /etc/containers/containers.conf 2>/dev/null; then
  cat > /etc/containers/containers.conf <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
fi

# No registry is reachable: the base image is made from Debian's packages.
bash "$(dirname "$0")/debian-base.sh" podman "$BASE"

# The Docker-compatible API, for docker-compose (1.29 keeps --scale; podman-compose 1.0.3 ignores it).
# The service runs detached (detached.sh says why); one whose working directory was removed still
# answers its ping but can no longer start containers: it is replaced.
# shellcheck source=deploy/containers/detached.sh
. "$(dirname "$0")/detached.sh"
for pid in $(pgrep -f "podman system service.*$SOCK" || true); do
  if [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == *" (deleted)" ]]; then
    echo "restarting the podman service: its working directory was removed"
    kill "$pid"
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$SOCK"
  fi
done
if ! curl -fsS --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; then
  rm -f "$SOCK"
  detached /tmp/podman-service.log podman system service --time=0 "unix://$SOCK" &
  for _ in $(seq 1 30); do curl -fsS --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
echo "DOCKER_HOST=unix://$SOCK  base image: $BASE"
