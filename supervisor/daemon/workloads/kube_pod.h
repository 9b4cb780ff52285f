/* A pod spec's parts, each validated and written as the canonical JSON
 * of kube.h. */
#pragma once
#include <yajl/yajl_gen.h>
#include "supervisor/daemon/workloads/kube_fields.h"

typedef struct kube_volume {
	const char *name;
	const char *host_path;
	const char *source_type; /* ContainerSpec's sourceType, or NULL: any */
	bool create;             /* DirectoryOrCreate: made when missing */
} kube_volume;

typedef struct kube_pod {
	kube_volume *volumes;
	size_t n_volumes;
	const char *restart; /* corral's spelling: always, on-failure, no */
	long long replicas;
} kube_pod;

/* pod spec at path ("spec" or "spec.template.spec") into
 * "restart": R, ["pullSecrets": [...],] "containers": [...]; a
 * Deployment's takes only restartPolicy Always. */
int kube_pod_gen(kube_ctx *c, const kube_node *spec, const char *path, bool deployment, long long replicas,
		 yajl_gen g);
