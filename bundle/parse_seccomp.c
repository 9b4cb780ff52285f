/* linux.seccomp: validated here; turned into a filter by runtime/. */
#include "spec_internal.h"
#include "bundle/parse_seccomp.h"
#include "common/cleanup.h"
#include "common/strv.h"

#include <errno.h>
#include <string.h>

const char *const oci_seccomp_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", NULL,
};

/* In libseccomp's enum order, starting at SCMP_CMP_NE = 1. */
const char *const oci_seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const seccomp_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL,
};

static const char *const seccomp_arches[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
	"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
	"SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL,
};

static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; list[i]; i++)
		if (streq(list[i], s))
			return i;
	return -1;
}

static int check_names(char **v, const char *const *known, const char *path, const char *what, cerr *err)
{
	for (size_t i = 0; v && v[i]; i++)
		if (index_of(known, v[i]) < 0)
			return cerr_set(err, EINVAL, "%s[%zu]: unknown %s \"%s\"", path, i, what, v[i]);
	return 0;
}

static int parse_args(yajl_val sc, const char *path, struct oci_seccomp_syscall *s, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val arr;
	int r = json_get_array(sc, path, "args", 0, SIZE_MAX, &arr, &jf);
	if (r < 0 || !arr)
		return r;
	if (arr->u.array.len > 6 * 8)
		return cerr_set(err, E2BIG, "%s.args: too many conditions", path);
	s->args = calloc(arr->u.array.len + 1, sizeof(*s->args));
	if (!s->args)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char p[JSON_PATH_MAX], ap[JSON_PATH_MAX];
		json_path_idx(p, json_path(ap, path, "args"), i);
		yajl_val a = arr->u.array.values[i];
		struct oci_seccomp_arg *x = &s->args[s->n_args++];
		uint32_t idx = 0;
		_cleanup_free_ char *op = NULL;
		if ((r = json_want(a, yajl_t_object, p, &jf)) < 0 ||
		    (r = json_get_u32(a, p, "index", JSON_REQUIRED, &idx, NULL, &jf)) < 0 ||
		    (r = json_get_u64(a, p, "value", JSON_REQUIRED, &x->value, NULL, &jf)) < 0 ||
		    (r = json_get_u64(a, p, "valueTwo", 0, &x->value_two, NULL, &jf)) < 0 ||
		    (r = json_dup_str(a, p, "op", JSON_REQUIRED, &op, &jf)) < 0)
			return r;
		if (idx > 5)
			return cerr_set(err, ERANGE, "%s.index: %u is not a syscall argument (0-5)", p, idx);
		x->index = idx;
		int o = index_of(oci_seccomp_ops, op);
		if (o < 0)
			return cerr_set(err, EINVAL, "%s.op: unknown operator \"%s\"", p, op);
		x->op = o + 1;
	}
	return 0;
}

int parse_seccomp(yajl_val lnx, struct oci_seccomp **out, cerr *err)
{
	json_fault jf = JSON_FAULT_CHAIN(err);
	yajl_val o;
	int r = json_get_object(lnx, "linux", "seccomp", 0, &o, &jf);
	if (r < 0 || !o)
		return r;
	struct oci_seccomp *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return cerr_set(err, ENOMEM, "out of memory");
	*out = sc;
	const char *P = "linux.seccomp";
	if ((r = json_dup_str(o, P, "defaultAction", JSON_REQUIRED, &sc->default_action, &jf)) < 0 ||
	    (r = json_get_u32(o, P, "defaultErrnoRet", 0, &sc->default_errno_ret, &sc->has_default_errno_ret, &jf)) < 0 ||
	    (r = json_get_strv(o, P, "architectures", 0, &sc->architectures, NULL, &jf)) < 0 ||
	    (r = json_get_strv(o, P, "flags", 0, &sc->flags, NULL, &jf)) < 0 ||
	    (r = json_dup_str(o, P, "listenerPath", 0, &sc->listener_path, &jf)) < 0 ||
	    (r = json_dup_str(o, P, "listenerMetadata", 0, &sc->listener_metadata, &jf)) < 0 ||
	    (r = check_names(sc->architectures, seccomp_arches, "linux.seccomp.architectures", "architecture", err)) < 0 ||
	    (r = check_names(sc->flags, seccomp_flags, "linux.seccomp.flags", "flag", err)) < 0)
		return r;
	if (index_of(oci_seccomp_actions, sc->default_action) < 0)
		return cerr_set(err, EINVAL, "linux.seccomp.defaultAction: unknown action \"%s\"", sc->default_action);
	bool notify = streq(sc->default_action, "SCMP_ACT_NOTIFY");
	yajl_val arr;
	if ((r = json_get_array(o, P, "syscalls", 0, SIZE_MAX, &arr, &jf)) < 0)
		return r;
	size_t n = arr ? arr->u.array.len : 0;
	sc->syscalls = calloc(n + 1, sizeof(*sc->syscalls));
	if (!sc->syscalls)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char p[JSON_PATH_MAX];
		json_path_idx(p, "linux.seccomp.syscalls", i);
		yajl_val e = arr->u.array.values[i];
		struct oci_seccomp_syscall *s = &sc->syscalls[sc->n_syscalls++];
		bool has_names;
		if ((r = json_want(e, yajl_t_object, p, &jf)) < 0 ||
		    (r = json_get_strv(e, p, "names", 0, &s->names, &has_names, &jf)) < 0 ||
		    (r = json_dup_str(e, p, "action", JSON_REQUIRED, &s->action, &jf)) < 0 ||
		    (r = json_get_u32(e, p, "errnoRet", 0, &s->errno_ret, &s->has_errno_ret, &jf)) < 0 ||
		    (r = parse_args(e, p, s, err)) < 0)
			return r;
		if (!s->names || !s->names[0])
			return cerr_set(err, EINVAL, "%s.names: must be a non-empty array", p);
		if (index_of(oci_seccomp_actions, s->action) < 0)
			return cerr_set(err, EINVAL, "%s.action: unknown action \"%s\"", p, s->action);
		notify |= streq(s->action, "SCMP_ACT_NOTIFY");
	}
	if (notify && (!sc->listener_path || !sc->listener_path[0]))
		return cerr_set(err, EINVAL, "linux.seccomp.listenerPath: is required with SCMP_ACT_NOTIFY");
	if (sc->listener_path && sc->listener_path[0] != '/')
		return cerr_set(err, EINVAL, "linux.seccomp.listenerPath: \"%s\" must be an absolute path", sc->listener_path);
	return 0;
}

void free_seccomp(struct oci_seccomp *sc)
{
	if (!sc)
		return;
	free(sc->default_action);
	strv_free(sc->architectures);
	strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		strv_free(sc->syscalls[i].names);
		free(sc->syscalls[i].action);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
	free(sc);
}
