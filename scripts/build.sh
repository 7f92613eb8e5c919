#!/bin/sh
# SPDX-License-Identifier: MIT
# build.sh DIR [configure options...] - configure and build drift out of tree in DIR.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "$top/configure" -nt Makefile ]; then
	"$top/configure" -q "$@"
fi
make -s -j"$(nproc)" >/dev/null
