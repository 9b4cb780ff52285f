/* What POST /containers/create may carry that corral's ContainerSpec has
 * no word for. Clients send most of these fields with their zero values,
 * which mean nothing; a value that asks for something is refused when
 * going without it changes what the container is (its namespaces, its
 * devices, its confinement), and said in Warnings when it only tunes. */
#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_ctr_unsupported.h"
#include "supervisor/docker/docker_answer.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdio.h>
#include <string.h>

/* A value that asks for something: not null, "", 0 (or less), false, [] or {}, nor
 * one of the words that say "the default". */
static bool asks(yajl_val v, const char *const *defaults)
{
	if (!v || YAJL_IS_NULL(v) || YAJL_IS_FALSE(v))
		return false;
	if (YAJL_IS_STRING(v)) {
		for (const char *const *d = defaults; d && *d; d++)
			if (streq(v->u.string, *d))
				return false;
		return *v->u.string != '\0';
	}
	if (YAJL_IS_NUMBER(v)) /* -1 is Docker's "unset" (MemorySwappiness) */
		return YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) > 0 : YAJL_GET_DOUBLE(v) > 0;
	if (YAJL_IS_ARRAY(v))
		return v->u.array.len > 0;
	if (YAJL_IS_OBJECT(v))
		return v->u.object.len > 0;
	return true;
}

static const char *const log_words[] = { "json-file", "k8s-file", NULL };
static const char *const isolation_words[] = { "default", NULL };

static const struct {
	const char *field; /* in HostConfig, or the body's when it starts with '.' */
	bool refuse;
	bool resource; /* one of Docker's Resources, which update takes too */
	const char *const *defaults;
} fields[] = {
	{ "DeviceRequests", true, true, NULL },
	{ "DeviceCgroupRules", true, true, NULL },
	{ "Isolation", true, false, isolation_words },
	{ "Runtime", true, false, (const char *const[]){ "corral", "runc", NULL } }, /* runc: dockerd's default, which corral stands for */
	{ "CpuRealtimePeriod", false, true, NULL },
	{ "CpuRealtimeRuntime", false, true, NULL },
	{ "BlkioWeight", false, true, NULL },
	{ "BlkioWeightDevice", false, true, NULL },
	{ "BlkioDeviceReadBps", false, true, NULL },
	{ "BlkioDeviceWriteBps", false, true, NULL },
	{ "BlkioDeviceReadIOps", false, true, NULL },
	{ "BlkioDeviceWriteIOps", false, true, NULL },
	{ "KernelMemory", false, true, NULL },
	{ "MemorySwappiness", false, true, NULL },
	{ "OomKillDisable", false, true, NULL },
	{ "VolumeDriver", false, false, NULL },
	{ ".OnBuild", false, false, NULL },
	{ ".Shell", false, false, NULL },
};

/* The table's fields (its Resources only, when resources_only) in hc, or
 * in body for those that start with '.'; in messages after prefix. */
static int check_fields(dk_req *r, yajl_val body, yajl_val hc, bool resources_only, const char *prefix,
			yajl_gen warnings)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		bool top = fields[i].field[0] == '.';
		const char *name = fields[i].field + top;
		if ((resources_only && !fields[i].resource) || !asks(json_get(top ? body : hc, name), fields[i].defaults))
			continue;
		char path[64];
		snprintf(path, sizeof(path), "%s%s", top ? "" : prefix, name);
		if (fields[i].refuse) {
			dk_error(r, 400, "%s is not supported by corral", path);
			return -1;
		}
		char msg[128];
		snprintf(msg, sizeof(msg), "%s is not supported by corral: ignored", path);
		jg_str(warnings, msg);
	}
	return 0;
}

int dk_update_unsupported(dk_req *r, yajl_val body, yajl_gen warnings)
{
	return check_fields(r, body, body, true, "", warnings);
}

int dk_create_unsupported(dk_req *r, yajl_val body, yajl_gen warnings)
{
	yajl_val hc = json_get(body, "HostConfig");
	if (check_fields(r, body, hc, false, "HostConfig.", warnings) < 0)
		return -1;
	const char *log = dk_str(json_get(hc, "LogConfig"), "Type");
	if (asks(json_get(json_get(hc, "LogConfig"), "Type"), log_words)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "log driver %.64s is not supported by corral: its own log is kept", log);
		jg_str(warnings, msg);
	}
	return 0;
}
