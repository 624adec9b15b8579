#!/usr/bin/env bash
# The Debian base image from which deploy/standins/ builds its stand-ins, for an engine that reaches no
# image registry: Docker's debian:bookworm when it can be pulled, else made from Debian's packages
# (debootstrap, then imported). Nothing to do when the image is there.
#   usage: deploy/containers/debian-base.sh docker|podman [IMAGE]      (IMAGE: localhost/debian:bookworm)
set -euo pipefail
engine=$1
base=${2:-localhost/debian:bookworm}

$engine image inspect "$base" >/dev/null 2>&1 && exit 0
if [ "$engine" = docker ] && timeout 300 docker pull -q debian:bookworm >/dev/null 2>&1; then
  docker tag debian:bookworm "$base"
  exit 0
fi
echo "building the base image $base from Debian's packages (debootstrap)"
if ! command -v debootstrap >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase bookworm "$root" >/dev/null
tar -C "$root" -c . | $engine import - "$base" >/dev/null
