#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - install what is missing, build, and run drift's main job end to
# end on loopback: a throwaway CA, a collector with its store, an agent
# reporting a sample host, a change on that host, a second report, then
# `drift hosts`, `drift report` and `drift check` against the shipped
# Debian 12 standard.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh" "$top/build" --enable-werror
B="$top/build"
D=$(mktemp -d /tmp/drift-demo.XXXXXX)
PORT=${DRIFT_DEMO_PORT:-18443}
cpid=""
cleanup() {
	if [ -n "$cpid" ]; then kill "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; fi
	rm -rf "$D"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

say "a throwaway CA, a certificate for the collector (127.0.0.1) and one for host web01"
"$B/drift" ca init --dir "$D/ca"
"$B/drift" ca issue 127.0.0.1 --server --dir "$D/ca"
"$B/drift" ca issue web01 --dir "$D/ca"

cat >"$D/collector.yaml" <<YAML
listen: ["127.0.0.1:$PORT"]
tls: {ca: $D/ca/ca.pem, cert: $D/ca/127.0.0.1.pem, key: $D/ca/127.0.0.1.key}
store: $D/store
standards: [$top/policies/debian12-base.yaml]
workers: 1
alert_check: 1s
alerts:
  - exec: $D/page.sh
YAML
# the "pager": every alert the collector raises, as JSON on stdin
printf '#!/bin/sh\ncat >>"%s"\n' "$D/pages.jsonl" >"$D/page.sh"
chmod +x "$D/page.sh"
say "the collector, on 127.0.0.1:$PORT"
"$B/drift-collector" --config "$D/collector.yaml" --check-config
"$B/drift-collector" --config "$D/collector.yaml" --ready-file "$D/ready" 2>"$D/collector.log" &
cpid=$!
i=0
while [ ! -s "$D/ready" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$cpid" 2>/dev/null; then
		cat "$D/collector.log" >&2
		echo "demo: the collector did not start" >&2
		exit 1
	fi
	sleep 0.1
done

# A sample host: a few config files and a dpkg database.
R="$D/web01"
mkdir -p "$R/etc/ssh" "$R/etc/nginx/sites-enabled" "$R/var/lib/dpkg"
printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n' >"$R/etc/passwd"
printf 'root:x:0:\nshadow:x:42:\nwww-data:x:33:\n' >"$R/etc/group"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$R/etc/os-release"
echo web01 >"$R/etc/hostname"
printf 'Port 22\nPermitRootLogin no\nPasswordAuthentication no\n' >"$R/etc/ssh/sshd_config"
chmod 600 "$R/etc/ssh/sshd_config"
printf 'server {\n    listen 80;\n    root /var/www/html;\n}\n' >"$R/etc/nginx/sites-enabled/default"
printf 'Package: nginx\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.22.1-9\n\nPackage: openssh-server\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:9.2p1-2+deb12u3\n' \
	>"$R/var/lib/dpkg/status"
cat >"$D/agent.yaml" <<YAML
collector: https://127.0.0.1:$PORT
tls: {ca: $D/ca/ca.pem, cert: $D/ca/web01.pem, key: $D/ca/web01.key}
paths: [/etc]
spool: {dir: $D/spool}
YAML

say "drift-agent run on web01: snapshot and send"
"$B/drift-agent" run --config "$D/agent.yaml" --root "$R"

say "someone changes web01: root login, a new site, an nginx upgrade"
sed -i 's/PermitRootLogin no/PermitRootLogin yes/' "$R/etc/ssh/sshd_config"
chmod 644 "$R/etc/ssh/sshd_config"
printf 'server {\n    listen 8080;\n}\n' >"$R/etc/nginx/sites-enabled/admin"
sed -i 's/^Version: 1.22.1-9$/Version: 1.22.1-9+deb12u1/' "$R/var/lib/dpkg/status"

say "drift-agent run on web01 again"
"$B/drift-agent" run --config "$D/agent.yaml" --root "$R"

say "drift hosts"
"$B/drift" hosts --store "$D/store"
say "drift report --since '1 hour ago'"
"$B/drift" report --store "$D/store" --since "1 hour ago"
say "drift check web01@latest against the Debian 12 base standard"
set +e
"$B/drift" check web01@latest --store "$D/store" --standard "$top/policies/debian12-base.yaml" --format nagios
set -e
say "drift alerts: the root login is critical, and nobody announced the change"
i=0
until grep -q '"cause": "unplanned"' "$D/pages.jsonl" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.1
done
set +e
"$B/drift" alerts --store "$D/store"
set -e
echo "(and the pager got them as JSON: $(wc -l <"$D/pages.jsonl" 2>/dev/null || echo 0) alerts)"
say "done"
