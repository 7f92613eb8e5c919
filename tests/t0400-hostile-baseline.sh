#!/bin/sh
# SPDX-License-Identifier: MIT
# t0400: truncated, corrupt or hostile baselines and bundles give
# "drift: FILE: why" and exit 2 from show and diff, never a crash.
. "$DRIFT_SRC/tests/lib.sh"

R="$SCRATCH/root"
make_root "$R"
printf 'hello\n' >"$R/etc/motd"
"$AGENT" snapshot --root "$R" --path /etc -o "$SCRATCH/good.drift" -q
mkdir "$SCRATCH/x"
tar -C "$SCRATCH/x" -xf "$SCRATCH/good.drift"
PB="$SCRATCH/x/baseline.pb"
"$DRIFT" show "$PB" >/dev/null || fail "a bare baseline.pb should be readable"

size=$(wc -c <"$SCRATCH/good.drift")
head -c $((size / 2)) "$SCRATCH/good.drift" >"$SCRATCH/truncated.drift"
pbsize=$(wc -c <"$PB")
head -c $((pbsize - 7)) "$PB" >"$SCRATCH/truncated.pb"
head -c 4096 /dev/urandom >"$SCRATCH/random.bin"
: >"$SCRATCH/empty"
printf 'not a baseline at all\n' >"$SCRATCH/text"
cp "$SCRATCH/good.drift" "$SCRATCH/flipped.drift"
printf '\377\377\377\377' | dd of="$SCRATCH/flipped.drift" bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
# a bundle whose content member does not match its digest
mkdir -p "$SCRATCH/y/content"
cp "$PB" "$SCRATCH/y/baseline.pb"
printf 'evil' >"$SCRATCH/y/content/0000000000000000000000000000000000000000000000000000000000000000"
tar -C "$SCRATCH/y" --zstd -cf "$SCRATCH/badhash.drift" baseline.pb content
# a bundle with no baseline, and one with traversal names
tar -C "$SCRATCH/y" --zstd -cf "$SCRATCH/nobaseline.drift" content
# a baseline from a newer format
python3 - "$SCRATCH/future.pb" <<'PY'
import sys
open(sys.argv[1], "wb").write(bytes([0x08, 99]))  # format_version = 99
PY
# a baseline with unsorted entries (two file records in the wrong order)
python3 - "$SCRATCH/unsorted.pb" <<'PY'
import sys
def rec(key, payload): return bytes([key, len(payload)]) + payload
def path(p): return rec(0x0a, p)
data = bytes([0x08, 1]) + rec(0x32, path(b"/z")) + rec(0x32, path(b"/a"))
open(sys.argv[1], "wb").write(data)
PY
python3 - "$SCRATCH/relative.pb" <<'PY'
import sys
data = bytes([0x08, 1, 0x32, 5, 0x0a, 3]) + b"etc"
open(sys.argv[1], "wb").write(data)
PY

python3 - "$SCRATCH" <<'PY'
import sys
d = sys.argv[1]
for name, path in (("dotdot.pb", b"/etc/../../tmp/escape"), ("dot.pb", b"/etc/./x"),
                   ("slashes.pb", b"/etc//x"), ("trailing.pb", b"/etc/")):
    entry = bytes([0x0a, len(path)]) + path
    open(d + "/" + name, "wb").write(bytes([0x08, 1, 0x32, len(entry)]) + entry)
PY
for f in dotdot.pb dot.pb slashes.pb trailing.pb; do
	expect_exit 2 "$DRIFT" show "$SCRATCH/$f"
	grep -q "empty, '.' or '..' component" "$SCRATCH/err" || { cat "$SCRATCH/err"; fail "$f: not refused for its path"; }
done

for f in truncated.drift truncated.pb random.bin empty text flipped.drift badhash.drift \
	nobaseline.drift future.pb unsorted.pb relative.pb; do
	expect_exit 2 "$DRIFT" show "$SCRATCH/$f"
	grep -q "^drift: $SCRATCH/$f: " "$SCRATCH/err" || { cat "$SCRATCH/err"; fail "$f: message does not name the file"; }
	expect_exit 2 "$DRIFT" diff "$SCRATCH/good.drift" "$SCRATCH/$f"
	expect_exit 2 "$DRIFT" diff --format json "$SCRATCH/$f" "$SCRATCH/good.drift"
done
grep -q 'newer than this drift' "$SCRATCH/err" || true
expect_exit 2 "$DRIFT" show "$SCRATCH/future.pb"
grep -q 'newer than this drift understands' "$SCRATCH/err" || fail "future format not explained"
expect_exit 2 "$DRIFT" show "$SCRATCH/badhash.drift"
grep -q 'does not match its SHA-256' "$SCRATCH/err" || fail "bad content digest not explained"
expect_exit 2 "$DRIFT" show "$SCRATCH/does-not-exist"
grep -q 'No such file' "$SCRATCH/err" || fail "missing file not explained"
expect_exit 2 "$DRIFT" show "$SCRATCH"
expect_exit 2 "$DRIFT" show --format yaml "$SCRATCH/good.drift"
echo "ok: hostile inputs refused cleanly"
