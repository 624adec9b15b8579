#!/usr/bin/env bash
# Prints nginx's answer to every case of cases.tsv, for the same 100000-byte file, as "<id><TAB><answer>".
# Needs nginx (apt-get install -y nginx) and curl. Used to fill the table's nginx column.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/www" "$work/logs"
head -c 100000 /dev/urandom > "$work/www/rec.mp3"
chmod -R a+rX "$work"   # nginx workers run unprivileged
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/logs/error.log;
events {}
http {
  access_log off;
  types { audio/mpeg mp3; }
  server { listen 127.0.0.1:$port; root $work/www; sendfile on; }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
url="http://127.0.0.1:$port/rec.mp3"
etag=$(curl -sI "$url" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
last=$(curl -sI "$url" | tr -d '\r' | sed -n 's/^[Ll]ast-[Mm]odified: //p')
earlier="Thu, 01 Jan 1970 00:00:00 GMT"
later="Fri, 01 Jan 2100 00:00:00 GMT"
grep -v '^#' "$here/cases.tsv" | tail -n +2 | while IFS=$'\t' read -r id method headers rest; do
  args=()
  if [ -n "$headers" ]; then
    IFS='|' read -ra list <<< "${headers// ;; /|}"
    for h in "${list[@]}"; do
      h=${h//\{ETAG\}/$etag}; h=${h//\{LAST_MODIFIED\}/$last}; h=${h//\{EARLIER\}/$earlier}; h=${h//\{LATER\}/$later}
      args+=(-H "$h")
    done
  fi
  flag=(); [ "$method" = HEAD ] && flag=(-I)
  out=$(curl -s "${flag[@]}" -D "$work/h" -o "$work/b" "${args[@]}" "$url"; true)
  status=$(head -1 "$work/h" | awk '{print $2}')
  range=$(tr -d '\r' < "$work/h" | sed -n 's/^[Cc]ontent-[Rr]ange: //p')
  type=$(tr -d '\r' < "$work/h" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
  length=$(tr -d '\r' < "$work/h" | sed -n 's/^[Cc]ontent-[Ll]ength: //p')
  if [[ "$type" == multipart/byteranges* ]]; then
    if [ "$method" = HEAD ]; then
      # HEAD has no parts to show: take the GET's, when its body is as long as HEAD said.
      curl -s -o "$work/b" "${args[@]}" "$url"
      [ "$(stat -c %s "$work/b")" = "$length" ] || : > "$work/b"
    fi
    parts=$(grep -a -o 'Content-Range: bytes [0-9]*-[0-9]*' "$work/b" | sed 's/Content-Range: bytes //' | paste -sd, -)
    answer="$status multipart $parts"
  elif [ "$status" = 304 ] || [ "$status" = 412 ]; then answer="$status"
  elif [ -n "$range" ]; then
    answer="$status $range"; [ "$status" = 206 ] && answer="$answer len=$length"
  else answer="$status len=$length"
  fi
  printf '%s\t%s\n' "$id" "$answer"
done
