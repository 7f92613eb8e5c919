#!/bin/sh
# SPDX-License-Identifier: MIT
# t1010: drift restore-plan --to standard: a host ingested by a real
# collector breaks a small standard; the plan fixes what can be fixed (mode,
# owner, a missing directory and link, a file that must be absent, a file
# whose approved content another host's capture put in the store), leaves
# the rest as manual steps, and after restore.sh drift check finds nothing
# but those manual steps; --dry-run and a second run change nothing, and
# restore.sh never writes through a symlinked directory.
. "$DRIFT_SRC/tests/lib.sh"

command -v bash >/dev/null || skip "restore.sh needs bash"
command -v python3 >/dev/null || skip "needs python3"

PORT=21010
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
make_pki "$PKI" web01 golden
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE"
start_collector "$SCRATCH/collector.yaml"
run_agent() {
	agent_config "$SCRATCH/$1.yaml" "$PKI" $PORT "$1" "$SCRATCH/spool-$1"
	expect_exit 0 "$AGENT" run --config "$SCRATCH/$1.yaml" --root "$SCRATCH/$1" -q
}

# golden: the host whose capture holds the approved banner
G="$SCRATCH/golden"
make_root "$G"
printf 'Authorised use only (t1010).\n' >"$G/etc/issue.net"
run_agent golden
good=$(sha256sum <"$G/etc/issue.net" | cut -d' ' -f1)
nowhere=$(printf 'a banner no host has\n' | sha256sum | cut -d' ' -f1)

# web01: breaks the standard in every way the plan handles
W="$SCRATCH/web01"
make_root "$W"
printf 'Port 22\nPermitRootLogin yes\n' >"$W/etc/ssh/sshd_config"
chmod 0644 "$W/etc/ssh/sshd_config"
mkdir -p "$W/etc/app"
printf 'listen 80\n' >"$W/etc/app/app.conf"
chmod 0664 "$W/etc/app/app.conf"
printf 'on\n' >"$W/etc/app/debug.flag"
ln -s old.conf "$W/etc/app/current"
printf 'not a directory\n' >"$W/etc/app/logs"
printf 'Welcome to web01\n' >"$W/etc/issue.net"
chmod 0640 "$W/etc/issue.net"
chgrp 33 "$W/etc/issue.net"
printf 'hello\n' >"$W/etc/motd"
chmod 0666 "$W/etc/motd"
run_agent web01

cat >"$SCRATCH/std.yaml" <<YAML
standard: t1010
version: "1"
files:
  - path: /etc/ssh/sshd_config
    id: sshd-config
    owner: root
    mode: "0600"
    contains: ["PermitRootLogin no"]
    severity: critical
    description: root must not log in over ssh
  - path: /etc/app/app.conf
    id: app-conf
    owner: fixture
    group: fixturegrp
    mode_max: "0640"
  - path: /etc/app/conf.d
    id: app-confd
    type: directory
    owner: www-data
    mode: "0750"
  - path: /etc/app/current
    id: app-current
    target: app.conf
  - path: /etc/app/logs
    id: app-logs
    type: directory
    mode_max: "0750"
  - path: /etc/app/debug.flag
    id: no-debug
    absent: true
  - path: /etc/issue.net
    id: banner
    sha256: $good
    description: the approved login banner
  - path: /etc/motd
    id: motd
    sha256: $nowhere
    mode: "0644"
  - path: /etc/shadow
    id: shadow-locked
    not_contains: ["::0:"]
packages:
  required:
    - curl
    - {name: openssh-server, version: ">= 1:9.2p1-2"}
  forbidden: [nginx]
YAML
cat >"$SCRATCH/other.yaml" <<'YAML'
standard: t1010-db
applies_to: {hosts: ["db*"]}
files:
  - path: /etc/hostname
    mode: "0600"
YAML

# --- the plan ---
expect_exit 2 "$DRIFT" restore-plan --store "$STORE" --host web01 --to standard --output "$SCRATCH/x.tar.gz"
grep -q 'standard FILE' "$SCRATCH/err" || fail "--to standard without --standard: $(cat "$SCRATCH/err")"
expect_exit 2 "$DRIFT" restore-plan --store "$STORE" --host web01 --to standard \
	--standard "$SCRATCH/other.yaml" --output "$SCRATCH/x.tar.gz"
grep -q 'no standard given applies' "$SCRATCH/err" || fail "no standard applies: $(cat "$SCRATCH/err")"
[ ! -e "$SCRATCH/x.tar.gz" ] || fail "a refused plan was written"
expect_exit 0 "$DRIFT" restore-plan --store "$STORE" --host web01 --to standard \
	--standard "$SCRATCH/std.yaml" --standard "$SCRATCH/other.yaml" --output "$SCRATCH/plan.tar.gz"
grep -q "t1010-db.*skipped" "$SCRATCH/err" || fail "the standard for db* was not noted as skipped"

tar -tzf "$SCRATCH/plan.tar.gz" >"$SCRATCH/members"
grep -qvE '^(RUNBOOK\.md|restore\.sh|baseline\.pb|files/|files/[0-9a-f]{64})$' "$SCRATCH/members" &&
	fail "unexpected plan members: $(cat "$SCRATCH/members")"
P="$SCRATCH/plan"
mkdir "$P"
tar -xzf "$SCRATCH/plan.tar.gz" -C "$P"
RB="$P/RUNBOOK.md"
# the approved banner came from golden's capture; nothing else is carried, nothing invented
[ "$(ls "$P/files")" = "$good" ] || fail "files/ should hold golden's banner only: $(ls "$P/files")"
cmp -s "$P/files/$good" "$G/etc/issue.net" || fail "files/$good is not golden's banner"
grep -q "t1010-db.*skipped" "$RB" || fail "runbook: the skipped standard is not named"
grep -qF 'apt-get purge -y nginx' "$RB" || fail "runbook: the forbidden package's command"
grep -qF 'apt-get install -y curl' "$RB" || fail "runbook: the required package's command"
grep -qF 'root must not log in over ssh' "$RB" || fail "runbook: the contains rule's description"
grep -qF 'PermitRootLogin no' "$RB" || fail "runbook: the contains rule's requirement is not quoted"
tail -n 4 "$RB" | grep -qF "drift check /root/after.drift --standard $SCRATCH/std.yaml" ||
	fail "runbook: does not end with drift check against the standard"
tail -n 4 "$RB" | grep -qF "other.yaml" && fail "runbook: checks against the skipped standard"

# the findings before, as drift check itself reports them
findings() {	# findings BASELINE... -> "rule<TAB>check<TAB>subject" lines
	set +e
	"$DRIFT" check --store "$STORE" "$1" --standard "$SCRATCH/std.yaml" --format json >"$SCRATCH/check.json"
	rc=$?
	set -e
	[ "$rc" -le 3 ] || fail "drift check $1 exited $rc"
	python3 -c 'import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print("%s\t%s\t%s" % (f["rule"], f["check"], f["subject"]))' "$SCRATCH/check.json" | sort
}
findings web01@latest >"$SCRATCH/before"

# the runbook's steps, section by section: "section<TAB>rule<TAB>check<TAB>subject"
python3 - "$RB" >"$SCRATCH/steps" <<'PY'
import re, sys
sec = None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"## Step (\d+):", line)
    if m:
        sec = m.group(1)
        continue
    m = re.match(r"\d+\. (\S+) — (.*)", line)
    if not m or sec is None:
        continue
    for rule, check in re.findall(r"rule `([^`]*)` \(([a-z0-9_]+)\)", m.group(2)):
        print("%s\t%s\t%s\t%s" % (sec, rule, check, m.group(1)))
PY
steps() { awk -F'\t' -v s="$1" '$1 == s { print $2 "\t" $3 "\t" $4 }' "$SCRATCH/steps" | sort; }
steps 2 >"$SCRATCH/packages"
steps 4 >"$SCRATCH/fixed"
steps 5 >"$SCRATCH/manual"
steps 6 >"$SCRATCH/unevaluated"
cut -f2- "$SCRATCH/steps" | sort >"$SCRATCH/planned"
[ -z "$(cut -f2- "$SCRATCH/steps" | sort | uniq -d)" ] || fail "a finding is in two steps: $(cut -f2- "$SCRATCH/steps" | sort | uniq -d)"
diff "$SCRATCH/before" "$SCRATCH/planned" >&2 || fail "the runbook's steps are not exactly drift check's findings"
for c in owner group mode mode_max exists type target absent sha256; do
	cut -f2 "$SCRATCH/fixed" | grep -qx "$c" || fail "no '$c' finding is fixed by the script: $(cat "$SCRATCH/fixed")"
done
cut -f2 "$SCRATCH/manual" | grep -qx contains || fail "the contains rule is not a manual step"
grep -q "^motd	sha256	" "$SCRATCH/manual" || fail "a sha256 with no content anywhere is not a manual step"
grep -q "^motd	mode	" "$SCRATCH/fixed" || fail "the mode of a file without approved content is not fixed"
[ -s "$SCRATCH/unevaluated" ] || fail "the unevaluated rule is not a manual check"
cut -f2 "$SCRATCH/packages" | sort -u | tr '\n' ' ' | grep -qx 'forbidden installed ' ||
	fail "package steps: $(cat "$SCRATCH/packages")"

# two standards that disagree about one file: a manual step, never a guess
cat >"$SCRATCH/conflict.yaml" <<'YAML'
standard: t1010-conflict
files:
  - path: /etc/hostname
    id: hostname-owner
    owner: www-data
YAML
cat >"$SCRATCH/base.yaml" <<'YAML'
standard: t1010-base
files:
  - path: /etc/hostname
    owner: root
YAML
expect_exit 0 "$DRIFT" restore-plan --store "$STORE" --host web01 --to standard \
	--standard "$SCRATCH/base.yaml" --standard "$SCRATCH/conflict.yaml" --output "$SCRATCH/conflict.tar.gz"
mkdir "$SCRATCH/cp"
tar -xzf "$SCRATCH/conflict.tar.gz" -C "$SCRATCH/cp"
sed -n '/^## Step 5/,/^## Step 6/p' "$SCRATCH/cp/RUNBOOK.md" | grep -q 'hostname-owner.*(owner)' ||
	fail "conflicting rules: the owner finding is not a manual step"
grep -q 'disagree' "$SCRATCH/cp/RUNBOOK.md" || fail "conflicting rules: the runbook does not say they disagree"
grep -q '^s etc/hostname' "$SCRATCH/cp/restore.sh" && fail "conflicting rules: restore.sh picked a side"

# --- a copy of web01 as it is: dry run, run, run again ---
F="$SCRATCH/fresh"
cp -a "$W" "$F"
snap() { "$AGENT" snapshot --root "$F" --path /etc -o "$1" -q; }
snap "$SCRATCH/before.drift"
expect_exit 0 bash "$P/restore.sh" --root "$F" --dry-run
grep -q '^would ' "$SCRATCH/out" || fail "--dry-run did not say what it would do"
snap "$SCRATCH/dry.drift"
expect_exit 0 "$DRIFT" diff "$SCRATCH/before.drift" "$SCRATCH/dry.drift"

expect_exit 0 bash "$P/restore.sh" --root "$F"
grep -q 'changes made' "$SCRATCH/out" || fail "restore.sh: $(cat "$SCRATCH/out")"
grep -q "package curl" "$SCRATCH/out" || fail "restore.sh did not list the package as a manual step under --root"
snap "$SCRATCH/after.drift"
findings "$SCRATCH/after.drift" >"$SCRATCH/left"
[ -s "$SCRATCH/left" ] || fail "nothing left after restore.sh, but some steps are manual"
comm -12 "$SCRATCH/left" "$SCRATCH/fixed" >"$SCRATCH/unfixed"
[ ! -s "$SCRATCH/unfixed" ] || fail "findings the script should have fixed are left: $(cat "$SCRATCH/unfixed")"
sort "$SCRATCH/packages" "$SCRATCH/manual" "$SCRATCH/unevaluated" >"$SCRATCH/notfixed"
comm -23 "$SCRATCH/left" "$SCRATCH/notfixed" >"$SCRATCH/surprise"
[ ! -s "$SCRATCH/surprise" ] || fail "findings left that no manual step lists: $(cat "$SCRATCH/surprise")"
[ "$(sha256sum <"$F/etc/issue.net" | cut -d' ' -f1)" = "$good" ] || fail "the approved banner was not written"
[ "$(stat -c '%U %G %a' "$F/etc/issue.net")" = "root www-data 640" ] ||
	fail "the banner did not keep its owner and mode: $(stat -c '%U %G %a' "$F/etc/issue.net")"
cmp -s "$F/etc/ssh/sshd_config" "$W/etc/ssh/sshd_config" || fail "restore.sh edited content it was not given"
cmp -s "$F/etc/motd" "$W/etc/motd" || fail "restore.sh invented a content for /etc/motd"

expect_exit 0 bash "$P/restore.sh" --root "$F"
grep -qx 'nothing to do' "$SCRATCH/out" || fail "second run: $(cat "$SCRATCH/out")"
snap "$SCRATCH/again.drift"
expect_exit 0 "$DRIFT" diff "$SCRATCH/after.drift" "$SCRATCH/again.drift"
expect_exit 0 bash "$P/restore.sh" --root "$F" --dry-run
grep -qx 'nothing to do' "$SCRATCH/out" || fail "dry run after the run: $(cat "$SCRATCH/out")"

# --- a symlinked directory on the way: refused, nothing written outside ---
H="$SCRATCH/hostile"
OUT="$SCRATCH/outside"
cp -a "$W" "$H"
mkdir "$OUT"
printf 'on\n' >"$OUT/debug.flag"
rm -rf "$H/etc/app"
ln -s "$OUT" "$H/etc/app"
expect_exit 1 bash "$P/restore.sh" --root "$H"
grep -q 'a symlink' "$SCRATCH/err" || fail "no word about the symlinked /etc/app: $(cat "$SCRATCH/err")"
[ "$(ls -A "$OUT")" = debug.flag ] || fail "restore.sh wrote through a symlink: $(ls -A "$OUT")"

stop_collector
exit 0
