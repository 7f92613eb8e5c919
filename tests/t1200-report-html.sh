#!/bin/sh
# SPDX-License-Identifier: MIT
# t1200: drift report --format html from a real store (two hosts, planned and
# unplanned changes, new critical and warning findings, a path with '<', '&'
# and a byte that is not UTF-8): the page parses with balanced tags, loads
# nothing from anywhere, its numbers are those of the JSON report, every link
# lands, unplanned changes come before planned ones and every string is escaped.
. "$DRIFT_SRC/tests/lib.sh"

PORT=21200
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
cat >"$SCRATCH/std.yaml" <<'YAML'
standard: t1200
files:
  - path: /etc/odd*
    id: odd-mode
    mode: "0600"
    severity: critical
  - path: /etc/motd
    id: motd-banner
    contains: ["authorized use only"]
    severity: warning
YAML
make_pki "$PKI" web01 db01
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE" "standards: [$SCRATCH/std.yaml]"
start_collector "$SCRATCH/collector.yaml"

run_agent() {
	expect_exit 0 "$AGENT" run --config "$SCRATCH/$1.yaml" --root "$SCRATCH/$1" -q
}

for h in web01 db01; do
	make_root "$SCRATCH/$h"
	echo "authorized use only" >"$SCRATCH/$h/etc/motd"
	agent_config "$SCRATCH/$h.yaml" "$PKI" $PORT "$h" "$SCRATCH/spool-$h"
	run_agent "$h"
done

# 1. unplanned on web01: the odd file appears (fine at 0600), the banner goes (a new warning)
ODD="$SCRATCH/web01$(printf '/etc/odd<&\377.conf')"
touch "$ODD"
chmod 0600 "$ODD"
echo "welcome" >"$SCRATCH/web01/etc/motd"
run_agent web01

# 2. a window for web*: the odd file opened to everyone is planned (a new critical finding);
#    db01 is outside it: its banner change is unplanned
REASON='kernel <update> & "reboot" (CHG-9)'
expect_exit 0 "$DRIFT" window open --store "$STORE" --hosts 'web*' --duration 2h --reason "$REASON"
id=$(cat "$SCRATCH/out")
chmod 0666 "$ODD"
run_agent web01
echo "hello & goodbye" >"$SCRATCH/db01/etc/motd"
run_agent db01

# 3. closed: unplanned again
expect_exit 0 "$DRIFT" window close "$id" --store "$STORE"
echo "authorized use only" >"$SCRATCH/web01/etc/motd"
run_agent web01

# the same explicit window for both reports, so their periods are equal too
SINCE=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)
UNTIL=$(date -u -d '1 hour' +%Y-%m-%dT%H:%M:%SZ)
expect_exit 0 "$DRIFT" report --store "$STORE" --since "$SINCE" --until "$UNTIL" --format json
cp "$SCRATCH/out" "$SCRATCH/report.json"
expect_exit 0 "$DRIFT" report --store "$STORE" --since "$SINCE" --until "$UNTIL" --format html
cp "$SCRATCH/out" "$SCRATCH/report.html"

# every tag closed in order (void ones aside), for the short checks below
export SCRATCH
cat >"$SCRATCH/balanced.py" <<'PY'
from html.parser import HTMLParser
def balanced(page):
    stack = []
    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "br"):
                stack.append(tag)
        def handle_endtag(self, tag):
            assert stack.pop() == tag, tag
    P().feed(page)
    assert stack == [], stack
PY

# nothing from outside the page
OUTSIDE='http://|https://|src=|<link|<script|@import|url\('
if grep -Eiq "$OUTSIDE" "$SCRATCH/report.html"; then
	fail "the page refers to something outside it: $(grep -Eio "$OUTSIDE" "$SCRATCH/report.html" | head -3)"
fi

python3 - "$SCRATCH/report.json" "$SCRATCH/report.html" "$REASON" <<'PY' || fail "html report"
import json, sys
from html.parser import HTMLParser

r = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], "rb").read()
reason = sys.argv[3]
page = raw.decode("utf-8")  # strict: the page is valid UTF-8 whatever the paths hold

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}

class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids = tag, dict(attrs), parent, []
    def text(self):
        return "".join(k if isinstance(k, str) else k.text() for k in self.kids)
    def walk(self):
        yield self
        for k in self.kids:
            if not isinstance(k, str):
                yield from k.walk()

class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root
        self.doctype = None
    def handle_decl(self, decl):
        self.doctype = decl
    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID:
            self.cur = n
    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))
    def handle_endtag(self, tag):
        assert tag not in VOID, "end tag for void <%s>" % tag
        assert self.cur.tag == tag, "</%s> closes <%s> (line %d)" % (tag, self.cur.tag, self.getpos()[0])
        self.cur = self.cur.parent
    def handle_data(self, data):
        self.cur.kids.append(data)

t = Tree()
t.feed(page)
t.close()
assert t.cur is t.root, "unclosed <%s>" % t.cur.tag
assert t.doctype and t.doctype.lower() == "doctype html", t.doctype
tops = [k.tag for k in t.root.kids if not isinstance(k, str)]
assert tops == ["html"], tops
html = t.root.kids[[i for i, k in enumerate(t.root.kids) if not isinstance(k, str)][0]]
assert [k.tag for k in html.kids if not isinstance(k, str)] == ["head", "body"], html.kids

nodes = list(t.root.walk())
ids = {}
for n in nodes:
    if "id" in n.attrs:
        assert n.attrs["id"] not in ids, "duplicate id %r" % n.attrs["id"]
        ids[n.attrs["id"]] = n
for n in nodes:
    href = n.attrs.get("href")
    if n.tag == "a":
        assert href and href.startswith("#") and href[1:] in ids, "link %r goes nowhere" % href
    for a in ("src", "srcset", "action", "data", "poster"):
        assert a not in n.attrs, (n.tag, a)
    assert n.tag not in ("script", "link", "img", "iframe", "object", "embed"), n.tag

def num(i):
    return int(ids[i].text())
def cls(n):
    return n.attrs.get("class", "").split()

# --- the summary is the JSON report's arithmetic ---
hosts = r["hosts"]
events = [(h["host"], e) for h in hosts for e in h["events"]]
fails = lambda e, sev: sum(1 for f in e["findings"] if f["severity"] == sev and f["status"] == "fail")
assert len(hosts) == 2 and len(events) == 4, (len(hosts), len(events))
assert ids["sum-since"].text() == r["since"] and ids["sum-until"].text() == r["until"]
assert num("sum-hosts") == len(hosts)
assert num("sum-changes") == sum(len(e["changes"]) for _, e in events)
assert num("sum-events") == len(events)
assert num("sum-unplanned") == sum(len(e["changes"]) for _, e in events if not e["planned"])
assert num("sum-planned") == sum(len(e["changes"]) for _, e in events if e["planned"])
assert num("sum-unplanned-events") == sum(1 for _, e in events if not e["planned"])
assert num("sum-planned-events") == sum(1 for _, e in events if e["planned"])
crit_hosts = [h["host"] for h in hosts if any(fails(e, "critical") for e in h["events"])]
assert num("sum-critical-hosts") == len(crit_hosts) == 1, crit_hosts
named = [a.text() for a in ids["sum-critical-hosts"].parent.walk() if a.tag == "a"]
assert named == crit_hosts, named

# --- the host table: one row per host, its numbers, its links ---
rows = [n for n in ids["hosts"].parent.walk() if n.tag == "tr" and n.attrs.get("id", "").startswith("host-")]
assert [n.attrs["id"] for n in rows] == ["host-" + h["host"] for h in hosts], [n.attrs for n in rows]
for h, row in zip(hosts, rows):
    ev = h["events"]
    cell = {c: n for n in row.walk() if n.tag == "td" for c in cls(n)}
    assert cell["host"].text() == h["host"]
    assert int(cell["changes"].text()) == sum(len(e["changes"]) for e in ev), h["host"]
    assert int(cell["unplanned"].text()) == sum(len(e["changes"]) for e in ev if not e["planned"])
    assert int(cell["planned"].text()) == sum(len(e["changes"]) for e in ev if e["planned"])
    assert int(cell["new-critical"].text()) == sum(fails(e, "critical") for e in ev), h["host"]
    assert int(cell["new-warning"].text()) == sum(fails(e, "warning") for e in ev), h["host"]
    # the host's section(s): one per kind of change it has, linked from its row
    for kind, has in (("unplanned", any(not e["planned"] for e in ev)), ("planned", any(e["planned"] for e in ev))):
        sid = "%s-%s" % (kind, h["host"])
        assert (sid in ids) == has, (sid, has)
        if has:
            assert ids[sid].tag == "section" and h["host"] in ids[sid].text()
            assert any(a.attrs.get("href") == "#" + sid for a in row.walk() if a.tag == "a"), sid
            arts = [a for a in ids[sid].walk() if a.tag == "article"]
            want = [e for e in ev if e["planned"] == (kind == "planned")]
            assert [a.attrs["id"] for a in arts] == ["ev-%d" % e["to_baseline"] for e in want], sid

# --- every event: its detail, marked, with its diff and findings; the timeline links it ---
arts = [n for n in nodes if n.tag == "article"]
assert len(arts) == len(events)
order = [a.attrs["id"] for a in arts]
kinds = ["planned" if "planned" in cls(a) else "unplanned" for a in arts]
assert kinds == sorted(kinds, key=lambda k: k == "planned"), kinds   # every unplanned first
assert kinds.count("planned") == 1
assert order.index("ev-%d" % [e for _, e in events if e["planned"]][0]["to_baseline"]) == len(order) - 1
for host, e in events:
    a = ids["ev-%d" % e["to_baseline"]]
    assert a.tag == "article" and ("planned" if e["planned"] else "unplanned") in cls(a), a.attrs
    head = [n for n in a.walk() if n.tag == "h3"][0]
    assert host in head.text() and e["from"] in head.text() and e["to"] in head.text(), head.text()
    if e["planned"]:
        assert "planned: " + reason in head.text(), head.text()   # the reason, unescaped by the parser
    else:
        assert "UNPLANNED" in head.text(), head.text()
    pre = [n for n in a.walk() if n.tag == "pre"][0].text()
    for c in e["changes"]:
        if c.get("path") == "/etc/motd":
            for l in c["diff"].split("\n"):
                if l.startswith(("+", "-")) and not l.startswith(("+++", "---")):
                    assert l in pre, (l, pre)
    assert "new findings" not in pre, pre   # they are in the table instead
    tables = [n for n in a.walk() if n.tag == "table"]
    assert len(tables) == (1 if e["findings"] else 0), (e["findings"], len(tables))
    if e["findings"]:
        trs = [n for n in tables[0].walk() if n.tag == "tr"][1:]
        assert len(trs) == len(e["findings"])
        for tr, f in zip(trs, e["findings"]):
            td = [n.text() for n in tr.walk() if n.tag == "td"]
            assert td[0].split()[0] == f["severity"].upper(), td
            assert td[1].startswith(f["rule"]) and td[1].endswith(f["standard"]), td
            found, _, required = f["message"].partition("; the standard ")
            assert td[3] == found, (td[3], f["message"])
            assert required.endswith(td[4]) and td[4], (td[4], f["message"])
            assert td[5] == f["remedy"], (td[5], f["remedy"])
    # the timeline row for it
    links = [n for n in nodes if n.tag == "a" and n.attrs.get("href") == "#ev-%d" % e["to_baseline"]]
    assert links, e["to_baseline"]

tl = [n for n in t.root.walk() if n.tag == "table" and "timeline" in cls(n)][0]
trs = [n for n in tl.walk() if n.tag == "tr"][1:]
rows = []
for tr in trs:
    cell = {c: n.text() for n in tr.walk() if n.tag == "td" for c in cls(n)}
    link = [n.attrs["href"] for n in tr.walk() if n.tag == "a"][0]
    rows.append((cell["time"], cell["host"], link, cell["kind"], int(cell["changes"])))
want = sorted(((e["to"], h, "#ev-%d" % e["to_baseline"], e) for h, e in events), key=lambda x: x[0])
assert [x[:3] for x in rows] == [x[:3] for x in want], (rows, want)
hosts_in_order = [x[1] for x in rows]
assert hosts_in_order != sorted(hosts_in_order), hosts_in_order   # time order, not host order
for row, (_, _, _, e) in zip(rows, want):
    assert row[4] == len(e["changes"])
    assert ("planned " + reason in row[3]) if e["planned"] else (row[3] == "UNPLANNED"), row

# --- escaping: the odd path and the reason are text, never markup ---
assert b"<update>" not in raw and b"kernel &lt;update&gt; &amp; &quot;reboot&quot;" in raw
assert b"odd<" not in raw and b"odd&lt;&amp;" in raw
assert b"\xff" not in raw
text = t.root.text()
assert "/etc/odd<&\\377.conf" in text, "the odd path is not shown as the text report shows it"
crit = [f for _, e in events for f in e["findings"] if f["severity"] == "critical"]
assert crit and "subject_b64" in crit[0], crit
PY

# a window with nothing in it: still a whole page
expect_exit 0 "$DRIFT" report --store "$STORE" --since 2001-01-01T00:00Z --until 2001-01-02T00:00Z \
	--host '<web>&*' --format html
python3 - "$SCRATCH/out" <<'PY' || fail "empty html report"
import os, sys
sys.path.insert(0, os.environ["SCRATCH"])
from balanced import balanced
page = open(sys.argv[1], "rb").read().decode("utf-8")
balanced(page)
assert "No host changed in this window." in page and 'id="sum-hosts">0<' in page, page
assert "&lt;web&gt;&amp;*" in page and "<web>" not in page
PY

# the text report is as it was
expect_exit 0 "$DRIFT" report --store "$STORE" --since "$SINCE" --until "$UNTIL"
grep -q '^== web01$' "$SCRATCH/out" && grep -q "(planned: $REASON)\$" "$SCRATCH/out" || fail "text report"

stop_collector

# a damaged store: findings that are not JSON are shown as stored (escaped), and
# findings with escapes and nested values are read; the page stays whole
damaged=$(python3 - "$STORE/drift.db" "$SCRATCH/report.json" <<'PY'
import json, sqlite3, sys
ev = [(h["host"], e) for h in json.load(open(sys.argv[2]))["hosts"] for e in h["events"]]
bad = [e for _, e in ev if e["planned"]][0]["to_baseline"]
host, odd = [(h, e["to_baseline"]) for h, e in ev if not e["planned"] and not e["findings"]][0]
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE events SET findings_json = ? WHERE to_id = ?", ('[{"rule": "x<y", "severity": ', bad))
db.execute("UPDATE events SET findings_json = ? WHERE to_id = ?", (json.dumps([{"rule": "r\u00e9\U0001F600\t<b>",
    "check": "mode", "severity": "critical", "status": "fail", "subject": "/a", "message": "m",
    "remedy": None, "description": None, "source": {"file": "s.yaml", "line": 3, "x": [1, -2.5e3, True, {}]},
    "standard": "s"}], ensure_ascii=True), odd))
db.commit()
# hosts with a new critical finding now: the one just given one, and those whose findings still read
crit = sorted({host} | {h for h, e in ev if e["to_baseline"] != bad and
    any(f["severity"] == "critical" and f["status"] == "fail" for f in e["findings"])})
print(bad, odd, ",".join(crit))
PY
) || fail "damaging the store"
expect_exit 0 "$DRIFT" report --store "$STORE" --since "$SINCE" --until "$UNTIL" --format html
python3 - "$SCRATCH/out" $damaged <<'PY' || fail "html report of damaged findings"
import os, re, sys
sys.path.insert(0, os.environ["SCRATCH"])
from balanced import balanced
page = open(sys.argv[1], "rb").read().decode("utf-8")
bad, odd, crit = sys.argv[2], sys.argv[3], sys.argv[4].split(",")
balanced(page)
art = lambda i: re.search(r'<article [^>]*id="ev-%s">(.*?)</article>' % i, page, re.S).group(1)
a = art(bad)
assert "could not be read" in a and '[{&quot;rule&quot;: &quot;x&lt;y&quot;, &quot;severity&quot;: </pre>' in a, a
a = art(odd)
assert "<td>r\u00e9\U0001F600\t&lt;b&gt;<br><small>s</small></td>" in a and ">CRITICAL</td>" in a, a
assert 'id="sum-critical-hosts">%d<' % len(crit) in page, crit
named = re.search(r'id="sum-critical-hosts">.*?</td>', page).group(0)
assert re.findall(r'href="#host-([^"]*)"', named) == crit, (named, crit)
PY
echo "ok: html report"
