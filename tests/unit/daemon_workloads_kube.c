#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "supervisor/daemon/workloads/kube.h"
#include "supervisor/daemon/workloads/kube_parse.h"
#include "supervisor/daemon/workloads/kube_quantity.h"

static const char pod_yaml[] = "apiVersion: v1\n"
			       "kind: Pod\n"
			       "metadata:\n"
			       "  name: web\n"
			       "  labels:\n"
			       "    tier: front\n"
			       "    app: web\n"
			       "spec:\n"
			       "  restartPolicy: OnFailure\n"
			       "  volumes:\n"
			       "  - name: data\n"
			       "    hostPath:\n"
			       "      path: /srv/data\n"
			       "      type: Directory\n"
			       "  containers:\n"
			       "  - name: nginx\n"
			       "    image: nginx:1.25\n"
			       "    command: [\"/bin/sh\", \"-c\"]\n"
			       "    args: [\"exec nginx\"]\n"
			       "    env:\n"
			       "    - name: MODE\n"
			       "      value: prod\n"
			       "    - name: EMPTY\n"
			       "    ports:\n"
			       "    - containerPort: 80\n"
			       "      hostPort: 8080\n"
			       "      protocol: TCP\n"
			       "      name: http\n"
			       "    - containerPort: 53\n"
			       "      protocol: UDP\n"
			       "    resources:\n"
			       "      limits:\n"
			       "        memory: 128Mi\n"
			       "        cpu: 500m\n"
			       "    volumeMounts:\n"
			       "    - name: data\n"
			       "      mountPath: /data\n"
			       "      readOnly: true\n"
			       "    livenessProbe:\n"
			       "      exec:\n"
			       "        command: [cat, /tmp/ok]\n"
			       "      periodSeconds: 5\n"
			       "    securityContext:\n"
			       "      runAsUser: 1000\n"
			       "      runAsGroup: 100\n"
			       "      readOnlyRootFilesystem: true\n"
			       "      capabilities:\n"
			       "        add: [NET_ADMIN]\n"
			       "        drop: [ALL]\n"
			       "  - name: sidecar\n"
			       "    image: busybox\n"
			       "    workingDir: /srv\n";

static const char pod_json[] =
	"{\"kind\":\"Pod\",\"name\":\"web\",\"labels\":{\"app\":\"web\",\"tier\":\"front\"},\"replicas\":1,"
	"\"template\":{\"labels\":{\"app\":\"web\",\"tier\":\"front\"},\"restart\":\"on-failure\",\"containers\":[{\"name\":\"nginx\",\"spec\":{"
	"\"image\":\"nginx:1.25\",\"entrypoint\":[\"/bin/sh\",\"-c\"],\"command\":[\"exec nginx\"],"
	"\"env\":[\"MODE=prod\",\"EMPTY=\"],"
	"\"ports\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp\"},{\"containerPort\":53,\"protocol\":\"udp\"}],"
	"\"resources\":{\"memory\":134217728,\"cpus\":0.5},"
	"\"mounts\":[{\"source\":\"/srv/data\",\"destination\":\"/data\",\"readonly\":true,\"sourceType\":\"directory\"}],"
	"\"healthcheck\":{\"command\":[\"cat\",\"/tmp/ok\"],\"interval\":\"5s\",\"timeout\":\"1s\",\"retries\":3,"
	"\"startPeriod\":\"0s\",\"onFailure\":\"restart\"},"
	"\"user\":\"1000:100\",\"readOnly\":true,\"capAdd\":[\"NET_ADMIN\"],\"capDrop\":[\"ALL\"],\"restart\":\"on-failure\"}},"
	"{\"name\":\"sidecar\",\"spec\":{\"image\":\"busybox\",\"workdir\":\"/srv\",\"restart\":\"on-failure\"}}]}}";

static const char deploy_yaml[] = "apiVersion: apps/v1\n"
				  "kind: Deployment\n"
				  "metadata:\n"
				  "  name: api\n"
				  "spec:\n"
				  "  replicas: 3\n"
				  "  selector:\n"
				  "    matchLabels:\n"
				  "      app: api\n"
				  "  template:\n"
				  "    metadata:\n"
				  "      labels:\n"
				  "        app: api\n"
				  "        tier: back\n"
				  "    spec:\n"
				  "      containers:\n"
				  "      - name: api\n"
				  "        image: registry.local/api:2\n"
				  "        resources:\n"
				  "          limits:\n"
				  "            memory: 1G\n"
				  "            cpu: 2\n"
				  "        livenessProbe:\n"
				  "          exec:\n"
				  "            command: [/bin/true]\n";

static const char deploy_json[] =
	"{\"kind\":\"Deployment\",\"name\":\"api\",\"labels\":{},\"replicas\":3,"
	"\"template\":{\"labels\":{\"app\":\"api\",\"tier\":\"back\"},\"restart\":\"always\",\"containers\":[{\"name\":\"api\",\"spec\":{"
	"\"image\":\"registry.local/api:2\",\"resources\":{\"memory\":1000000000,\"cpus\":2},"
	"\"healthcheck\":{\"command\":[\"/bin/true\"],\"interval\":\"10s\",\"timeout\":\"1s\",\"retries\":3,"
	"\"startPeriod\":\"0s\",\"onFailure\":\"restart\"},\"restart\":\"always\"}}]}}";

static void parse_ok(const char *text, kube_set *s)
{
	_cleanup_cerr_ cerr err = { 0 };
	int r = kube_parse("web.yaml", text, strlen(text), s, &err);
	if (r < 0)
		fail_msg("%s", cerr_msg(&err));
}

/* text is one workload of kind, whose canonical form is json */
static void parses_to(const char *text, const char *kind, const char *json)
{
	kube_set s;
	parse_ok(text, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.w[0].kind, kind);
	assert_string_equal(s.w[0].json, json);
	kube_set_release(&s);
}

static void parse_fails(const char *text, const char *want)
{
	kube_set s = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	int r = kube_parse("web.yaml", text, strlen(text), &s, &err);
	if (r >= 0)
		fail_msg("parsed, but expected: %s", want);
	assert_string_equal(cerr_msg(&err), want);
	assert_null(s.w);
	assert_int_equal(s.n, 0);
}

static void test_pod(void **state)
{
	kube_set s;
	parse_ok(pod_yaml, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.w[0].name, "web");
	kube_set_release(&s);
	parses_to(pod_yaml, "Pod", pod_json);
}

static void test_deployment(void **state)
{
	parses_to(deploy_yaml, "Deployment", deploy_json);
}

/* JSON is YAML: the same Deployment written as JSON gives the same text */
static void test_json_input(void **state)
{
	const char *j = "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"api\"},\n"
			"\"spec\": {\"replicas\": 3, \"selector\": {\"matchLabels\": {\"app\": \"api\"}},\n"
			" \"template\": {\"metadata\": {\"labels\": {\"tier\": \"back\", \"app\": \"api\"}},\n"
			"  \"spec\": {\"containers\": [{\"name\": \"api\", \"image\": \"registry.local/api:2\",\n"
			"   \"resources\": {\"limits\": {\"memory\": \"1G\", \"cpu\": \"2\"}},\n"
			"   \"livenessProbe\": {\"exec\": {\"command\": [\"/bin/true\"]}}}]}}}}";
	parses_to(j, "Deployment", deploy_json);
}

static void test_multi_document(void **state)
{
	char text[8192];
	snprintf(text, sizeof(text), "---\n---\n%s---\n# nothing\n---\n%s", pod_yaml, deploy_yaml);
	kube_set s;
	parse_ok(text, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.w[0].json, pod_json);
	assert_string_equal(s.w[1].json, deploy_json);
	kube_set_release(&s);
	/* one bad document fails the whole file, with the line in the file */
	snprintf(text, sizeof(text), "%s---\napiVersion: v1\nkind: Pod\nmetadata: {name: other}\nspec:\n  hostNetwork: true\n",
		 pod_yaml);
	parse_fails(text, "web.yaml:58: spec.hostNetwork: not supported");
	parse_fails("---\n---\n", "web.yaml: holds no Pod or Deployment");
	snprintf(text, sizeof(text), "%s---\n%s", pod_yaml, pod_yaml);
	parse_fails(text, "web.yaml:57: metadata.name: web: named twice in this file");
}

/* text with one line replaced (1-based), to make each refusal from a good manifest */
static char *edit(const char *text, int line, const char *with)
{
	static char buf[8192];
	const char *p = text;
	for (int i = 1; i < line; i++)
		p = strchr(p, '\n') + 1;
	const char *end = strchr(p, '\n') + 1;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - text), text, with, end);
	return buf;
}

static void test_unsupported_fields(void **state)
{
	parse_fails(edit(deploy_yaml, 18, "        image: x\n        lifecycle: {}\n"),
		    "web.yaml:19: spec.template.spec.containers[0].lifecycle: not supported");
	parse_fails(edit(pod_yaml, 4, "  name: web\n  namespace: default\n"), "web.yaml:5: metadata.namespace: not supported");
	parse_fails(edit(deploy_yaml, 6, "  replicas: 3\n  strategy: {type: Recreate}\n"), "web.yaml:7: spec.strategy: not supported");
	parse_fails(edit(pod_yaml, 34, "        cpu: 500m\n      requests: {memory: 64Mi}\n"),
		    "web.yaml:35: spec.containers[0].resources.requests: not supported");
	parse_fails(edit(pod_yaml, 22, "      valueFrom: {}\n"), "web.yaml:22: spec.containers[0].env[0].valueFrom: not supported");
	parse_fails(edit(pod_yaml, 42, "      successThreshold: 1\n"),
		    "web.yaml:42: spec.containers[0].livenessProbe.successThreshold: not supported");
	parse_fails(edit(pod_yaml, 42, "      httpGet: {path: /}\n"), "web.yaml:42: spec.containers[0].livenessProbe.httpGet: not supported");
	parse_fails(edit(pod_yaml, 11, "  - name: data\n    emptyDir: {}\n"), "web.yaml:12: spec.volumes[0].emptyDir: not supported");
	parse_fails(edit(pod_yaml, 14, "      type: FileOrCreate\n"),
		    "web.yaml:14: spec.volumes[0].hostPath.type: FileOrCreate: not supported (Directory, DirectoryOrCreate, "
		    "File, Socket, CharDevice or BlockDevice: corral makes no file)");
	parse_fails(edit(pod_yaml, 27, "      protocol: SCTP\n"), "web.yaml:27: spec.containers[0].ports[0].protocol: SCTP: not supported (TCP or UDP)");
	parse_fails(edit(pod_yaml, 44, "      privileged: true\n"), "web.yaml:44: spec.containers[0].securityContext.privileged: not supported");
}

/* What kubectl writes (`kubectl create deployment api --image=... --replicas 3
 * --dry-run=client -o yaml`, then a limit and a probe added by hand) applies
 * as it is, and is the same workload as the manifest written without its
 * placeholders; placeholders that say something are still refused. */
static void test_kubectl_output(void **state)
{
	static const char kubectl[] = "apiVersion: apps/v1\n"
				      "kind: Deployment\n"
				      "metadata:\n"
				      "  creationTimestamp: null\n"
				      "  name: api\n"
				      "spec:\n"
				      "  replicas: 3\n"
				      "  selector:\n"
				      "    matchLabels:\n"
				      "      app: api\n"
				      "  strategy: {}\n"
				      "  template:\n"
				      "    metadata:\n"
				      "      creationTimestamp: null\n"
				      "      labels:\n"
				      "        app: api\n"
				      "        tier: back\n"
				      "    spec:\n"
				      "      containers:\n"
				      "      - image: registry.local/api:2\n"
				      "        name: api\n"
				      "        resources:\n"
				      "          limits: {memory: 1G, cpu: 2}\n"
				      "        livenessProbe:\n"
				      "          exec:\n"
				      "            command: [/bin/true]\n"
				      "status: {}\n";
	parses_to(kubectl, "Deployment", deploy_json);
	/* `kubectl run web --image=busybox --dry-run=client -o yaml` */
	static const char pod[] = "apiVersion: v1\n"
				  "kind: Pod\n"
				  "metadata:\n"
				  "  creationTimestamp: null\n"
				  "  labels:\n"
				  "    run: web\n"
				  "  name: web\n"
				  "spec:\n"
				  "  containers:\n"
				  "  - image: busybox\n"
				  "    name: web\n"
				  "    resources: {}\n"
				  "  dnsPolicy: ClusterFirst\n"
				  "  restartPolicy: Always\n"
				  "status: {}\n";
	parses_to(pod, "Pod", "{\"kind\":\"Pod\",\"name\":\"web\",\"labels\":{\"run\":\"web\"},\"replicas\":1,"
					 "\"template\":{\"labels\":{\"run\":\"web\"},\"restart\":\"always\",\"containers\":"
					 "[{\"name\":\"web\",\"spec\":{\"image\":\"busybox\",\"restart\":\"always\"}}]}}");
	kube_set s;
	parse_ok(edit(pod, 13, "  dnsPolicy: Default\n"), &s);
	kube_set_release(&s);
	parse_fails(edit(pod, 13, "  dnsPolicy: None\n"),
		    "web.yaml:13: spec.dnsPolicy: None: not supported (ClusterFirst or Default: corral has no cluster DNS)");
	parse_fails(edit(pod, 4, "  creationTimestamp: \"2026-11-23T00:00:00Z\"\n"),
		    "web.yaml:4: metadata.creationTimestamp: not supported");
	parse_fails(edit(kubectl, 11, "  strategy: {type: Recreate}\n"), "web.yaml:11: spec.strategy: not supported");
	parse_fails(edit(kubectl, 27, "status: {replicas: 3}\n"), "web.yaml:27: status: not supported");
	/* only kubectl's placeholders: another empty field is still refused */
	parse_fails(edit(pod, 12, "    resources: {}\n    lifecycle: {}\n"), "web.yaml:13: spec.containers[0].lifecycle: not supported");
}

static void test_kinds(void **state)
{
	parse_fails(edit(pod_yaml, 2, "kind: Service\n"), "web.yaml:2: kind: Service: not supported (Pod or Deployment)");
	parse_fails(edit(pod_yaml, 1, "apiVersion: apps/v1\n"), "web.yaml:1: apiVersion: apps/v1: not supported for a Pod (v1)");
	parse_fails(edit(deploy_yaml, 1, "apiVersion: extensions/v1beta1\n"),
		    "web.yaml:1: apiVersion: extensions/v1beta1: not supported for a Deployment (apps/v1)");
	parse_fails(edit(pod_yaml, 2, "\n"), "web.yaml:1: kind: required");
	parse_fails("- a\n- b\n", "web.yaml:1: document: must be a mapping, not a list");
	/* the kind is named before the fields it would bring */
	parse_fails("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: b}\n",
		    "web.yaml:2: kind: ConfigMap: not supported (Pod or Deployment)");
	parse_fails(edit(pod_yaml, 1, "apiVersion: v1\nstatus: {phase: Running}\n"), "web.yaml:2: status: not supported");
}

static void test_bad_yaml(void **state)
{
	parse_fails("apiVersion: v1\nkind: Pod\n metadata: x\n", "web.yaml:3: mapping values are not allowed in this context");
	parse_fails("apiVersion: v1\nmetadata:\n  name: web\n labels: {}\n", "web.yaml:4: did not find expected key");
	parse_fails("apiVersion: v1\n\tkind: Pod\n", "web.yaml:2: found a tab character that violates indentation");
	parse_fails("apiVersion: v1\nkind: [Pod\n", "web.yaml:3: did not find expected ',' or ']'");
	parse_fails(edit(pod_yaml, 4, "  name: web\n  name: other\n"), "web.yaml:5: name: duplicate key");
	parse_fails("{[a]: b}\n", "web.yaml:1: a key must be a string");
}

static void test_values(void **state)
{
	/* corral's own labels would hide the replicas from the loop */
	parse_fails(edit(pod_yaml, 6, "    io.corral.workload: other\n"),
		    "web.yaml:6: metadata.labels.io.corral.workload: io.corral. labels are corral's own");
	parse_fails(edit(deploy_yaml, 9, "      app: other\n"),
		    "web.yaml:9: spec.selector.matchLabels: app=other: does not match spec.template.metadata.labels");
	parse_fails(edit(pod_yaml, 36, "    - name: cache\n"), "web.yaml:36: spec.containers[0].volumeMounts[0].name: cache: no such volume in the pod's volumes");
	parse_fails(edit(pod_yaml, 33, "        memory: 128Mo\n"),
		    "web.yaml:33: spec.containers[0].resources.limits.memory: 128Mo: must be a quantity of bytes like 128Mi or 1G, from 4Mi to 1Pi");
	parse_fails(edit(pod_yaml, 33, "        memory: 1Mi\n"),
		    "web.yaml:33: spec.containers[0].resources.limits.memory: 1Mi: must be a quantity of bytes like 128Mi or 1G, from 4Mi to 1Pi");
	parse_fails(edit(pod_yaml, 34, "        cpu: 1m\n"),
		    "web.yaml:34: spec.containers[0].resources.limits.cpu: 1m: must be a quantity of CPUs like 500m or 2, from 10m to 1024");
	parse_fails(edit(pod_yaml, 50, "  - name: nginx\n"), "web.yaml:50: spec.containers[1].name: nginx: a container of that name is listed before");
	parse_fails(edit(pod_yaml, 50, "  - name: Side_car\n"),
		    "web.yaml:50: spec.containers[1].name: Side_car: must be 1-63 lowercase letters, digits and '-' (RFC 1123)");
	parse_fails(edit(deploy_yaml, 6, "  replicas: three\n"), "web.yaml:6: spec.replicas: must be an integer");
	parse_fails(edit(deploy_yaml, 6, "  replicas: \"3\"\n"), "web.yaml:6: spec.replicas: must be an integer");
	parse_fails(edit(deploy_yaml, 6, "  replicas: 10001\n"), "web.yaml:6: spec.replicas: must be from 0 to 10000");
	parse_fails(edit(pod_yaml, 28, "      name: HTTP\n"), "web.yaml:28: spec.containers[0].ports[0].name: HTTP: must be 1-15 lowercase letters, digits and '-'");
	/* replicas on one host cannot share a host port; one replica may publish it */
	const char *published = "          - containerPort: 80\n            hostPort: 8080\n";
	char text[4096];
	snprintf(text, sizeof(text), "%s        ports:\n%s", deploy_yaml, published);
	parse_fails(text, "web.yaml:28: spec.template.spec.containers[0].ports[0].hostPort: 3 replicas on one host cannot each publish it (use replicas: 1)");
	kube_set s;
	parse_ok(edit(text, 6, "  replicas: 1\n"), &s);
	assert_non_null(strstr(s.w[0].json, "\"ports\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp\"}]"));
	kube_set_release(&s);
	parse_fails(edit(deploy_yaml, 16, "      restartPolicy: Never\n      containers:\n"),
		    "web.yaml:16: spec.template.spec.restartPolicy: Never: a Deployment's pods take only Always");
	parse_fails(edit(pod_yaml, 4, "  name: -web\n"), "web.yaml:4: metadata.name: -web: must be 1-63 lowercase letters, digits and '-' (RFC 1123)");
	parse_fails("apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {a: b}\nspec: {}\n", "web.yaml:4: metadata.name: required");
	parse_fails("apiVersion: v1\nkind: Pod\nspec: {}\n", "web.yaml:1: metadata.name: required");
	parse_fails(edit(pod_yaml, 13, "      path: srv/data\n"),
		    "web.yaml:13: spec.volumes[0].hostPath.path: srv/data: must be an absolute path without \".\" or \"..\"");
	parse_fails(edit(pod_yaml, 25, "    - containerPort: 70000\n"), "web.yaml:25: spec.containers[0].ports[0].containerPort: must be from 1 to 65535");
	parse_fails(edit(pod_yaml, 48, "        add: [NET_WIZARD]\n"),
		    "web.yaml:48: spec.containers[0].securityContext.capabilities.add[0]: NET_WIZARD: not a capability (like NET_ADMIN, or ALL)");
	parse_fails(edit(pod_yaml, 46, "      readOnlyRootFilesystem: yes\n"),
		    "web.yaml:46: spec.containers[0].securityContext.readOnlyRootFilesystem: must be true or false");
	parse_fails(edit(pod_yaml, 17, "    image: \"\"\n"), "web.yaml:16: spec.containers[0].image: must not be empty");
	parse_fails("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  selector: {matchLabels: {a: b}}\n"
		    "  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: []}\n",
		    "web.yaml:8: spec.template.spec.containers: must list at least one container");
	parse_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  volumes: []\n", "web.yaml:5: spec.containers: must list at least one container");
	parse_fails(edit(pod_yaml, 44, "\n"), "web.yaml:45: spec.containers[0].securityContext.runAsGroup: needs runAsUser too (corral's user is UID[:GID])");
	parse_fails(edit(pod_yaml, 11, "  - name: data\n    hostPath: {path: /a}\n  - name: data\n"),
		    "web.yaml:13: spec.volumes[1].name: data: a volume of that name is listed before");
	parse_fails(edit(pod_yaml, 40, "      tcpSocket: {port: 80}\n      exec:\n"),
		    "web.yaml:40: spec.containers[0].livenessProbe.tcpSocket: not supported");
	parse_fails(edit(deploy_yaml, 8, "    matchExpressions: []\n    matchLabels:\n"), "web.yaml:8: spec.selector.matchExpressions: not supported");
	parse_fails("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n"
		    "    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
		    "web.yaml:5: spec.selector: required");
	parse_fails(edit(pod_yaml, 18, "    command: /bin/sh\n"), "web.yaml:18: spec.containers[0].command: must be a list");
	parse_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: c\n    image: i\n"
		    "    workingDir: srv\n",
		    "web.yaml:8: spec.containers[0].workingDir: srv: must be an absolute path");
}

/* imagePullPolicy and imagePullSecrets as kubectl users write them: kept
 * as given (absent: the loop's default), the secrets' names in order */
static void test_image_pull(void **state)
{
	static const char yaml[] = "apiVersion: v1\n"
				   "kind: Pod\n"
				   "metadata:\n"
				   "  name: web\n"
				   "spec:\n"
				   "  imagePullSecrets:\n"
				   "  - name: regcred\n"
				   "  - name: other.cred\n"
				   "  containers:\n"
				   "  - name: app\n"
				   "    image: registry.local:5000/app:1\n"
				   "    imagePullPolicy: Always\n"
				   "  - name: side\n"
				   "    image: busybox\n";
	parses_to(yaml, "Pod",
		  "{\"kind\":\"Pod\",\"name\":\"web\",\"labels\":{},\"replicas\":1,\"template\":{\"labels\":{},\"restart\":\"always\","
		  "\"pullSecrets\":[\"regcred\",\"other.cred\"],\"containers\":["
		  "{\"name\":\"app\",\"pull\":\"Always\",\"spec\":{\"image\":\"registry.local:5000/app:1\",\"restart\":\"always\"}},"
		  "{\"name\":\"side\",\"spec\":{\"image\":\"busybox\",\"restart\":\"always\"}}]}}");
	parse_fails(edit(yaml, 12, "    imagePullPolicy: Sometimes\n"),
		    "web.yaml:12: spec.containers[0].imagePullPolicy: Sometimes: must be Always, IfNotPresent or Never");
	parse_fails(edit(yaml, 12, "    imagePullPolicy: always\n"),
		    "web.yaml:12: spec.containers[0].imagePullPolicy: always: must be Always, IfNotPresent or Never");
	parse_fails(edit(yaml, 12, "    imagePullPolicy: [Always]\n"), "web.yaml:12: spec.containers[0].imagePullPolicy: must be a string");
	parse_fails(edit(yaml, 8, "  - name: regcred\n"), "web.yaml:8: spec.imagePullSecrets[1].name: regcred: listed before");
	parse_fails(edit(yaml, 8, "  - name: ../key\n"),
		    "web.yaml:8: spec.imagePullSecrets[1].name: ../key: must be a secret's name: 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit");
	parse_fails(edit(yaml, 8, "  - regcred\n"), "web.yaml:8: spec.imagePullSecrets[1]: must be a mapping, not a scalar");
	parse_fails(edit(yaml, 8, "  - {name: a, namespace: b}\n"), "web.yaml:8: spec.imagePullSecrets[1].namespace: not supported");
	parse_fails(edit(yaml, 7, "  - {}\n"), "web.yaml:7: spec.imagePullSecrets[0].name: required");
	parse_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  imagePullSecrets: regcred\n"
		    "  containers: [{name: c, image: i}]\n",
		    "web.yaml:5: spec.imagePullSecrets: must be a list");
	/* a Deployment's pod template takes them too */
	kube_set s;
	parse_ok(edit(deploy_yaml, 16, "      imagePullSecrets: [{name: regcred}]\n      containers:\n"), &s);
	assert_non_null(strstr(s.w[0].json, "\"restart\":\"always\",\"pullSecrets\":[\"regcred\"],\"containers\":"));
	kube_set_release(&s);
}

static void test_bounds(void **state)
{
	/* nesting: 100 levels of lists, refused at the 65th */
	char deep[512] = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: ";
	size_t n = strlen(deep);
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	deep[n] = 0;
	parse_fails(deep, "web.yaml:4: nested deeper than 64 levels");

	/* a billion laughs: anchors and aliases are refused, at the first one */
	const char *laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
			     "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
	parse_fails(laughs, "web.yaml:1: anchors and aliases are not supported");
	parse_fails("apiVersion: v1\nkind: *k\n", "web.yaml:2: anchors and aliases are not supported");

	/* documents: KUBE_MAX_WORKLOADS, not one more */
	size_t cap = (KUBE_MAX_WORKLOADS + 1) * 8 + 1;
	_cleanup_free_ char *docs = malloc(cap);
	assert_non_null(docs);
	docs[0] = 0;
	for (int i = 0; i <= KUBE_MAX_WORKLOADS; i++)
		strcat(docs, "---\n{}\n");
	parse_fails(docs, "web.yaml:513: more than 256 documents");

	/* text */
	kube_set s = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(kube_parse("web.yaml", pod_yaml, KUBE_TEXT_MAX + 1, &s, &err), -EFBIG);
	assert_string_equal(cerr_msg(&err), "web.yaml: larger than 4194304 bytes");
	cerr_clear(&err);

	/* text need not end in NUL: the parse stops at len */
	char cut[sizeof(pod_yaml) + 16];
	memcpy(cut, pod_yaml, sizeof(pod_yaml) - 1);
	memcpy(cut + sizeof(pod_yaml) - 1, "  junk: [", 9);
	assert_int_equal(kube_parse("web.yaml", cut, sizeof(pod_yaml) - 1, &s, &err), 0);
	assert_string_equal(s.w[0].json, pod_json);
	kube_set_release(&s);
	/* a NUL inside a value is an error, not a cut string */
	assert_true(kube_parse("web.yaml", "apiVersion: v1\nkind: \"P\\0od\"\n", 29, &s, &err) < 0);
}

static void test_quantities(void **state)
{
	long long v;
	const struct {
		const char *s;
		long long bytes;
	} mem[] = { { "128Mi", 128LL << 20 }, { "1G", 1000000000 }, { "1e6", 1000000 }, { "5000000", 5000000 },
		    { "0.5Gi", 1LL << 29 }, { "1.5k", 1500 }, { "1E", 1000000000000000000LL }, { "12E-1", 2 }, { "100m", 1 } };
	for (size_t i = 0; i < sizeof(mem) / sizeof(mem[0]); i++) {
		assert_int_equal(kube_memory_bytes(mem[i].s, &v), 0);
		assert_int_equal(v, mem[i].bytes);
	}
	const struct {
		const char *s;
		long long millis;
	} cpu[] = { { "500m", 500 }, { "0.5", 500 }, { "2", 2000 }, { "0.1", 100 }, { "1.0001", 1001 }, { "1e-3", 1 } };
	for (size_t i = 0; i < sizeof(cpu) / sizeof(cpu[0]); i++) {
		assert_int_equal(kube_cpu_millis(cpu[i].s, &v), 0);
		assert_int_equal(v, cpu[i].millis);
	}
	const char *bad[] = { "", "Mi", "-1", "1 Mi", "1MiB", "1e", "0x10", "1.2.3", "1e1234", "inf", "nan", ".",
			      "1m2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(kube_memory_bytes(bad[i], &v), -EINVAL);
	assert_int_equal(kube_memory_bytes("100Ei", &v), -ERANGE);
	assert_int_equal(kube_cpu_millis("2e12", &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pod),
		cmocka_unit_test(test_deployment),
		cmocka_unit_test(test_json_input),
		cmocka_unit_test(test_multi_document),
		cmocka_unit_test(test_unsupported_fields),
		cmocka_unit_test(test_kubectl_output),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_quantities),
		cmocka_unit_test(test_image_pull),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
