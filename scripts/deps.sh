#!/bin/sh
# SPDX-License-Identifier: MIT
# deps.sh - install what building and testing drift needs, if it is missing
# (Debian/Ubuntu with apt-get, RHEL/Fedora-like with dnf). Run as root.
set -eu

DEB_PKGS="build-essential autoconf automake libtool pkg-config libssl-dev \
libprotobuf-c-dev protobuf-c-compiler libyaml-dev libarchive-dev check \
libcurl4-openssl-dev libevent-dev libsqlite3-dev libzstd-dev sqlite3 librpm-dev rpm \
python3 zstd tar dpkg-dev util-linux"
# for the test suite only: sanitizers, libFuzzer and the reference tools the
# benchmarks compare against
DEB_TEST_PKGS="clang libclang-rt-14-dev aide openssl bc time"
RPM_PKGS="gcc make autoconf automake libtool pkgconf-pkg-config openssl-devel \
protobuf-c-devel protobuf-c-compiler libyaml-devel libarchive-devel check-devel \
libcurl-devel libevent-devel sqlite-devel libzstd-devel sqlite rpm-devel rpm-build python3 zstd tar \
dpkg util-linux libasan libubsan"
RPM_TEST_PKGS="clang compiler-rt aide openssl bc time"

want_test=${1:-}
if command -v apt-get >/dev/null 2>&1; then
	pkgs=$DEB_PKGS
	[ "$want_test" = test ] && pkgs="$pkgs $DEB_TEST_PKGS"
	missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "deps: installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
elif command -v dnf >/dev/null 2>&1; then
	pkgs=$RPM_PKGS
	[ "$want_test" = test ] && pkgs="$pkgs $RPM_TEST_PKGS"
	# protobuf-c-compiler, check-devel and aide live in CRB/EPEL on RHEL 9
	dnf -y -q install dnf-plugins-core >/dev/null 2>&1 || true
	dnf config-manager --set-enabled crb >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	dnf -y -q install $pkgs
else
	echo "deps: neither apt-get nor dnf found; install the packages listed in README.md" >&2
	exit 1
fi
