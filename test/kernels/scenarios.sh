#!/bin/sh
# The launcher scenarios of the kernel matrix (docs/kernels.md). Runs under
# busybox sh, inside a VM booted by test/kernels/run.mjs, or directly on the
# host (the host rows). Prints one line per check:
#
#   RESULT NAME pass|fail|skip DETAIL
#
# plus INFO, PROBE and REPORT lines for the record, and finally
# "END passed=N failed=M skipped=K".
#
# Environment:
#   BIN         directory holding busybox and its applet links, cordon-exec,
#               kprobe, syscall-probe and deny-landlock (all static)
#   EXPECT_ABI  what the kernel must answer: its Landlock ABI, or -errno
#               (-95 EOPNOTSUPP: built in, left out of lsm=)
#   CAP_ABI     optional: pass --max-abi CAP_ABI to every run (simulation)
#   WORK_BASE   optional: where the scratch tree goes (default /tmp)
#
# Expectations come from EXPECT_ABI and CAP_ABI only, never from what the
# probe measured, so a kernel that answers differently fails the probe check
# and every scenario that depends on it.

export PATH="$BIN"
export LANG=C
L="$BIN/cordon-exec"
NPASS=0
NFAIL=0
NSKIP=0

pass() { echo "RESULT $1 pass ${2:-}"; NPASS=$((NPASS + 1)); }
fail() { echo "RESULT $1 fail ${2:-}"; NFAIL=$((NFAIL + 1)); }
skip() { echo "RESULT $1 skip ${2:-}"; NSKIP=$((NSKIP + 1)); }
# check NAME EXPECTED ACTUAL [DETAIL]
check() {
	if [ "$2" = "$3" ]; then pass "$1" "$3${4:+ $4}"; else fail "$1" "expected '$2' got '$3'${4:+ $4}"; fi
}

# The ABI the launcher will use, and what the default profile then lacks.
if [ "${EXPECT_ABI:?}" -gt 0 ]; then ABI=$EXPECT_ABI; else ABI=0; fi
CAP=""
if [ -n "${CAP_ABI:-}" ]; then
	CAP="--max-abi $CAP_ABI"
	[ "$CAP_ABI" -lt "$ABI" ] && ABI=$CAP_ABI
fi
if [ "$ABI" -eq 0 ]; then
	GAPS="landlock"
else
	GAPS=""
	[ "$ABI" -lt 3 ] && GAPS="$GAPS truncate"
	[ "$ABI" -lt 5 ] && GAPS="$GAPS ioctl-dev"
	# scope-abstract-unix is no gap while the seccomp filter refuses unix sockets
	[ "$ABI" -lt 6 ] && GAPS="$GAPS scope-signal"
	GAPS="${GAPS# }"
fi
FIRST_GAP="${GAPS%% *}"
ACCEPT=""
for g in $GAPS; do ACCEPT="$ACCEPT --accept-gap $g"; done
if [ "$ABI" -eq 0 ]; then
	SANDBOX=0 ENFORCED=none
elif [ -n "$GAPS" ]; then
	SANDBOX=partial ENFORCED=partial
else
	SANDBOX=1 ENFORCED=full
fi
# yes/no expectations for the individual protections
LL=no; [ "$ABI" -ge 1 ] && LL=yes
TRUNC=no; [ "$ABI" -ge 3 ] && TRUNC=yes
SCOPES=no; [ "$ABI" -ge 6 ] && SCOPES=yes
case $ABI in
0) HANDLED_FS=0 ;; 1) HANDLED_FS=13 ;; 2) HANDLED_FS=14 ;; 3 | 4) HANDLED_FS=15 ;;
5 | 6 | 7 | 8) HANDLED_FS=16 ;; *) HANDLED_FS=17 ;;
esac
HANDLED_NET=0; [ "$ABI" -ge 4 ] && HANDLED_NET=2; [ "$ABI" -ge 10 ] && HANDLED_NET=4
RESOLVE=no; [ "$ABI" -ge 9 ] && RESOLVE=yes
UDP=no; [ "$ABI" -ge 10 ] && UDP=yes
NSCOPES=0; [ "$SCOPES" = yes ] && NSCOPES=2
LOGEXEC=false; [ "$ABI" -ge 7 ] && LOGEXEC=true
# errno answers inside the sandbox, by protection
denied_if() { if [ "$1" = yes ]; then echo "errno:$2"; else echo ok; fi; }

W=$(mktemp -d "${WORK_BASE:-/tmp}/cordon-kernels.XXXXXX") || { echo "END passed=0 failed=1 skipped=0"; exit 1; }
chmod 755 "$W"
mkdir -p "$W/proj/a" "$W/proj/b" "$W/proj/c" "$W/sibling" "$W/readonly" "$W/scratch/tmp" "$W/scratch/home"
echo "sibling secret" >"$W/sibling/secret"
echo "victim data" >"$W/sibling/victim"
echo "original" >"$W/readonly/data.txt"
echo f1 >"$W/proj/a/f1"
echo f2 >"$W/proj/a/f2"
echo t >"$W/proj/c/t"
chmod -R a+rwX "$W/proj" "$W/scratch"
chmod 644 "$W/sibling/secret" "$W/sibling/victim" "$W/readonly/data.txt"
trap 'rm -rf "$W"' EXIT

echo "INFO row=${ROW:-?} expect_abi=$EXPECT_ABI cap_abi=${CAP_ABI:-none} abi_used=$ABI gaps=${GAPS:-none} uid=$(id -u)"

# The default agent profile, as the launcher sees it (what `cordon run
# --dry-run` prints, with the rule list trimmed to this root filesystem):
# system dirs read+exec, devices, the workdir and a private TMPDIR/HOME
# read+write+exec, no network, hard mode unless said otherwise.
BASE="--ro $BIN --allow-if-exists rx /usr --allow-if-exists rx /bin --allow-if-exists rx /lib
 --allow-if-exists rx /lib64 --allow rw /dev/null --allow rw /dev/zero --allow r /dev/urandom
 --rw $W/proj --rw $W/scratch --chdir $W/proj --setenv TMPDIR=$W/scratch/tmp
 --setenv HOME=$W/scratch/home --die-with-parent --rlimit core=0 --net none --report-fd 3 $CAP"

# cx COMMAND...: runs it with stdout, stderr and fd 3 (the report) captured.
cx() {
	"$@" >"$W/out" 2>"$W/err" 3>"$W/report"
	RC=$?
}
out() { tr '\n' ' ' <"$W/out" | sed 's/ $//'; }
errline() { tr '\n' ' ' <"$W/err" | cut -c1-300; }
# jnum/jstr KEY: a scalar of the last report (keys used are unique in it)
jnum() { sed -nE "s/.*\"$1\":(-?[0-9]+|true|false|null).*/\1/p" "${2:-$W/report}" | head -n1; }
jstr() { sed -nE "s/.*\"$1\":\"([^\"]*)\".*/\1/p" "${2:-$W/report}" | head -n1; }
# jarr KEY: the number of strings in a flat array
jarr() { sed -nE "s/.*\"$1\":\[([^]]*)\].*/\1/p" "$W/report" | grep -o '"[^"]*"' | wc -l | tr -d ' '; }
gap_names() {
	sed -nE 's/.*"gaps":\[([^]]*)\].*/\1/p' "$W/report" | grep -o '"name":"[^"]*"' |
		sed 's/"name":"//; s/"$//' | tr '\n' ' ' | sed 's/ $//'
}
# value CALL: what kprobe/syscall-probe printed for CALL
value() { grep -F "$1=" "$W/out" | head -n1 | sed "s|^$1=||"; }

# --- probe ---------------------------------------------------------------
"$L" --probe >"$W/probe" 2>"$W/err"
echo "PROBE $(cat "$W/probe")"
KABI=$(jnum kernel_abi "$W/probe")
check probe "$EXPECT_ABI" "$KABI" "errata=$(jnum errata "$W/probe") errno=$(jstr landlock_errno "$W/probe") seccomp_filter=$(jstr seccomp_filter "$W/probe")"
if [ -n "$CAP" ]; then
	"$L" --probe $CAP >"$W/probe"
	check probe-capped "$ABI" "$(jnum abi "$W/probe")"
fi
if [ -r /sys/kernel/security/lsm ]; then echo "INFO lsm=$(cat /sys/kernel/security/lsm)"; fi

# --- hard mode: the default profile ---------------------------------------
rm -f "$W/proj/marker"
cx "$L" $BASE -- sh -c 'touch marker; echo "sandbox=$CORDON_SANDBOX"'
ran=no; [ -e "$W/proj/marker" ] && ran=yes
if [ "$ABI" -ge 6 ]; then
	if [ $RC -eq 0 ] && [ $ran = yes ] && [ "$(out)" = "sandbox=1" ] && [ "$(jstr enforced)" = full ]; then
		pass hard-default "ran, sandbox=1, enforced full"
	else
		fail hard-default "rc=$RC ran=$ran out='$(out)' err='$(errline)'"
	fi
else
	want="refusing to run the command: $FIRST_GAP: "
	[ "$ABI" -ge 1 ] && want="${want}needs Landlock ABI"
	[ "$ABI" -eq 0 ] && want="${want}Landlock is unavailable"
	ok=yes
	[ $RC -eq 125 ] || ok=no
	[ $ran = no ] || ok=no
	grep -qF "$want" "$W/err" || ok=no
	grep -qF -- "--accept-gap $FIRST_GAP" "$W/err" || ok=no
	[ "$(jstr status)" = refused ] || ok=no
	# a real EOPNOTSUPP names the boot parameter to fix
	if [ "$EXPECT_ABI" -eq -95 ] && ! grep -qF "lsm=" "$W/err"; then ok=no; fi
	if [ $ok = yes ]; then
		pass hard-default "refused rc=125, command not run: $(grep -o 'refusing.*' "$W/err" | head -n1 | cut -c1-200)"
	else
		fail hard-default "rc=$RC ran=$ran status=$(jstr status) err='$(errline)'"
	fi
fi

# --- hard mode with every missing protection accepted by name --------------
if [ -z "$ACCEPT" ]; then
	skip hard-accept "no gap on ABI $ABI"
else
	cx "$L" $BASE $ACCEPT -- sh -c 'echo "sandbox=$CORDON_SANDBOX"'
	ok=yes
	[ $RC -eq 0 ] && [ "$(out)" = "sandbox=$SANDBOX" ] || ok=no
	for g in $GAPS; do grep -qF "warning: not enforced: $g" "$W/err" || ok=no; done
	grep -qF '"accepted":false' "$W/report" && ok=no
	if [ $ok = yes ]; then pass hard-accept "ran with$ACCEPT: sandbox=$SANDBOX"; else fail hard-accept "rc=$RC out='$(out)' err='$(errline)'"; fi
fi

# --- best effort: runs, warns every gap, lists them in the report ----------
cx "$L" $BASE --compat best -- sh -c 'echo "sandbox=$CORDON_SANDBOX"'
echo "REPORT best-default $(cat "$W/report")"
ok=yes
[ $RC -eq 0 ] && [ "$(out)" = "sandbox=$SANDBOX" ] || ok=no
for g in $GAPS; do grep -qF "warning: not enforced: $g" "$W/err" || ok=no; done
[ -z "$GAPS" ] && grep -qF "warning" "$W/err" && ok=no
[ "$(gap_names)" = "$GAPS" ] || ok=no
if [ $ok = yes ]; then
	pass best-default "ran, sandbox=$SANDBOX, gaps warned and reported: ${GAPS:-none}"
else
	fail best-default "rc=$RC out='$(out)' gaps='$(gap_names)' want '$GAPS' err='$(errline)'"
fi

# --- what the report says the kernel enforced ------------------------------
RESTRICTED=false; [ "$LL" = yes ] && RESTRICTED=true
PROOF=skipped; [ "$LL" = yes ] && PROOF=denied
got="abi=$(jnum abi) enforced=$(jstr enforced) restricted=$(jnum restricted) fs=$(jarr handled_fs) net=$(jarr handled_net) scopes=$(jarr scopes) log_new_exec_on=$(jnum log_new_exec_on) tcp=$(jstr tcp) udp=$(jstr udp) seccomp=$(jnum installed) proof=$(sed -nE 's/.*"proof":\{"path":[^,]*,"result":"([a-z]*)".*/\1/p' "$W/report")"
want="abi=$ABI enforced=$ENFORCED restricted=$RESTRICTED fs=$HANDLED_FS net=$HANDLED_NET scopes=$NSCOPES log_new_exec_on=$LOGEXEC tcp=denied udp=denied seccomp=true proof=$PROOF"
check report-fields "$want" "$got"
if [ "$ABI" -eq 1 ]; then
	if grep -q 'EXDEV' "$W/report"; then pass report-limit-exdev "the report's limits name EXDEV"; else fail report-limit-exdev "no EXDEV limit in the report"; fi
fi

# --- filesystem: deny by default, workdir writable, REFER, truncate -------
P=$W/proj
cx "$L" $BASE --allow r "$W/readonly" --compat best -- kprobe \
	"open:$W/sibling/secret" "opendir:$W/sibling" "opendir:/" \
	"open:$W/readonly/data.txt" "write:$W/readonly/data.txt" \
	"write:$P/new" "mkdir:$P/d" "unlink:$P/new" \
	"rename:$P/a/f1:$P/b/f1" "link:$P/a/f2:$P/b/f2" \
	"truncate:$W/sibling/victim" "truncate:$P/c/t"
[ $RC -eq 0 ] || fail fs-run "rc=$RC err='$(errline)'"
check fs-sibling-read "$(denied_if $LL 13)" "$(value "open:$W/sibling/secret")"
check fs-sibling-list "$(denied_if $LL 13)" "$(value "opendir:$W/sibling")"
check fs-root-list "$(denied_if $LL 13)" "$(value "opendir:/")"
check fs-readonly-read ok "$(value "open:$W/readonly/data.txt")"
check fs-readonly-write "$(denied_if $LL 13)" "$(value "write:$W/readonly/data.txt")"
check fs-workdir-write "ok ok ok" "$(value "write:$P/new") $(value "mkdir:$P/d") $(value "unlink:$P/new")"
# REFER: granted with w from ABI 2; on ABI 1 cross-directory rename and
# link fail with EXDEV even inside the workdir
want=ok; [ "$ABI" -eq 1 ] && want=errno:18
check fs-rename-across-dirs "$want" "$(value "rename:$P/a/f1:$P/b/f1")"
check fs-link-across-dirs "$want" "$(value "link:$P/a/f2:$P/b/f2")"
# TRUNCATE: below ABI 3, truncate(2) of a file the policy does not grant at
# all goes through (the gap is real), and the launcher said so
size=$("$BIN/kprobe" "size:$W/sibling/victim" | sed 's/.*=ok://')
want="$(denied_if $TRUNC 13) size=12"; [ "$TRUNC" = no ] && want="ok size=0"
check fs-truncate-outside "$want" "$(value "truncate:$W/sibling/victim") size=$size"
check fs-truncate-workdir ok "$(value "truncate:$P/c/t")"

# --- signal scope: kill(0) of a process outside the sandbox ----------------
sleep 60 &
SP=$!
cx "$L" $BASE --compat best -- kprobe "kill0:$SP"
check scope-signal "$(denied_if $SCOPES 1)" "$(value "kill0:$SP")"
kill "$SP" 2>/dev/null
wait "$SP" 2>/dev/null

# --- device ioctls: RNDGETENTCNT on /dev/urandom, granted read only -------
IOCTL=no; [ "$ABI" -ge 5 ] && IOCTL=yes
cx "$L" $BASE --compat best -- kprobe ioctl:/dev/urandom
check ioctl-dev "$(denied_if $IOCTL 13)" "$(value ioctl:/dev/urandom)"

# --- abstract unix socket scope: a listener outside, unix sockets allowed --
# (without --allow-unix-sockets the seccomp filter refuses socket(AF_UNIX))
kprobe "abstract-listen:cordon-kernels-$$:60" >"$W/listen" &
LP=$!
i=0
while [ $i -lt 50 ] && ! grep -q =ok "$W/listen"; do sleep 0.1; i=$((i + 1)); done
cx "$L" $BASE --compat best --allow-unix-sockets -- kprobe "abstract-connect:cordon-kernels-$$"
check scope-abstract-unix "outside=ok inside=$(denied_if $SCOPES 1)" \
	"outside=$(kprobe "abstract-connect:cordon-kernels-$$" | sed 's/.*=//') inside=$(value "abstract-connect:cordon-kernels-$$")"
kill "$LP" 2>/dev/null
wait "$LP" 2>/dev/null

# --- pathname unix sockets: RESOLVE_UNIX (ABI 9), granted per path with c --
# Two servers outside the sandbox, in a directory the policy does not grant.
mkdir -p "$W/sockets"
kprobe "unix-listen:$W/sockets/granted.sock:60" >"$W/ulisten1" &
UP1=$!
kprobe "unix-listen:$W/sockets/other.sock:60" >"$W/ulisten2" &
UP2=$!
i=0
while [ $i -lt 50 ] && ! { grep -q =ok "$W/ulisten1" && grep -q =ok "$W/ulisten2"; }; do sleep 0.1; i=$((i + 1)); done
G="unix-connect:$W/sockets/granted.sock"
O="unix-connect:$W/sockets/other.sock"
# Nothing granted: from ABI 9 socket() works and Landlock refuses the
# connect (EACCES); below it the seccomp filter refuses socket() (EPERM).
cx "$L" $BASE --compat best -- kprobe "$G"
want=errno:1; [ "$RESOLVE" = yes ] && want=errno:13
check unix-default "outside=ok inside=$want" "outside=$(kprobe "$G" | sed 's/.*=//') inside=$(value "$G")"
# One socket granted c: that one is reachable, the other is not. Below ABI 9
# hard mode refuses (the grant cannot be held to its path) unless the gap
# is accepted, and then every socket is reachable.
# (Below ABI 6 letting unix sockets through also lacks the abstract scope.)
UACCEPT=$ACCEPT; [ "$ABI" -lt 6 ] && UACCEPT="$ACCEPT --accept-gap scope-abstract-unix"
cx "$L" $BASE $UACCEPT --allow c "$W/sockets/granted.sock" -- kprobe "$G" "$O"
if [ "$LL" = no ]; then
	skip unix-granted "Landlock unavailable"
elif [ "$RESOLVE" = yes ]; then
	check unix-granted "rc=0 granted=ok other=errno:13" "rc=$RC granted=$(value "$G") other=$(value "$O")"
else
	check unix-granted "rc=125 gap=resolve-unix" "rc=$RC gap=$(grep -o 'refusing to run the command: resolve-unix' "$W/err" | sed 's/.*: //')"
	cx "$L" $BASE $UACCEPT --accept-gap resolve-unix --allow c "$W/sockets/granted.sock" -- kprobe "$G" "$O"
	check unix-gap-accepted "rc=0 granted=ok other=ok limit=yes" \
		"rc=$RC granted=$(value "$G") other=$(value "$O") limit=$(grep -q 'pathname unix sockets' "$W/report" && echo yes || echo no)"
fi
kill "$UP1" "$UP2" 2>/dev/null
wait "$UP1" "$UP2" 2>/dev/null

# --- UDP through an inherited socket: the seccomp filter only sees socket(),
# so a UDP socket passed in reaches any port until Landlock handles UDP (ABI 10)
cx kprobe udp-fd 5 "$L" $BASE --keep-fd 5 --compat best -- kprobe udp-sendto:5:9
check udp-inherited-fd "outside=ok inside=$(denied_if $UDP 13)" \
	"outside=$(kprobe udp-fd 5 kprobe udp-sendto:5:9 | sed 's/.*=//') inside=$(value udp-sendto:5:9)"

# --- seccomp: network off and the rest of the deny list, on every kernel --
base=$(syscall-probe socket:2:2 | sed 's/.*=//')
cx "$L" $BASE --compat best -- syscall-probe socket:2:2 socket:10:2 socket:2:1 socket:10:1 \
	socket:1:1 socketpair socket:17:3 io_uring_setup unshare-newuser
check seccomp-udp "outside=ok inside=errno:1 errno:1" "outside=$base inside=$(value socket:2:2) $(value socket:10:2)"
check seccomp-tcp "errno:1 errno:1" "$(value socket:2:1) $(value socket:10:1)"
# From ABI 9 Landlock holds unix sockets itself and the filter lets them be
want=errno:1; [ "$RESOLVE" = yes ] && want=ok
check seccomp-unix "$want socketpair=ok" "$(value socket:1:1) socketpair=$(value socketpair)"
check seccomp-other "packet=errno:97 io_uring=errno:1 userns=errno:1" \
	"packet=$(value socket:17:3) io_uring=$(value io_uring_setup) userns=$(value unshare-newuser)"

# --- proof of enforcement: restrict_self made to "succeed" doing nothing --
if [ "$LL" = no ]; then
	skip proof-hard "Landlock unavailable: no restrict_self to fake"
	skip proof-best "Landlock unavailable: no restrict_self to fake"
else
	rm -f "$P/marker"
	cx deny-landlock 0@446 "$L" $BASE $ACCEPT -- sh -c 'touch marker'
	ran=no; [ -e "$P/marker" ] && ran=yes
	if [ $RC -eq 125 ] && [ $ran = no ] && grep -qF "proof" "$W/err"; then
		pass proof-hard "refused rc=125: $(grep -o 'refusing.*' "$W/err" | head -n1 | cut -c1-160)"
	else
		fail proof-hard "rc=$RC ran=$ran err='$(errline)'"
	fi
	cx deny-landlock 0@446 "$L" $BASE --compat best -- sh -c 'echo "sandbox=$CORDON_SANDBOX"'
	if [ $RC -eq 0 ] && [ "$(out)" = "sandbox=0" ] && [ "$(jstr enforced)" = none ]; then
		pass proof-best "ran with sandbox=0, enforced none"
	else
		fail proof-best "rc=$RC out='$(out)' enforced=$(jstr enforced) err='$(errline)'"
	fi
fi

# --- proof when a rule grants read on /: no directory left to list ---------
# ABI 6 proves with the abstract unix socket scope instead; below it nothing
# can prove enforcement, so hard mode refuses and best effort says none.
if [ "$LL" = no ]; then
	skip proof-read-root "Landlock unavailable"
	skip proof-fake-socket "Landlock unavailable"
else
	cx "$L" $BASE --ro / --compat best -- sh -c 'echo "sandbox=$CORDON_SANDBOX"'
	ppath=$(sed -nE 's/.*"proof":\{"path":"?([^",]*)"?,"result":"([a-z]*)".*/\1 \2/p' "$W/report")
	if [ "$SCOPES" = yes ]; then
		case "$ppath" in @*" denied") pw=socket ;; *) pw="'$ppath'" ;; esac
		check proof-read-root "rc=0 sandbox=1 witness=socket" "rc=$RC $(out) witness=$pw"
		cx deny-landlock 0@446 "$L" $BASE --ro / -- sh -c 'touch marker'
		if [ $RC -eq 125 ] && grep -qF "abstract socket" "$W/err"; then
			pass proof-fake-socket "refused rc=125: the socket witness caught the fake restrict_self"
		else
			fail proof-fake-socket "rc=$RC err='$(errline)'"
		fi
	else
		best="rc=$RC $(out) enforced=$(jstr enforced) proof=${ppath#null }"
		cx "$L" $BASE $ACCEPT --ro / -- sh -c 'touch marker'
		hard=rc=$RC; grep -qF "proof: nothing to probe" "$W/err" && hard="$hard nothing-to-probe"
		check proof-read-root "rc=0 sandbox=0 enforced=none proof=skipped hard: rc=125 nothing-to-probe" "$best hard: $hard"
		skip proof-fake-socket "no abstract unix socket scope below ABI 6"
	fi
fi

# --- identities: a root caller switching to nobody, and nobody calling ----
if [ "$(id -u)" -ne 0 ]; then
	skip user-switch "needs a root caller"
	skip user-by-name "needs a root caller"
	skip nobody-caller "needs a root caller"
else
	cx "$L" $BASE --compat best --user 65534 --group 65534 -- kprobe uid "open:$W/sibling/secret" "write:$P/by-nobody"
	check user-switch "rc=0 uid=ok:65534 $(denied_if $LL 13) ok" \
		"rc=$RC uid=$(value uid) $(value "open:$W/sibling/secret") $(value "write:$P/by-nobody")"
	cx "$L" $BASE --compat best --user nobody -- kprobe uid
	# names go through glibc's NSS, which a static glibc build may not have
	got="rc=$RC uid=$(value uid)"
	if [ "$got" = "rc=0 uid=ok:65534" ]; then pass user-by-name "$got"; else fail user-by-name "$got: $(errline)"; fi
	cx kprobe as 65534 65534 "$L" $BASE --compat best -- kprobe uid "open:$W/sibling/secret" "write:$P/by-caller"
	check nobody-caller "rc=0 uid=ok:65534 $(denied_if $LL 13) ok" \
		"rc=$RC uid=$(value uid) $(value "open:$W/sibling/secret") $(value "write:$P/by-caller")"
fi

echo "END passed=$NPASS failed=$NFAIL skipped=$NSKIP"
