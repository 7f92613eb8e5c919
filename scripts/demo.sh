#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - install what is missing, build, and show drift's main job end to
# end on a sample host tree: snapshot, a change, a second snapshot, the diff.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh"
sh "$top/scripts/build.sh" "$top/build" --enable-werror
B="$top/build"
D=$(mktemp -d /tmp/drift-demo.XXXXXX)
trap 'rm -rf "$D"' EXIT

# A sample host: a few config files and a dpkg database.
R="$D/host"
mkdir -p "$R/etc/ssh" "$R/etc/nginx/sites-enabled" "$R/var/lib/dpkg"
printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n' >"$R/etc/passwd"
printf 'root:x:0:\nwww-data:x:33:\n' >"$R/etc/group"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$R/etc/os-release"
echo web01 >"$R/etc/hostname"
printf 'Port 22\nPermitRootLogin no\nPasswordAuthentication no\n' >"$R/etc/ssh/sshd_config"
chmod 600 "$R/etc/ssh/sshd_config"
printf 'server {\n    listen 80;\n    root /var/www/html;\n}\n' >"$R/etc/nginx/sites-enabled/default"
printf 'Package: nginx\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.22.1-9\n\nPackage: openssh-server\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:9.2p1-2+deb12u3\n' \
	>"$R/var/lib/dpkg/status"

echo "== snapshot before the change"
"$B/drift-agent" snapshot --root "$R" --path /etc -o "$D/before.drift"

echo "== someone changes the host: root login, a new site, an nginx upgrade"
sed -i 's/PermitRootLogin no/PermitRootLogin yes/' "$R/etc/ssh/sshd_config"
chmod 644 "$R/etc/ssh/sshd_config"
printf 'server {\n    listen 8080;\n}\n' >"$R/etc/nginx/sites-enabled/admin"
sed -i 's/^Version: 1.22.1-9$/Version: 1.22.1-9+deb12u1/' "$R/var/lib/dpkg/status"

echo "== snapshot after the change"
"$B/drift-agent" snapshot --root "$R" --path /etc -o "$D/after.drift"

echo "== drift diff before.drift after.drift"
set +e
"$B/drift" diff "$D/before.drift" "$D/after.drift"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "demo: expected changes (exit 1), got exit $rc" >&2; exit 1; }
echo "== done: drift diff exited 1 (changes found)"
