#!/bin/sh
# SPDX-License-Identifier: MIT
# packages.sh - build the .deb and .rpm packages from a `make dist` tarball
# and test them on this (Debian, root, no systemd PID 1) machine: lintian,
# install, files, user, units, the installed collector and agent talking on
# 127.0.0.1, an upgrade keeping spool, store and edited configs, remove and
# purge; then rpmbuild, rpmlint, rpm -qlp/--requires and an install into a
# throwaway rpm root. Ends with "packages: N passed, N failed".
#
# It installs and purges drift-agent and drift-collector on this machine:
# run it on a CI machine, not on a host whose drift packages you use.
# PACKAGES_CHECK=1 runs `make check` inside both package builds as well.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "packages: must run as root" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || { echo "packages: needs apt-get (Debian/Ubuntu)" >&2; exit 1; }

start=$(date +%s)
sh "$top/scripts/deps.sh"
missing=""
for p in debhelper lintian rpmlint rpm fakeroot adduser; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "packages: installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

W=$(mktemp -d /tmp/drift-packages.XXXXXX)
chmod 755 "$W"	# the collector runs as drift and writes its ready file below
cpid=""
npass=0
nfail=0
cleanup() {
	stop_collector
	if [ "${KEEP:-0}" = 1 ]; then echo "packages: left $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { npass=$((npass + 1)); echo "PASS: $*"; }
fail() { nfail=$((nfail + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: a PASS or FAIL line, never stops the script
check() {
	what=$1
	shift
	if "$@" >"$W/check.out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/    /' "$W/check.out"; fi
}
die() { fail "$*"; echo "packages: $npass passed, $nfail failed"; exit 1; }
# run a command as the user drift, as the unit does (User=drift)
as_drift() { setpriv --reuid drift --regid drift --init-groups -- "$@"; }

stop_collector() {
	if [ -n "$cpid" ]; then
		kill "$cpid" 2>/dev/null || true
		wait "$cpid" 2>/dev/null || true
		cpid=""
	fi
}
start_collector() {
	rm -f "$W/run/ready"
	# setpriv execs the collector: $! is the collector itself
	setpriv --reuid drift --regid drift --init-groups -- /usr/sbin/drift-collector --ready-file "$W/run/ready" 2>>"$W/collector.log" &
	cpid=$!
	i=0
	while [ ! -s "$W/run/ready" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$cpid" 2>/dev/null; then
			cat "$W/collector.log"
			cpid=""
			die "the installed collector did not start"
		fi
		sleep 0.1
	done
}

# Leftovers of an earlier run would make every check below meaningless.
for p in drift-agent drift-collector; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qv 'not-installed'; then
		echo "packages: purging the $p left installed by an earlier run"
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "$p" >/dev/null
	fi
done
if getent passwd drift >/dev/null; then
	echo "packages: deleting the user drift left by an earlier run"
	userdel drift
	getent group drift >/dev/null && groupdel drift
fi
rm -rf /var/lib/drift /etc/drift

echo "== make dist"
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$W/dist"
(cd "$W/dist" && "$top/configure" -q && make -s dist >/dev/null)
tarball=$(ls "$W"/dist/drift-*.tar.gz)
base=$(basename "$tarball" .tar.gz)
version=${base#drift-}
echo "$tarball"

# src REV: an unpacked tarball for the packages' revision REV (1 or 2).
# Revision 2 also ships changed example configs, so upgrading to it
# meets an edited conffile that the package changed too.
src() {
	rev=$1
	d="$W/src$rev"
	mkdir -p "$d"
	tar -xzf "$tarball" -C "$d"
	t="$d/$base"
	if [ "$rev" != 1 ]; then
		echo "# revision $rev" >>"$t/packaging/agent.yaml"
		echo "# revision $rev" >>"$t/packaging/collector.yaml"
		{
			printf 'drift (%s-%s) unstable; urgency=medium\n\n' "$version" "$rev"
			printf '  * Test rebuild.\n\n'
			printf ' -- drift maintainers <maintainers@users.noreply.h-seed-d894b44a.example>  %s\n\n' "$(date -R)"
			cat "$t/packaging/debian/changelog"
		} >"$t/packaging/debian/changelog.new"
		mv "$t/packaging/debian/changelog.new" "$t/packaging/debian/changelog"
		sed -i "s/^Release:\([[:space:]]*\)1%/Release:\1$rev%/" "$t/packaging/rpm/drift.spec"
	fi
	echo "$t"
}

# build_deb REV: the .deb files of revision REV in $W/src$REV
build_deb() {
	t=$(src "$1")
	cp -R "$t/packaging/debian" "$t/debian"
	chmod +x "$t/debian/rules"
	opts="parallel=$(nproc)"
	[ "${PACKAGES_CHECK:-0}" = 1 ] || opts="$opts nocheck"
	if ! (cd "$t" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -b -us -uc) >"$W/deb$1.log" 2>&1; then
		tail -n 40 "$W/deb$1.log"
		die "dpkg-buildpackage (revision $1)"
	fi
	pass "dpkg-buildpackage $version-$1"
}

echo "== .deb: build"
build_deb 1
D1="$W/src1"
deb_agent="$D1/drift-agent_${version}-1_$(dpkg --print-architecture).deb"
deb_collector="$D1/drift-collector_${version}-1_$(dpkg --print-architecture).deb"
[ -f "$deb_agent" ] && [ -f "$deb_collector" ] || die "no drift-agent and drift-collector .deb"

# Every lintian tag left must be explained in packaging/README.md.
lintian --pedantic -I "$D1"/drift_"${version}"-1_*.changes >"$W/lintian.out" 2>&1 || true
unexplained=""
for tag in $(sed -n 's/^[EWIPX]: [^:]*: \([a-z0-9+.-]*\).*/\1/p' "$W/lintian.out" | sort -u); do
	grep -q "\`$tag\`" "$top/packaging/README.md" || unexplained="$unexplained $tag"
done
if [ -z "$unexplained" ]; then pass "lintian: every tag is explained in packaging/README.md"
else fail "lintian tags not explained in packaging/README.md:$unexplained"; cat "$W/lintian.out"; fi

echo "== .deb: install"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb_agent" "$deb_collector" >"$W/install.log" 2>&1; then
	cat "$W/install.log"
	die "apt-get install of the .deb files"
fi
pass "apt-get install"

for f in /usr/sbin/drift-agent /usr/sbin/drift-collector /usr/bin/drift \
    /etc/drift/agent.yaml /etc/drift/collector.yaml \
    /lib/systemd/system/drift-agent.service /lib/systemd/system/drift-agent.timer \
    /lib/systemd/system/drift-collector.service \
    /usr/share/man/man8/drift-agent.8.gz /usr/share/man/man8/drift-collector.8.gz \
    /usr/share/man/man1/drift.1.gz /usr/share/man/man5/drift-standard.5.gz; do
	check "installed: $f" test -s "$f"
done
# the shipped standards, exactly the tree's policies/*.yaml
(cd "$top/policies" && ls ./*.yaml) >"$W/policies.want"
(cd /usr/share/drift/policies && ls ./*.yaml) >"$W/policies.got" 2>&1 || true
check "installed: the standards of policies/ in /usr/share/drift/policies" cmp "$W/policies.want" "$W/policies.got"
check "conffile: /etc/drift/agent.yaml" sh -c "dpkg-query -W -f='\${Conffiles}' drift-agent | grep -q '^ /etc/drift/agent.yaml '"
check "conffile: /etc/drift/collector.yaml" sh -c "dpkg-query -W -f='\${Conffiles}' drift-collector | grep -q '^ /etc/drift/collector.yaml '"

# Dependencies: every library the installed binaries need (readelf), by
# the package that holds it (dpkg -S), must be a declared dependency.
deps_cover() {
	pkg=$1
	shift
	dep=$(dpkg-query -W -f='${Depends}' "$pkg")
	for bin in "$@"; do
		for so in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
			[ -n "$path" ] || { echo "$bin: $so not found"; return 1; }
			owner=$(dpkg -S "$(readlink -f "$path")" | sed -n '1s/:.*//p')
			owner=${owner%%:*}
			echo "$dep" | tr ',' '\n' | grep -q "^ *$owner\( \|$\)" ||
			    { echo "$bin needs $so of $owner, not in Depends: $dep"; return 1; }
		done
	done
}
check "drift-agent depends on the packages of its shared libraries" deps_cover drift-agent /usr/sbin/drift-agent
check "drift-collector depends on the packages of its shared libraries" \
    deps_cover drift-collector /usr/sbin/drift-collector /usr/bin/drift

check "user drift exists, system uid, no login shell" sh -c '
	ent=$(getent passwd drift) || exit 1
	uid=$(echo "$ent" | cut -d: -f3); sh=$(echo "$ent" | cut -d: -f7)
	[ "$uid" -lt 1000 ] && [ "$sh" = /usr/sbin/nologin ] && getent group drift >/dev/null'
check "store /var/lib/drift/store: drift:drift 0750" sh -c '[ "$(stat -c %U:%G:%a /var/lib/drift/store)" = drift:drift:750 ]'
check "spool /var/lib/drift/spool: root:root 0700" sh -c '[ "$(stat -c %U:%G:%a /var/lib/drift/spool)" = root:root:700 ]'

if command -v systemd-analyze >/dev/null 2>&1; then
	for u in drift-agent.service drift-agent.timer drift-collector.service; do
		# verify prints what it finds wrong; clean means no output at all
		check "systemd-analyze verify $u" sh -c "out=\$(systemd-analyze verify --man=no /lib/systemd/system/$u 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
	done
	check "systemd-analyze security: drift-collector hardened (exposure < 2.5)" sh -c '
		out=$(systemd-analyze security --offline=yes --threshold=25 /lib/systemd/system/drift-collector.service 2>&1)
		rc=$?; echo "$out" | tail -n 3; [ $rc = 0 ]'
	check "systemd-analyze security: drift-agent hardened (exposure < 3.0)" sh -c '
		out=$(systemd-analyze security --offline=yes --threshold=30 /lib/systemd/system/drift-agent.service 2>&1)
		rc=$?; echo "$out" | tail -n 3; [ $rc = 0 ]'
else
	echo "SKIP: systemd-analyze not installed"
fi

echo "== .deb: the installed collector and agent on 127.0.0.1"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/drift ca init --dir "$W/ca" >/dev/null
/usr/bin/drift ca issue 127.0.0.1 --server --dir "$W/ca" >/dev/null
/usr/bin/drift ca issue pkghost --dir "$W/ca" >/dev/null
install -m 0644 "$W/ca/ca.pem" /etc/drift/ca.pem
install -m 0644 "$W/ca/127.0.0.1.pem" /etc/drift/collector.pem
install -m 0640 -g drift "$W/ca/127.0.0.1.key" /etc/drift/collector.key
install -m 0644 "$W/ca/pkghost.pem" /etc/drift/agent.pem
install -m 0600 "$W/ca/pkghost.key" /etc/drift/agent.key
# edited configs: the upgrade must keep them
cat >>/etc/drift/collector.yaml <<YAML
listen: ["127.0.0.1:$port"]
standards: [/usr/share/drift/policies/debian12-base.yaml]
workers: 1
YAML
cat >>/etc/drift/agent.yaml <<YAML
collector: https://127.0.0.1:$port
tls: {ca: /etc/drift/ca.pem, cert: /etc/drift/agent.pem, key: /etc/drift/agent.key}
paths: [/etc]
YAML
cp /etc/drift/agent.yaml "$W/agent.yaml.edited"
cp /etc/drift/collector.yaml "$W/collector.yaml.edited"
# a small host to observe, so the test does not hash this machine's /etc
H="$W/host"
mkdir -p "$H/etc" "$H/var/lib/dpkg"
printf 'ID=debian\nVERSION_ID="12"\n' >"$H/etc/os-release"
echo pkghost >"$H/etc/hostname"
printf 'Port 22\n' >"$H/etc/sshd_config"
: >"$H/var/lib/dpkg/status"
mkdir -p "$W/run"
chown drift:drift "$W/run"

start_collector
check "drift-collector --check-config (as drift)" as_drift /usr/sbin/drift-collector --check-config
check "drift-agent run (installed, /etc/drift/agent.yaml) sends to the installed collector" \
    /usr/sbin/drift-agent run --quiet --root "$H"
check "drift hosts lists pkghost (installed CLI, as drift)" sh -c \
    "setpriv --reuid drift --regid drift --init-groups -- /usr/bin/drift hosts | grep -q pkghost"
stop_collector
# the collector is down: the next run spools and exits 75
echo 'PermitRootLogin no' >>"$H/etc/sshd_config"
set +e
/usr/sbin/drift-agent run --quiet --root "$H" 2>"$W/agent75.log"
rc=$?
set -e
if [ $rc = 75 ]; then pass "drift-agent run with the collector down exits 75"; else fail "drift-agent run with the collector down exited $rc"; cat "$W/agent75.log"; fi
ls /var/lib/drift/spool >"$W/spool.before"
check "the spool holds the unsent snapshot" test -s "$W/spool.before"
find /var/lib/drift/store -type f -exec sha256sum {} + | sort >"$W/store.before"
check "the store has files" test -s "$W/store.before"

echo "== .deb: upgrade to $version-2"
build_deb 2
D2="$W/src2"
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confold \
    "$D2/drift-agent_${version}-2_$(dpkg --print-architecture).deb" \
    "$D2/drift-collector_${version}-2_$(dpkg --print-architecture).deb" >"$W/upgrade.log" 2>&1; then
	cat "$W/upgrade.log"
	die "apt-get install of the $version-2 .deb files"
fi
check "upgraded to $version-2" sh -c "[ \"\$(dpkg-query -W -f='\${Version} ' drift-agent drift-collector)\" = '$version-2 $version-2 ' ]"
check "edited /etc/drift/agent.yaml kept" cmp "$W/agent.yaml.edited" /etc/drift/agent.yaml
check "edited /etc/drift/collector.yaml kept" cmp "$W/collector.yaml.edited" /etc/drift/collector.yaml
check "the new agent.yaml offered as agent.yaml.dpkg-dist" grep -q '^# revision 2' /etc/drift/agent.yaml.dpkg-dist
ls /var/lib/drift/spool >"$W/spool.after"
check "the spool survived the upgrade" cmp "$W/spool.before" "$W/spool.after"
find /var/lib/drift/store -type f -exec sha256sum {} + | sort >"$W/store.after"
check "the store survived the upgrade unchanged" cmp "$W/store.before" "$W/store.after"
start_collector
check "the upgraded agent sends the spooled snapshot" /usr/sbin/drift-agent run --quiet --no-snapshot
check "the spool is empty after sending" sh -c '[ -z "$(ls /var/lib/drift/spool | grep -v "^refused$")" ]'
check "drift hosts after the upgrade: pkghost with two baselines" sh -c \
    "setpriv --reuid drift --regid drift --init-groups -- /usr/bin/drift hosts --format json >'$W/hosts.json' &&
     python3 -c 'import json, sys; h = json.load(open(sys.argv[1]))[\"hosts\"]; print(h); sys.exit(not any(x[\"host\"] == \"pkghost\" and x[\"baselines\"] == 2 for x in h))' '$W/hosts.json'"
stop_collector
rm -f /etc/drift/agent.yaml.dpkg-dist /etc/drift/collector.yaml.dpkg-dist

echo "== .deb: remove, then purge"
# one snapshot left in the spool (the collector is down): removal keeps it
set +e
/usr/sbin/drift-agent run --quiet --root "$H" 2>/dev/null
set -e
ls /var/lib/drift/spool >"$W/spool.before"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq drift-agent drift-collector >"$W/remove.log" 2>&1 ||
    { cat "$W/remove.log"; die "apt-get remove"; }
check "removed: no binaries" sh -c '! [ -e /usr/sbin/drift-agent ] && ! [ -e /usr/sbin/drift-collector ] && ! [ -e /usr/bin/drift ]'
check "removed: configs kept" sh -c 'cmp /etc/drift/agent.yaml "$0" && cmp /etc/drift/collector.yaml "$1"' \
    "$W/agent.yaml.edited" "$W/collector.yaml.edited"
check "removed: store kept" sh -c "find /var/lib/drift/store -type f -exec sha256sum {} + | grep -q ."
ls /var/lib/drift/spool >"$W/spool.after" 2>&1 || true
check "removed: the spooled snapshot kept" sh -c "grep -qv '^refused\$' '$W/spool.before' && cmp '$W/spool.before' '$W/spool.after'"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq drift-agent drift-collector >"$W/purge.log" 2>&1 ||
    { cat "$W/purge.log"; die "apt-get purge"; }
check "purged: configs gone" sh -c '! [ -e /etc/drift/agent.yaml ] && ! [ -e /etc/drift/collector.yaml ]'
check "purged: /var/lib/drift gone" sh -c '! [ -e /var/lib/drift ]'
check "purged: dpkg knows no drift package" sh -c \
    "! dpkg-query -W -f='\${Status}\n' drift-agent drift-collector 2>/dev/null | grep -qv not-installed"
rm -f /etc/drift/ca.pem /etc/drift/collector.pem /etc/drift/collector.key /etc/drift/agent.pem /etc/drift/agent.key
rmdir /etc/drift 2>/dev/null || true
userdel drift 2>/dev/null || true
getent group drift >/dev/null && groupdel drift

echo "== .rpm: rpmbuild -ta"
# build_rpm REV: rpmbuild -ta on a tarball of revision REV
build_rpm() {
	rev=$1
	if [ "$rev" = 1 ]; then t=$tarball; else
		mkdir -p "$W/rpmsrc$rev"
		tar -czf "$W/rpmsrc$rev/$base.tar.gz" -C "$W/src$rev" "$base"
		t="$W/rpmsrc$rev/$base.tar.gz"
	fi
	check_opt=--nocheck
	[ "${PACKAGES_CHECK:-0}" = 1 ] && check_opt=""
	# --nodeps: BuildRequires name RHEL/Fedora packages, not in this rpmdb
	if ! rpmbuild -ta --nodeps $check_opt --define "_topdir $W/rpm$rev" "$t" >"$W/rpm$rev.log" 2>&1; then
		tail -n 40 "$W/rpm$rev.log"
		die "rpmbuild -ta (release $rev)"
	fi
	pass "rpmbuild -ta $version-$rev"
}
build_rpm 1
arch=$(rpm --eval '%{_arch}')
rpm_agent=$(ls "$W"/rpm1/RPMS/"$arch"/drift-agent-"$version"-1*.rpm)
rpm_collector=$(ls "$W"/rpm1/RPMS/"$arch"/drift-collector-"$version"-1*.rpm)
rpm -qlp "$rpm_agent" >"$W/rpm-agent.files"
rpm -qlp "$rpm_collector" >"$W/rpm-collector.files"
for f in /usr/sbin/drift-agent /etc/drift/agent.yaml /usr/lib/systemd/system/drift-agent.service \
    /usr/lib/systemd/system/drift-agent.timer /var/lib/drift/spool; do
	check "rpm -qlp drift-agent: $f" grep -qx "$f" "$W/rpm-agent.files"
done
check "rpm -qlp drift-agent: drift-agent(8)" grep -q '^/usr/share/man/man8/drift-agent\.8' "$W/rpm-agent.files"
for f in /usr/sbin/drift-collector /usr/bin/drift /etc/drift/collector.yaml \
    /usr/lib/systemd/system/drift-collector.service /usr/lib/sysusers.d/drift.conf \
    /usr/share/drift/policies/debian12-base.yaml /var/lib/drift/store; do
	check "rpm -qlp drift-collector: $f" grep -qx "$f" "$W/rpm-collector.files"
done
for m in man1/drift.1 man5/drift-standard.5 man8/drift-collector.8; do
	check "rpm -qlp drift-collector: $m" grep -q "^/usr/share/man/$m" "$W/rpm-collector.files"
done
check "rpm: configs are %config(noreplace)" sh -c "
	rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' '$rpm_agent' '$rpm_collector' >'$W/fflags'
	grep -qx '/etc/drift/agent.yaml cn' '$W/fflags' && grep -qx '/etc/drift/collector.yaml cn' '$W/fflags'"
check "rpm: the store belongs to drift:drift 0750" sh -c \
    "rpm -qp --qf '[%{FILENAMES} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILEMODES:perms}\n]' '$rpm_collector' | grep -qx '/var/lib/drift/store drift:drift drwxr-x---'"
check "rpm: drift-collector %pre creates the user drift" sh -c \
    "rpm -qp --scripts '$rpm_collector' | grep -q 'useradd -r -g drift'"
# --requires: every library the packaged binaries need (readelf on the
# payload) must be required by soname
rpm_requires_cover() {
	pkg=$1
	x="$W/x-$(basename "$pkg")"
	mkdir -p "$x"
	(cd "$x" && rpm2cpio "$pkg" | cpio -idm --quiet)
	rpm -qp --requires "$pkg" >"$x.requires"
	for bin in "$x"/usr/sbin/* "$x"/usr/bin/*; do
		[ -f "$bin" ] || continue
		for so in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			grep -q "^$so()" "$x.requires" || { echo "$bin needs $so, not in --requires"; cat "$x.requires"; return 1; }
		done
	done
}
check "rpm -qp --requires drift-agent covers its libraries" rpm_requires_cover "$rpm_agent"
check "rpm -qp --requires drift-collector covers its libraries" rpm_requires_cover "$rpm_collector"

# Every rpmlint finding left must be explained in packaging/README.md.
rpmlint "$rpm_agent" "$rpm_collector" >"$W/rpmlint.out" 2>&1 || true
unexplained=""
for tag in $(sed -n 's/^[^ ]*: [EW]: \([a-z0-9-]*\).*/\1/p' "$W/rpmlint.out" | sort -u); do
	grep -q "\`$tag\`" "$top/packaging/README.md" || unexplained="$unexplained $tag"
done
if [ -z "$unexplained" ]; then pass "rpmlint: every finding is explained in packaging/README.md"
else fail "rpmlint findings not explained in packaging/README.md:$unexplained"; cat "$W/rpmlint.out"; fi

echo "== .rpm: install, upgrade and erase in a throwaway --root"
R="$W/rpmroot"
mkdir -p "$R"
rpm --root "$R" --initdb
# --nodeps: the root holds no libc; --noscripts: nor a shell to run them
check "rpm -i --root" rpm --root "$R" -i --nodeps --noscripts "$rpm_agent" "$rpm_collector"
check "rpm -qa --root: both packages" sh -c "[ \"\$(rpm --root '$R' -qa --qf '%{NAME}\n' | sort | tr '\n' ' ')\" = 'drift-agent drift-collector ' ]"
check "rpm --root: files in place" sh -c "test -x '$R/usr/sbin/drift-agent' && test -x '$R/usr/sbin/drift-collector' && test -s '$R/etc/drift/agent.yaml'"
echo '# edited' >>"$R/etc/drift/agent.yaml"
cp "$R/etc/drift/agent.yaml" "$W/rpm-agent.yaml.edited"
build_rpm 2
check "rpm -U --root to release 2" rpm --root "$R" -U --nodeps --noscripts \
    "$W"/rpm2/RPMS/"$arch"/drift-agent-"$version"-2*.rpm "$W"/rpm2/RPMS/"$arch"/drift-collector-"$version"-2*.rpm
check "rpm -U: the edited agent.yaml kept, the new one as .rpmnew" sh -c \
    "cmp '$W/rpm-agent.yaml.edited' '$R/etc/drift/agent.yaml' && grep -q '^# revision 2' '$R/etc/drift/agent.yaml.rpmnew'"
check "rpm -U: the unedited collector.yaml replaced" grep -q '^# revision 2' "$R/etc/drift/collector.yaml"
echo data >"$R/var/lib/drift/store/drift.db"
check "rpm -e --root" rpm --root "$R" -e --nodeps --noscripts drift-agent drift-collector
check "rpm -e: the edited config saved as .rpmsave" test -s "$R/etc/drift/agent.yaml.rpmsave"
check "rpm -e: the store's data kept" test -s "$R/var/lib/drift/store/drift.db"
check "rpm -e: the binaries gone" sh -c "! [ -e '$R/usr/sbin/drift-agent' ]"

echo "packages: took $(($(date +%s) - start))s"
echo "packages: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
