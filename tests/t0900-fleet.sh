#!/bin/sh
# SPDX-License-Identifier: MIT
# t0900: the whole loop on loopback with drift's own CA: agents report, the
# collector stores and diffs, and people ask: drift hosts (stale hosts first),
# drift report (text, json, html), HOST@TIME references in diff, show and check.
. "$DRIFT_SRC/tests/lib.sh"

PORT=20900
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
make_pki "$PKI" web01 db01
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE" \
	"standards: [$DRIFT_SRC/policies/debian12-base.yaml]
workers: 2"
start_collector "$SCRATCH/collector.yaml"

for h in web01 db01; do
	make_root "$SCRATCH/$h"
	echo "$h" >"$SCRATCH/$h/etc/hostname"
	agent_config "$SCRATCH/$h.yaml" "$PKI" $PORT "$h" "$SCRATCH/spool-$h"
	expect_exit 0 "$AGENT" run --config "$SCRATCH/$h.yaml" --root "$SCRATCH/$h" -q
done
expect_exit 0 "$AGENT" run --config "$SCRATCH/web01.yaml" --root "$SCRATCH/web01" -q
sed -i 's/PermitRootLogin no/PermitRootLogin yes/' "$SCRATCH/web01/etc/ssh/sshd_config"
sed -i 's/^Version: 1.22.1-9$/Version: 1.22.1-9+deb12u1/' "$SCRATCH/web01/var/lib/dpkg/status"
expect_exit 0 "$AGENT" run --config "$SCRATCH/web01.yaml" --root "$SCRATCH/web01" -q

# hosts: both, web01 with two distinct baselines (the repeat was "unchanged")
expect_exit 0 "$DRIFT" hosts --store "$STORE" --format json
python3 - "$SCRATCH/out" <<'PY' || fail "drift hosts json"
import json, sys
h = {x["host"]: x for x in json.load(open(sys.argv[1]))["hosts"]}
assert set(h) == {"web01", "db01"}, h
assert h["web01"]["baselines"] == 2 and h["db01"]["baselines"] == 1, h
assert h["web01"]["changes"] == 1 and h["db01"]["changes"] == 0, h
assert h["web01"]["compliant"] is False and h["web01"]["stale"] is False, h
PY
expect_exit 0 "$DRIFT" hosts --store "$STORE" --stale-after 0s
grep -q '^web01 .*STALE: no report for' "$SCRATCH/out" || fail "stale hosts are not marked"
grep -q 'have not reported for more than' "$SCRATCH/out" || fail "no stale summary"

# report: one event for web01, with the package, the file, its old line and the new finding
expect_exit 0 "$DRIFT" report --store "$STORE" --since "1 hour ago" --format json
python3 - "$SCRATCH/out" <<'PY' || fail "drift report json"
import json, sys
r = json.load(open(sys.argv[1]))
hosts = {h["host"]: h for h in r["hosts"]}
assert list(hosts) == ["web01"], hosts.keys()
ev = hosts["web01"]["events"]
assert len(ev) == 1 and ev[0]["planned"] is False, ev
ch = {c.get("path") or c.get("name"): c for c in ev[0]["changes"]}
assert ch["nginx"]["change"] == "upgraded", ch
assert "-PermitRootLogin no" in ch["/etc/ssh/sshd_config"]["diff"], ch
assert any(f["severity"] == "critical" and f["subject"] == "/etc/ssh/sshd_config" for f in ev[0]["findings"]), ev[0]["findings"]
assert ev[0]["from"] < ev[0]["to"]
PY
expect_exit 0 "$DRIFT" report --store "$STORE" --since "1 hour ago" --host 'db*'
grep -q '^no host changed in this window$' "$SCRATCH/out" || fail "host glob not applied"
expect_exit 0 "$DRIFT" report --store "$STORE" --since "1 hour ago" --format html
grep -q '^<!DOCTYPE html>' "$SCRATCH/out" && grep -q '&lt;\|-PermitRootLogin no' "$SCRATCH/out" \
	|| fail "html report"
if grep -q '<script\|<link\|src="http' "$SCRATCH/out"; then fail "html report is not self-contained"; fi
expect_exit 2 "$DRIFT" report --store "$STORE" --since "yesterday-ish"
grep -q "expected an ISO 8601 time" "$SCRATCH/err" || fail "bad time not explained"

# references into the store
expect_exit 1 "$DRIFT" diff --store "$STORE" 'web01@#1' web01@latest
grep -q 'PermitRootLogin yes' "$SCRATCH/out" || fail "diff of store references"
DRIFT_STORE="$STORE" "$DRIFT" report --since "1 hour ago" --format json >"$SCRATCH/r.json"
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hosts"][0]["events"][0]["from"])' "$SCRATCH/r.json")
expect_exit 0 env DRIFT_STORE="$STORE" "$DRIFT" diff "web01@$first" 'web01@#1'
expect_exit 2 "$DRIFT" show --store "$STORE" 'web01@2001-01-01T00:00Z'
grep -q 'web01@2001-01-01T00:00Z: ' "$SCRATCH/err" || fail "a time before the first baseline is not explained"
expect_exit 2 "$DRIFT" show --store "$STORE" 'nosuchhost@latest'
expect_exit 2 "$DRIFT" check --store "$STORE" web01@latest --standard "$DRIFT_SRC/policies/debian12-base.yaml" --format nagios
grep -q '^DRIFT CRITICAL - web01 ' "$SCRATCH/out" || fail "nagios line for a store reference"

# a host cannot report for another: db01's certificate with web01's baseline
"$AGENT" snapshot --root "$SCRATCH/web01" --path /etc --host-id web01 -o "$SCRATCH/spoof.drift" -q
before=$("$DRIFT" hosts --store "$STORE" --format json)
curl -s -o "$SCRATCH/spoof.out" -w '%{http_code}' --cacert "$PKI/ca.pem" --cert "$PKI/db01.pem" \
	--key "$PKI/db01.key" --data-binary @"$SCRATCH/spoof.drift" \
	"https://127.0.0.1:$PORT/v1/baselines" >"$SCRATCH/code" || true
[ "$(cat "$SCRATCH/code")" = 403 ] || fail "a baseline for another host was not refused with 403"
after=$("$DRIFT" hosts --store "$STORE" --format json)
[ "$before" = "$after" ] || fail "a refused upload changed the store"

stop_collector
echo "ok: the whole loop"
