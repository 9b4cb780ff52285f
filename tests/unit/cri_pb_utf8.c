/* supervisor/cri/pb_utf8.c: a CRI request's strings checked as UTF-8, at
 * any depth, each refused by its path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "supervisor/cri/pb_utf8.h"
#include "supervisor/cri/runtime_v1.pb-c.h"

typedef struct {
	Runtime__V1__CreateContainerRequest req;
	Runtime__V1__ContainerConfig cfg;
	Runtime__V1__ContainerMetadata meta;
	Runtime__V1__KeyValue env[2];
	Runtime__V1__KeyValue *envs[2];
	Runtime__V1__ContainerConfig__LabelsEntry label;
	Runtime__V1__ContainerConfig__LabelsEntry *labels[1];
	char *args[2];
} request;

/* a CreateContainer with a name, two envs, a label and two args */
static void request_init(request *r)
{
	r->req = (Runtime__V1__CreateContainerRequest)RUNTIME__V1__CREATE_CONTAINER_REQUEST__INIT;
	r->cfg = (Runtime__V1__ContainerConfig)RUNTIME__V1__CONTAINER_CONFIG__INIT;
	r->meta = (Runtime__V1__ContainerMetadata)RUNTIME__V1__CONTAINER_METADATA__INIT;
	r->label = (Runtime__V1__ContainerConfig__LabelsEntry)RUNTIME__V1__CONTAINER_CONFIG__LABELS_ENTRY__INIT;
	for (int i = 0; i < 2; i++) {
		r->env[i] = (Runtime__V1__KeyValue)RUNTIME__V1__KEY_VALUE__INIT;
		r->env[i].key = "K", r->env[i].value = "v";
		r->envs[i] = &r->env[i];
	}
	r->meta.name = "web";
	r->label.key = "app", r->label.value = "caf\xc3\xa9 \xf0\x9f\x90\xb3"; /* é and a 4-byte one */
	r->labels[0] = &r->label;
	r->args[0] = "sh", r->args[1] = "-c";
	r->cfg.metadata = &r->meta, r->cfg.n_envs = 2, r->cfg.envs = r->envs;
	r->cfg.n_labels = 1, r->cfg.labels = r->labels, r->cfg.n_args = 2, r->cfg.args = r->args;
	r->req.pod_sandbox_id = "abc", r->req.config = &r->cfg;
}

static void assert_refused_at(request *r, const char *path)
{
	char where[256];
	assert_false(pb_strings_utf8(&r->req.base, where, sizeof(where)));
	assert_string_equal(where, path);
}

static void test_utf8_everywhere_is_taken(void **state)
{
	request r;
	request_init(&r);
	char where[256];
	assert_true(pb_strings_utf8(&r.req.base, where, sizeof(where)));
	assert_string_equal(where, "");
}

static void test_each_string_is_named_by_its_path(void **state)
{
	request r;
	request_init(&r);
	r.req.pod_sandbox_id = "\xc0\xaf"; /* an overlong '/' */
	assert_refused_at(&r, "pod_sandbox_id");
	request_init(&r);
	r.env[1].value = "ok \xed\xa0\x80"; /* a surrogate */
	assert_refused_at(&r, "config.envs[1].value");
	request_init(&r);
	r.label.key = "\xff";
	assert_refused_at(&r, "config.labels[0].key");
	request_init(&r);
	r.args[1] = "\xf4\x90\x80\x80"; /* past U+10FFFF */
	assert_refused_at(&r, "config.args[1]");
	request_init(&r);
	r.meta.name = "a\xe2\x82"; /* cut short */
	assert_refused_at(&r, "config.metadata.name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_everywhere_is_taken),
		cmocka_unit_test(test_each_string_is_named_by_its_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
