#!/bin/bash
# Starts S3Proxy from the variables the official image reads (S3PROXY_*, JCLOUDS_*; those left empty
# are not passed), as one properties file: java $S3PROXY_JAVA_OPTS -jar s3proxy --properties FILE.
set -euo pipefail
properties=$(mktemp)
setting() {
  [ -n "${2:-}" ] && printf '%s=%s\n' "$1" "$2" >> "$properties"
  return 0
}
setting s3proxy.endpoint "${S3PROXY_ENDPOINT:-}"
setting s3proxy.virtual-host "${S3PROXY_VIRTUALHOST:-}"
setting s3proxy.authorization "${S3PROXY_AUTHORIZATION:-}"
setting s3proxy.identity "${S3PROXY_IDENTITY:-}"
setting s3proxy.credential "${S3PROXY_CREDENTIAL:-}"
setting s3proxy.ignore-unknown-headers "${S3PROXY_IGNORE_UNKNOWN_HEADERS:-}"
setting s3proxy.v4-max-non-chunked-request-size "${S3PROXY_V4_MAX_NON_CHUNKED_REQ_SIZE:-134217728}"
setting s3proxy.read-only-blobstore "${S3PROXY_READ_ONLY_BLOBSTORE:-}"
setting jclouds.provider "${JCLOUDS_PROVIDER:-}"
setting jclouds.identity "${JCLOUDS_IDENTITY:-}"
setting jclouds.credential "${JCLOUDS_CREDENTIAL:-}"
setting jclouds.endpoint "${JCLOUDS_ENDPOINT:-}"
setting jclouds.region "${JCLOUDS_REGION:-}"
setting jclouds.regions "${JCLOUDS_REGIONS:-}"
setting jclouds.filesystem.basedir "${JCLOUDS_FILESYSTEM_BASEDIR:-}"
[ -n "${JCLOUDS_FILESYSTEM_BASEDIR:-}" ] && mkdir -p "$JCLOUDS_FILESYSTEM_BASEDIR"
# shellcheck disable=SC2086 # S3PROXY_JAVA_OPTS is a list of options
exec java ${S3PROXY_JAVA_OPTS:-} -DLOG_LEVEL="${LOG_LEVEL:-info}" -jar /opt/s3proxy/s3proxy --properties "$properties"
