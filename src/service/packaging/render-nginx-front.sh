#!/bin/sh
# render-nginx-front.sh TEMPLATE HTTP_PORT HTTPS_PORT UPSTREAM_PORT SERVER_NAME CERT KEY [CLIENT_CA]
# Prints nginx-front.conf.in with its @PLACEHOLDERS@ filled. A CLIENT_CA turns
# on the "#@mtls " lines (TradingView's client certificate required on
# /webhook). XECUTOR_ALLOWED_IPS in the environment (the service's allow-list,
# comma or space separated addresses) exempts those senders from the
# per-client limits. Used by the slot's boot script and by xdeploy's local
# backend, so both run the same front. POSIX sh + sed: it runs on a bare
# Debian image.
set -eu
[ "$#" -ge 7 ] && [ "$#" -le 8 ] || {
  echo "usage: $0 TEMPLATE HTTP_PORT HTTPS_PORT UPSTREAM_PORT SERVER_NAME CERT KEY [CLIENT_CA]" >&2
  exit 2
}
template=$1 http_port=$2 https_port=$3 upstream_port=$4 server_name=$5 cert=$6 key=$7 client_ca=${8:-}
for p in "$http_port" "$https_port" "$upstream_port"; do
  case $p in '' | *[!0-9]*) echo "render-nginx-front: port '$p' is not a number" >&2; exit 2 ;; esac
done
# Values end up inside nginx directives: refuse what could end one early.
nl='
'
for v in "$server_name" "$cert" "$key" "$client_ca"; do
  case $v in *[\;\{\}\ \"\'\|\&\\]* | *"$nl"*)
    echo "render-nginx-front: '$v' contains a character nginx would misread" >&2; exit 2 ;;
  esac
done
# The allow-list as geo entries on one line: "a.b.c.d 0; ...". Only address
# characters pass (IPv4 dotted, IPv6 hex and colons).
geo=""
set -f # no globbing of the entries
for ip in $(printf '%s' "${XECUTOR_ALLOWED_IPS:-}" | tr ',' ' '); do
  case $ip in *[!0-9A-Fa-f:.]* | '')
    echo "render-nginx-front: XECUTOR_ALLOWED_IPS entry '$ip' is not an IP address" >&2; exit 2 ;;
  esac
  geo="$geo$ip 0; "
done
suffix=":$https_port"
[ "$https_port" = 443 ] && suffix=""
mtls='/^#@mtls /d'
[ -n "$client_ca" ] && mtls='s/^#@mtls //'
sed -e "$mtls" \
  -e "s|@HTTP_PORT@|$http_port|g" -e "s|@HTTPS_PORT@|$https_port|g" -e "s|@HTTPS_SUFFIX@|$suffix|g" \
  -e "s|@UPSTREAM_PORT@|$upstream_port|g" -e "s|@SERVER_NAME@|$server_name|g" \
  -e "s|@CERT_FILE@|$cert|g" -e "s|@KEY_FILE@|$key|g" -e "s|@CLIENT_CA_FILE@|$client_ca|g" \
  -e "s|@ALLOWED_GEO@|$geo|g" \
  "$template"
