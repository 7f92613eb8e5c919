#!/bin/sh
# SPDX-License-Identifier: MIT
# t0800: drift-agent run against a real mutual-TLS HTTPS endpoint: acknowledged
# bundles leave the spool, an unreachable or busy collector keeps them (exit
# 75) and they go out oldest first later, a refusal moves one aside without
# blocking the queue (exit 1), a collector certificate from another CA gets
# nothing, and spool.max drops the oldest bundle with a log line.
. "$DRIFT_SRC/tests/lib.sh"

command -v python3 >/dev/null || skip "python3 is needed for the test endpoint"
command -v openssl >/dev/null || skip "openssl is needed to make certificates"
command -v sha256sum >/dev/null || skip "sha256sum is needed"

PORT=20800
STUB="$DRIFT_SRC/tests/collector_stub.py"
PKI="$SCRATCH/pki"
SPOOL="$SCRATCH/spool"
REC="$SCRATCH/received"
BODIES="$SCRATCH/bodies"
READY="$SCRATCH/stub.ready"
STUB_PID=
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
no_proxy=127.0.0.1
export no_proxy

cleanup() {
	if [ -n "$STUB_PID" ]; then
		kill "$STUB_PID" 2>/dev/null || true
		wait "$STUB_PID" 2>/dev/null || true
	fi
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# --- certificates: EC P-256, a test CA, the collector (IP SAN) and web01 ---
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
new_cert ca server collector "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
new_cert ca web01 web01 "extendedKeyUsage=clientAuth"
new_cert otherca impostor collector "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
new_cert otherca rogue web01 "extendedKeyUsage=clientAuth"

# --- the test endpoint ---
start_stub() { # SCRIPT [SERVER-CERT-NAME]
	rm -f "$READY"
	python3 "$STUB" --port "$PORT" --cert "$PKI/${2:-server}.pem" --key "$PKI/${2:-server}.key" \
		--ca "$PKI/ca.pem" --script "$1" --record "$REC" --bodies "$BODIES" \
		--ready "$READY" 2>>"$SCRATCH/stub.log" &
	STUB_PID=$!
	n=0
	while [ ! -e "$READY" ]; do
		kill -0 "$STUB_PID" 2>/dev/null || { cat "$SCRATCH/stub.log" >&2; fail "the test endpoint did not start"; }
		n=$((n + 1))
		[ "$n" -lt 600 ] || fail "the test endpoint was not ready within a minute"
		sleep 0.1
	done
}
stop_stub() {
	kill "$STUB_PID"
	st=0
	wait "$STUB_PID" || st=$?
	STUB_PID=
	[ "$st" = 0 ] || { cat "$SCRATCH/stub.log" >&2; fail "the test endpoint did not shut down cleanly ($st)"; }
}

# --- a host, its configuration ---
R="$SCRATCH/root"
make_root "$R"
write_config() { # SPOOL-MAX [EXTRA-LINES]
	cat >"$SCRATCH/agent.yaml" <<EOF
collector: https://127.0.0.1:$PORT
tls:
  ca: $PKI/ca.pem
  cert: $PKI/web01.pem
  key: $PKI/web01.key
paths: [/etc]
spool:
  dir: $SPOOL
  max: $1
EOF
}
write_config 64MiB
RUN="$AGENT run --config $SCRATCH/agent.yaml --root $R"

spooled() { ls "$SPOOL" | grep -c '\.drift$' || true; }
received() { if [ -f "$REC" ]; then wc -l <"$REC" | tr -d ' '; else echo 0; fi; }
# sha256 of the spooled bundles, oldest first (by name)
spool_sums() { (cd "$SPOOL" && ls | grep '\.drift$' | sort | xargs -r sha256sum | cut -d' ' -f1); }
# field F of received line N
rec() { sed -n "$1p" "$REC" | cut -d' ' -f"$2"; }
taken_at() { "$DRIFT" show --format json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["taken_at"])'; }

# --- required settings are named when missing ---
printf 'tls: {ca: %s, cert: %s, key: %s}\n' "$PKI/ca.pem" "$PKI/web01.pem" "$PKI/web01.key" >"$SCRATCH/nocoll.yaml"
expect_exit 1 "$AGENT" run --config "$SCRATCH/nocoll.yaml" --root "$R"
grep -q "'collector' is not set" "$SCRATCH/err" || fail "a missing collector is not named: $(cat "$SCRATCH/err")"
printf 'collector: https://127.0.0.1:%s\n' "$PORT" >"$SCRATCH/noca.yaml"
expect_exit 1 "$AGENT" run --config "$SCRATCH/noca.yaml" --root "$R"
grep -q "'tls.ca' is not set" "$SCRATCH/err" || fail "a missing tls.ca is not named: $(cat "$SCRATCH/err")"
[ ! -e "$SPOOL" ] || fail "a rejected configuration still created the spool"

# --- 1. the collector stores it: exit 0, spool empty, sent as web01 ---
start_stub 200
expect_exit 0 $RUN
[ "$(received)" = 1 ] || fail "expected 1 upload, got $(received)"
[ "$(spooled)" = 0 ] || fail "an acknowledged bundle stayed in the spool"
[ "$(rec 1 2)" = 200 ] && [ "$(rec 1 4)" = web01 ] || fail "unexpected upload: $(sed -n 1p "$REC")"
[ "$(rec 1 5)" = "drift-agent/$("$AGENT" --version | cut -d' ' -f2)" ] || fail "user agent: $(rec 1 5)"
[ "$(sha256sum <"$BODIES/1.drift" | cut -d' ' -f1)" = "$(rec 1 3)" ] || fail "body checksum"
"$DRIFT" show --format json "$BODIES/1.drift" >"$SCRATCH/b1.json" || fail "the upload is not a bundle"
python3 - "$SCRATCH/b1.json" <<'PY' || fail "the uploaded baseline is not web01's /etc"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["host"]["host_id"] == "web01", b["host"]   # the certificate's CN
assert any(f["path"] == "/etc/ssh/sshd_config" for f in b["files"])
PY
stat -c %a "$SPOOL" | grep -qx 700 || fail "spool mode is $(stat -c %a "$SPOOL"), expected 700"
grep -q "1 sent (1 stored, 0 unchanged), 0 refused, 0 waiting" "$SCRATCH/err" \
	|| fail "summary line: $(cat "$SCRATCH/err")"
stop_stub

# --- 2. nobody listening: exit 75, the bundle waits ---
expect_exit 75 $RUN
[ "$(spooled)" = 1 ] || fail "the bundle was not kept in the spool"
grep -q "cannot connect to the collector" "$SCRATCH/err" || fail "no reason given: $(cat "$SCRATCH/err")"
grep -q "1 waiting in the spool" "$SCRATCH/err" || fail "summary line: $(cat "$SCRATCH/err")"

# --- 3. busy (503) keeps it too; then both go out, oldest first ---
rm -f "$REC"; rm -rf "$BODIES"
OLD=$(spool_sums)
start_stub 503,200
expect_exit 75 $RUN
[ "$(received)" = 1 ] && [ "$(rec 1 2)" = 503 ] || fail "expected one 503, got: $(cat "$REC")"
[ "$(rec 1 3)" = "$OLD" ] || fail "the oldest bundle was not sent first"
[ "$(spooled)" = 2 ] || fail "503: expected 2 bundles in the spool, found $(spooled)"
grep -q "busy; try again later" "$SCRATCH/err" || fail "503 reason not shown: $(cat "$SCRATCH/err")"
SUMS=$(spool_sums)
expect_exit 0 $RUN --no-snapshot
[ "$(received)" = 3 ] || fail "expected 3 uploads in all, got $(received)"
[ "$(spooled)" = 0 ] || fail "the spool was not flushed"
[ "$(printf '%s\n%s\n' "$(rec 2 3)" "$(rec 3 3)")" = "$SUMS" ] || fail "bundles not sent oldest first"
[ "$(rec 2 3)" = "$OLD" ] || fail "the first spooled bundle was not the first acknowledged"
t2=$(taken_at "$BODIES/2.drift"); t3=$(taken_at "$BODIES/3.drift")
[ "$t2" \< "$t3" ] || fail "sent in the wrong order: $t2 then $t3"
grep -q "2 sent (1 stored, 1 unchanged)" "$SCRATCH/err" || fail "summary line: $(cat "$SCRATCH/err")"
stop_stub

# --- 4. a refusal moves that bundle aside; the queue goes on; exit 1 ---
rm -f "$REC"; rm -rf "$BODIES"
expect_exit 75 $RUN
REFUSED=$(spool_sums)
start_stub 403,200
expect_exit 1 $RUN
[ "$(received)" = 2 ] || fail "the queue stopped at the refusal: $(cat "$REC")"
[ "$(rec 1 2)" = 403 ] && [ "$(rec 1 3)" = "$REFUSED" ] && [ "$(rec 2 2)" = 200 ] \
	|| fail "unexpected uploads: $(cat "$REC")"
[ "$(spooled)" = 0 ] || fail "the spool is not empty after a refusal"
[ "$(cd "$SPOOL/refused" && ls | xargs sha256sum | cut -d' ' -f1)" = "$REFUSED" ] \
	|| fail "the refused bundle is not in refused/"
grep -q "refused .*(HTTP 403): host id does not match the certificate name 'web01'" "$SCRATCH/err" \
	|| fail "the collector's reason is not shown: $(cat "$SCRATCH/err")"
grep -q "1 refused" "$SCRATCH/err" || fail "summary line: $(cat "$SCRATCH/err")"
stop_stub

# --- 5. a collector with a certificate from another CA gets nothing ---
rm -f "$REC"; rm -rf "$BODIES"
start_stub 200 impostor
expect_exit 75 $RUN
[ "$(received)" = 0 ] || fail "a bundle was sent to an unverified collector"
[ "$(spooled)" = 1 ] || fail "the bundle was not kept"
grep -q "not verified by tls.ca" "$SCRATCH/err" || fail "certificate failure not explained: $(cat "$SCRATCH/err")"
stop_stub

# --- 6. spool.max: the oldest bundle is dropped, with a log line ---
rm -rf "$SPOOL"
expect_exit 75 $RUN
SIZE=$(stat -c %s "$SPOOL"/*.drift)
FIRST=$(ls "$SPOOL")
write_config $((SIZE * 3 / 2))
expect_exit 75 $RUN
[ "$(spooled)" = 1 ] || fail "spool.max: expected 1 bundle, found $(spooled)"
[ "$(ls "$SPOOL" | grep '\.drift$')" != "$FIRST" ] || fail "spool.max kept the oldest instead of the newest"
grep -q "dropped the oldest bundle '$SPOOL/$FIRST'" "$SCRATCH/err" || fail "no log line for the drop: $(cat "$SCRATCH/err")"

# --- 7. --no-snapshot with an empty spool contacts nobody ---
rm -rf "$SPOOL"
expect_exit 0 $RUN --no-snapshot
[ "$(spooled)" = 0 ] || fail "--no-snapshot took a snapshot"

# --- 8. a client certificate the collector does not trust: kept, exit 75 ---
write_config 64MiB
sed -i "s|web01\.|rogue.|" "$SCRATCH/agent.yaml"
rm -f "$REC"
start_stub 200
expect_exit 75 $RUN
[ "$(received)" = 0 ] || fail "the endpoint accepted a client certificate from another CA"
grep -q "check that the collector trusts tls.cert" "$SCRATCH/err" || fail "no hint: $(cat "$SCRATCH/err")"
[ "$(spooled)" = 1 ] || fail "the bundle was not kept"
stop_stub

# --- 9. a key that does not match the certificate: an error to fix (exit 1), kept ---
write_config 64MiB
sed -i "s|key: .*web01\.key|key: $PKI/impostor.key|" "$SCRATCH/agent.yaml"
start_stub 200
expect_exit 1 $RUN
grep -q "tls.key '$PKI/impostor.key' cannot be used" "$SCRATCH/err" || fail "key problem not named: $(cat "$SCRATCH/err")"
[ "$(received)" = 0 ] && [ "$(spooled)" = 2 ] || fail "bundles lost or sent with a bad key"
stop_stub
exit 0
