#!/usr/bin/env bash
# End-to-end checks alone: builds what they need, then runs them and prints their table.
# They stop and start this machine's PostgreSQL and Redis (scenarios 4 and 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
exec ./mvnw -B verify -pl e2e -am -Dtest=EndToEndTest -Dsurefire.failIfNoSpecifiedTests=false
