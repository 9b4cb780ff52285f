/* Which container `logs` and `exec` mean, as kubectl finds a workload's
 * (`kubectl logs deploy/NAME -c C`): a container's own name or id first;
 * else, or as deploy/NAME, deployment/NAME or pod/NAME, or with -c, the
 * workload NAME's container C (or its template's first) in its first ready
 * replica (its first replica when none is ready, so that a crashing one's
 * log can still be read). Replica CONTAINER is named <replica>-<C>
 * (workloads/workload.h), and corrald answers WorkloadInspect only for the
 * workloads the caller may see, and Logs and Exec only for its containers. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/target.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* target without a workload prefix; NULL when it has none. */
static const char *workload_named(const char *target)
{
	static const char *const prefixes[] = { "deploy/", "deployment/", "deployments/", "pod/", "pods/", NULL };
	for (size_t i = 0; prefixes[i]; i++)
		if (!strncmp(target, prefixes[i], strlen(prefixes[i])))
			return target + strlen(prefixes[i]);
	return NULL;
}

/* The replica to use: the first ready one, else the first not going. */
static const char *pick_replica(yajl_val replicas)
{
	const char *any = NULL;
	for (size_t i = 0; YAJL_IS_ARRAY(replicas) && i < replicas->u.array.len; i++) {
		yajl_val r = replicas->u.array.values[i];
		if (streq(ctl_str(r, "state"), "ready"))
			return ctl_str(r, "name");
		if (!any && !streq(ctl_str(r, "state"), "removing"))
			any = ctl_str(r, "name");
	}
	return any;
}

/* cname among the template's containers, or its first when cname is NULL
 * (said, as kubectl does, when it has more); NULL after saying why not. */
static const char *pick_container(const char *verb, const char *name, yajl_val containers, const char *cname)
{
	_cleanup_strbuf_ strbuf all = STRBUF_INIT;
	size_t n = YAJL_IS_ARRAY(containers) ? containers->u.array.len : 0;
	for (size_t i = 0; i < n; i++) {
		const char *c = ctl_str(containers->u.array.values[i], "name");
		if (cname && streq(c, cname))
			return c;
		if ((i && sb_adds(&all, ", ")) || sb_adds(&all, c)) {
			ctl_fail(verb, "out of memory");
			return NULL;
		}
	}
	if (!n || cname) {
		ctl_failf("%s: workload %s has no container \"%s\" (it has: %s)", verb, name, cname ? cname : "",
			  all.buf ? all.buf : "none");
		return NULL;
	}
	const char *first = ctl_str(containers->u.array.values[0], "name");
	if (n > 1)
		fprintf(stderr, "Defaulted container \"%s\" out of: %s\n", first, all.buf);
	return first;
}

/* The container of workload name (see above) in *id; 0, 1 when there is
 * no such workload (unsaid), or EXIT_CTL after saying why. */
static int workload_container(const char *verb, const char *name, const char *cname, char **id)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	yajl_gen g = ctl_params(NULL);
	vl_reply rep;
	if (g && jg_key_str(g, "name", name)) {
		yajl_gen_free(g);
		g = NULL;
	}
	int rc = ctl_call_gen_tolerating(&c, M("WorkloadInspect"), g, "NoSuchWorkload", &rep);
	if (rc)
		return rc;
	yajl_val w = json_get(rep.params, "workload");
	yajl_val containers = json_get(json_get(json_get(w, "manifest"), "template"), "containers");
	const char *container = pick_container(verb, name, containers, cname);
	const char *replica = container ? pick_replica(json_get(w, "replicaSet")) : NULL;
	if (container && !replica)
		rc = ctl_failf("%s: workload %s has no replica yet (see corralctl describe workload %s)", verb, name, name);
	else if (container && asprintf(id, "%s-%s", replica, container) < 0)
		rc = ctl_fail(verb, "out of memory");
	vl_reply_release(&rep);
	return container ? rc : EXIT_CTL;
}

/* Whether corrald knows a container by id (one of the caller's): 1, 0, or
 * EXIT_CTL after saying why it could not tell. */
static int is_container(const char *id)
{
	return ctl_call_found(M("Inspect"), ctl_params(id), "NoSuchContainer");
}

int ctl_target_container(const char *verb, const char *target, const char *cname, char **id)
{
	const char *name = workload_named(target);
	*id = NULL;
	if (!name && !cname) { /* a container's own name wins */
		int k = is_container(target);
		if (k != 0)
			return k == 1 ? 0 : k;
	}
	int rc = workload_container(verb, name ? name : target, cname, id);
	if (rc == 1 && (name || cname))
		return ctl_failf("%s: no such workload: %s", verb, name ? name : target);
	return rc == 1 ? 0 : rc; /* neither: the target as it is, for the usual error */
}
