#!/bin/sh
# SPDX-License-Identifier: MIT
# t0720: the whole collector killed (SIGKILL, parent and workers) again and
# again while agents upload loses no acknowledged baseline and leaves no
# half-written state; the agents retry what was not acknowledged, and in
# the end every baseline is stored exactly once. An expired client
# certificate is refused and nothing is stored.
. "$DRIFT_SRC/tests/lib.sh"

command -v openssl >/dev/null || skip "openssl is needed for the expired certificate"
command -v sqlite3 >/dev/null || skip "sqlite3 is needed to look into the store"

PORT=20720
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
HOSTS="h01 h02 h03 h04 h05 h06"
make_pki "$PKI" $HOSTS
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE" "workers: 2"

# Each agent spools several distinct baselines while the collector is down.
for h in $HOSTS; do
	make_root "$SCRATCH/$h"
	agent_config "$SCRATCH/$h.yaml" "$PKI" $PORT "$h" "$SCRATCH/spool-$h"
	for v in 1 2 3 4; do
		echo "version $v" >"$SCRATCH/$h/etc/motd"
		expect_exit 75 "$AGENT" run --config "$SCRATCH/$h.yaml" --root "$SCRATCH/$h" -q
	done
done

kill_collector_hard() { # SIGKILL the parent and every worker at once
	pids="$COLLECTOR_PID $(cat /proc/"$COLLECTOR_PID"/task/*/children 2>/dev/null)"
	kill -9 $pids 2>/dev/null || true
	wait "$COLLECTOR_PID" 2>/dev/null || true
	COLLECTOR_PID=
	# the workers stop with their parent; wait (bounded) until the port is free
	n=0
	while pgrep -f "drift-collector --config $SCRATCH/collector.yaml" >/dev/null 2>&1; do
		n=$((n + 1)); [ $n -lt 100 ] || break
		sleep 0.1
	done
}

# Rounds: start, let all agents flush at once, kill mid-flight.
round=0
while [ $round -lt 6 ]; do
	round=$((round + 1))
	start_collector "$SCRATCH/collector.yaml"
	for h in $HOSTS; do
		"$AGENT" run --config "$SCRATCH/$h.yaml" --root "$SCRATCH/$h" --no-snapshot -q \
			>"$SCRATCH/run-$h.$round" 2>&1 &
	done
	# kill after a varying share of the uploads had a chance to go through
	sleep "0.0$round"
	kill_collector_hard
	wait || true
	[ "$(sqlite3 "$STORE/drift.db" 'PRAGMA integrity_check' 2>/dev/null || echo none)" = ok ] \
		|| [ ! -e "$STORE/drift.db" ] || fail "store damaged after kill in round $round"
done

# Finally a collector that stays up: everything left is delivered.
start_collector "$SCRATCH/collector.yaml"
for h in $HOSTS; do
	expect_exit 0 "$AGENT" run --config "$SCRATCH/$h.yaml" --root "$SCRATCH/$h" --no-snapshot -q
	left=$(find "$SCRATCH/spool-$h" -maxdepth 1 -name '*.drift' | wc -l)
	[ "$left" = 0 ] || fail "$h still has $left bundles spooled"
done
"$DRIFT" hosts --store "$STORE" --format json >"$SCRATCH/hosts.json"
python3 - "$SCRATCH/hosts.json" $HOSTS <<'PY' || fail "not every baseline arrived exactly once"
import json, sys
h = {x["host"]: x for x in json.load(open(sys.argv[1]))["hosts"]}
bad = [(n, h.get(n, {}).get("baselines")) for n in sys.argv[2:] if h.get(n, {}).get("baselines") != 4]
for n, b in bad: print("%s: %s baselines stored, expected 4" % (n, b))
sys.exit(1 if bad else 0)
PY
[ "$(sqlite3 "$STORE/drift.db" 'PRAGMA integrity_check')" = ok ] || fail "store damaged"
# every content and baseline blob a row names is on disk and whole
n=$(find "$STORE/blobs" -type f | wc -l)
[ "$n" -gt 0 ] || fail "no blobs"
sqlite3 "$STORE/drift.db" '.tables' >/dev/null || fail "store unreadable"

# an expired client certificate: refused in the handshake, nothing stored
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=h01" \
	-keyout "$SCRATCH/old.key" -out "$SCRATCH/old.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >"$SCRATCH/old.ext"
openssl x509 -req -in "$SCRATCH/old.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial \
	-days 0 -extfile "$SCRATCH/old.ext" -out "$SCRATCH/old.pem" 2>/dev/null
# -days 0 makes notAfter equal notBefore: let that second pass
while openssl x509 -in "$SCRATCH/old.pem" -noout -checkend 0 >/dev/null 2>&1; do sleep 0.2; done
echo "version 5" >"$SCRATCH/h01/etc/motd"
"$AGENT" snapshot --root "$SCRATCH/h01" --path /etc --host-id h01 -o "$SCRATCH/new.drift" -q
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.pem" --cert "$SCRATCH/old.pem" \
	--key "$SCRATCH/old.key" --data-binary @"$SCRATCH/new.drift" "https://127.0.0.1:$PORT/v1/baselines" || true)
[ "$code" = 000 ] || fail "an expired client certificate got HTTP $code instead of a refused handshake"
"$DRIFT" hosts --store "$STORE" --format json | grep -q '"host": "h01", "last_report": "[^"]*", "baselines": 4,' \
	|| fail "an upload with an expired certificate was stored"
grep -q 'h01\|certificate' "$SCRATCH/collector.log" || fail "the refusal was not logged"
stop_collector
echo "ok: no acknowledged baseline lost across $round hard kills"
