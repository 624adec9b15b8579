#!/usr/bin/env bash
# The one-command run: builds what is needed, then starts PostgreSQL and Redis (the configured ones when
# they answer, embedded ones otherwise), the provider simulator, the api and the worker, with demo
# data. Ctrl-C stops everything it started. Settings: see devstack/README.md.
set -euo pipefail
cd "$(dirname "$0")"

jars=(simulator/target/simulator.jar api/target/quarkus-app/quarkus-run.jar
      worker/target/quarkus-app/quarkus-run.jar devstack/target/devstack.jar)
build=false
for jar in "${jars[@]}"; do
  if [ ! -f "$jar" ] || [ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$jar" -print -quit 2>/dev/null)" ]; then
    build=true
  fi
done
if $build; then
  echo "building (tests skipped; ./mvnw verify runs them)"
  ./mvnw -B -q package -DskipTests
fi

exec java -jar devstack/target/devstack.jar "$@"
