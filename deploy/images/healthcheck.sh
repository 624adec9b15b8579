#!/bin/bash
# The image's health check: exits 0 when GET http://127.0.0.1:PORT/PATH answers 200. Plain bash
# (/dev/tcp), so that the image needs no curl.   usage: healthcheck.sh PORT PATH
port=$1
path=$2
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || exit 1
[[ $status == "HTTP/1."[01]" 200"* ]]
