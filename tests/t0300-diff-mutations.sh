#!/bin/sh
# SPDX-License-Identifier: MIT
# t0300: drift diff reports each kind of mutation exactly, with the right
# attributes, package direction (dpkg ordering) and content diffs.
. "$DRIFT_SRC/tests/lib.sh"

R="$SCRATCH/root"
make_root "$R"
E="$R/etc"
mkdir -p "$E/app"
printf 'worker_processes 4;\nlisten 80;\nserver_name a;\n' >"$E/app/nginx.conf"
printf 'AAAA' >"$E/app/same-size"
touch -d '2026-01-01 00:00:00' "$E/app/same-size"
printf 'mode' >"$E/app/mode"
printf 'own' >"$E/app/own"
printf 'gone' >"$E/app/removed"
ln -s one "$E/app/link"
printf 'was a file' >"$E/app/typechange"

snap() { "$AGENT" snapshot --root "$R" --path /etc -o "$1" -q; }
snap "$SCRATCH/old.drift"
expect_exit 0 "$DRIFT" diff "$SCRATCH/old.drift" "$SCRATCH/old.drift"
grep -q '^no changes$' "$SCRATCH/out" || fail "identical baselines should say 'no changes'"

# the mutations
printf 'worker_processes 8;\nlisten 80;\nserver_name a;\n' >"$E/app/nginx.conf"
printf 'BBBB' >"$E/app/same-size"
touch -d '2026-01-01 00:00:00' "$E/app/same-size"
chmod 0600 "$E/app/mode"
chown 33:33 "$E/app/own"
printf 'new' >"$E/app/added"
rm "$E/app/removed"
ln -sfn two "$E/app/link"
rm "$E/app/typechange"; mkdir "$E/app/typechange"
sed -i 's/^Version: 1.22.1-9$/Version: 1.22.1-9+deb12u1/' "$R/var/lib/dpkg/status"
sed -i 's/^Version: 1:9.2p1-2+deb12u3$/Version: 1:9.2p1-2/' "$R/var/lib/dpkg/status"
python3 - "$R/var/lib/dpkg/status" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().split("\n\n")
s = [st for st in s if not st.startswith("Package: libc6")]
s.append("Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u8\n")
open(p, "w").write("\n\n".join(x.strip("\n") for x in s) + "\n")
PY
snap "$SCRATCH/new.drift"

expect_exit 1 "$DRIFT" diff --format json "$SCRATCH/old.drift" "$SCRATCH/new.drift"
cp "$SCRATCH/out" "$SCRATCH/diff.json"
python3 - "$SCRATCH/diff.json" <<'PY' || fail "diff json is wrong"
import json, sys
d = json.load(open(sys.argv[1]))
files = {c["path"]: c for c in d["changes"] if c["type"] == "file"}
pkgs = {c["name"]: c for c in d["changes"] if c["type"] == "package"}
def attrs(p): return set(files[p]["attributes"])
errors = []
def check(cond, what):
    if not cond: errors.append(what)
check("sha256" in attrs("/etc/app/same-size") and "size" not in attrs("/etc/app/same-size")
      and "mtime" not in attrs("/etc/app/same-size"), "content change with same size and mtime")
check(attrs("/etc/app/mode") == {"mode"}, "chmod: %s" % attrs("/etc/app/mode"))
check(files["/etc/app/mode"]["old"]["mode"] == "0644" and files["/etc/app/mode"]["new"]["mode"] == "0600", "mode values")
check({"uid", "gid"} <= attrs("/etc/app/own"), "chown")
check(files["/etc/app/added"]["change"] == "added", "added")
check(files["/etc/app/removed"]["change"] == "removed", "removed")
check("target" in attrs("/etc/app/link"), "symlink retarget")
check("type" in attrs("/etc/app/typechange"), "type change")
check("diff" in files["/etc/app/nginx.conf"] and "-worker_processes 4;" in files["/etc/app/nginx.conf"]["diff"]
      and "+worker_processes 8;" in files["/etc/app/nginx.conf"]["diff"], "content diff of a captured file")
check(pkgs["nginx"]["change"] == "upgraded" and pkgs["nginx"]["new_version"] == "1.22.1-9+deb12u1", "upgrade")
check(pkgs["openssh-server"]["change"] == "downgraded", "downgrade")
check(pkgs["curl"]["change"] == "installed", "install")
check(pkgs["libc6"]["change"] == "removed", "remove")
check(len(pkgs) == 4, "unexpected package changes: %s" % sorted(pkgs))
for e in errors: print("wrong:", e)
sys.exit(1 if errors else 0)
PY

expect_exit 1 "$DRIFT" diff "$SCRATCH/old.drift" "$SCRATCH/new.drift"
head -n 3 "$SCRATCH/out" | grep -q '^1 package upgraded, 1 downgraded, 1 installed, 1 removed; 6 files modified, 1 added, 1 removed$' \
	|| { cat "$SCRATCH/out"; fail "summary line"; }
grep -q '^      -worker_processes 4;$' "$SCRATCH/out" || fail "text diff shows the old line"
grep -q 'mode 0644 -> 0600' "$SCRATCH/out" || fail "text shows the mode change"
# packages come before files, and the sections are in order
awk '/^packages$/{p=NR} /^files$/{f=NR} END{exit !(p && f && p < f)}' "$SCRATCH/out" || fail "section order"
echo "ok: every mutation reported"
