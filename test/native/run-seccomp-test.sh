#!/bin/sh
# Builds test/native/seccomp_test.c against native/seccomp.c (gcc, libc only)
# in a temporary directory and runs it. Run as root, it also runs the tests a
# second time as user nobody (with setpriv, from util-linux): the kernel's own
# permission checks differ, and the filter must give the same answers either
# way. Exits non-zero on any failure.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
native=$(cd "$here/../../native" && pwd)
CC=${CC:-gcc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cordon-seccomp-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

$CC -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-missing-field-initializers \
	-Werror -O2 -g -pthread -I"$native" \
	-o "$tmp/seccomp_test" "$here/seccomp_test.c" "$native/seccomp.c"
# Reachable for nobody below.
chmod 755 "$tmp" "$tmp/seccomp_test"

status=0
"$tmp/seccomp_test" || status=1

if [ "$(id -u)" -eq 0 ]; then
	echo "# again as nobody"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$tmp/seccomp_test" || status=1
fi
exit $status
