#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# oracle_snapshot.py - check `drift show --format json` against the tree itself,
# computed independently (os.lstat, hashlib, the fixture's own passwd/group).
import base64, hashlib, json, os, stat, sys

root, show_json = sys.argv[1], sys.argv[2]
paths = [p.encode() for p in sys.argv[3:]] or [b"/etc"]
doc = json.load(open(show_json))

def names(fname):
    m = {}
    try:
        for line in open(os.path.join(root, fname), "rb"):
            f = line.rstrip(b"\n").split(b":")
            if len(f) >= 3 and f[2].isdigit():
                m.setdefault(int(f[2]), f[0].decode())
    except FileNotFoundError:
        pass
    return m

users, groups = names("etc/passwd"), names("etc/group")
types = {stat.S_IFREG: "regular", stat.S_IFDIR: "directory", stat.S_IFLNK: "symlink",
         stat.S_IFIFO: "fifo", stat.S_IFSOCK: "socket", stat.S_IFCHR: "char", stat.S_IFBLK: "block"}

expect = {}
rootb = root.encode()
def visit(rec):
    real = rootb + rec
    st = os.lstat(real)
    e = {"type": types[stat.S_IFMT(st.st_mode)], "mode": "%04o" % (st.st_mode & 0o7777),
         "uid": st.st_uid, "gid": st.st_gid, "owner": users.get(st.st_uid),
         "group": groups.get(st.st_gid),
         "size": 0 if stat.S_ISDIR(st.st_mode) else st.st_size, "sha256": None, "target": None}
    if stat.S_ISREG(st.st_mode):
        e["sha256"] = hashlib.sha256(open(real, "rb").read()).hexdigest()
    if stat.S_ISLNK(st.st_mode):
        e["target"] = os.readlink(real)
    expect[rec] = e
    if stat.S_ISDIR(st.st_mode):
        for name in os.listdir(real):
            visit(rec.rstrip(b"/") + b"/" + name)
for p in paths:
    visit(p)

got = {}
for f in doc["files"]:
    p = base64.b64decode(f["path_b64"]) if "path_b64" in f else f["path"].encode()
    if p in got:
        sys.exit("duplicate path %r" % p)
    t = f["target"]
    if "target_b64" in f:
        t = base64.b64decode(f["target_b64"])
    elif t is not None:
        t = t.encode()
    got[p] = dict(f, target=t)

bad = 0
for p in sorted(set(expect) | set(got)):
    if p not in got:
        print("missing from baseline: %r" % p); bad += 1; continue
    if p not in expect:
        print("in baseline, not on disk: %r" % p); bad += 1; continue
    for k, v in expect[p].items():
        if got[p][k] != v:
            print("%r: %s is %r, expected %r" % (p, k, got[p][k], v)); bad += 1
order = [base64.b64decode(f["path_b64"]) if "path_b64" in f else f["path"].encode() for f in doc["files"]]
if order != sorted(order):
    print("files are not sorted by path bytes"); bad += 1
print("oracle: %d entries compared, %d mismatches" % (len(expect), bad))
sys.exit(1 if bad else 0)
