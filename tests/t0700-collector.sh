#!/bin/sh
# SPDX-License-Identifier: MIT
# t0700: drift-collector on loopback with real certificates: --check-config
# catches a misspelt key, a missing certificate and a key that is not the
# certificate's; uploads are stored once (a repeat is "unchanged"), a bundle
# for another host is refused (403) and nothing is stored, a connection
# without a client certificate or with one from another CA is refused in
# the handshake, garbage is a 400, oversized uploads are 413s, /healthz and
# /metrics answer, every refusal is logged with peer, certificate and
# reason, a second collector cannot take the port, and SIGTERM stops it
# cleanly with the port closed.
. "$DRIFT_SRC/tests/lib.sh"

command -v openssl >/dev/null || skip "openssl is needed to make certificates"
command -v curl >/dev/null || skip "curl is needed to talk to the collector"
command -v sqlite3 >/dev/null || skip "sqlite3 is needed to look into the store"
command -v python3 >/dev/null || skip "python3 is needed to read JSON"

COLLECTOR="$DRIFT_BUILD/drift-collector"
PORT=20700
PORT2=20701
PKI="$SCRATCH/pki"
PID=
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
no_proxy=127.0.0.1
export no_proxy

cleanup() {
	if [ -n "$PID" ]; then
		kill -9 "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# --- certificates: EC P-256; a CA, the collector (IP SAN), web01, and web01 from another CA ---
mkdir -p "$PKI"
ossl() {
	openssl "$@" >>"$PKI/openssl.log" 2>&1 || { cat "$PKI/openssl.log" >&2; fail "openssl $1 failed"; }
}
new_ca() { # NAME
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=drift test $1" -keyout "$PKI/$1.key" -out "$PKI/$1.pem"
}
new_cert() { # CA NAME CN EXTENSIONS
	ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$3" -keyout "$PKI/$2.key" -out "$PKI/$2.csr"
	printf '%s\n' "$4" >"$PKI/$2.ext"
	ossl x509 -req -in "$PKI/$2.csr" -CA "$PKI/$1.pem" -CAkey "$PKI/$1.key" \
		-CAcreateserial -days 2 -extfile "$PKI/$2.ext" -out "$PKI/$2.pem"
}
new_ca ca
new_ca otherca
new_cert ca server collector "subjectAltName=IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
new_cert ca web01 web01 "extendedKeyUsage=clientAuth"
new_cert otherca rogue web01 "extendedKeyUsage=clientAuth"

# config FILE PORT STORE [MORE-YAML]
config() {
	cat >"$1" <<EOF
# test collector
listen: ["127.0.0.1:$2"]
tls: {ca: $PKI/ca.pem, cert: $PKI/server.pem, key: $PKI/server.key}
store: $3
workers: 2
stale_after: 3h
alerts: [{syslog: true}, {exec: /bin/true}]
EOF
	[ $# -lt 4 ] || printf '%s\n' "$4" >>"$1"
}
C="$SCRATCH/collector.yaml"
STORE="$SCRATCH/store"
config "$C" $PORT "$STORE" "limits: {timeout: 30s}"
# IPv6 too, where the loopback has it
PORT6=20702
if [ -e /proc/net/if_inet6 ] && grep -q '^0*1 ' /proc/net/if_inet6; then
	sed "s|^listen: .*|listen: [\"127.0.0.1:$PORT\", \"[::1]:$PORT6\"]|" "$C" >"$C.new"
	mv "$C.new" "$C"
else
	PORT6=
fi

# --- --check-config ---
expect_exit 0 "$COLLECTOR" --config "$C" --check-config
grep -qx "configuration ok" "$SCRATCH/out" || fail "--check-config did not say 'configuration ok'"
[ ! -e "$STORE" ] || fail "--check-config created the store"
# regression: an empty store directory (what the package and StateDirectory=
# make before the first start) is fine for --check-config
mkdir "$STORE"
expect_exit 0 "$COLLECTOR" --config "$C" --check-config
grep -qx "configuration ok" "$SCRATCH/out" || fail "--check-config refused an empty store directory"
rmdir "$STORE" || fail "--check-config wrote into the empty store directory"

sed 's/^workers:/wrokers:/' "$C" >"$SCRATCH/typo.yaml"
expect_exit 1 "$COLLECTOR" --config "$SCRATCH/typo.yaml" --check-config
line=$(grep -n '^wrokers:' "$SCRATCH/typo.yaml" | cut -d: -f1)
grep -q "typo.yaml:$line:1: unknown key 'wrokers' (did you mean 'workers'?)" "$SCRATCH/err" \
	|| { cat "$SCRATCH/err" >&2; fail "an unknown key was not reported with FILE:LINE:COL and a suggestion"; }
grep -q "configuration ok" "$SCRATCH/out" && fail "a bad configuration was called ok"

sed "s|cert: $PKI/server.pem|cert: $PKI/nonesuch.pem|" "$C" >"$SCRATCH/nocert.yaml"
expect_exit 1 "$COLLECTOR" --config "$SCRATCH/nocert.yaml" --check-config
grep -q "tls.cert '$PKI/nonesuch.pem': No such file" "$SCRATCH/err" \
	|| { cat "$SCRATCH/err" >&2; fail "a missing certificate was not named"; }

sed "s|key: $PKI/server.key|key: $PKI/web01.key|" "$C" >"$SCRATCH/wrongkey.yaml"
expect_exit 1 "$COLLECTOR" --config "$SCRATCH/wrongkey.yaml" --check-config
grep -q "tls.key '$PKI/web01.key' is not the private key of the certificate '$PKI/server.pem'" "$SCRATCH/err" \
	|| { cat "$SCRATCH/err" >&2; fail "a key that does not match the certificate was not caught"; }

expect_exit 1 "$COLLECTOR" --config "$SCRATCH/nonesuch.yaml" --check-config
grep -q "nonesuch.yaml': no such file" "$SCRATCH/err" || fail "a missing configuration was not named"

# --- bundles ---
R="$SCRATCH/root"
make_root "$R"
"$AGENT" snapshot --root "$R" --path /etc --host-id web01 -o "$SCRATCH/web01.drift" -q
"$AGENT" snapshot --root "$R" --path /etc --host-id web02 -o "$SCRATCH/web02.drift" -q
head -c 3000 /dev/urandom >"$SCRATCH/garbage"

# --- running it ---
# start CONFIG PORT [OPTION...]: in the background, waiting (bounded) for the ready file.
start() {
	READY="$SCRATCH/ready.$2"
	LOG="$SCRATCH/collector.$2.log"
	cfg=$1
	shift 2
	"$COLLECTOR" --config "$cfg" --ready-file "$READY" "$@" 2>"$LOG" &
	PID=$!
	n=0
	while [ ! -e "$READY" ]; do
		kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; fail "drift-collector did not start"; }
		n=$((n + 1))
		[ "$n" -lt 600 ] || { cat "$LOG" >&2; fail "drift-collector was not ready within a minute"; }
		sleep 0.1
	done
	[ "$(cat "$READY")" = "$PID" ] || fail "the ready file does not hold the collector's pid"
}
# stop: SIGTERM, then require a clean exit within a minute, the ready file gone and the port closed.
stop() {
	kill -TERM "$PID" 2>/dev/null || true
	n=0
	while kill -0 "$PID" 2>/dev/null && [ "$n" -lt 600 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	kill -0 "$PID" 2>/dev/null && { cat "$LOG" >&2; fail "drift-collector did not stop within a minute of SIGTERM"; }
	st=0
	wait "$PID" || st=$?
	PID=
	[ "$st" = 0 ] || { cat "$LOG" >&2; fail "drift-collector did not shut down cleanly (exit $st)"; }
	[ ! -e "$READY" ] || fail "the ready file was left behind"
	set +e
	curl -s -o /dev/null --max-time 10 --cacert "$PKI/ca.pem" --cert "$PKI/web01.pem" \
		--key "$PKI/web01.key" "https://127.0.0.1:$1/healthz"
	got=$?
	set -e
	[ "$got" = 7 ] || fail "the port was still open after shutdown (curl exit $got)"
}
# post PORT CERT FILE [PATH]: HTTP status into $CODE, body into $SCRATCH/body.
post() {
	set +e
	CODE=$(curl -s -o "$SCRATCH/body" -w '%{http_code}' --max-time 30 --cacert "$PKI/ca.pem" \
		--cert "$PKI/$2.pem" --key "$PKI/$2.key" -H 'Content-Type: application/octet-stream' \
		--data-binary "@$3" "https://127.0.0.1:$1${4:-/v1/baselines}")
	set -e
}
# get PORT PATH [METHOD]
get() {
	set +e
	CODE=$(curl -s -o "$SCRATCH/body" -w '%{http_code}' --max-time 30 --cacert "$PKI/ca.pem" \
		--cert "$PKI/web01.pem" --key "$PKI/web01.key" -X "${3:-GET}" "https://127.0.0.1:$1$2")
	set -e
}
# json EXPR: evaluate a Python expression over the last body (as j); fail when false.
json() {
	python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$SCRATCH/body" "$1" || { cat "$SCRATCH/body" >&2; fail "response body: not $1"; }
}
# sql QUERY: ask the store's database directly
sql() {
	sqlite3 -readonly "$STORE/drift.db" "$1"
}
# logged PATTERN WHAT: the collector logged a line matching PATTERN (grep -E);
# waits a little (bounded): a TLS refusal is logged after the alert is sent
logged() {
	n=0
	until grep -qE "$1" "$LOG"; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || { cat "$LOG" >&2; fail "no log line for $2"; }
		sleep 0.1
	done
}

start "$C" $PORT
[ -e "$STORE/drift.db" ] || fail "the store was not created"

# a second collector cannot take the port
expect_exit 1 "$COLLECTOR" --config "$C"
grep -q "cannot listen on 127.0.0.1:$PORT: Address already in use" "$SCRATCH/err" \
	|| { cat "$SCRATCH/err" >&2; fail "a second collector on the same port was not refused"; }

post $PORT web01 "$SCRATCH/web01.drift"
[ "$CODE" = 200 ] || { cat "$SCRATCH/body" >&2; fail "first upload: HTTP $CODE, expected 200"; }
json 'j["host"] == "web01" and j["status"] == "stored" and isinstance(j["baseline"], int)'
ID=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["baseline"])' "$SCRATCH/body")
[ "$(sql 'SELECT count(*) FROM baselines')" = 1 ] || fail "the store does not hold exactly one baseline"
[ "$(sql 'SELECT name FROM hosts')" = web01 ] || fail "the store does not hold host web01"
logged "127\.0\.0\.1:[0-9]+ \(certificate 'web01'\): baseline $ID of 'web01' stored" "a stored upload"

post $PORT web01 "$SCRATCH/web01.drift"
[ "$CODE" = 200 ] || fail "repeated upload: HTTP $CODE, expected 200"
json "j['status'] == 'unchanged' and j['baseline'] == $ID"
[ "$(sql 'SELECT count(*) FROM baselines')" = 1 ] || fail "a repeated upload was stored twice"

# a host may only speak for itself
post $PORT web01 "$SCRATCH/web02.drift"
[ "$CODE" = 403 ] || fail "web02's bundle with web01's certificate: HTTP $CODE, expected 403"
json '"web02" in j["error"] and "web01" in j["error"]'
[ "$(sql 'SELECT count(*) FROM baselines')" = 1 ] || fail "a refused bundle was stored"
[ "$(sql "SELECT count(*) FROM hosts WHERE name = 'web02'")" = 0 ] || fail "a refused host was recorded"
logged "refused upload from 127\.0\.0\.1:[0-9]+ \(certificate 'web01'\): .*web02.* \(403\)" "the 403"

# garbage
post $PORT web01 "$SCRATCH/garbage"
[ "$CODE" = 400 ] || fail "garbage: HTTP $CODE, expected 400"
json 'len(j["error"]) > 0'
logged "refused upload from 127\.0\.0\.1:[0-9]+ \(certificate 'web01'\): .* \(400\)" "the 400"

# no client certificate, or one from another CA: refused in the handshake
set +e
CODE=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --cacert "$PKI/ca.pem" \
	--data-binary "@$SCRATCH/web01.drift" "https://127.0.0.1:$PORT/v1/baselines")
got=$?
set -e
[ "$got" != 0 ] && [ "$CODE" = 000 ] || fail "an upload without a client certificate got HTTP $CODE"
logged "refused TLS connection from 127\.0\.0\.1:[0-9]+ \(no certificate\)" "a missing client certificate"
post $PORT rogue "$SCRATCH/web01.drift"
[ "$CODE" = 000 ] || fail "a certificate from another CA got HTTP $CODE"
logged "refused TLS connection from 127\.0\.0\.1:[0-9]+ \(certificate 'web01'\): it is not signed by the collector's CA" \
	"a certificate from another CA"
[ "$(sql 'SELECT count(*) FROM baselines')" = 1 ] || fail "a refused connection stored something"

# the other endpoints
get $PORT /healthz
[ "$CODE" = 200 ] || fail "/healthz: HTTP $CODE"
json 'j == {"status": "ok"}'
if [ -n "$PORT6" ]; then
	set +e
	CODE=$(curl -s -o "$SCRATCH/body" -w '%{http_code}' --max-time 30 --cacert "$PKI/ca.pem" \
		--cert "$PKI/web01.pem" --key "$PKI/web01.key" "https://[::1]:$PORT6/healthz")
	set -e
	[ "$CODE" = 200 ] || fail "/healthz over IPv6: HTTP $CODE"
	logged "listening on 127\.0\.0\.1:$PORT, \[::1\]:$PORT6 with 2 workers" "both addresses"
fi
get $PORT /v1/baselines
[ "$CODE" = 405 ] || fail "GET /v1/baselines: HTTP $CODE, expected 405"
json '"POST" in j["error"]'
get $PORT /nonesuch
[ "$CODE" = 404 ] || fail "/nonesuch: HTTP $CODE, expected 404"
json 'len(j["error"]) > 0'
get $PORT /healthz POST
[ "$CODE" = 405 ] || fail "POST /healthz: HTTP $CODE, expected 405"

get $PORT /metrics
[ "$CODE" = 200 ] || fail "/metrics: HTTP $CODE"
# sum NAME LABEL-FILTER: the sum of a metric over workers
sum() {
	awk -v name="$1" -v filter="$2" '
		index($1, name "{") == 1 && index($1, filter) > 0 { s += $2 }
		$1 == name { s += $2 }
		END { print s + 0 }' "$SCRATCH/body"
}
[ "$(sum drift_collector_uploads_total 'result="stored"')" = 1 ] || fail "metrics: stored uploads"
[ "$(sum drift_collector_uploads_total 'result="unchanged"')" = 1 ] || fail "metrics: unchanged uploads"
[ "$(sum drift_collector_uploads_total 'result="forbidden"')" = 1 ] || fail "metrics: forbidden uploads"
[ "$(sum drift_collector_uploads_total 'result="malformed"')" = 1 ] || fail "metrics: malformed uploads"
[ "$(sum drift_collector_ingest_duration_seconds_count '')" = 4 ] || fail "metrics: ingest count"
[ "$(sum drift_collector_tls_refused_total '')" = 2 ] || fail "metrics: refused handshakes"
[ "$(sum drift_collector_worker_starts_total '')" = 2 ] || fail "metrics: worker starts"
want=$(( $(wc -c <"$SCRATCH/web01.drift") * 2 + $(wc -c <"$SCRATCH/web02.drift") + 3000 ))
[ "$(sum drift_collector_received_bytes_total '')" = "$want" ] || fail "metrics: bytes received"
[ "$(sum drift_collector_hosts '')" = 1 ] || fail "metrics: hosts"
[ "$(sum drift_collector_baselines '')" = 1 ] || fail "metrics: baselines"
grep -q '^# TYPE drift_collector_uploads_total counter$' "$SCRATCH/body" || fail "metrics: no TYPE line"

# an upload under way when SIGTERM comes is still answered: the client
# knows the collector has its request once it says "100 Continue", then
# sends the body only after the collector logged that it is stopping
python3 - "$PID" "$LOG" "$PKI" $PORT "$SCRATCH/web01.drift" >"$SCRATCH/drain.out" <<'PY' \
	|| { cat "$SCRATCH/drain.out" "$LOG" >&2; fail "an upload under way at SIGTERM was not answered"; }
import os, signal, socket, ssl, sys, time
pid, log, pki, port, bundle = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
body = open(bundle, "rb").read()
ctx = ssl.create_default_context(cafile=pki + "/ca.pem")
ctx.load_cert_chain(pki + "/web01.pem", pki + "/web01.key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30),
                    server_hostname="127.0.0.1")
s.sendall(b"POST /v1/baselines HTTP/1.1\r\nHost: drift\r\nExpect: 100-continue\r\n"
          b"Content-Length: %d\r\n\r\n" % len(body))
got = b""
while b"\r\n\r\n" not in got:
    got += s.recv(4096)
assert got.startswith(b"HTTP/1.1 100"), got
os.kill(pid, signal.SIGTERM)
for _ in range(600):
    if "shutting down on SIGTERM" in open(log).read():
        break
    time.sleep(0.1)
else:
    sys.exit("the collector did not log its shutdown")
s.sendall(body)
resp = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    resp += chunk
print(resp.decode(errors="replace"))
head, _, rest = resp.partition(b"\r\n\r\n")
assert head.startswith(b"HTTP/1.1 200"), head
assert b'"status": "unchanged"' in rest, rest
PY
stop $PORT
logged "shutting down on SIGTERM" "the shutdown"
expect_exit 0 "$COLLECTOR" --config "$C" -t
grep -qx "configuration ok" "$SCRATCH/out" || fail "--check-config of a configuration with a store"

# --- limits: a body over upload_max is refused before it is read; a bundle
# whose content is over content_max is refused by the store; both 413 ---
STORE="$SCRATCH/store2"
C2="$SCRATCH/small.yaml"
config "$C2" $PORT2 "$STORE" "limits: {upload_max: 8KiB, content_max: 1KiB}"
head -c 1536 /dev/urandom | base64 >"$R/etc/random-2k"
"$AGENT" snapshot --root "$R" --path /etc --host-id web01 -o "$SCRATCH/mid.drift" -q
head -c 49152 /dev/urandom | base64 >"$R/etc/random-64k"
"$AGENT" snapshot --root "$R" --path /etc --host-id web01 -o "$SCRATCH/big.drift" -q
[ "$(wc -c <"$SCRATCH/mid.drift")" -le 8192 ] || fail "fixture: the middle bundle is over 8 KiB"
tar -tf "$SCRATCH/mid.drift" | grep -q "^content/$(sha256sum <"$R/etc/random-2k" | cut -c1-64)\$" \
	|| fail "fixture: the 2 KiB file was not captured"
[ "$(wc -c <"$SCRATCH/big.drift")" -gt 8192 ] || fail "fixture: the big bundle is not over 8 KiB"
start "$C2" $PORT2 --workers 3
logged "with 3 workers" "--workers"
post $PORT2 web01 "$SCRATCH/big.drift"
[ "$CODE" = 413 ] || fail "an upload over upload_max: HTTP $CODE, expected 413"
logged "refused upload from 127\.0\.0\.1:[0-9]+ \(certificate 'web01'\): it is larger than upload_max \(8192 bytes\) \(413\)" \
	"an upload over upload_max"
post $PORT2 web01 "$SCRATCH/mid.drift"
[ "$CODE" = 413 ] || fail "a bundle over content_max: HTTP $CODE, expected 413"
json '"limits" in j["error"] and "1024" in j["error"]'
logged "refused upload from 127\.0\.0\.1:[0-9]+ \(certificate 'web01'\): .*larger than 1024 bytes \(over this collector's limits\) \(413\)" \
	"a bundle over content_max"
post $PORT2 web01 "$SCRATCH/web01.drift"
[ "$CODE" = 200 ] || fail "a small bundle after the refusals: HTTP $CODE, expected 200"
[ "$(sql 'SELECT count(*) FROM baselines')" = 1 ] || fail "an oversized upload was stored"
stop $PORT2
