/* linux.seccomp → a libseccomp filter, loaded in the calling process. The
 * semantics follow runc: rules whose action equals the default are dropped,
 * unknown syscall names are skipped, and several conditions on the same
 * argument index become separate rules (OR) rather than one rule (AND). */
#include "seccomp.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

static inline void seccomp_releasep(scmp_filter_ctx *c)
{
	if (*c)
		seccomp_release(*c);
}
#define _cleanup_seccomp_ _cleanup_(seccomp_releasep)

/* Syscalls the runtime itself needs between loading the filter and execve:
 * notifying them would deadlock the container's init (runc refuses them too). */
static const char *const notify_forbidden[] = { "write", NULL };

int seccomp_action_value(const char *name, bool has_errno, uint32_t errno_ret, uint32_t *out)
{
	uint32_t e = has_errno ? errno_ret : EPERM;
	if (!name)
		return -EINVAL;
	if (streq(name, "SCMP_ACT_ALLOW"))
		*out = SCMP_ACT_ALLOW;
	else if (streq(name, "SCMP_ACT_ERRNO"))
		*out = SCMP_ACT_ERRNO(e);
	else if (streq(name, "SCMP_ACT_KILL") || streq(name, "SCMP_ACT_KILL_THREAD"))
		*out = SCMP_ACT_KILL_THREAD;
	else if (streq(name, "SCMP_ACT_KILL_PROCESS"))
		*out = SCMP_ACT_KILL_PROCESS;
	else if (streq(name, "SCMP_ACT_TRAP"))
		*out = SCMP_ACT_TRAP;
	else if (streq(name, "SCMP_ACT_TRACE"))
		*out = SCMP_ACT_TRACE(e);
	else if (streq(name, "SCMP_ACT_LOG"))
		*out = SCMP_ACT_LOG;
	else if (streq(name, "SCMP_ACT_NOTIFY"))
		*out = SCMP_ACT_NOTIFY;
	else
		return -EINVAL;
	/* The kernel keeps 16 bits of data; a larger errno would be truncated. */
	if (e > 0xffff && (streq(name, "SCMP_ACT_ERRNO") || streq(name, "SCMP_ACT_TRACE")))
		return -ERANGE;
	return 0;
}

/* "SCMP_ARCH_X86_64" → libseccomp's token for "x86_64". */
static int arch_token(const char *name, uint32_t *out)
{
	const char *p = "SCMP_ARCH_";
	if (strncmp(name, p, strlen(p)) != 0)
		return -EINVAL;
	char low[32];
	size_t i = 0;
	for (const char *s = name + strlen(p); *s && i + 1 < sizeof(low); s++)
		low[i++] = (char)tolower((unsigned char)*s);
	low[i] = '\0';
	*out = seccomp_arch_resolve_name(low);
	return *out ? 0 : -EINVAL;
}

static int set_flags(scmp_filter_ctx ctx, char **flags, cerr *err)
{
	for (size_t i = 0; flags && flags[i]; i++) {
		const char *f = flags[i];
		int r;
		if (streq(f, "SECCOMP_FILTER_FLAG_TSYNC"))
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
		else if (streq(f, "SECCOMP_FILTER_FLAG_LOG"))
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
		else if (streq(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"))
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
		else if (streq(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")) {
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
			r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_WAITKILL, 1);
#else
			r = -EOPNOTSUPP;
#endif
		} else
			r = -EINVAL;
		if (r < 0)
			return cerr_sys(err, -r, "linux.seccomp.flags[%zu]: %s", i, f);
	}
	return 0;
}

/* One syscall entry's conditions: AND in one rule when every argument index
 * is distinct, else one rule per condition (OR), as runc does. */
static int add_rule(scmp_filter_ctx ctx, int nr, uint32_t act, const struct oci_seccomp_syscall *s)
{
	struct scmp_arg_cmp cmp[6 * 8];
	unsigned count[6] = { 0 };
	bool repeated = false;
	size_t n = s->n_args < ARRAY_SIZE(cmp) ? s->n_args : ARRAY_SIZE(cmp);
	for (size_t i = 0; i < n; i++) {
		const struct oci_seccomp_arg *a = &s->args[i];
		if (a->index > 5 || a->op < SCMP_CMP_NE || a->op > SCMP_CMP_MASKED_EQ)
			return -EINVAL;
		cmp[i] = (struct scmp_arg_cmp){ .arg = a->index, .op = (enum scmp_compare)a->op,
					       .datum_a = a->value, .datum_b = a->value_two };
		if (++count[a->index] > 1)
			repeated = true;
	}
	if (!repeated)
		return seccomp_rule_add_array(ctx, act, nr, (unsigned)n, n ? cmp : NULL);
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_syscalls(scmp_filter_ctx ctx, const struct oci_seccomp *sc, uint32_t def, bool *notify, cerr *err)
{
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		const struct oci_seccomp_syscall *s = &sc->syscalls[i];
		uint32_t act;
		int r = seccomp_action_value(s->action, s->has_errno_ret, s->errno_ret, &act);
		if (r < 0)
			return cerr_set(err, -r, "linux.seccomp.syscalls[%zu].action: bad action \"%s\"", i,
					s->action ? s->action : "");
		for (size_t j = 0; s->names && s->names[j]; j++) {
			const char *name = s->names[j];
			if (act == SCMP_ACT_NOTIFY)
				for (size_t k = 0; notify_forbidden[k]; k++)
					if (streq(name, notify_forbidden[k]))
						return cerr_set(err, EINVAL,
								"linux.seccomp.syscalls[%zu].names[%zu]: SCMP_ACT_NOTIFY cannot be used for \"%s\"",
								i, j, name);
			/* libseccomp refuses a rule that repeats the default action. */
			if (act == def)
				continue;
			int nr = seccomp_syscall_resolve_name(name);
			if (nr == __NR_SCMP_ERROR) {
				log_debug("seccomp: skipping unknown syscall \"%s\"", name);
				continue;
			}
			r = add_rule(ctx, nr, act, s);
			if (r < 0)
				return cerr_sys(err, -r, "linux.seccomp.syscalls[%zu].names[%zu]: adding a rule for \"%s\"",
						i, j, name);
			*notify |= act == SCMP_ACT_NOTIFY;
		}
	}
	return 0;
}

int seccomp_build_ctx(const struct oci_seccomp *sc, void **out, bool *notify, cerr *err)
{
	*notify = false;
	uint32_t def;
	if (seccomp_action_value(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret, &def) < 0)
		return cerr_set(err, EINVAL, "linux.seccomp.defaultAction: bad action \"%s\"",
				sc->default_action ? sc->default_action : "");
	/* Every syscall the runtime makes after loading would wait on a listener
	 * that has not received the fd yet. */
	if (def == SCMP_ACT_NOTIFY)
		return cerr_set(err, EINVAL, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	_cleanup_seccomp_ scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return cerr_set(err, ENOMEM, "linux.seccomp: cannot create a filter");
	/* The runtime sets no_new_privs itself, from process.noNewPrivileges. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return cerr_sys(err, -r, "linux.seccomp: clearing the NNP attribute");
	for (size_t i = 0; sc->architectures && sc->architectures[i]; i++) {
		uint32_t a;
		if (arch_token(sc->architectures[i], &a) < 0)
			return cerr_set(err, EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
					sc->architectures[i]);
		r = seccomp_arch_add(ctx, a);
		if (r < 0 && r != -EEXIST)
			return cerr_sys(err, -r, "linux.seccomp.architectures[%zu]: %s", i, sc->architectures[i]);
	}
	if ((r = set_flags(ctx, sc->flags, err)) < 0 || (r = add_syscalls(ctx, sc, def, notify, err)) < 0)
		return r;
	*out = TAKE_PTR(ctx);
	return 0;
}
