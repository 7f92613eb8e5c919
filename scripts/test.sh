#!/bin/sh
# SPDX-License-Identifier: MIT
# test.sh - install what is missing, build with -Werror, run the whole test
# suite, again under AddressSanitizer+UBSan, the fuzzers briefly, and
# make distcheck. Ends with one line: "tests: N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
sh "$top/scripts/deps.sh" test
cd "$top"
autoreconf -fi >/dev/null 2>&1

status=0
run_suite() {
	name=$1
	dir=$2
	shift 2
	echo "== $name"
	sh "$top/scripts/build.sh" "$dir" "$@"
	if ! make -s -C "$dir" -j"$(nproc)" check >"$dir/check.out" 2>&1; then
		status=1
		cat "$dir/check.out"
		for log in "$dir"/tests/*.log; do
			grep -q '^FAIL' "$log" 2>/dev/null && { echo "--- $log"; tail -n 60 "$log"; }
		done
	fi
	grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' "$dir/check.out" || true
}

run_suite "build and test (-Werror)" "$top/build" --enable-werror
run_suite "ASan+UBSan" "$top/build-asan" --enable-werror --enable-sanitizers

if command -v clang >/dev/null 2>&1; then
	echo "== fuzzing (brief)"
	sh "$top/scripts/build.sh" "$top/build-fuzz" CC=clang --enable-fuzzing --enable-sanitizers
	make -s -C "$top/build-fuzz" -j"$(nproc)" fuzzers >/dev/null
	for f in "$top"/build-fuzz/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		corpus="$top/build-fuzz/corpus-$name"
		seeds="$top/tests/fuzz/seeds-${name#fuzz_}"
		[ -d "$seeds" ] || { echo "FAIL: no seeds for $name"; status=1; continue; }
		mkdir -p "$corpus"
		if ! "$f" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=65536 "$corpus" \
			"$seeds" >"$corpus.log" 2>&1; then
			status=1
			tail -n 40 "$corpus.log"
			echo "FAIL: $(basename "$f")"
		else
			echo "PASS: $(basename "$f") ($(grep -c . "$corpus.log") log lines, no crash)"
		fi
	done
fi

echo "== make distcheck"
if make -s -C "$top/build" distcheck >"$top/build/distcheck.out" 2>&1; then
	echo "PASS: distcheck"
else
	status=1
	tail -n 60 "$top/build/distcheck.out"
	echo "FAIL: distcheck"
fi

# The packages are built, installed, upgraded and purged on this machine: CI
# machines are throwaway; elsewhere only when asked (DRIFT_TEST_PACKAGES=1).
if [ "${CI:-}" = true ] || [ "${DRIFT_TEST_PACKAGES:-}" = 1 ]; then
	if command -v dpkg-buildpackage >/dev/null 2>&1 || command -v apt-get >/dev/null 2>&1; then
		echo "== packages (deb and rpm: build, install, upgrade, purge)"
		if sh "$top/scripts/packages.sh" >"$top/build/packages.out" 2>&1; then
			echo "PASS: packages ($(tail -n 1 "$top/build/packages.out"))"
		else
			status=1
			tail -n 60 "$top/build/packages.out"
			echo "FAIL: packages"
		fi
	fi
fi

# one closing line over everything: unit checks counted one by one
passed=0
failed=0
for d in "$top/build" "$top/build-asan"; do
	p=$(grep -c '^PASS:' "$d/check.out" || true)
	f=$(grep -Ec '^(FAIL|ERROR):' "$d/check.out" || true)
	c=$(awk '/^[0-9]+%: Checks: /{gsub(",",""); print $3 - $5 - $7; exit}' "$d/tests/check_drift.log" 2>/dev/null || echo 0)
	passed=$((passed + p + ${c:-0} - 1))
	failed=$((failed + f))
done
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "tests: $passed passed, $failed failed"
exit $status
