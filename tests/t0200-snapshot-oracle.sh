#!/bin/sh
# SPDX-License-Identifier: MIT
# t0200: drift-agent snapshot --root records every entry exactly as the tree is,
# checked against an independent oracle (python os.lstat + hashlib + dpkg-query).
. "$DRIFT_SRC/tests/lib.sh"

R="$SCRATCH/root"
make_root "$R"
E="$R/etc"
# every file type, special bits, odd owners and odd names
mkdir -p "$E/app/conf.d" "$E/empty"
printf 'listen 80;\n' >"$E/app/app.conf"
printf 'a' >"$E/app/setuid-bin"; chmod 4755 "$E/app/setuid-bin"
printf 'b' >"$E/app/setgid-bin"; chmod 2711 "$E/app/setgid-bin"
mkdir "$E/app/sticky"; chmod 1777 "$E/app/sticky"
ln -s ../app.conf "$E/app/conf.d/link"
ln -s /nonexistent/target "$E/app/dangling"
mkfifo "$E/app/fifo"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$E/app/socket"
if mknod "$E/app/null" c 1 3 2>/dev/null && mknod "$E/app/loop" b 7 0 2>/dev/null; then :; fi
printf 'x' >"$E/app/with space"
printf 'y' >"$E/app/with
newline"
printf 'z' >"$E/app/$(printf 'bad\377\376name')"
ln -s "$(printf 'target\377')" "$E/app/$(printf 'odd-link-\351')"
printf 'u' >"$E/app/unicode-é"
printf 'owned' >"$E/app/owned"; chown 4242:4343 "$E/app/owned"
printf 'nobody' >"$E/app/numeric"; chown 31337:31338 "$E/app/numeric"
head -c 3000000 /dev/urandom >"$E/app/large.bin"
: >"$E/app/empty-file"
printf 'text\0binary' >"$E/app/binary.dat"
cat >"$E/app/server.key" <<'KEY'
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
-----END PRIVATE KEY-----
KEY
cp "$E/app/server.key" "$E/app/innocent-name.conf"
# a directory that cannot be read and a file that cannot be opened, as root
# only possible to provoke for a non-root user; see the error test below.

timeout 120 "$AGENT" snapshot --root "$R" --path /etc --output "$SCRATCH/b.drift" -q \
	|| fail "snapshot failed or hung"
"$DRIFT" show --format json "$SCRATCH/b.drift" >"$SCRATCH/show.json" || fail "show failed"
python3 "$DRIFT_SRC/tests/oracle_snapshot.py" "$R" "$SCRATCH/show.json" /etc || fail "oracle disagrees"

# contents: config text kept, secrets, keys and binaries never
python3 - "$SCRATCH/show.json" <<'PY' || fail "capture rules"
import json, sys
files = {f["path"]: f for f in json.load(open(sys.argv[1]))["files"]}
want = {"/etc/app/app.conf": True, "/etc/ssh/sshd_config": True, "/etc/shadow": False,
        "/etc/app/server.key": False, "/etc/app/innocent-name.conf": False,
        "/etc/app/binary.dat": False, "/etc/app/large.bin": False, "/etc/app/empty-file": True}
bad = [p for p, w in want.items() if files[p]["content_captured"] != w]
for p in bad: print("content_captured of %s is %s" % (p, files[p]["content_captured"]))
sys.exit(1 if bad else 0)
PY
# the secret's bytes are nowhere in the bundle
mkdir "$SCRATCH/x" && tar -C "$SCRATCH/x" -xf "$SCRATCH/b.drift" || fail "bundle is not readable with tar"
if grep -rq 'secret\$hash' "$SCRATCH/x"; then fail "shadow content leaked into the bundle"; fi
if grep -rq 'MIIEvQIBADAN' "$SCRATCH/x"; then fail "private key leaked into the bundle"; fi
[ -f "$SCRATCH/x/baseline.pb" ] || fail "no baseline.pb in the bundle"

# packages: the independent oracle is dpkg-query on the same database
if command -v dpkg-query >/dev/null; then
	dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Package} ${Version} ${Architecture}\n' |
		sort >"$SCRATCH/pkg.want"
	python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["packages"]: print(p["name"], p["version"], p["arch"])' \
		"$SCRATCH/show.json" | sort >"$SCRATCH/pkg.got"
	diff -u "$SCRATCH/pkg.want" "$SCRATCH/pkg.got" || fail "packages differ from dpkg-query"
fi

# the text view names the host and lists odd names quoted, one per line
"$DRIFT" show "$SCRATCH/b.drift" >"$SCRATCH/show.txt"
grep -q '^fixture-host (Debian GNU/Linux 12 (bookworm))' "$SCRATCH/show.txt" || fail "text header"
grep -q '"/etc/app/with\\nnewline"' "$SCRATCH/show.txt" || fail "newline name not quoted"
grep -q '"/etc/app/bad\\377\\376name"' "$SCRATCH/show.txt" || fail "non-UTF-8 name not escaped"

# a fifo is never opened: the snapshot above finished; so must one of / with a fifo path
timeout 60 "$AGENT" snapshot --root "$R" --path /etc/app/fifo -o "$SCRATCH/f.drift" -q || fail "fifo path hung"
# one hashing thread or many: the same baseline
"$AGENT" snapshot --root "$R" --path /etc --jobs 1 -o "$SCRATCH/j1.drift" -q
expect_exit 0 "$DRIFT" diff "$SCRATCH/b.drift" "$SCRATCH/j1.drift"
echo "ok: snapshot matches the oracle"
