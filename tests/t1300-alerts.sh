#!/bin/sh
# SPDX-License-Identifier: MIT
# t1300: alerts end to end with a real collector on 127.0.0.1, a webhook
# receiver started here and a program sink: a critical finding, a change
# outside every window and a silent host each fire once and resolve once;
# a failing webhook is retried (the collector records why) and later alerts
# wait their turn; a webhook that is down never slows an upload and loses
# nothing; a restart repeats nothing; `drift alerts` shows it all.
. "$DRIFT_SRC/tests/lib.sh"

PORT=21300
HOOK_PORT=21301
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
HOOK_LOG="$SCRATCH/hook.jsonl"
EXEC_LOG="$SCRATCH/exec.jsonl"

# --- the webhook: records each alert it accepts; answers 500 to the first N posts ---
cat >"$SCRATCH/hook.py" <<'PY'
import http.server, json, sys
log, fail_first, port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
seen = {"n": 0}
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        seen["n"] += 1
        if seen["n"] <= fail_first:
            self.send_response(500); self.end_headers(); return
        assert self.headers["Content-Type"] == "application/json", self.headers
        a = json.loads(body)
        with open(log, "a") as f:
            f.write(json.dumps(a) + "\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer.allow_reuse_address = True
s = http.server.HTTPServer(("127.0.0.1", port), H)
open(log + ".ready", "w").close()
s.serve_forever()
PY
HOOK_PID=
start_hook() {
	rm -f "$HOOK_LOG.ready"
	python3 "$SCRATCH/hook.py" "$HOOK_LOG" "$1" $HOOK_PORT &
	HOOK_PID=$!
	n=0
	while [ ! -e "$HOOK_LOG.ready" ]; do
		n=$((n + 1))
		[ "$n" -lt 300 ] || fail "the webhook receiver did not start"
		sleep 0.1
	done
}
stop_hook() {
	kill "$HOOK_PID" 2>/dev/null || true
	wait "$HOOK_PID" 2>/dev/null || true
	HOOK_PID=
}

# --- the program sink: the alert from stdin and the environment it got ---
cat >"$SCRATCH/page.sh" <<SH
#!/bin/sh
python3 -c 'import json, os, sys
a = json.load(sys.stdin)
a["env"] = [os.environ["DRIFT_ALERT_HOST"], os.environ["DRIFT_ALERT_CAUSE"], os.environ["DRIFT_ALERT_STATE"]]
open(sys.argv[1], "a").write(json.dumps(a) + "\n")' "$EXEC_LOG"
SH
chmod +x "$SCRATCH/page.sh"

cat >"$SCRATCH/std.yaml" <<'YAML'
standard: t1300
files:
  - path: /etc/backdoor.conf
    absent: true
    severity: critical
    description: nothing may listen on the side
YAML

make_pki "$PKI" web01 db01
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE" "standards: [$SCRATCH/std.yaml]
report_interval: 2s
stale_intervals: 3
alert_check: 1s
alerts:
  - webhook: http://127.0.0.1:$HOOK_PORT/hook
  - exec: $SCRATCH/page.sh
  - syslog: true"
# start_collector sets its own EXIT trap: the receiver must go too
collector_up() {
	start_collector "$SCRATCH/collector.yaml"
	trap 'stop_hook; stop_collector_quietly; rm -rf "$SCRATCH"' EXIT
}
# a pager that is not there, or cannot run, is refused before anything starts
collector_config "$SCRATCH/bad.yaml" "$PKI" $PORT "$STORE" "alerts: [{exec: $SCRATCH/no-such-pager}]"
expect_exit 1 "$COLLECTOR" --config "$SCRATCH/bad.yaml" --check-config
grep -q "alerts.exec '$SCRATCH/no-such-pager': No such file or directory" "$SCRATCH/err" \
	|| { cat "$SCRATCH/err" >&2; fail "a missing alerts.exec program is not named"; }
collector_config "$SCRATCH/bad.yaml" "$PKI" $PORT "$STORE" "alerts: [{exec: $SCRATCH/std.yaml}]"
expect_exit 1 "$COLLECTOR" --config "$SCRATCH/bad.yaml" --check-config
grep -q "alerts.exec '$SCRATCH/std.yaml': not an executable file" "$SCRATCH/err" \
	|| { cat "$SCRATCH/err" >&2; fail "a non-executable alerts.exec program is not named"; }
[ ! -e "$STORE" ] || fail "a refused configuration created the store"

start_hook 2
collector_up

run_agent() {
	expect_exit 0 "$AGENT" run --config "$SCRATCH/$1.yaml" --root "$SCRATCH/$1" -q
}

# wait_for WHAT PYTHON-CONDITION: poll (bounded) until the condition over
# `hook` (alerts the webhook accepted) and `ex` (the program's) holds.
wait_for() {
	n=0
	until python3 - "$HOOK_LOG" "$EXEC_LOG" "$2" <<'PY'
import json, os, sys
def load(p):
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []
hook, ex = load(sys.argv[1]), load(sys.argv[2])
def got(host, cause, state=None, src=None):
    return [a for a in (hook if src is None else src)
            if a["host"] == host and a["cause"] == cause and (state is None or a["state"] == state)]
sys.exit(0 if eval(sys.argv[3]) else 1)
PY
	do
		n=$((n + 1))
		[ "$n" -lt 300 ] || { cat "$SCRATCH/collector.log" >&2; cat "$HOOK_LOG" >&2 || true; fail "waited 60 s for $1"; }
		sleep 0.2
	done
}

for h in web01 db01; do
	make_root "$SCRATCH/$h"
	agent_config "$SCRATCH/$h.yaml" "$PKI" $PORT "$h" "$SCRATCH/spool-$h"
	run_agent "$h"
done

# 1. web01 gets a critical file, outside any window: critical and unplanned
#    fire; the webhook refuses the first two posts, so both arrive by retries
echo "listen 31337" >"$SCRATCH/web01/etc/backdoor.conf"
run_agent web01
wait_for "critical and unplanned alerts for web01" \
	'got("web01", "critical", "firing") and got("web01", "unplanned", "firing")'
# (a webhook's path may be its secret: logs show only the host)
grep -q "to webhook http://127.0.0.1:$HOOK_PORT/\.\.\. failed (attempt 1): answered HTTP 500; next try at " \
	"$SCRATCH/collector.log" || fail "the failed delivery is not logged with its reason"

# 2. another unplanned change while both still fire: nothing new
echo "listen 31338" >>"$SCRATCH/web01/etc/backdoor.conf"
run_agent web01
# the exec sink is not held back by the webhook: it has both already
wait_for "the program sink" 'got("web01", "critical", "firing", ex) and got("web01", "unplanned", "firing", ex)'

# 3. the fix, inside a window: critical and unplanned resolve, nothing new fires
expect_exit 0 "$DRIFT" window open --store "$STORE" --hosts 'web*' --duration 1h --reason "CHG-1: remove backdoor"
rm "$SCRATCH/web01/etc/backdoor.conf"
run_agent web01
wait_for "critical and unplanned resolved for web01" \
	'got("web01", "critical", "resolved") and got("web01", "unplanned", "resolved")'

# 4. db01 goes silent past 3 x 2 s: stale fires; it reports again: resolved
wait_for "db01 stale" 'got("db01", "stale", "firing")'
run_agent db01
wait_for "db01 stale resolved" 'got("db01", "stale", "resolved")'

# 5. a webhook that is down: the upload is not slowed, the alert waits, recorded
stop_hook
echo "listen 1" >"$SCRATCH/db01/etc/backdoor.conf"
start=$(date +%s)
run_agent db01
[ $(($(date +%s) - start)) -lt 10 ] || fail "an upload waited for a dead webhook"
n=0
until "$DRIFT" alerts --store "$STORE" --format json >"$SCRATCH/alerts.json" 2>"$SCRATCH/err"; [ $? = 1 ] &&
	python3 -c 'import json, sys
u = json.load(open(sys.argv[1]))["undelivered"]
# oldest first: the first one waiting has failed, with the reason; the critical one waits behind it
sys.exit(0 if u and u[0]["attempts"] >= 1 and "127.0.0.1" in (u[0]["last_error"] or "") and
    any(x["host"] == "db01" and x["cause"] == "critical" for x in u) else 1)' "$SCRATCH/alerts.json"; do
	n=$((n + 1))
	[ "$n" -lt 300 ] || { cat "$SCRATCH/alerts.json" >&2; fail "drift alerts never showed the failed delivery"; }
	sleep 0.2
done
# the program sink does not wait for the webhook
wait_for "the program sink while the webhook is down" 'got("db01", "critical", "firing", ex) and not got("db01", "critical")'
"$DRIFT" alerts --store "$STORE" >"$SCRATCH/alerts.txt" || true
grep -q "/hook" "$SCRATCH/alerts.txt" && fail "drift alerts shows a webhook's path"
grep -q "not delivered yet:" "$SCRATCH/alerts.txt" || fail "drift alerts text does not show undelivered alerts"
grep -q "db01 *critical *FIRING" "$SCRATCH/alerts.txt" || fail "drift alerts text does not show db01 firing"

# 6. restart the collector while alerts fire: nothing is raised again, and
#    the webhook, back, gets what waited
stop_collector
start_hook 0
collector_up
wait_for "the waiting alert delivered" 'got("db01", "critical", "firing")'
rm "$SCRATCH/db01/etc/backdoor.conf"
run_agent db01
run_agent web01
wait_for "db01 critical resolved" 'got("db01", "critical", "resolved")'
n=0
until "$DRIFT" alerts --store "$STORE" --format json >"$SCRATCH/alerts.json" 2>"$SCRATCH/err"; [ $? -le 1 ] &&
	python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["undelivered"] == [] else 1)' \
	"$SCRATCH/alerts.json"; do
	n=$((n + 1))
	[ "$n" -lt 300 ] || { cat "$SCRATCH/alerts.json" >&2; fail "drift alerts: something stayed undelivered"; }
	sleep 0.2
done

# /metrics counts what fires and what waits, as drift alerts does (hosts
# may go stale meanwhile: compare when drift alerts said the same before
# and after)
metrics_agree() {
	"$DRIFT" alerts --store "$STORE" --format json >"$SCRATCH/before.json" || [ $? = 1 ] || fail "drift alerts"
	curl -sf -o "$SCRATCH/metrics" --max-time 30 --cacert "$PKI/ca.pem" --cert "$PKI/web01.pem" \
		--key "$PKI/web01.key" "https://127.0.0.1:$PORT/metrics" || fail "GET /metrics"
	"$DRIFT" alerts --store "$STORE" --format json >"$SCRATCH/after.json" || [ $? = 1 ] || fail "drift alerts"
	cmp -s "$SCRATCH/before.json" "$SCRATCH/after.json" || return 1
	python3 - "$SCRATCH/metrics" "$SCRATCH/after.json" <<'PY' || fail "alert gauges in /metrics"
import json, sys
m = dict(l.split() for l in open(sys.argv[1]) if l.startswith("drift_collector_alert"))
now = json.load(open(sys.argv[2]))
assert int(m["drift_collector_alerts_firing"]) == len(now["alerts"]), (m, now)
assert int(m["drift_collector_alert_deliveries_waiting"]) == len(now["undelivered"]), (m, now)
PY
}
n=0
until metrics_agree; do
	n=$((n + 1))
	[ "$n" -lt 20 ] || fail "drift alerts never held still long enough to compare with /metrics"
done

# --- what the sinks got: compared with the store once the collector is stopped ---
stop_collector
"$DRIFT" alerts --store "$STORE" --all --format json >"$SCRATCH/all.json" ||
	[ $? = 1 ] || fail "drift alerts --all failed"
python3 - "$HOOK_LOG" "$EXEC_LOG" "$SCRATCH/all.json" <<'PY' || fail "the alerts delivered"
import json, sys
hook = [json.loads(l) for l in open(sys.argv[1])]
ex = [json.loads(l) for l in open(sys.argv[2])]
d = json.load(open(sys.argv[3]))
# a host may have gone stale just before the stop: what is undelivered is not expected anywhere
waiting = {(u["alert"], u["sink"].split(" ")[0]) for u in d["undelivered"]}
every = [x["alert"] for x in d["alerts"] if (x["alert"]["id"], "webhook") not in waiting]
every_ex = [x["alert"]["id"] for x in d["alerts"] if (x["alert"]["id"], "exec") not in waiting]
for a in hook:
    assert sorted(a) == ["at", "cause", "command", "host", "id", "state", "summary"], a
    assert a["cause"] in ("critical", "stale", "unplanned") and a["state"] in ("firing", "resolved"), a
    assert a["command"].startswith("drift report --host %s --since '" % a["host"]), a
# each sink got every alert once, in the order raised
ids = [a["id"] for a in hook]
assert ids == sorted(set(ids)), ids
# (one cut short by the stop may have arrived and still count as waiting)
extra = lambda got, want, sink: [i for i in got if i not in want and (i, sink) not in waiting]
assert [i for i in ids if i in [a["id"] for a in every]] == [a["id"] for a in every], (ids, every)
assert extra(ids, [a["id"] for a in every], "webhook") == [], (ids, every)
ex_ids = [a["id"] for a in ex]
assert ex_ids == sorted(set(ex_ids)), ex_ids
assert [i for i in ex_ids if i in every_ex] == every_ex, (ex_ids, every_ex)
assert extra(ex_ids, every_ex, "exec") == [], (ex_ids, every_ex)
assert all(a["env"] == [a["host"], a["cause"], a["state"]] for a in ex), ex
exmap = {a["id"]: {k: v for k, v in a.items() if k != "env"} for a in ex}
assert all(exmap[h["id"]] == h for h in hook if h["id"] in exmap), (ex, hook)
assert len([h for h in hook if h["id"] in exmap]) >= len(hook) - 1, (ex, hook)
# one firing per host and cause until it clears, then one resolved
for h in ("web01", "db01"):
    for c in ("critical", "stale", "unplanned"):
        states = [a["state"] for a in hook if a["host"] == h and a["cause"] == c]
        assert states == ["firing", "resolved"] * (len(states) // 2) + ["firing"] * (len(states) % 2), (h, c, states)
seq = lambda h, c: [a["state"] for a in hook if a["host"] == h and a["cause"] == c]
assert seq("web01", "critical") == ["firing", "resolved"], seq("web01", "critical")
assert seq("web01", "unplanned") == ["firing", "resolved"], seq("web01", "unplanned")
assert seq("db01", "critical") == ["firing", "resolved"], seq("db01", "critical")
# db01's backdoor was an unplanned change too (no window covers db01)
assert seq("db01", "unplanned")[:1] == ["firing"], seq("db01", "unplanned")
assert "firing" in seq("db01", "stale") and "resolved" in seq("db01", "stale"), seq("db01", "stale")
crit = [a for a in hook if a["host"] == "web01" and a["cause"] == "critical"][0]
assert crit["summary"].startswith("web01 has 1 critical finding, new: "), crit
assert "/etc/backdoor.conf" in crit["summary"], crit
res = [a for a in hook if a["host"] == "web01" and a["cause"] == "unplanned"][1]
assert res["summary"].startswith("web01 reported again ("), res
open(sys.argv[1] + ".cmd", "w").write([a for a in hook if a["host"] == "web01" and a["cause"] == "unplanned"][0]["command"])
PY

# the command an alert carries shows the change it is about
cmd=$(cat "$HOOK_LOG.cmd")
eval "\"\$DRIFT\"${cmd#drift} --store '$STORE'" >"$SCRATCH/report.txt" || fail "the alert's command failed: $cmd"
grep -q "backdoor.conf" "$SCRATCH/report.txt" || fail "the alert's command does not show the change: $cmd"
grep -q "UNPLANNED" "$SCRATCH/report.txt" || grep -qi "unplanned" "$SCRATCH/report.txt" || fail "report without planned marks"

exit 0
