#!/bin/sh
# SPDX-License-Identifier: MIT
# t1100: maintenance windows end to end: agents report to a real collector;
# a change outside a window is unplanned, one inside a window for its host is
# planned with the window's reason, closing the window unplans later changes
# only; window list's JSON; the text report puts unplanned changes first.
. "$DRIFT_SRC/tests/lib.sh"

PORT=21100
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
make_pki "$PKI" web01 db01
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE"
start_collector "$SCRATCH/collector.yaml"

run_agent() {
	expect_exit 0 "$AGENT" run --config "$SCRATCH/$1.yaml" --root "$SCRATCH/$1" -q
}

for h in web01 db01; do
	make_root "$SCRATCH/$h"
	agent_config "$SCRATCH/$h.yaml" "$PKI" $PORT "$h" "$SCRATCH/spool-$h"
	run_agent "$h"
done

# no window yet: an empty list
expect_exit 0 "$DRIFT" window list --store "$STORE" --format json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"windows": []}' "$SCRATCH/out" \
	|| fail "an empty window list"

# 1. outside any window: unplanned
echo "change one" >"$SCRATCH/web01/etc/motd"
run_agent web01

# 2. a window for web*: web01's change is planned, db01's is not
expect_exit 0 "$DRIFT" window open --store "$STORE" --hosts 'web*' --duration 2h \
	--reason 'nginx upgrade (CHG-7)'
grep -qx '[0-9][0-9]*' "$SCRATCH/out" || fail "window open does not print the id"
id=$(cat "$SCRATCH/out")
echo "change two" >"$SCRATCH/web01/etc/motd"
echo "db change" >"$SCRATCH/db01/etc/motd"
run_agent web01
run_agent db01

# 3. closed: the next change is unplanned again
expect_exit 0 "$DRIFT" window close "$id" --store "$STORE"
echo "change three" >"$SCRATCH/web01/etc/motd"
run_agent web01

expect_exit 0 "$DRIFT" report --store "$STORE" --since "1 hour ago" --format json
cp "$SCRATCH/out" "$SCRATCH/report.json"
python3 - "$SCRATCH/report.json" <<'PY' || fail "planned marks in the json report"
import json, sys
r = json.load(open(sys.argv[1]))
hosts = {h["host"]: h["events"] for h in r["hosts"]}
assert sorted(hosts) == ["db01", "web01"], hosts.keys()
web = hosts["web01"]
assert len(web) == 3, web
assert [e["planned"] for e in web] == [False, True, False], [(e["planned"], e["reason"]) for e in web]
assert [e["reason"] for e in web] == [None, "nginx upgrade (CHG-7)", None], web
# the changes are the ones made in that order
motd = [[c for c in e["changes"] if c.get("path") == "/etc/motd"] for e in web]
assert all(len(m) == 1 for m in motd), motd
assert "+change two" in motd[1][0]["diff"] and "+change three" in motd[2][0]["diff"], motd
db = hosts["db01"]
assert len(db) == 1 and db[0]["planned"] is False and db[0]["reason"] is None, db
PY

# window list: the JSON shape; closed, its end brought back to the closing time
expect_exit 0 "$DRIFT" window list --store "$STORE" --format json
python3 - "$SCRATCH/out" "$id" "$SCRATCH/report.json" <<'PY' || fail "window list json"
import json, sys, datetime
w = json.load(open(sys.argv[1]))
assert list(w) == ["windows"] and len(w["windows"]) == 1, w
x = w["windows"][0]
for k in ("id", "hosts", "from", "until", "reason", "closed"):
    assert k in x, (k, x)
assert x["id"] == int(sys.argv[2]) and x["hosts"] == "web*", x
assert x["reason"] == "nginx upgrade (CHG-7)" and x["closed"] is True, x
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
# closed well before the 2 hours were up, between the planned and the unplanned change
assert t(x["until"]) - t(x["from"]) < datetime.timedelta(hours=1), x
web = {h["host"]: h["events"] for h in json.load(open(sys.argv[3]))["hosts"]}["web01"]
assert t(x["from"]) <= t(web[1]["to"]) <= t(x["until"]) < t(web[2]["to"]), (x, web)
PY
expect_exit 0 "$DRIFT" window list --store "$STORE"
grep -q "^$id .*web\\* .* closed  *nginx upgrade (CHG-7)\$" "$SCRATCH/out" || fail "window list text"

# the text report: a summary first, every unplanned change before the planned one
expect_exit 0 "$DRIFT" report --store "$STORE" --since "1 hour ago"
cp "$SCRATCH/out" "$SCRATCH/report.txt"
want=$(python3 - "$SCRATCH/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
u = sum(len(e["changes"]) for h in r["hosts"] for e in h["events"] if not e["planned"])
uh = sum(1 for h in r["hosts"] if any(not e["planned"] for e in h["events"]))
p = sum(len(e["changes"]) for h in r["hosts"] for e in h["events"] if e["planned"])
print("%d unplanned change%s on %d host%s, %d planned" % (u, "" if u == 1 else "s", uh, "" if uh == 1 else "s", p))
PY
)
[ "$(head -n 1 "$SCRATCH/report.txt")" = "$want" ] \
	|| fail "first line '$(head -n 1 "$SCRATCH/report.txt")', expected '$want'"
python3 - "$SCRATCH/report.txt" <<'PY' || { cat "$SCRATCH/report.txt" >&2; fail "text report order"; }
import sys
lines = open(sys.argv[1]).read().split("\n")
ev = [l for l in lines if l.startswith("-- between ")]
planned = [l for l in ev if "(planned: " in l]
assert len(ev) == 4 and len(planned) == 1, ev
assert ev[-1] == planned[0] and planned[0].endswith(" (planned: nginx upgrade (CHG-7))"), ev
# the planned change sits under its host, after every unplanned one of the fleet
i = lines.index(planned[0])
assert [l for l in lines[:i] if l.startswith("== ")][-1] == "== web01", lines
assert lines.index("Unplanned changes") < lines.index("Planned changes (inside a maintenance window)") < i
PY
expect_exit 0 "$DRIFT" report --store "$STORE" --since "1 hour ago" --format html
grep -q '<h3 class="planned">.*planned: nginx upgrade (CHG-7)' "$SCRATCH/out" || fail "html planned mark"
[ "$(grep -c '<h3 class="unplanned">' "$SCRATCH/out")" = 3 ] || fail "html unplanned marks"

# mistakes are explained, and change nothing
expect_exit 2 "$DRIFT" window open --store "$STORE" --hosts 'web*' --duration 2h
grep -q 'drift: window open: --reason is required' "$SCRATCH/err" || fail "missing --reason not explained"
expect_exit 2 "$DRIFT" window open --store "$STORE" --hosts 'web*' --duration '2 hours' --reason x
grep -q "drift: --duration '2 hours': expected a duration like" "$SCRATCH/err" || fail "bad duration not explained"
expect_exit 2 "$DRIFT" window open --store "$STORE" --hosts 'web*' --duration 0m --reason x
expect_exit 2 "$DRIFT" window close "$id" --store "$STORE"
grep -q "drift: window $id: already closed at " "$SCRATCH/err" || fail "closing twice not explained"
expect_exit 2 "$DRIFT" window close 4242 --store "$STORE"
grep -q "drift: no window 4242 in store" "$SCRATCH/err" || fail "unknown window not explained"
expect_exit 2 "$DRIFT" window close web --store "$STORE"
grep -q "is not a window id" "$SCRATCH/err" || fail "a bad id not explained"
expect_exit 2 "$DRIFT" window frobnicate --store "$STORE"
expect_exit 0 "$DRIFT" window list --store "$STORE" --format json
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["windows"]) == 1' "$SCRATCH/out" \
	|| fail "a refused window was stored"

stop_collector
echo "ok: maintenance windows"
