#!/bin/sh
# /init of the kernel matrix's initramfs (test/kernels/run.mjs builds it):
# mounts the pseudo filesystems, runs the scenarios with the expectations
# given on the kernel command line, and powers off. Everything goes to the
# serial console, where the runner reads the RESULT lines.
#
# Kernel parameters read here (the kernel ignores dotted unknown ones):
#   cordon.expect=N   EXPECT_ABI for scenarios.sh (an ABI, or -errno)
#   cordon.row=NAME   the matrix row, echoed back for the log
export PATH=/usr/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
hostname cordon-kernels
# Loopback up, as on any real host: the UDP scenario sends to 127.0.0.1.
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up

EXPECT_ABI=
ROW=
for arg in $(cat /proc/cmdline); do
	case $arg in
	cordon.expect=*) EXPECT_ABI=${arg#cordon.expect=} ;;
	cordon.row=*) ROW=${arg#cordon.row=} ;;
	esac
done
echo "BEGIN row=$ROW kernel=$(uname -r) cmdline=$(cat /proc/cmdline)"
if [ -z "$EXPECT_ABI" ]; then
	echo "RESULT boot fail no cordon.expect= on the kernel command line"
	echo "END passed=0 failed=1 skipped=0"
else
	BIN=/usr/bin EXPECT_ABI=$EXPECT_ABI ROW=$ROW sh /usr/share/cordon/scenarios.sh
fi
sync
poweroff -f
