#!/bin/sh
# SPDX-License-Identifier: MIT
# t0510: the shipped standards load; hosts built to comply pass them, and hosts
# built to break named rules fail on exactly those rules, with the right status.
. "$DRIFT_SRC/tests/lib.sh"

P="$DRIFT_SRC/policies"

# findings FILE: "rule check severity status subject" per finding, sorted.
findings() {
	python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for f in sorted(doc["findings"], key=lambda f: (f["rule"], f["check"], f["subject"])):
    print(f["rule"], f["check"], f["severity"], f["status"], f["subject"])
PY
}

# expect_findings WANT-FILE: the last command's JSON findings are exactly those.
expect_findings() {
	findings "$SCRATCH/out" >"$SCRATCH/got" || fail "drift check printed no JSON"
	sort "$1" >"$SCRATCH/want"
	diff -u "$SCRATCH/want" "$SCRATCH/got" >&2 || fail "findings differ from $(basename "$1")"
}

snapshot() {
	"$AGENT" snapshot --root "$1" --path /etc --path /root/.ssh -o "$2" -q ||
		fail "snapshot of $1"
}

add_dpkg() {	# add_dpkg ROOT NAME VERSION [STATUS]
	printf '\nPackage: %s\nStatus: %s\nArchitecture: amd64\nVersion: %s\n' \
		"$2" "${4:-install ok installed}" "$3" >>"$1/var/lib/dpkg/status"
}

# --- a Debian 12 host that complies with debian12-base and the web role ---
D="$SCRATCH/deb"
make_root "$D"
E="$D/etc"
chmod 0644 "$E/passwd" "$E/group"
printf 'root:*::\nshadow:*::\n' >"$E/gshadow"
chgrp 42 "$E/gshadow"; chmod 0640 "$E/gshadow"
cp -p "$E/shadow" "$E/shadow-"
mkdir -p "$E/ssh/sshd_config.d"
# Debian's own layout: drop-ins first, the default as a comment, then the settings
cat >"$E/ssh/sshd_config" <<'EOF'
Include /etc/ssh/sshd_config.d/*.conf
#PermitRootLogin prohibit-password
#PasswordAuthentication yes
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding no
EOF
chmod 0644 "$E/ssh/sshd_config"
printf 'ClientAliveInterval 300\n' >"$E/ssh/sshd_config.d/50-local.conf"
printf 'not a key\n' >"$E/ssh/ssh_host_ed25519_key"; chmod 0600 "$E/ssh/ssh_host_ed25519_key"
printf 'ssh-ed25519 AAAA root@fixture\n' >"$E/ssh/ssh_host_ed25519_key.pub"
mkdir -p "$E/sudoers.d" "$E/cron.d" "$E/cron.daily" "$E/ssl/private" "$E/systemd" \
	"$E/nginx/sites-available" "$E/nginx/sites-enabled" "$D/root/.ssh"
printf 'root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n' >"$E/sudoers"
printf '# files here are read by sudo\n' >"$E/sudoers.d/README"
chmod 0440 "$E/sudoers" "$E/sudoers.d/README"
printf '17 * * * * root cd / && run-parts --report /etc/cron.hourly\n' >"$E/crontab"
printf '30 3 * * 0 root test -e /run/systemd/system || /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n' \
	>"$E/cron.d/e2scrub_all"
printf '#!/bin/sh\nexec logrotate /etc/logrotate.conf\n' >"$E/cron.daily/logrotate"
chmod 0755 "$E/cron.daily/logrotate"
chmod 0710 "$E/ssl/private"
printf 'not a key\n' >"$E/ssl/private/ssl-cert-snakeoil.key"; chmod 0640 "$E/ssl/private/ssl-cert-snakeoil.key"
printf '[Journal]\n#Storage=auto\n' >"$E/systemd/journald.conf"
ln -s /usr/share/zoneinfo/Etc/UTC "$E/localtime"	# lrwxrwxrwx, yet not "world-writable"
printf 'user www-data;\ninclude /etc/nginx/sites-enabled/*;\n' >"$E/nginx/nginx.conf"
printf 'server { listen 80; }\n' >"$E/nginx/sites-available/default"
ln -s ../sites-available/default "$E/nginx/sites-enabled/default"
chmod 0700 "$D/root/.ssh"
printf 'ssh-ed25519 AAAA admin@example\n' >"$D/root/.ssh/authorized_keys"
chmod 0600 "$D/root/.ssh/authorized_keys"
printf 'a=1\n' >"$E/foo.conf"
for p in chrony:4.3-2+deb12u1 rsyslog:8.2302.0-1 unattended-upgrades:2.9.1+nmu3 auditd:1:3.0.9-1; do
	add_dpkg "$D" "${p%%:*}" "${p#*:}"
done
# telnetd is in make_root's status as "deinstall ok config-files": not installed
grep -q '^Package: telnetd$' "$D/var/lib/dpkg/status" || fail "fixture lost telnetd"

snapshot "$D" "$SCRATCH/deb.drift"

# every shipped standard loads and evaluates (a load failure prints no JSON)
n=0
for f in "$P"/*.yaml; do
	name=$(sed -n 's/^standard: *//p' "$f")
	[ -n "$name" ] || fail "$f has no 'standard:' line"
	set +e
	"$DRIFT" check "$SCRATCH/deb.drift" --standard "$f" --format json >"$SCRATCH/out" 2>"$SCRATCH/err"
	rc=$?
	set -e
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["standard"] != sys.argv[2] or d["rules"] < 1)' \
		"$SCRATCH/out" "$name" || { cat "$SCRATCH/err" >&2; fail "$(basename "$f") did not load (exit $rc)"; }
	n=$((n + 1))
done
[ "$n" -ge 11 ] || fail "only $n shipped standards found in $P"

# the compliant host: no finding at all, for the base and the web entry file
for f in debian12-base debian12-web; do
	expect_exit 0 "$DRIFT" check "$SCRATCH/deb.drift" --standard "$P/$f.yaml" --format json
	: >"$SCRATCH/none"
	expect_findings "$SCRATCH/none"
	grep -q '"compliant": true' "$SCRATCH/out" || fail "$f: not reported compliant"
done
expect_exit 0 "$DRIFT" check "$SCRATCH/deb.drift" --standard "$P/debian12-base.yaml"
grep -q 'compliant with debian12-base' "$SCRATCH/out" || fail "text output does not say compliant"

# --- the same host breaking named rules ---
V="$SCRATCH/bad"
cp -a "$D" "$V"
E="$V/etc"
# root may log in with a password, and an uncommented "yes" comes first
sed -i 's/^PermitRootLogin prohibit-password$/PermitRootLogin yes/' "$E/ssh/sshd_config"
sed -i 's/^PasswordAuthentication no$/PasswordAuthentication yes\nPasswordAuthentication no/' \
	"$E/ssh/sshd_config"
chmod 0644 "$E/shadow"			# password hashes readable by all
chmod 0666 "$E/foo.conf"		# anyone can change configuration
sed -i '/^Package: telnetd$/,/^$/s/^Status: .*/Status: install ok installed/' "$V/var/lib/dpkg/status"
chown www-data "$E/nginx/sites-available/default"	# web role only
snapshot "$V" "$SCRATCH/bad.drift"

cat >"$SCRATCH/want-bad" <<'EOF'
etc-world-writable mode_max critical fail /etc/foo.conf
package:telnetd forbidden critical fail telnetd
shadow-perms mode_max critical fail /etc/shadow
ssh-login matches critical fail /etc/ssh/sshd_config
ssh-login not_contains critical fail /etc/ssh/sshd_config
ssh-login not_contains critical fail /etc/ssh/sshd_config
EOF
expect_exit 2 "$DRIFT" check "$SCRATCH/bad.drift" --standard "$P/debian12-base.yaml" --format json
expect_findings "$SCRATCH/want-bad"
grep -q '"compliant": false' "$SCRATCH/out" || fail "broken host reported compliant"
python3 - "$SCRATCH/out" <<'PY' || fail "remedies or descriptions missing"
import json, sys
by = {(f["rule"], f["check"]): f for f in json.load(open(sys.argv[1]))["findings"]}
assert by[("package:telnetd", "forbidden")]["remedy"].startswith("apt-get purge telnetd"), by
assert "0640" in by[("shadow-perms", "mode_max")]["message"], by
assert "sshd -t" in by[("ssh-login", "matches")]["remedy"], by
assert all(f["description"] for f in by.values()), "a finding without a description"
PY
# the web entry file adds the role's finding to the base's
cp "$SCRATCH/want-bad" "$SCRATCH/want-bad-web"
echo 'nginx-config-perms owner warning fail /etc/nginx/sites-available/default' >>"$SCRATCH/want-bad-web"
expect_exit 2 "$DRIFT" check "$SCRATCH/bad.drift" --standard "$P/debian12-web.yaml" --format json
expect_findings "$SCRATCH/want-bad-web"

# warnings only: X11 forwarding switched on, in the main file and a drop-in -> 1
W="$SCRATCH/warn"
cp -a "$D" "$W"
sed -i 's/^X11Forwarding no$/X11Forwarding yes/' "$W/etc/ssh/sshd_config"
printf 'X11Forwarding yes\n' >"$W/etc/ssh/sshd_config.d/60-x11.conf"
snapshot "$W" "$SCRATCH/warn.drift"
cat >"$SCRATCH/want-warn" <<'EOF'
ssh-dropins-hardening not_contains warning fail /etc/ssh/sshd_config.d/60-x11.conf
ssh-hardening not_contains warning fail /etc/ssh/sshd_config
EOF
expect_exit 1 "$DRIFT" check "$SCRATCH/warn.drift" --standard "$P/debian12-base.yaml" --format json
expect_findings "$SCRATCH/want-warn"

# info only: no automatic updates is recorded, and the host stays compliant
I="$SCRATCH/info"
cp -a "$D" "$I"
sed -i '/^Package: unattended-upgrades$/,/^$/s/^Status: .*/Status: deinstall ok config-files/' \
	"$I/var/lib/dpkg/status"
snapshot "$I" "$SCRATCH/info.drift"
echo 'automatic-security-updates installed info fail unattended-upgrades' >"$SCRATCH/want-info"
expect_exit 0 "$DRIFT" check "$SCRATCH/info.drift" --standard "$P/debian12-base.yaml" --format json
expect_findings "$SCRATCH/want-info"

# --- RHEL 9: the same, with a real rpm database ---
if [ "${HAVE_RPM:-0}" != 1 ] || ! command -v rpmbuild >/dev/null || ! command -v rpm >/dev/null; then
	echo "note: $TEST_NAME: rhel9-base not checked against a host (needs librpm, rpm and rpmbuild)"
	echo "ok: shipped standards load; Debian 12 hosts judged as built"
	exit 0
fi
top="$SCRATCH/rpmbuild"
mkdir -p "$top/SPECS"
for spec in openssh-server:8.7p1:38.el9_4.4 chrony:4.5:1.el9 rsyslog:8.2310.0:4.el9 \
    audit:3.1.2:2.el9 dnf-automatic:4.14.0:9.el9 telnet-server:0.17:85.el9; do
	IFS=: read -r name ver rel <<EOF
$spec
EOF
	cat >"$top/SPECS/$name.spec" <<SPEC
Name: $name
Version: $ver
Release: $rel
Summary: drift test package
License: MIT
BuildArch: noarch
%description
test
%files
SPEC
	rpmbuild --define "_topdir $top" --define '_build_id_links none' -bb "$top/SPECS/$name.spec" \
		>"$SCRATCH/rpmbuild.log" 2>&1 || { cat "$SCRATCH/rpmbuild.log"; fail "rpmbuild $name"; }
done

H="$SCRATCH/rhel"
make_root "$H"
rm -rf "$H/var/lib/dpkg"
E="$H/etc"
cat >"$E/os-release" <<'EOF'
NAME="Red Hat Enterprise Linux"
VERSION_ID="9.4"
ID="rhel"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
EOF
echo 'ssh_keys:x:996:' >>"$E/group"
chmod 0644 "$E/passwd" "$E/group"
printf 'root:::\n' >"$E/gshadow"
chgrp 0 "$E/shadow" "$E/gshadow"
chmod 0000 "$E/shadow" "$E/gshadow"
mkdir -p "$E/ssh/sshd_config.d" "$E/selinux" "$E/pki/tls/private" "$H/var/lib/rpm" "$H/root/.ssh"
cat >"$E/ssh/sshd_config" <<'EOF'
Include /etc/ssh/sshd_config.d/*.conf
#PermitRootLogin prohibit-password
#PasswordAuthentication yes
PermitRootLogin no
PasswordAuthentication no
EOF
printf 'SyslogFacility AUTHPRIV\nUsePAM yes\nPrintMotd no\n' >"$E/ssh/sshd_config.d/50-redhat.conf"
chmod 0600 "$E/ssh/sshd_config" "$E/ssh/sshd_config.d/50-redhat.conf"
printf 'not a key\n' >"$E/ssh/ssh_host_ecdsa_key"
chgrp 996 "$E/ssh/ssh_host_ecdsa_key"; chmod 0640 "$E/ssh/ssh_host_ecdsa_key"
printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' >"$E/selinux/config"
printf 'not a key\n' >"$E/pki/tls/private/localhost.key"; chmod 0600 "$E/pki/tls/private/localhost.key"
rpm --root "$H" --define '_dbpath /var/lib/rpm' --initdb
rpm --root "$H" --define '_dbpath /var/lib/rpm' -i --nodeps --justdb --noscripts \
	$(ls "$top"/RPMS/noarch/*.rpm | grep -v telnet-server) >/dev/null 2>&1 || fail "rpm -i --justdb"
snapshot "$H" "$SCRATCH/rhel.drift"
expect_exit 0 "$DRIFT" check "$SCRATCH/rhel.drift" --standard "$P/rhel9-base.yaml" --format json
: >"$SCRATCH/none"
expect_findings "$SCRATCH/none"
expect_exit 0 "$DRIFT" check "$SCRATCH/rhel.drift" --standard "$P/rhel9-web.yaml" --format json
expect_findings "$SCRATCH/none"
# the Debian base does not fit this host: shadow's group and mode differ
expect_exit 2 "$DRIFT" check "$SCRATCH/rhel.drift" --standard "$P/debian12-base.yaml" --format json
grep -q 'does not list host' "$SCRATCH/err" || fail "no note that debian12-base does not apply to RHEL"

# RHEL's vendor state is shadow 0000: a read bit for root alone is still a
# departure; telnet-server installed; password logins in an installer drop-in
cp -a "$H" "$SCRATCH/rhel-bad"
H="$SCRATCH/rhel-bad"
chmod 0400 "$H/etc/shadow"
printf 'PermitRootLogin yes\n' >"$H/etc/ssh/sshd_config.d/01-permitrootlogin.conf"
chmod 0600 "$H/etc/ssh/sshd_config.d/01-permitrootlogin.conf"
printf 'SELINUX=permissive\nSELINUXTYPE=targeted\n' >"$H/etc/selinux/config"
rpm --root "$H" --define '_dbpath /var/lib/rpm' -i --nodeps --justdb --noscripts \
	"$top"/RPMS/noarch/telnet-server-*.rpm >/dev/null 2>&1 || fail "rpm -i telnet-server"
snapshot "$H" "$SCRATCH/rhel-bad.drift"
cat >"$SCRATCH/want-rhel-bad" <<'EOF'
package:telnet-server forbidden critical fail telnet-server
selinux-enforcing matches warning fail /etc/selinux/config
shadow-perms mode critical fail /etc/shadow
ssh-dropins not_contains critical fail /etc/ssh/sshd_config.d/01-permitrootlogin.conf
EOF
expect_exit 2 "$DRIFT" check "$SCRATCH/rhel-bad.drift" --standard "$P/rhel9-base.yaml" --format json
expect_findings "$SCRATCH/want-rhel-bad"
python3 - "$SCRATCH/out" <<'PY' || fail "rpm hosts get dnf remedies"
import json, sys
by = {f["rule"]: f for f in json.load(open(sys.argv[1]))["findings"]}
assert by["package:telnet-server"]["remedy"].startswith("dnf remove telnet-server"), by
PY
echo "ok: shipped standards load; Debian 12 and RHEL 9 hosts judged as built"
