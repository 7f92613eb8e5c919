#!/bin/sh
# SPDX-License-Identifier: MIT
# t0710: drift-collector survives its workers: a worker killed with SIGKILL
# is replaced (with a log line) while uploads keep being answered and the
# store stays whole; so is the alerter; the supervisor still shuts down
# cleanly; and workers whose supervisor is killed stop by themselves,
# closing the port. The supervisor's children: 2 workers and the alerter.
. "$DRIFT_SRC/tests/lib.sh"

command -v openssl >/dev/null || skip "openssl is needed to make certificates"
command -v curl >/dev/null || skip "curl is needed to talk to the collector"
command -v sqlite3 >/dev/null || skip "sqlite3 is needed to look into the store"
[ -r /proc/self/task/$$/children ] || skip "/proc/PID/task/PID/children is needed to find the workers"

COLLECTOR="$DRIFT_BUILD/drift-collector"
PORT=20710
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
PID=
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
no_proxy=127.0.0.1
export no_proxy

cleanup() {
	if [ -n "$PID" ]; then
		for w in $(children "$PID"); do kill -9 "$w" 2>/dev/null || true; done
		kill -9 "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

children() {
	cat "/proc/$1/task/$1/children" 2>/dev/null || true
}

mkdir -p "$PKI"
ossl() {
	openssl "$@" >>"$PKI/openssl.log" 2>&1 || { cat "$PKI/openssl.log" >&2; fail "openssl $1 failed"; }
}
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=drift test ca" -keyout "$PKI/ca.key" -out "$PKI/ca.pem"
new_cert() { # NAME CN EXTENSIONS
	ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr"
	printf '%s\n' "$3" >"$PKI/$1.ext"
	ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem"
}
new_cert server collector "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth"
new_cert web01 web01 "extendedKeyUsage=clientAuth"

C="$SCRATCH/collector.yaml"
cat >"$C" <<EOF
listen: ["127.0.0.1:$PORT"]
tls: {ca: $PKI/ca.pem, cert: $PKI/server.pem, key: $PKI/server.key}
store: $STORE
workers: 2
limits: {timeout: 20s}
EOF
expect_exit 0 "$COLLECTOR" --config "$C" --check-config

R="$SCRATCH/root"
make_root "$R"
"$AGENT" snapshot --root "$R" --path /etc --host-id web01 -o "$SCRATCH/1.drift" -q
echo "changed" >>"$R/etc/ssh/sshd_config"
"$AGENT" snapshot --root "$R" --path /etc --host-id web01 -o "$SCRATCH/2.drift" -q

READY="$SCRATCH/ready"
LOG="$SCRATCH/collector.log"
start() {
	"$COLLECTOR" --config "$C" --ready-file "$READY" 2>>"$LOG" &
	PID=$!
	n=0
	while [ ! -e "$READY" ]; do
		kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; fail "drift-collector did not start"; }
		n=$((n + 1))
		[ "$n" -lt 600 ] || { cat "$LOG" >&2; fail "drift-collector was not ready within a minute"; }
		sleep 0.1
	done
}
post() { # FILE
	set +e
	CODE=$(curl -s -o "$SCRATCH/body" -w '%{http_code}' --max-time 30 --cacert "$PKI/ca.pem" \
		--cert "$PKI/web01.pem" --key "$PKI/web01.key" --data-binary "@$1" \
		"https://127.0.0.1:$PORT/v1/baselines")
	set -e
}
# wait_for WHAT CONDITION...: poll (bounded) until the shell condition holds
wait_for() {
	what=$1
	shift
	n=0
	until eval "$*"; do
		n=$((n + 1))
		[ "$n" -lt 600 ] || { cat "$LOG" >&2; fail "$what: not within a minute"; }
		sleep 0.1
	done
}
# alive PID: running, not merely a zombie nobody reaped yet
alive() {
	[ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]
}
count() {
	set -- $(children "$PID")
	echo $#
}

start
[ "$(count)" = 3 ] || fail "not 2 workers and the alerter: $(children "$PID")"
post "$SCRATCH/1.drift"
[ "$CODE" = 200 ] || fail "upload before the crash: HTTP $CODE"

# kill one worker the hard way: it is replaced, and says so
VICTIM=$(children "$PID" | cut -d' ' -f1)
kill -9 "$VICTIM"
wait_for "a log line for the killed worker" \
	"grep -qE 'worker [01] \\(pid $VICTIM\\) was killed by signal 9.*; starting a new one' '$LOG'"
wait_for "a replacement worker" '[ "$(count)" = 3 ]'
children "$PID" | tr ' ' '\n' | grep -qx "$VICTIM" && fail "the killed worker is still listed"

# the alerter (named so in /proc) is replaced the same way
ALERTER=
for c in $(children "$PID"); do
	[ "$(cat "/proc/$c/comm" 2>/dev/null)" = drift-alerter ] && ALERTER=$c
done
[ -n "$ALERTER" ] || fail "no child of the collector is called drift-alerter"
kill -9 "$ALERTER"
wait_for "a log line for the killed alerter" \
	"grep -qE 'the alerter \\(pid $ALERTER\\) was killed by signal 9.*; starting a new one' '$LOG'"
wait_for "a replacement alerter" '[ "$(count)" = 3 ]'

# uploads keep working, on whichever worker takes them
post "$SCRATCH/2.drift"
[ "$CODE" = 200 ] || fail "upload after the crash: HTTP $CODE"
grep -q '"status": "stored"' "$SCRATCH/body" || fail "the changed baseline was not stored"
i=0
while [ $i -lt 6 ]; do
	post "$SCRATCH/2.drift"
	[ "$CODE" = 200 ] || fail "repeat upload $i after the crash: HTTP $CODE"
	i=$((i + 1))
done
[ "$(sqlite3 -readonly "$STORE/drift.db" 'SELECT count(*) FROM baselines')" = 2 ] \
	|| fail "the store does not hold exactly the two distinct baselines"
[ "$(sqlite3 -readonly "$STORE/drift.db" 'PRAGMA integrity_check')" = ok ] \
	|| fail "the store is damaged"
set +e
curl -s -o "$SCRATCH/metrics" --max-time 30 --cacert "$PKI/ca.pem" --cert "$PKI/web01.pem" \
	--key "$PKI/web01.key" "https://127.0.0.1:$PORT/metrics"
set -e
starts=$(awk '/^drift_collector_worker_starts_total\{/ { s += $2 } END { print s + 0 }' "$SCRATCH/metrics")
[ "$starts" = 3 ] || fail "metrics: $starts worker starts, expected 3"

# a clean stop still
kill -TERM "$PID"
wait_for "the collector to stop" '! kill -0 "$PID" 2>/dev/null'
st=0
wait "$PID" || st=$?
PID=
[ "$st" = 0 ] || { cat "$LOG" >&2; fail "drift-collector did not shut down cleanly after a crash (exit $st)"; }

# workers (and the alerter) do not outlive a killed supervisor
start
set -- $(children "$PID")
[ $# = 3 ] || fail "not 2 workers and the alerter after a restart"
W1=$1
W2=$2
W3=$3
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
PID=
wait_for "the workers of a killed supervisor to stop" \
	'! alive "$W1" && ! alive "$W2" && ! alive "$W3"'
set +e
curl -s -o /dev/null --max-time 10 --cacert "$PKI/ca.pem" --cert "$PKI/web01.pem" \
	--key "$PKI/web01.key" "https://127.0.0.1:$PORT/healthz"
got=$?
set -e
[ "$got" = 7 ] || fail "the port was still open after the supervisor and its workers died (curl exit $got)"
