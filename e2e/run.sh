#!/usr/bin/env bash
# End-to-end checks alone: builds what they need, then runs them and prints their table.
# They start a PostgreSQL and a Redis of their own on free ports (data in e2e/target/e2e-run/servers).
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B verify -pl e2e -am -Dtest=EndToEndTest -Dsurefire.failIfNoSpecifiedTests=false
