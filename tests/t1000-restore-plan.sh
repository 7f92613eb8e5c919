#!/bin/sh
# SPDX-License-Identifier: MIT
# t1000: drift restore-plan writes a runbook, restore.sh and the captured
# files; restore.sh puts a fresh root back (content, type, mode, owner) as
# drift-agent itself then sees it, changes nothing the second time or with
# --dry-run, and never writes outside its root whatever the baseline or
# the target holds; last-good skips baselines with a critical finding.
. "$DRIFT_SRC/tests/lib.sh"

command -v bash >/dev/null || skip "restore.sh needs bash"
command -v jq >/dev/null || skip "needs jq"

R="$SCRATCH/root"
NL='new
line.conf'
make_root "$R"
mkdir -p "$R/etc/app/conf.d"
printf 'listen 80\n' >"$R/etc/app/app.conf"
chmod 0640 "$R/etc/app/app.conf"
chown 4242:4343 "$R/etc/app/app.conf"
chown 33:4343 "$R/etc/app/conf.d"
chmod 2750 "$R/etc/app/conf.d"
printf 'spaced\n' >"$R/etc/app/conf.d/with space.conf"
chmod 0604 "$R/etc/app/conf.d/with space.conf"
printf 'odd\n' >"$R/etc/app/conf.d/$NL"
chown 4242:33 "$R/etc/app/conf.d/$NL"
chmod 0400 "$R/etc/app/conf.d/$NL"
ln -s ../app.conf "$R/etc/app/conf.d/link.conf"
chown -h 33:33 "$R/etc/app/conf.d/link.conf"
printf 'k3y-mat3rial-t1000\n' >"$R/etc/ssh/ssh_host_ed25519_key"
chmod 0600 "$R/etc/ssh/ssh_host_ed25519_key"
mknod "$R/etc/app/null" c 1 3 2>/dev/null && HAVE_DEV=1 || HAVE_DEV=0
"$AGENT" snapshot --root "$R" --path /etc -o "$SCRATCH/orig.drift" -q
[ "$HAVE_DEV" = 0 ] || rm "$R/etc/app/null"	# later steps restore files, not devices

# --- the plan: only its own member names, whatever the baseline holds ---
expect_exit 0 "$DRIFT" restore-plan --to "$SCRATCH/orig.drift" --output "$SCRATCH/plan.tar.gz"
expect_exit 2 "$DRIFT" restore-plan --host other --to "$SCRATCH/orig.drift" --output "$SCRATCH/x.tar.gz"
grep -q "not 'other'" "$SCRATCH/err" || fail "a baseline of another host was not refused"
[ ! -e "$SCRATCH/x.tar.gz" ] || fail "a refused plan was written"
tar -tzf "$SCRATCH/plan.tar.gz" >"$SCRATCH/members"
grep -qvE '^(RUNBOOK\.md|restore\.sh|baseline\.pb|files/|files/[0-9a-f]{64})$' "$SCRATCH/members" &&
	fail "unexpected plan members: $(grep -vE '^(RUNBOOK|restore|baseline|files)' "$SCRATCH/members")"
P="$SCRATCH/plan"
mkdir "$P"
tar -xzf "$SCRATCH/plan.tar.gz" -C "$P"
for f in "$P"/files/*; do
	[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || fail "$f: content does not match its name"
done
expect_exit 0 "$DRIFT" diff "$SCRATCH/orig.drift" "$P/baseline.pb"

# the runbook: packages with exact commands, every file, manual secrets, ends with drift check
RB="$P/RUNBOOK.md"
grep -qF 'apt-get install -y --allow-downgrades openssh-server:amd64=1:9.2p1-2+deb12u3' "$RB" || fail "runbook: package command"
grep -qF 'telnetd' "$RB" && fail "runbook: a config-files package is not installed"
grep -qF "chown fixture:fixturegrp /etc/app/app.conf && chmod 0640 /etc/app/app.conf" "$RB" || fail "runbook: file step"
grep -qF "\$'/etc/app/conf.d/new\\012line.conf'" "$RB" || fail "runbook: odd path not quoted"
sed -n '/^## Step 5/,/^## Step 6/p' "$RB" >"$SCRATCH/manual"
grep -qF '/etc/shadow' "$SCRATCH/manual" || fail "runbook: the uncaptured /etc/shadow is not a manual step"
grep -qF '/etc/ssh/ssh_host_ed25519_key' "$SCRATCH/manual" || fail "runbook: the uncaptured key is not a manual step"
grep -q 'systemctl restart ssh' "$RB" || fail "runbook: ssh is not restarted"
grep -qF "mkdir -p /etc/app/conf.d && chown www-data:fixturegrp /etc/app/conf.d && chmod 2750 /etc/app/conf.d" "$RB" \
	|| fail "runbook: directory step"
grep -qF "ln -sfn ../app.conf /etc/app/conf.d/link.conf && chown -h www-data:www-data /etc/app/conf.d/link.conf" "$RB" \
	|| fail "runbook: symlink step"
grep -qF "chown root:root /etc/ssh/ssh_host_ed25519_key && chmod 0600 /etc/ssh/ssh_host_ed25519_key" "$SCRATCH/manual" \
	|| fail "runbook: secret step"
if [ "$HAVE_DEV" = 1 ]; then
	grep -qF 'device 1:3 (`mknod /etc/app/null c 1 3`)' "$RB" || fail "runbook: device step"
fi
tail -n 3 "$RB" | grep -q 'drift check' || fail "runbook: does not end with drift check"
grep -qF -e 'k3y-mat3rial' -e 'secret$hash' "$P/restore.sh" "$RB" && fail "an uncaptured secret's content reached the plan"
ls "$P/files" | grep -q "$(sha256sum <"$R/etc/ssh/ssh_host_ed25519_key" | cut -c1-64)" &&
	fail "an uncaptured content was invented"

# --- a fresh root, partly different; one target path is a symlink to outside ---
N="$SCRATCH/new"
OUT="$SCRATCH/outside"
mkdir -p "$OUT"
printf 'victim\n' >"$OUT/victim"
make_root "$N"
rm -f "$N/etc/shadow"
printf 'Port 2222\n' >"$N/etc/ssh/sshd_config"
chmod 0666 "$N/etc/hostname"
chown 33 "$N/etc/machine-id"
rm "$N/etc/os-release"
ln -s "$OUT/victim" "$N/etc/os-release"

snap() { "$AGENT" snapshot --root "$N" --path /etc -o "$1" -q; }
snap "$SCRATCH/before.drift"
expect_exit 0 bash "$P/restore.sh" --root "$N" --dry-run
grep -q '^would write' "$SCRATCH/out" || fail "--dry-run did not say what it would do"
grep -q 'nothing to do' "$SCRATCH/out" && fail "--dry-run on a different root said nothing to do"
snap "$SCRATCH/dry.drift"
expect_exit 0 "$DRIFT" diff "$SCRATCH/before.drift" "$SCRATCH/dry.drift"

expect_exit 0 bash "$P/restore.sh" --root "$N"
grep -q '/etc/shadow' "$SCRATCH/out" || fail "restore.sh did not list the secret as a manual step"
grep -q 'install 3 packages' "$SCRATCH/out" || fail "restore.sh did not list the packages as a manual step"
[ "$(cat "$OUT/victim")" = victim ] || fail "restore.sh wrote through a symlink"
snap "$SCRATCH/restored.drift"

# every restored entry as drift-agent sees it, against the original
keep='.content_captured or .type == "directory" or .type == "symlink"'
pick='{path, type, mode, owner, group, uid, gid, sha256, target}'
"$DRIFT" show --format json "$SCRATCH/orig.drift" | jq -c "[.files[] | select($keep) | $pick]" >"$SCRATCH/want.json"
"$DRIFT" show --format json "$SCRATCH/restored.drift" >"$SCRATCH/restored.json"
jq -c --slurpfile w "$SCRATCH/want.json" '($w[0] | map(.path)) as $p |
	[.files[] | select(.path as $x | any($p[]; . == $x)) | '"$pick"']' \
	"$SCRATCH/restored.json" >"$SCRATCH/got.json"
[ "$(jq length "$SCRATCH/want.json")" -ge 14 ] || fail "the fixture lost entries: $(cat "$SCRATCH/want.json")"
jq -e --slurpfile g "$SCRATCH/got.json" '. == $g[0]' "$SCRATCH/want.json" >/dev/null || {
	diff "$SCRATCH/want.json" "$SCRATCH/got.json" >&2 || true
	jq -c '.[]' "$SCRATCH/want.json" >"$SCRATCH/w.lines"
	jq -c '.[]' "$SCRATCH/got.json" >"$SCRATCH/g.lines"
	diff "$SCRATCH/w.lines" "$SCRATCH/g.lines" >&2 || true
	fail "the restored root differs from the original"
}

# a second run changes nothing at all (not even a time stamp)
expect_exit 0 bash "$P/restore.sh" --root "$N"
grep -qx 'nothing to do' "$SCRATCH/out" || fail "second run: $(cat "$SCRATCH/out")"
snap "$SCRATCH/again.drift"
expect_exit 0 "$DRIFT" diff "$SCRATCH/restored.drift" "$SCRATCH/again.drift"
expect_exit 0 bash "$P/restore.sh" --root "$N" --dry-run
grep -qx 'nothing to do' "$SCRATCH/out" || fail "dry run after restoring: $(cat "$SCRATCH/out")"

# --- hostile targets: symlinks where the baseline has directories ---
# /etc/app recorded as a directory: the link is replaced, never followed
H="$SCRATCH/hostile"
make_root "$H"
mkdir -p "$OUT/app-dir"
ln -s "$OUT/app-dir" "$H/etc/app"
expect_exit 0 bash "$P/restore.sh" --root "$H"
[ -z "$(ls -A "$OUT/app-dir")" ] || fail "restore.sh wrote through a symlinked directory: $(ls -A "$OUT/app-dir")"
[ -d "$H/etc/app" ] && [ ! -L "$H/etc/app" ] || fail "the symlink was not replaced by the recorded directory"
# /etc a symlink out of the root: /etc/passwd and /etc/group come first and are refused
rm -rf "$H"
mkdir -p "$H"
ln -s "$OUT" "$H/etc"
expect_exit 1 bash "$P/restore.sh" --root "$H"
grep -q 'a symlink' "$SCRATCH/err" || fail "no word about the symlinked /etc: $(cat "$SCRATCH/err")"
[ "$(ls -A "$OUT")" = "$(printf 'app-dir\nvictim')" ] || fail "restore.sh wrote into a symlinked /etc: $(ls -A "$OUT")"
[ "$(cat "$OUT/victim")" = victim ] || fail "restore.sh changed a file outside the root"

# a script line naming '..' (restore.sh checks again what drift restore-plan refuses)
sha=$(basename "$(ls "$P"/files/* | head -1)")
sed "s|^finish\$|f etc/../../escape $sha 0644 root root 0 0\\nfinish|" "$P/restore.sh" >"$P/evil.sh"
expect_exit 1 bash "$P/evil.sh" --root "$N"
[ ! -e "$SCRATCH/escape" ] || fail "restore.sh followed '..' out of the root"
grep -q "'\\.\\.'" "$SCRATCH/err" || fail "no word about '..'"

# --- hostile baselines: a path with '..' is refused, nothing is written ---
python3 - "$SCRATCH/dotdot.pb" <<'PY'
import sys
def rec(key, payload): return bytes([key, len(payload)]) + payload
entry = rec(0x0a, b"/etc/../../tmp/escape") + bytes([0x10, 1])
open(sys.argv[1], "wb").write(bytes([0x08, 1]) + rec(0x32, entry))
PY
expect_exit 2 "$DRIFT" restore-plan --to "$SCRATCH/dotdot.pb" --output "$SCRATCH/dotdot.tar.gz"
grep -q "'\\.\\.'" "$SCRATCH/err" || fail "the '..' path was not named as the reason: $(cat "$SCRATCH/err")"
[ ! -e "$SCRATCH/dotdot.tar.gz" ] || fail "a plan was written from a hostile baseline"
ls "$SCRATCH" | grep -q 'dotdot.tar.gz.tmp' && fail "a temporary plan was left behind"

# --- last-good: the newest stored baseline without a critical finding ---
PORT=21000
PKI="$SCRATCH/pki"
STORE="$SCRATCH/store"
cat >"$SCRATCH/std.yaml" <<'YAML'
standard: t1000
version: "1"
files:
  - path: /etc/ssh/sshd_config
    contains: ["PermitRootLogin no"]
    severity: critical
YAML
make_pki "$PKI" web01
collector_config "$SCRATCH/collector.yaml" "$PKI" $PORT "$STORE" "standards: [$SCRATCH/std.yaml]"
start_collector "$SCRATCH/collector.yaml"
W="$SCRATCH/web01"
make_root "$W"
agent_config "$SCRATCH/web01.yaml" "$PKI" $PORT web01 "$SCRATCH/spool"
expect_exit 0 "$AGENT" run --config "$SCRATCH/web01.yaml" --root "$W" -q
sed -i 's/PermitRootLogin no/PermitRootLogin yes/' "$W/etc/ssh/sshd_config"
expect_exit 0 "$AGENT" run --config "$SCRATCH/web01.yaml" --root "$W" -q
echo 'Banner /etc/issue.net' >>"$W/etc/ssh/sshd_config"
expect_exit 0 "$AGENT" run --config "$SCRATCH/web01.yaml" --root "$W" -q

expect_exit 0 "$DRIFT" restore-plan --store "$STORE" --host web01 --output "$SCRATCH/lg.tar.gz"
mkdir "$SCRATCH/lg"
tar -xzf "$SCRATCH/lg.tar.gz" -C "$SCRATCH/lg" baseline.pb
expect_exit 0 "$DRIFT" diff --store "$STORE" 'web01@#1' "$SCRATCH/lg/baseline.pb"
expect_exit 1 "$DRIFT" diff --store "$STORE" web01@latest "$SCRATCH/lg/baseline.pb"
expect_exit 0 "$DRIFT" show --store "$STORE" web01@last-good
expect_exit 0 "$DRIFT" restore-plan --store "$STORE" --host web01 --to latest --output "$SCRATCH/latest.tar.gz"
expect_exit 2 "$DRIFT" restore-plan --store "$STORE" --host nosuch --output "$SCRATCH/none.tar.gz"
stop_collector
exit 0
