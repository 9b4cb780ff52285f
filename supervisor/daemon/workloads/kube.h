/* Kubernetes manifests into corral workloads: the parse of `corralctl
 * apply -f FILE`'s text, done in corrald (the trust boundary), YAML through
 * libyaml (JSON is YAML too). One or more documents; kinds Pod (v1) and
 * Deployment (apps/v1). Every field outside the supported list
 * (man/corral-kube.5) is refused with its path and line:
 *   "web.yaml:14: spec.template.spec.containers[0].lifecycle: not supported"
 *
 * Each workload comes out as canonical JSON text, the one form the
 * workloads room stores, compares (a changed template rolls the replicas)
 * and turns into calls:
 *   {"kind": "Pod" | "Deployment", "name": NAME,
 *    "labels": {K: V, ...},          (metadata.labels; {} when none)
 *    "replicas": N,                   (a Pod: 1; a Deployment: spec.replicas, default 1)
 *    "template": {
 *      "labels": {K: V, ...},        (the pods': a Deployment's template.metadata.labels, a Pod's own)
 *      "restart": "always" | "on-failure" | "no",   (restartPolicy)
 *      "pullSecrets": [NAME, ...],   (imagePullSecrets' names; only when given)
 *      "containers": [{"name": C,
 *                      "pull": "Always" | "IfNotPresent" | "Never",   (imagePullPolicy; only when given)
 *                      "spec": ContainerSpec}, ...]}}
 * ContainerSpec as io.corral.Supervisor's CreateContainer takes it, without
 * name, session, labels and network (the loop sets those):
 *   image; entrypoint (k8s command); command (k8s args); env ["K=V"];
 *   ports [{"containerPort", "hostPort", "protocol": "tcp"|"udp"}] (only
 *   those with a hostPort publish anything; the others are kept as given);
 *   resources {"memory": bytes, "cpus": float} (limits.memory "128Mi",
 *   limits.cpu "500m"); mounts [{"source", "destination", "readonly"}]
 *   (volumeMounts of hostPath volumes); healthcheck (livenessProbe.exec,
 *   health/health.h's form: periodSeconds -> interval, timeoutSeconds ->
 *   timeout, failureThreshold -> retries, initialDelaySeconds ->
 *   startPeriod, onFailure "restart" as the kubelet does); user
 *   "UID[:GID]" (runAsUser, runAsGroup); readOnly
 *   (readOnlyRootFilesystem); capAdd, capDrop (capabilities.add/drop);
 *   restart (the template's restart, repeated).
 * Keys are written in that order, so equal manifests give equal text. */
#pragma once
#include <stddef.h>
#include "common/error.h"

#define KUBE_TEXT_MAX (4u << 20)  /* a manifest file */
#define KUBE_MAX_WORKLOADS 256    /* documents in one file */
#define KUBE_MAX_REPLICAS 10000
#define KUBE_NAME_MAX 63          /* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])? */

typedef struct kube_workload {
	char *kind; /* "Pod" or "Deployment" */
	char *name;
	char *json; /* the canonical JSON above */
} kube_workload;

typedef struct kube_set {
	kube_workload *w;
	size_t n;
} kube_set;

