/* The enforcement report: one JSON object saying what was asked, what the
 * kernel enforces, and every protection that is missing and why. */
#define _GNU_SOURCE
#include "report.h"

#include "argv.h"
#include "json.h"
#include "landlock.h"
#include "landlock_abi.h"
#include "privileges.h"
#include "seccomp.h"
#include "seccomp_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const fs_right_names[] = {
	"execute",   "write_file", "read_file", "read_dir",  "remove_dir",  "remove_file",
	"make_char", "make_dir",   "make_reg",  "make_sock", "make_fifo",   "make_block",
	"make_sym",  "refer",      "truncate",  "ioctl_dev", "resolve_unix",
};
static const char *const net_right_names[] = {
	"bind_tcp", "connect_tcp", "bind_udp", "connect_send_udp"
};
static const char *const scope_names[] = { "abstract_unix_socket", "signal" };

static void names(FILE *f, uint64_t bits, const char *const *table, size_t n)
{
	bool first = true;

	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (bits & (1ULL << i)) {
			fprintf(f, "%s\"%s\"", first ? "" : ",", table[i]);
			first = false;
		}
	}
	fputc(']', f);
}

#define NAMES(f, bits, table) names(f, bits, table, sizeof(table) / sizeof(table[0]))

static unsigned missing(const struct state *st)
{
	return st->restricted ? st->gaps : st->gaps | 1U << GAP_LANDLOCK;
}

const char *enforced_level(const struct state *st)
{
	if (!st->restricted)
		return "none";
	return st->gaps ? "partial" : "full";
}

const char *sandbox_env_value(const struct state *st)
{
	if (!st->restricted)
		return "0";
	return st->gaps ? "partial" : "1";
}

static void write_rules(FILE *f, const struct config *cfg)
{
	fputc('[', f);
	for (size_t i = 0; i < cfg->nrules; i++) {
		const struct rule *r = &cfg->rules[i];

		fprintf(f, "%s{\"path\":", i ? "," : "");
		json_string(f, r->path);
		fprintf(f, ",\"access\":\"%s%s%s%s\",\"optional\":%s",
			r->access & ACCESS_READ ? "r" : "", r->access & ACCESS_WRITE ? "w" : "",
			r->access & ACCESS_EXEC ? "x" : "", r->access & ACCESS_CONNECT ? "c" : "",
			r->optional ? "true" : "false");
		if (r->skipped) {
			fprintf(f, ",\"added\":false,\"reason\":");
			json_string(f, r->skipped);
		} else {
			fprintf(f, ",\"added\":true,\"type\":\"%s\",\"rights\":",
				r->is_dir ? "directory" : "file");
			NAMES(f, r->rights, fs_right_names);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

static void write_gaps(FILE *f, const struct config *cfg, const struct state *st)
{
	bool first = true;
	unsigned gaps = missing(st);

	fputc('[', f);
	for (int g = 0; g < GAP_COUNT; g++) {
		if (!(gaps & (1U << g)))
			continue;
		fprintf(f, "%s{\"name\":\"%s\",\"reason\":", first ? "" : ",", gap_name(g));
		json_string(f, st->gap_reason[g][0] ? st->gap_reason[g] : "not applied");
		fprintf(f, ",\"accepted\":%s}", cfg->accepted_gaps & (1U << g) ? "true" : "false");
		first = false;
	}
	fputc(']', f);
}

/* Protections this run does not have whatever its flags say: stated in
 * every report so that nobody mistakes them for enforced. */
static void write_limits(FILE *f, const struct config *cfg, const struct state *st)
{
	const char *sep = "";

	fputc('[', f);
	if (cfg->net == NET_NONE && !st->seccomp_installed &&
	    !(st->handled_net & LL_NET_BIND_UDP)) {
		fprintf(f, "%s\"UDP and raw sockets are not restricted: Landlock covers only TCP "
			   "below ABI 10 and the seccomp filter is not installed\"", sep);
		sep = ",";
	}
	if ((cfg->allow_unix_sockets || cfg->unix_connect_rules || !st->seccomp_installed) &&
	    !landlock_holds_unix(st)) {
		fprintf(f, "%s\"connect() to pathname unix sockets (docker.sock, ssh-agent, D-Bus) "
			   "is not restricted: unix sockets are allowed and Landlock mediates "
			   "them only from ABI 9\"", sep);
		sep = ",";
	}
	if (st->restricted && !(st->handled_fs & LL_FS_REFER)) {
		fprintf(f, "%s\"rename and link across directories fail with EXDEV: the REFER right "
			   "needs ABI 2\"", sep);
		sep = ",";
	}
	if (getuid() == 0)
		fprintf(f, "%s\"the command runs as uid 0 and owns the host's root-owned files: "
			   "Landlock does not mediate chmod, utime or xattrs, so it can change the mode "
			   "of any file it can name (setuid, setgid and other-writable bits are refused "
			   "by seccomp); run it with --user to avoid this\"", sep);
	fputc(']', f);
}

static void write_seccomp(FILE *f, const struct config *cfg, const struct state *st)
{
	struct seccomp_opts opts = seccomp_options(cfg, landlock_holds_unix(st));
	const char *const *rules = seccomp_rule_descriptions(&opts);

	fprintf(f, ",\"seccomp\":{\"installed\":%s,\"rules\":[",
		st->seccomp_installed ? "true" : "false");
	for (size_t i = 0; st->seccomp_installed && rules[i]; i++) {
		fputs(i ? "," : "", f);
		json_string(f, rules[i]);
	}
	fputs("]}", f);
}

static void write_proof(FILE *f, const struct state *st)
{
	fputs(",\"proof\":{\"path\":", f);
	if (st->proof_path[0])
		json_string(f, st->proof_path);
	else
		fputs("null", f);
	fprintf(f, ",\"result\":\"%s\",\"note\":", st->proof_result ? st->proof_result : "skipped");
	if (st->proof_note)
		json_string(f, st->proof_note);
	else
		fputs("null", f);
	fputc('}', f);
}

static void write_process(FILE *f, const struct config *cfg, const struct state *st)
{
	struct caps caps;
	gid_t groups[64];
	int ngroups = getgroups(64, groups);

	read_caps(&caps);
	fprintf(f, ",\"process\":{\"uid\":%u,\"gid\":%u,\"groups\":[", getuid(), getgid());
	for (int i = 0; i < ngroups; i++)
		fprintf(f, "%s%u", i ? "," : "", groups[i]);
	fprintf(f,
		"],\"user_switched\":%s,\"no_new_privs\":%s,\"caps_dropped\":%s,"
		"\"cap_effective\":\"0x%llx\",\"cap_permitted\":\"0x%llx\",\"cap_inheritable\":\"0x%llx\","
		"\"cap_ambient\":\"0x%llx\",\"cap_bounding\":\"0x%llx\",\"pid\":%d,\"pgid\":%d,\"sid\":%d,"
		"\"die_with_parent\":%s,\"rlimits\":{",
		st->user_switched ? "true" : "false", st->no_new_privs ? "true" : "false",
		st->caps_dropped ? "true" : "false", (unsigned long long)caps.effective,
		(unsigned long long)caps.permitted, (unsigned long long)caps.inheritable,
		(unsigned long long)caps.ambient, (unsigned long long)caps.bounding, getpid(),
		getpgid(0), getsid(0), cfg->die_with_parent ? "true" : "false");
	for (size_t i = 0; i < cfg->nrlimits; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", cfg->rlimits[i].name,
			(unsigned long long)cfg->rlimits[i].value);
	fputs("}}", f);
}

/* How a kind of traffic stands: denied by Landlock (right handled) or by
 * seccomp (inet sockets refused), allowed by --net host, or open. */
static const char *net_state(const struct config *cfg, const struct state *st, uint64_t right)
{
	if (cfg->net == NET_HOST)
		return "allowed";
	if (right == LL_NET_CONNECT_TCP && cfg->nports)
		return st->restricted && (st->handled_net & right) ? "listed ports only"
								     : "not restricted";
	if (st->seccomp_installed)
		return "denied";
	if (st->restricted && (st->handled_net & right))
		return "denied";
	return "not restricted";
}

void write_report(const struct config *cfg, const struct state *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	size_t added = 0;

	if (cfg->report_fd < 0)
		return;
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	for (size_t i = 0; i < cfg->nrules; i++)
		added += !cfg->rules[i].skipped;

	fprintf(f, "{\"cordon_exec\":\"%s\",\"status\":\"%s\",\"failure\":", CORDON_VERSION,
		st->failure ? "refused" : "running");
	if (st->failure)
		json_string(f, st->failure);
	else
		fputs("null", f);
	fprintf(f, ",\"abi\":%d,\"kernel_abi\":%d,\"errata\":%d", st->abi > 0 ? st->abi : 0,
		st->abi_kernel, st->errata);
	fprintf(f, ",\"compat\":\"%s\",\"enforced\":\"%s\",\"sandbox\":\"%s\"",
		cfg->compat == COMPAT_HARD ? "hard" : "best", enforced_level(st),
		sandbox_env_value(st));
	fprintf(f, ",\"landlock\":{\"restricted\":%s,\"handled_fs\":",
		st->restricted ? "true" : "false");
	NAMES(f, st->handled_fs, fs_right_names);
	fputs(",\"handled_net\":", f);
	NAMES(f, st->handled_net, net_right_names);
	fputs(",\"scopes\":", f);
	NAMES(f, st->scoped, scope_names);
	fprintf(f, ",\"log_new_exec_on\":%s}",
		st->restrict_flags & LL_RESTRICT_SELF_LOG_NEW_EXEC_ON ? "true" : "false");
	fprintf(f, ",\"rule_count\":%zu,\"rules\":", added);
	write_rules(f, cfg);
	fprintf(f, ",\"net\":{\"mode\":\"%s\",\"tcp\":\"%s\",\"udp\":\"%s\",\"tcp_connect_ports\":[",
		cfg->net == NET_NONE ? "none" : "host", net_state(cfg, st, LL_NET_CONNECT_TCP),
		net_state(cfg, st, LL_NET_BIND_UDP));
	for (size_t i = 0; i < cfg->nports; i++)
		fprintf(f, "%s%u", i ? "," : "", cfg->ports[i]);
	fputs("]}", f);
	write_seccomp(f, cfg, st);
	write_proof(f, st);
	fputs(",\"gaps\":", f);
	write_gaps(f, cfg, st);
	fputs(",\"limits\":", f);
	write_limits(f, cfg, st);
	write_process(f, cfg, st);
	fputs("}\n", f);
	fclose(f);

	for (size_t off = 0; off < len;) {
		ssize_t n = write(cfg->report_fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(buf);
}
