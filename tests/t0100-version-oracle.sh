#!/bin/sh
# SPDX-License-Identifier: MIT
# t0100-version-oracle.sh - drift's version order and syntax checks against dpkg and rpm themselves.
#
# Every pair of tests/data/version-pairs.txt, then pseudo-random pairs from
# `version_cmp gen` (seed: $DRIFT_VERSION_SEED, default 100), is compared by
# drift and by the real tool:
#   dpkg --compare-versions A lt|eq B
#   rpm --eval '%{lua:print(rpm.vercmp(A, B))}'   (A and B passed through the
#                                                 environment: no quoting)
# and every dpkg version is also checked by `dpkg --validate-version`.
# One line per mismatch. Exit 0 pass, 1 fail, 77 when an oracle is missing
# (after checking with the other one).

DRIFT_BUILD=${DRIFT_BUILD:-.}
DRIFT_SRC=${DRIFT_SRC:-$(dirname "$0")/..}
cmp="$DRIFT_BUILD/tests/version_cmp"
pairs="$DRIFT_SRC/tests/data/version-pairs.txt"
seed=${DRIFT_VERSION_SEED:-100}
nrandom=${DRIFT_VERSION_RANDOM:-300}

if [ ! -x "$cmp" ]; then
	echo "error: '$cmp' not built" >&2
	exit 1
fi
if [ ! -r "$pairs" ]; then
	echo "error: '$pairs' not readable" >&2
	exit 1
fi

have_dpkg=0
have_rpm=0
command -v dpkg >/dev/null 2>&1 && have_dpkg=1
command -v rpm >/dev/null 2>&1 && have_rpm=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/drift-t0100.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

failed=0
checked=0
skipped=0
refused=0

# -1, 0, 1, or "error" when dpkg refuses a version.
dpkg_cmp() {
	dpkg --compare-versions "$1" lt "$2" 2>/dev/null
	case $? in
	0) echo -1; return ;;
	1) ;;
	*) echo error; return ;;
	esac
	dpkg --compare-versions "$1" eq "$2" 2>/dev/null
	case $? in
	0) echo 0 ;;
	1) echo 1 ;;
	*) echo error ;;
	esac
}

rpm_cmp() {
	out=$(DRIFT_VA=$1 DRIFT_VB=$2 rpm --eval \
	    '%{lua:print(rpm.vercmp(os.getenv("DRIFT_VA"), os.getenv("DRIFT_VB")))}' \
	    2>/dev/null)
	case $out in
	-1|0|1) echo "$out" ;;
	*) echo error ;;
	esac
}

# valid/invalid per dpkg --validate-version, or "deviation" where drift is
# stricter on purpose: an epoch with a sign, which dpkg's strtol() takes.
dpkg_valid() {
	case $1 in
	*:*)
		pre=${1%%:*}
		case $pre in
		[+-]*)
			case ${pre#?} in
			''|*[!0-9]*) ;;
			*) echo deviation; return ;;
			esac
			;;
		esac
		;;
	esac
	if dpkg --validate-version "$1" >/dev/null 2>&1; then
		echo valid
	else
		echo invalid
	fi
}

# check_pair ORIGIN MANAGER A B: refused pairs count as failures when they
# come from the table (the table must hold pairs the tool accepts).
check_pair() {
	origin=$1 m=$2 a=$3 b=$4
	case $m in
	dpkg) [ $have_dpkg = 1 ] || { skipped=$((skipped + 1)); return; } ;;
	rpm) [ $have_rpm = 1 ] || { skipped=$((skipped + 1)); return; } ;;
	*)
		echo "FAIL: $origin: unknown manager '$m'"
		failed=$((failed + 1))
		return
		;;
	esac
	# syntax first: refused versions are the interesting ones there
	if [ "$m" = dpkg ]; then
		for v in "$a" "$b"; do
			want=$(dpkg_valid "$v")
			[ "$want" = deviation ] && continue
			got=$("$cmp" check dpkg "$v")
			if [ "$got" != "$want" ]; then
				echo "FAIL: $origin: dpkg syntax of '$v': drift says $got, dpkg says $want"
				failed=$((failed + 1))
			fi
		done
	fi
	mine=$("$cmp" "$m" "$a" "$b")
	theirs=$(${m}_cmp "$a" "$b")
	if [ "$theirs" = error ]; then
		if [ "$origin" = random ]; then
			refused=$((refused + 1))
			return
		fi
		echo "FAIL: $origin: $m refuses '$a' or '$b'; fix the table"
		failed=$((failed + 1))
		return
	fi
	checked=$((checked + 1))
	if [ "$mine" != "$theirs" ]; then
		echo "FAIL: $origin: $m '$a' vs '$b': drift says $mine, $m says $theirs"
		failed=$((failed + 1))
	fi
}

lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case $line in
	''|'#'*) continue ;;
	esac
	set -f
	# shellcheck disable=SC2086
	set -- $line
	set +f
	if [ $# -ne 3 ]; then
		echo "FAIL: version-pairs.txt:$lineno: want 'manager a b', got '$line'"
		failed=$((failed + 1))
		continue
	fi
	check_pair "version-pairs.txt:$lineno" "$1" "$2" "$3"
done <"$pairs"

for m in dpkg rpm; do
	"$cmp" gen "$m" "$nrandom" "$seed" >"$tmp/$m.pairs" || {
		echo "FAIL: version_cmp gen $m failed"
		failed=$((failed + 1))
		continue
	}
	while read -r a b; do
		check_pair random "$m" "$a" "$b"
	done <"$tmp/$m.pairs"
done

echo "t0100: $checked pairs checked, $failed mismatches," \
    "$refused random pairs refused by the tool, $skipped skipped (seed $seed)"
[ $failed -eq 0 ] || exit 1
if [ $skipped -gt 0 ]; then
	[ $have_dpkg = 1 ] || echo "skip: dpkg not installed, dpkg pairs not checked"
	[ $have_rpm = 1 ] || echo "skip: rpm not installed, rpm pairs not checked"
	exit 77
fi
exit 0
