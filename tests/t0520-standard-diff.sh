#!/bin/sh
# SPDX-License-Identifier: MIT
# t0520: drift standard diff classifies each change between two versions of a
# standard (with includes) as tightened, loosened or changed, in text, JSON and
# a markdown table; drift standard from-baseline writes a standard that its own
# baseline passes with drift check, and that a chmod or a removed package fails.
. "$DRIFT_SRC/tests/lib.sh"

S="$SCRATCH/std"
mkdir -p "$S/common"
cat >"$S/common/base.yaml" <<'EOF'
files:
  - path: /etc/ssh/sshd_config
    owner: root
    group: root
    mode: "0600"
    contains: ["PermitRootLogin no"]
    severity: critical
  - path: /etc/shadow
    mode_max: "0640"
packages:
  required:
    - name: openssh-server
      version: ">= 1:9.0p1"
    - nginx
  forbidden:
    - telnetd
EOF
cat >"$S/v1.yaml" <<'EOF'
standard: web-server
version: "2026.1"
include: common/base.yaml
applies_to: {hosts: ["web*"], os: ["debian-12"]}
files:
  - path: /etc/motd
    description: legal banner
EOF
cat >"$S/v2.yaml" <<'EOF'
standard: web-server
version: "2026.2"
include: [common/base.yaml]
applies_to: {hosts: ["web*", "api*"], os: ["debian-12"]}
files:
  # overrides of base rules: mode loosened, a check added, severity lowered
  - path: /etc/ssh/sshd_config
    owner: root
    group: root
    mode: "0644"
    contains: ["PermitRootLogin no", "PasswordAuthentication no"]
    severity: warning
  - path: /etc/shadow
    mode_max: "0600"
  - path: /etc/motd
    description: legal banner, reviewed by counsel
  - path: /etc/hosts.equiv
    absent: true
packages:
  required:
    - name: openssh-server
      version: ">= 1:9.2p1"
    - name: telnetd
      description: needed by the legacy console
  forbidden:
    - nginx
EOF

# the same standard: no differences, exit 0
expect_exit 0 "$DRIFT" standard diff "$S/v1.yaml" "$S/v1.yaml"
grep -q '^no differences$' "$SCRATCH/out" || fail "identical standards should say 'no differences'"

expect_exit 1 "$DRIFT" standard diff --format json "$S/v1.yaml" "$S/v2.yaml"
cp "$SCRATCH/out" "$SCRATCH/diff.json"
python3 - "$SCRATCH/diff.json" <<'PY' || fail "standard diff json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
errors = []
def check(cond, what):
    if not cond: errors.append(what)
check(d["old"] == {"standard": "web-server", "version": "2026.1", "file": d["old"]["file"]}
      and d["old"]["file"].endswith("v1.yaml"), "old: %s" % d["old"])
check(d["new"]["version"] == "2026.2", "new: %s" % d["new"])
got = {(c["rule_type"], c["subject"], c["attribute"]): c for c in d["changes"]}
want = {
    ("metadata", "web-server", "version"): ("changed", "changed", "2026.1", "2026.2"),
    ("applies_to", "api*", "hosts"): ("added", "tightened", None, "api*"),
    ("file", "/etc/ssh/sshd_config", "mode"): ("loosened", "loosened", "0600", "0644"),
    ("file", "/etc/ssh/sshd_config", "contains"): ("added", "tightened", None, "PasswordAuthentication no"),
    ("file", "/etc/ssh/sshd_config", "severity"): ("loosened", "loosened", "critical", "warning"),
    ("file", "/etc/shadow", "mode_max"): ("tightened", "tightened", "0640", "0600"),
    ("file", "/etc/motd", "description"): ("changed", "changed", "legal banner",
                                           "legal banner, reviewed by counsel"),
    ("file", "/etc/hosts.equiv", "rule"): ("added", "tightened", None, "absent, severity warning"),
    ("package", "openssh-server", "version"): ("tightened", "tightened", ">= 1:9.0p1", ">= 1:9.2p1"),
    ("package", "nginx", "forbidden"): ("changed", "changed", "required", "forbidden"),
    ("package", "telnetd", "required"): ("changed", "changed", "forbidden", "required"),
    ("package", "telnetd", "description"): ("changed", "changed", None, "needed by the legacy console"),
}
for k, (kind, direction, old, new) in want.items():
    c = got.get(k)
    if c is None:
        errors.append("missing %s" % (k,))
        continue
    check((c["kind"], c["direction"], c["old"], c["new"]) == (kind, direction, old, new),
          "%s: %s/%s %r -> %r" % (k, c["kind"], c["direction"], c["old"], c["new"]))
    check(c["message"], "%s: no message" % (k,))
check(set(got) == set(want), "unexpected changes: %s" % sorted(set(got) - set(want)))
check(got[("file", "/etc/ssh/sshd_config", "mode")]["message"] ==
      "mode of /etc/ssh/sshd_config loosened from 0600 to 0644", "mode sentence")
# where each side was written: the override in v2.yaml, the original in the include
m = got[("file", "/etc/ssh/sshd_config", "mode")]
check(m["old_origin"]["file"].endswith("common/base.yaml") and m["old_origin"]["line"] == 2,
      "old origin %s" % m["old_origin"])
check(m["new_origin"]["file"].endswith("v2.yaml") and m["new_origin"]["line"] == 7,
      "new origin %s" % m["new_origin"])
s = d["summary"]
check(s == {"tightened": 5, "loosened": 2, "changed": 5}, "summary %s" % s)
check(sum(s.values()) == len(d["changes"]), "summary does not add up")
for e in errors: print("wrong:", e)
sys.exit(1 if errors else 0)
PY

# text: the summary line, then the groups in order
expect_exit 1 "$DRIFT" standard diff "$S/v1.yaml" "$S/v2.yaml"
sed -n 2p "$SCRATCH/out" | grep -qx '5 requirements tightened, 2 loosened, 5 changed' \
	|| { cat "$SCRATCH/out"; fail "text summary line"; }
[ "$(grep -x '[a-z]*:' "$SCRATCH/out" | tr '\n' ' ')" = "tightened: loosened: changed: " ] \
	|| { cat "$SCRATCH/out"; fail "text groups"; }
grep -qx '  mode of /etc/ssh/sshd_config loosened from 0600 to 0644' "$SCRATCH/out" \
	|| fail "text: the mode line"

# markdown: a table with one row per change and the same number of cells in each
expect_exit 1 "$DRIFT" standard diff --format markdown "$S/v1.yaml" "$S/v2.yaml"
python3 - "$SCRATCH/out" "$SCRATCH/diff.json" <<'PY' || { cat "$SCRATCH/out"; fail "markdown table"; }
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
n = len(json.load(open(sys.argv[2]))["changes"])
rows = [l for l in lines if l.startswith("|")]
assert rows[0] == "| Direction | Change | Rule type | Subject | Attribute | Old | New | Summary |", rows[0]
assert re.fullmatch(r"(\|---)+\|", rows[1]), rows[1]
cells = lambda l: len(re.findall(r"(?<!\\)\|", l))
assert all(cells(l) == 9 for l in rows), [l for l in rows if cells(l) != 9]
assert len(rows) - 2 == n, (len(rows) - 2, n)
assert any("| loosened | loosened | file | ` /etc/ssh/sshd_config ` | mode | ` 0600 ` | ` 0644 ` |" in l
           for l in rows)
PY

# standards that do not load: exit 3 with FILE:LINE:COLUMN
expect_exit 3 "$DRIFT" standard diff "$S/v1.yaml" "$S/missing.yaml"
grep -q 'missing.yaml' "$SCRATCH/err" || fail "missing standard not named"
printf 'standard: x\nfiles:\n  - path: /etc/a\n    mdoe: "0600"\n' >"$S/bad.yaml"
expect_exit 3 "$DRIFT" standard diff "$S/bad.yaml" "$S/v1.yaml"
grep -q 'bad.yaml:4:' "$SCRATCH/err" || { cat "$SCRATCH/err"; fail "bad standard position"; }
expect_exit 3 "$DRIFT" standard diff --format yaml "$S/v1.yaml" "$S/v2.yaml"
expect_exit 3 "$DRIFT" standard diff "$S/v1.yaml"
expect_exit 0 "$DRIFT" standard diff --help
grep -q 'Exit status' "$SCRATCH/out" || fail "diff --help"

# --- from-baseline round trip ---
R="$SCRATCH/root"
make_root "$R"
printf 'x' >"$R/etc/odd[1]*name"		# glob bytes in a literal path
printf 'x' >"$R/etc/new
line"						# YAML cannot carry it: skipped
ln -s ../usr/local/bin "$R/etc/binlink"
chown 4242:4343 "$R/etc/hostname"
chown 5555:5555 "$R/etc/machine-id"		# no name in the fixture's passwd
snap() { "$AGENT" snapshot --root "$R" --path /etc -o "$1" -q; }
snap "$SCRATCH/good.drift"

expect_exit 0 "$DRIFT" standard from-baseline "$SCRATCH/good.drift" --hashes --name web-baseline \
	--output "$SCRATCH/gen.yaml"
[ ! -s "$SCRATCH/out" ] || fail "from-baseline --output wrote to stdout"
grep -q 'left out 1 path' "$SCRATCH/err" || { cat "$SCRATCH/err"; fail "skipped path not counted"; }
grep -q '^  # skipped /etc/new\\012line' "$SCRATCH/gen.yaml" || fail "skipped path not commented"
grep -q '^standard: "web-baseline"$' "$SCRATCH/gen.yaml" || fail "--name"
grep -q '^# from the known-good baseline .*good.drift$' "$SCRATCH/gen.yaml" || fail "header comment"
python3 - "$SCRATCH/gen.yaml" <<'PY' || fail "generated standard content"
import sys
t = open(sys.argv[1]).read()
for want in ['  - path: "/etc/ssh/sshd_config"\n    owner: "root"\n    group: "root"\n    mode: "0600"\n    sha256: "',
             '  - path: "/etc/odd\\\\[1]\\\\*name"\n',
             '  - path: "/etc/binlink"\n    owner: "root"\n    group: "root"\n    type: "symlink"\n    target: "../usr/local/bin"\n',
             '  - path: "/etc/hostname"\n    owner: "fixture"\n    group: "fixturegrp"\n',
             '  - path: "/etc/machine-id"\n    owner: "5555"',
             '    - name: "openssh-server"\n      version: ">= 1:9.2p1-2+deb12u3"\n',
             '    - name: "nginx"\n      version: ">= 1.22.1-9"\n']:
    assert want in t, want
assert '"telnetd"' not in t, "config-files package required"
assert '"/etc/passwd"' in t and '"/etc"\n' not in t
PY

# the baseline it came from is compliant; the standard loads for drift check
expect_exit 0 "$DRIFT" check "$SCRATCH/good.drift" --standard "$SCRATCH/gen.yaml"
# stdout works too, and says the same
expect_exit 0 "$DRIFT" standard from-baseline "$SCRATCH/good.drift" --hashes --name web-baseline
sed '/^# generated /d' "$SCRATCH/out" >"$SCRATCH/gen-stdout.yaml"
sed '/^# generated /d' "$SCRATCH/gen.yaml" | cmp -s - "$SCRATCH/gen-stdout.yaml" \
	|| fail "stdout and --output differ"

# a chmod fails the check
chmod 0644 "$R/etc/ssh/sshd_config"
snap "$SCRATCH/chmod.drift"
set +e
"$DRIFT" check "$SCRATCH/chmod.drift" --standard "$SCRATCH/gen.yaml" --format json >"$SCRATCH/check.json" 2>"$SCRATCH/err"
rc=$?
set -e
[ "$rc" = 1 ] || { cat "$SCRATCH/err"; fail "check after chmod exited $rc, expected 1"; }
python3 - "$SCRATCH/check.json" <<'PY' || fail "the chmod finding"
import json, sys
d = json.load(open(sys.argv[1]))
text = json.dumps(d)
assert "/etc/ssh/sshd_config" in text and "mode" in text, text[:2000]
PY

# a removed package fails it too
chmod 0600 "$R/etc/ssh/sshd_config"
python3 - "$R/var/lib/dpkg/status" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().split("\n\n")
s = [st for st in s if not st.startswith("Package: nginx")]
open(p, "w").write("\n\n".join(x.strip("\n") for x in s) + "\n")
PY
snap "$SCRATCH/nopkg.drift"
expect_exit 1 "$DRIFT" check "$SCRATCH/nopkg.drift" --standard "$SCRATCH/gen.yaml"
grep -q 'nginx' "$SCRATCH/out" || { cat "$SCRATCH/out"; fail "the missing package finding"; }

# and drift standard diff tells an auditor what a regenerated standard gives up
chmod 0644 "$R/etc/ssh/sshd_config"
snap "$SCRATCH/bad.drift"
"$DRIFT" standard from-baseline "$SCRATCH/bad.drift" --hashes --name web-baseline \
	-o "$SCRATCH/gen2.yaml" 2>/dev/null
expect_exit 1 "$DRIFT" standard diff --format json "$SCRATCH/gen.yaml" "$SCRATCH/gen2.yaml"
python3 - "$SCRATCH/out" <<'PY' || fail "diff of regenerated standards"
import json, sys
d = json.load(open(sys.argv[1]))
got = {(c["subject"], c["attribute"]): (c["kind"], c["direction"]) for c in d["changes"]}
assert got[("/etc/ssh/sshd_config", "mode")] == ("loosened", "loosened"), got
assert got[("nginx", "rule")] == ("removed", "loosened"), got
PY

# errors: an unreadable baseline, a relative --paths
expect_exit 2 "$DRIFT" standard from-baseline "$SCRATCH/nonexistent.drift"
expect_exit 2 "$DRIFT" standard from-baseline "$SCRATCH/good.drift" --paths etc
expect_exit 2 "$DRIFT" standard frob
exit 0
