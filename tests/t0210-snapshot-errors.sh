#!/bin/sh
# SPDX-License-Identifier: MIT
# t0210: unreadable, unlistable and changing entries are recorded with the
# reason and never abort a snapshot; other filesystems are not crossed.
. "$DRIFT_SRC/tests/lib.sh"

R="$SCRATCH/root"
make_root "$R"
mkdir -p "$R/etc/locked" "$R/etc/mnt"
printf 'inside' >"$R/etc/locked/inner"
printf 'secret' >"$R/etc/unreadable"
chmod 0000 "$R/etc/unreadable" "$R/etc/locked"
chmod 0755 "$SCRATCH"

# as an unprivileged user the two are refused; the snapshot still succeeds
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod -R o+rX "$R/etc/ssh" "$R/var"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$AGENT" snapshot --root "$R" --path /etc -o - -q >"$SCRATCH/u.drift" \
		|| fail "snapshot as nobody failed"
	"$DRIFT" show --format json "$SCRATCH/u.drift" >"$SCRATCH/u.json"
	python3 - "$SCRATCH/u.json" <<'PY' || fail "errors not recorded"
import json, sys
f = {x["path"]: x for x in json.load(open(sys.argv[1]))["files"]}
u, l = f["/etc/unreadable"], f["/etc/locked"]
assert u["sha256"] is None and "Permission denied" in u["error"], u
assert l["error"] and "list" in l["error"] or "open" in l["error"], l
assert "/etc/locked/inner" not in f
assert f["/etc/passwd"]["error"] is None and f["/etc/passwd"]["sha256"]
PY
fi

# a file whose content does not match its size while read (procfs reports 0)
if [ -r /proc/1/status ]; then
	"$AGENT" snapshot --root / --path /proc/1/status -o "$SCRATCH/p.drift" -q || fail "procfs snapshot"
	"$DRIFT" show --format json "$SCRATCH/p.drift" | grep -q '"error": "changed while being read' \
		|| fail "a file that changed while read was not flagged"
fi

# a mount point is recorded but not entered, unless --cross-mounts
if mount -t tmpfs drift-test "$R/etc/mnt" 2>/dev/null; then
	trap 'umount "$R/etc/mnt" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
	printf 'other fs' >"$R/etc/mnt/file"
	"$AGENT" snapshot --root "$R" --path /etc -o "$SCRATCH/m1.drift" -q
	"$DRIFT" show --format json "$SCRATCH/m1.drift" >"$SCRATCH/m1.json"
	grep -q '"/etc/mnt"' "$SCRATCH/m1.json" || fail "mount point itself not recorded"
	if grep -q '"/etc/mnt/file"' "$SCRATCH/m1.json"; then fail "crossed into another filesystem"; fi
	"$AGENT" snapshot --root "$R" --path /etc --cross-mounts -o "$SCRATCH/m2.drift" -q
	"$DRIFT" show --format json "$SCRATCH/m2.drift" | grep -q '"/etc/mnt/file"' \
		|| fail "--cross-mounts did not descend"
	umount "$R/etc/mnt"
else
	echo "note: cannot mount tmpfs here; mount-point check skipped"
fi
chmod 0755 "$R/etc/locked"

# large files are hashed by streaming: a 1 GiB file costs no more memory
if [ -x /usr/bin/time ]; then
	B="$SCRATCH/big"
	mkdir -p "$B/etc"
	printf 'small' >"$B/etc/small"
	/usr/bin/time -f '%M' -o "$SCRATCH/rss1" "$AGENT" snapshot --root "$B" --path /etc -o "$SCRATCH/s1.drift" -q
	truncate -s 1G "$B/etc/huge"
	/usr/bin/time -f '%M' -o "$SCRATCH/rss2" "$AGENT" snapshot --root "$B" --path /etc -o "$SCRATCH/s2.drift" -q
	small=$(tail -n 1 "$SCRATCH/rss1"); big=$(tail -n 1 "$SCRATCH/rss2")
	[ $((big - small)) -lt 16384 ] || fail "memory grew with file size: ${small} KiB -> ${big} KiB"
	"$DRIFT" show --format json "$SCRATCH/s2.drift" | grep -q '"size": 1073741824' || fail "huge file not recorded"
fi
echo "ok: errors recorded, mounts respected, large files streamed"
