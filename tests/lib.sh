# SPDX-License-Identifier: MIT
# lib.sh - what the integration tests share: paths, a scratch dir, failing loudly.

set -eu

: "${DRIFT_BUILD:?run through make check}"
: "${DRIFT_SRC:?run through make check}"
DRIFT="$DRIFT_BUILD/drift"
AGENT="$DRIFT_BUILD/drift-agent"
TEST_NAME=$(basename "$0" .sh)
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/drift-$TEST_NAME.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

# expect_exit CODE CMD...: run CMD, fail unless it exits with CODE.
expect_exit() {
	want=$1
	shift
	set +e
	"$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "--- stdout" >&2; head -c 4000 "$SCRATCH/out" >&2
		echo "--- stderr" >&2; head -c 4000 "$SCRATCH/err" >&2
		fail "'$*' exited $got, expected $want"
	fi
}

# make_root DIR: a small host image with users, groups, os-release and dpkg state.
make_root() {
	r=$1
	mkdir -p "$r/etc/ssh" "$r/var/lib/dpkg" "$r/usr/local/bin" "$r/opt"
	cat >"$r/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
fixture:x:4242:4343:Fixture:/nonexistent:/usr/sbin/nologin
PW
	cat >"$r/etc/group" <<'GR'
root:x:0:
daemon:x:1:
www-data:x:33:
shadow:x:42:
fixturegrp:x:4343:
GR
	cat >"$r/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
OS
	echo fixture-host >"$r/etc/hostname"
	echo 0123456789abcdef0123456789abcdef >"$r/etc/machine-id"
	printf 'Port 22\nPermitRootLogin no\n' >"$r/etc/ssh/sshd_config"
	chmod 0600 "$r/etc/ssh/sshd_config"
	printf 'root:$6$secret$hash:19000:0:99999:7:::\n' >"$r/etc/shadow"
	chmod 0640 "$r/etc/shadow"
	chgrp 42 "$r/etc/shadow"
	cat >"$r/var/lib/dpkg/status" <<'ST'
Package: openssh-server
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 1:9.2p1-2+deb12u3
Description: secure shell (SSH) server
 A longer description line.

Package: nginx
Status: install ok installed
Architecture: amd64
Version: 1.22.1-9

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9+deb12u7

Package: telnetd
Status: deinstall ok config-files
Architecture: amd64
Version: 0.17-44
ST
}

# --- a fleet on loopback: CA, collector, agents ---
COLLECTOR="$DRIFT_BUILD/drift-collector"
COLLECTOR_PID=

# make_pki DIR HOST...: a throwaway CA (drift ca), a server certificate for
# 127.0.0.1 and a client certificate per HOST.
make_pki() {
	pki=$1
	shift
	"$DRIFT" ca init --dir "$pki" >/dev/null || fail "drift ca init"
	"$DRIFT" ca issue 127.0.0.1 --server --dir "$pki" >/dev/null || fail "drift ca issue 127.0.0.1"
	for h in "$@"; do
		"$DRIFT" ca issue "$h" --dir "$pki" >/dev/null || fail "drift ca issue $h"
	done
}

# collector_config FILE PKI PORT STORE [MORE-YAML]
collector_config() {
	cat >"$1" <<YAML
listen: ["127.0.0.1:$3"]
tls: {ca: $2/ca.pem, cert: $2/127.0.0.1.pem, key: $2/127.0.0.1.key}
store: $4
YAML
	[ $# -lt 5 ] || printf '%s\n' "$5" >>"$1"
}

# agent_config FILE PKI PORT HOST SPOOL
agent_config() {
	cat >"$1" <<YAML
collector: https://127.0.0.1:$3
tls: {ca: $2/ca.pem, cert: $2/$4.pem, key: $2/$4.key}
paths: [/etc]
spool: {dir: $5}
YAML
}

# start_collector CONFIG: checked first (--check-config), then started in the
# background; waits (bounded, never a fixed sleep) for its ready file.
start_collector() {
	"$COLLECTOR" --config "$1" --check-config >/dev/null || fail "--check-config refused $1"
	ready="$SCRATCH/collector.ready"
	rm -f "$ready"
	"$COLLECTOR" --config "$1" --ready-file "$ready" 2>"$SCRATCH/collector.log" &
	COLLECTOR_PID=$!
	trap 'stop_collector_quietly; rm -rf "$SCRATCH"' EXIT
	n=0
	while [ ! -s "$ready" ]; do
		kill -0 "$COLLECTOR_PID" 2>/dev/null || { cat "$SCRATCH/collector.log" >&2; fail "drift-collector did not start"; }
		n=$((n + 1))
		[ "$n" -lt 600 ] || fail "drift-collector was not ready within a minute"
		sleep 0.1
	done
}

stop_collector_quietly() {
	[ -n "$COLLECTOR_PID" ] || return 0
	kill -9 "$COLLECTOR_PID" 2>/dev/null || true
	wait "$COLLECTOR_PID" 2>/dev/null || true
	COLLECTOR_PID=
}

# stop_collector: SIGTERM; fails unless it exits 0 (a clean shutdown).
stop_collector() {
	kill -TERM "$COLLECTOR_PID"
	set +e
	wait "$COLLECTOR_PID"
	rc=$?
	set -e
	COLLECTOR_PID=
	[ "$rc" = 0 ] || { cat "$SCRATCH/collector.log" >&2; fail "drift-collector exited $rc on SIGTERM, not 0"; }
}
