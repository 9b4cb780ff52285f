/* Seed corpus for fuzz_kube: a Pod and a Deployment that use every field
 * corrald reads, as YAML and as JSON. Usage: seeds_kube DIR */
#include <stdio.h>
#include "fuzz_seeds.h"

static const char *const seeds[] = {
	("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  restartPolicy: OnFailure\n"
	"  volumes:\n  - name: data\n    hostPath: {path: /srv, type: Directory}\n  containers:\n  - name: a\n"
	"    image: busybox\n    command: [sh, -c]\n    args: [\"sleep 1\"]\n    env:\n    - {name: A, value: b}\n"
	"    ports:\n    - {containerPort: 80, hostPort: 8080, protocol: UDP, name: http}\n"
	"    resources: {limits: {memory: 128Mi, cpu: 500m}}\n"
	"    volumeMounts:\n    - {name: data, mountPath: /data, readOnly: true}\n"
	"    livenessProbe: {exec: {command: [\"true\"]}, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 1,"
	" initialDelaySeconds: 3}\n"
	"    securityContext: {runAsUser: 1, runAsGroup: 2, readOnlyRootFilesystem: true,"
	" capabilities: {add: [NET_ADMIN], drop: [ALL]}}\n"),
	("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n"
	"  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
	"    spec: {containers: [{name: api, image: x}]}\n---\n"),
	("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"j\"},"
	" \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\"}]}}"),
};

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return seeds_put(argv[1], seeds, sizeof(seeds) / sizeof(seeds[0]), "seed", ".yaml") < 0;
}
