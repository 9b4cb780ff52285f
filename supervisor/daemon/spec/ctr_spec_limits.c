/* spec.ulimits: [{"name": "nofile", "soft": 1024, "hard": 4096}], Docker's
 * names of the process's rlimits (core, cpu, data, fsize, locks, memlock,
 * msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack,
 * as), -1 for unlimited; each over the default's of its name. The kernel
 * refuses a hard limit above corrald's own to a container in a user
 * namespace, and the start says so. spec.shmSize: /dev/shm's bytes, in
 * place of 64 MiB; its pages are the container's memory. spec.logMaxSize and
 * spec.logMaxFiles: its log's rotation, in place of corrald's. */
#include "supervisor/daemon/spec/ctr_spec_limits.h"
#include "bundle/rlimits.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ULIMITS_MAX 16

/* -1 (Docker's unlimited) or a limit */
static int get_limit(yajl_val u, const char *path, const char *key, uint64_t *out, json_fault *f)
{
	long long v;
	int r = json_get_int_in(u, path, key, JSON_REQUIRED, -1, INT64_MAX, &v, NULL, f);
	if (r < 0)
		return json_fault_reword(f, "must be -1 (unlimited) or a limit from 0");
	*out = v < 0 ? UINT64_MAX : (uint64_t)v;
	return 0;
}

static int get_ulimit(yajl_val u, const char *path, ctr_ulimit *out, json_fault *f)
{
	const char *name;
	int r;
	if ((r = json_want(u, yajl_t_object, path, f)) < 0 ||
	    (r = json_get_str(u, path, "name", JSON_REQUIRED | JSON_NAME, &name, f)) < 0 ||
	    (r = get_limit(u, path, "soft", &out->soft, f)) < 0 || (r = get_limit(u, path, "hard", &out->hard, f)) < 0)
		return r;
	char oci[32] = "RLIMIT_", p[JSON_PATH_MAX];
	size_t n = strlen(oci);
	for (const char *c = name; *c && n + 1 < sizeof(oci); c++)
		oci[n++] = (char)toupper((unsigned char)*c);
	oci[n] = '\0';
	if (strlen(name) > 16 || streq(name, "") || oci_rlimit_resource(oci) < 0)
		return json_fault_set(f, EINVAL, json_path(p, path, "name"),
				      "\"%s\": not an rlimit (nofile, nproc, core, memlock, stack, ...)", name);
	snprintf(out->type, sizeof(out->type), "%s", oci);
	if (out->soft > out->hard)
		return json_fault_set(f, EINVAL, json_path(p, path, "soft"), "is above hard");
	return 0;
}

int ctr_spec_parse_limits(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	yajl_val list;
	bool given;
	int r;
	if ((r = json_get_array(cspec_json, "spec", "ulimits", 0, ULIMITS_MAX, &list, f)) < 0 ||
	    (r = json_get_int_in(cspec_json, "spec", "shmSize", 0, 1, INT64_MAX, &s->shm_size, &given, f)) < 0 ||
	    (r = json_get_int_in(cspec_json, "spec", "logMaxSize", 0, 4096, 1ll << 40, &s->log_max_size, &given, f)) < 0 ||
	    (r = json_get_int_in(cspec_json, "spec", "logMaxFiles", 0, 1, 100, &s->log_max_files, &given, f)) < 0)
		return r;
	if (!list || !list->u.array.len)
		return 0;
	if (!(s->ulimits = calloc(list->u.array.len, sizeof(*s->ulimits))))
		return json_fault_oom(f);
	for (size_t i = 0; i < list->u.array.len; i++) {
		char path[JSON_PATH_MAX];
		json_path_idx(path, "spec.ulimits", i);
		ctr_ulimit *u = &s->ulimits[s->n_ulimits++];
		if ((r = get_ulimit(list->u.array.values[i], path, u, f)) < 0)
			return r;
		for (size_t k = 0; k < i; k++)
			if (streq(s->ulimits[k].type, u->type))
				return json_fault_set(f, EINVAL, path, "a second limit of its name");
	}
	return 0;
}

void ctr_spec_release_limits(ctr_spec *s)
{
	free(s->ulimits);
}
