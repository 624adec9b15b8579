#!/bin/bash
# Starts the image's JVM (java $JAVA_OPTS "$@") after settling its settings:
#
#  1. Secrets from files, for compose or swarm secrets: X_FILE=/run/secrets/x sets X to the file's
#     content (for PLAYBACK_* and QUARKUS_* variables). PLAYBACK_JWT_PUBLIC_KEY may hold the PEM itself:
#     it is written to a file that PLAYBACK_JWT_PUBLIC_KEY_LOCATION then names. Empty variables count
#     as unset.
#  2. The demo's settings (docker compose --profile demo): when PLAYBACK_DEMO_SETTINGS names a file and
#     the deployment has none of its own secrets, the KEY=VALUE lines of that file (written by the demo
#     profile's demo-settings service: dev sign-in, the simulator as provider) fill in what is unset.
#     A deployment that sets any secret of its own never takes them.
set -euo pipefail

log() { echo "entrypoint: $*" >&2; }

for name in $(compgen -e); do
  if [[ $name == PLAYBACK_* || $name == QUARKUS_* ]] && [ -z "${!name}" ]; then
    unset "$name"
  fi
done

for name in $(compgen -e); do
  [[ ($name == PLAYBACK_* || $name == QUARKUS_*) && $name == *_FILE ]] || continue
  target=${name%_FILE}
  file=${!name}
  if [ -n "${!target:-}" ]; then
    log "both $target and $name are set; set one"
    exit 1
  fi
  if [ ! -r "$file" ]; then
    log "$name names $file, which cannot be read"
    exit 1
  fi
  value=$(cat "$file")
  export "$target=$value"
  unset "$name"
done

if [ -n "${PLAYBACK_JWT_PUBLIC_KEY:-}" ]; then
  if [ -n "${PLAYBACK_JWT_PUBLIC_KEY_LOCATION:-}" ]; then
    log "both PLAYBACK_JWT_PUBLIC_KEY and PLAYBACK_JWT_PUBLIC_KEY_LOCATION are set; set one"
    exit 1
  fi
  key_dir=$(mktemp -d)
  printf '%s\n' "$PLAYBACK_JWT_PUBLIC_KEY" > "$key_dir/jwt-public-key.pem"
  export PLAYBACK_JWT_PUBLIC_KEY_LOCATION=$key_dir/jwt-public-key.pem
  unset PLAYBACK_JWT_PUBLIC_KEY
fi

own_secrets=(PLAYBACK_JWT_PUBLIC_KEY_LOCATION PLAYBACK_STREAM_URL_SECRET PLAYBACK_PROVIDER_AUTH_TOKEN
             PLAYBACK_PROVIDER_BASE_URL PLAYBACK_PROVIDER_ACCOUNT_SID)
if [ -n "${PLAYBACK_DEMO_SETTINGS:-}" ]; then
  demo_settings=$PLAYBACK_DEMO_SETTINGS
  unset PLAYBACK_DEMO_SETTINGS
  has_own=false
  for name in "${own_secrets[@]}"; do
    [ -n "${!name:-}" ] && has_own=true
  done
  if $has_own; then
    [ -f "$demo_settings" ] && log "this deployment has secrets of its own: the demo's settings are not used"
  else
    # The demo-settings service starts with no dependency, so its file is there long before the
    # database is healthy; the wait only covers a slow engine.
    wait_seconds=${PLAYBACK_DEMO_SETTINGS_WAIT:-20}
    for _ in $(seq 1 $((wait_seconds * 2))); do
      [ -f "$demo_settings" ] && break
      sleep 0.5
    done
    if [ -f "$demo_settings" ]; then
      while IFS= read -r line; do
        [[ $line == *=* ]] || continue
        name=${line%%=*}
        [ -n "${!name:-}" ] || export "$name=${line#*=}"
      done < "$demo_settings"
      log "no secrets of its own: running with the demo's settings (dev sign-in, provider ${PLAYBACK_PROVIDER_BASE_URL:-unset})"
    else
      log "no secrets configured and no demo settings: see docs/deployment.md"
    fi
  fi
fi

# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java ${JAVA_OPTS:-} "$@"
