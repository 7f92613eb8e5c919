#!/bin/sh
# SPDX-License-Identifier: MIT
# t0910: fifty agents report to one collector (2 workers) at the same moment,
# each with its own certificate, configuration and spool: every run succeeds,
# every host has exactly one baseline; the same fifty again with nothing
# changed store nothing new (each upload "unchanged"); after a change to the
# hosts every one has a second baseline and exactly one change event; and
# the collector still stops cleanly on SIGTERM.
. "$DRIFT_SRC/tests/lib.sh"

command -v curl >/dev/null || skip "curl is needed to check the port after shutdown"
command -v sqlite3 >/dev/null || skip "sqlite3 is needed to look into the store"
command -v python3 >/dev/null || skip "python3 is needed to read JSON"

COLLECTOR="$DRIFT_BUILD/drift-collector"
PORT=20910
NHOSTS=50
CA="$SCRATCH/ca"
STORE="$SCRATCH/store"
R="$SCRATCH/root"
LOG="$SCRATCH/collector.log"
READY="$SCRATCH/ready"
PID=
APIDS=
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY
no_proxy=127.0.0.1
export no_proxy

cleanup() {
	for p in $APIDS $PID; do
		kill -9 "$p" 2>/dev/null || true
	done
	for p in $APIDS $PID; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

hosts() {
	i=1
	while [ "$i" -le "$NHOSTS" ]; do
		printf 'host%02d\n' "$i"
		i=$((i + 1))
	done
}

# --- a throwaway CA, the collector's certificate and one per host ---
expect_exit 0 "$DRIFT" ca init --dir "$CA"
expect_exit 0 "$DRIFT" ca issue 127.0.0.1 --server --dir "$CA"
for h in $(hosts); do
	expect_exit 0 "$DRIFT" ca issue "$h" --dir "$CA"
	mkdir -p "$SCRATCH/$h"
	cat >"$SCRATCH/$h/agent.yaml" <<EOF
collector: https://127.0.0.1:$PORT
tls: {ca: $CA/ca.pem, cert: $CA/$h.pem, key: $CA/$h.key}
paths: [/etc, /var/lib/dpkg]
spool: {dir: $SCRATCH/$h/spool}
EOF
done

C="$SCRATCH/collector.yaml"
cat >"$C" <<EOF
listen: ["127.0.0.1:$PORT"]
tls: {ca: $CA/ca.pem, cert: $CA/127.0.0.1.pem, key: $CA/127.0.0.1.key}
store: $STORE
workers: 2
EOF
expect_exit 0 "$COLLECTOR" --config "$C" --check-config

make_root "$R"

# --- the collector, waited for by its ready file (bounded) ---
"$COLLECTOR" --config "$C" --ready-file "$READY" 2>"$LOG" &
PID=$!
n=0
while [ ! -s "$READY" ]; do
	kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; fail "drift-collector did not start"; }
	n=$((n + 1))
	[ "$n" -lt 600 ] || { cat "$LOG" >&2; fail "drift-collector was not ready within a minute"; }
	sleep 0.1
done
[ "$(cat "$READY")" = "$PID" ] || fail "the ready file does not hold the collector's pid"

# all_run ROUND: start every agent at once, wait for all; each must exit 0
all_run() {
	APIDS=
	for h in $(hosts); do
		"$AGENT" run --config "$SCRATCH/$h/agent.yaml" --root "$R" \
			>"$SCRATCH/$h/out.$1" 2>"$SCRATCH/$h/err.$1" &
		APIDS="$APIDS $!"
		echo "$!" >"$SCRATCH/$h/pid.$1"
	done
	bad=
	for h in $(hosts); do
		st=0
		wait "$(cat "$SCRATCH/$h/pid.$1")" || st=$?
		[ "$st" = 0 ] || { bad="$bad $h:$st"; cat "$SCRATCH/$h/err.$1" >&2; }
	done
	APIDS=
	[ -z "$bad" ] || { tail -n 50 "$LOG" >&2; fail "round $1: drift-agent run exited non-zero on (host:status)$bad"; }
	for h in $(hosts); do
		[ -z "$(ls -A "$SCRATCH/$h/spool" | grep -v '^refused$' || true)" ] \
			|| fail "round $1: $h's spool is not empty"
	done
}

# summary ROUND STORED UNCHANGED: every agent said it sent one bundle, stored or not
summary() {
	for h in $(hosts); do
		grep -q "1 sent ($2 stored, $3 unchanged), 0 refused, 0 waiting" "$SCRATCH/$h/err.$1" \
			|| { cat "$SCRATCH/$h/err.$1" >&2; fail "round $1: $h did not report 1 sent ($2 stored, $3 unchanged)"; }
	done
}

# baselines_each N: drift hosts lists exactly the fifty hosts, each with N baselines
baselines_each() {
	expect_exit 0 "$DRIFT" hosts --format json --store "$STORE"
	cp "$SCRATCH/out" "$SCRATCH/hosts.json"
	hosts >"$SCRATCH/want-hosts"
	python3 - "$SCRATCH/hosts.json" "$SCRATCH/want-hosts" "$1" <<'PY' \
		|| { cat "$SCRATCH/hosts.json" >&2; fail "drift hosts does not list $NHOSTS hosts with $1 baseline(s) each"; }
import json, sys
j = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().split()
n = int(sys.argv[3])
got = sorted(h["host"] for h in j["hosts"])
assert got == want, got
bad = [(h["host"], h["baselines"]) for h in j["hosts"] if h["baselines"] != n]
assert not bad, bad
PY
	# the same from the database, independently of drift hosts
	[ "$(sqlite3 -readonly "$STORE/drift.db" 'SELECT count(*) FROM hosts')" = "$NHOSTS" ] \
		|| fail "the store does not hold $NHOSTS hosts"
	[ "$(sqlite3 -readonly "$STORE/drift.db" \
		"SELECT count(*) FROM (SELECT host FROM baselines GROUP BY host HAVING count(*) = $1)")" = "$NHOSTS" ] \
		|| fail "the store does not hold $1 baseline(s) for each of the $NHOSTS hosts"
}

# --- round 1: every host's first baseline ---
all_run 1
summary 1 1 0
baselines_each 1
[ "$(sqlite3 -readonly "$STORE/drift.db" 'SELECT count(*) FROM events')" = 0 ] \
	|| fail "first baselines recorded change events"

# --- round 2: nothing changed, nothing stored twice ---
all_run 2
summary 2 0 1
baselines_each 1
[ "$(sqlite3 -readonly "$STORE/drift.db" 'SELECT count(*) FROM seen')" = "$NHOSTS" ] \
	|| fail "the unchanged uploads were not each recorded as seen once"
[ "$(sqlite3 -readonly "$STORE/drift.db" 'SELECT count(*) FROM events')" = 0 ] \
	|| fail "unchanged uploads recorded change events"

# --- round 3: a change on every host ---
sed -i 's/PermitRootLogin no/PermitRootLogin yes/' "$R/etc/ssh/sshd_config"
all_run 3
summary 3 1 0
baselines_each 2
expect_exit 0 "$DRIFT" report --format json --since '1 hour ago' --store "$STORE"
cp "$SCRATCH/out" "$SCRATCH/report.json"
python3 - "$SCRATCH/report.json" "$SCRATCH/want-hosts" <<'PY' \
	|| { head -c 4000 "$SCRATCH/report.json" >&2; fail "drift report does not have exactly one event per host"; }
import json, sys
j = json.load(open(sys.argv[1]))
want = open(sys.argv[2]).read().split()
got = sorted(h["host"] for h in j["hosts"])
assert got == want, got
for h in j["hosts"]:
    assert len(h["events"]) == 1, (h["host"], len(h["events"]))
    paths = json.dumps(h["events"][0]["changes"])
    assert "/etc/ssh/sshd_config" in paths, (h["host"], paths)
PY
[ "$(sqlite3 -readonly "$STORE/drift.db" 'SELECT count(*) FROM events')" = "$NHOSTS" ] \
	|| fail "the store does not hold exactly $NHOSTS events"

# --- SIGTERM: a clean stop within a minute, ready file gone, port closed ---
kill -TERM "$PID"
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
curl -s -o /dev/null --max-time 10 --cacert "$CA/ca.pem" --cert "$CA/host01.pem" \
	--key "$CA/host01.key" "https://127.0.0.1:$PORT/healthz"
got=$?
set -e
[ "$got" = 7 ] || fail "the port was still open after shutdown (curl exit $got)"
if grep -qE '\((4|5)[0-9][0-9]\)|error' "$LOG"; then
	cat "$LOG" >&2
	fail "the collector logged a refusal or an error"
fi
exit 0
