#!/bin/sh
# SPDX-License-Identifier: MIT
# t0220: with librpm, a real rpm database under --root is recorded exactly as
# rpm itself lists it (epoch included), beside dpkg's packages.
. "$DRIFT_SRC/tests/lib.sh"

[ "${HAVE_RPM:-0}" = 1 ] || skip "built without librpm"
command -v rpmbuild >/dev/null && command -v rpm >/dev/null || skip "rpm/rpmbuild not installed"

R="$SCRATCH/root"
make_root "$R"
top="$SCRATCH/rpmbuild"
mkdir -p "$top/SPECS" "$R/var/lib/rpm"
for spec in "tinyweb 2.4.57 3.el9 0" "legacy-tool 1.0 1 2"; do
	set -- $spec
	cat >"$top/SPECS/$1.spec" <<SPEC
Name: $1
Version: $2
Release: $3
$( [ "$4" != 0 ] && echo "Epoch: $4" )
Summary: drift test package
License: MIT
BuildArch: noarch
%description
test
%files
SPEC
	rpmbuild --define "_topdir $top" --define '_build_id_links none' -bb "$top/SPECS/$1.spec" \
		>"$SCRATCH/rpmbuild.log" 2>&1 || { cat "$SCRATCH/rpmbuild.log"; fail "rpmbuild $1"; }
done
rpm --root "$R" --define '_dbpath /var/lib/rpm' --initdb
rpm --root "$R" --define '_dbpath /var/lib/rpm' -i --nodeps --justdb --noscripts \
	"$top"/RPMS/noarch/*.rpm >/dev/null 2>&1 || fail "rpm -i --justdb"

"$AGENT" snapshot --root "$R" --path /etc -o "$SCRATCH/b.drift" -q || fail "snapshot"
"$DRIFT" show --format json "$SCRATCH/b.drift" >"$SCRATCH/show.json"
rpm --root "$R" --define '_dbpath /var/lib/rpm' -qa \
	--qf '%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}\n' | sort >"$SCRATCH/want"
python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["packages"]:
    if p["manager"] == "rpm": print(p["name"], p["version"], p["arch"])' "$SCRATCH/show.json" | sort >"$SCRATCH/got"
[ -s "$SCRATCH/want" ] || fail "rpm lists nothing"
diff -u "$SCRATCH/want" "$SCRATCH/got" || fail "rpm packages differ from rpm -qa"
grep -q '"manager": "dpkg", "name": "nginx"' "$SCRATCH/show.json" || fail "dpkg packages missing beside rpm"
echo "ok: rpm database recorded"
