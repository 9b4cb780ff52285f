/* supervisor/shape/ctr_inspect.c: a corral Container as Docker's and
 * podman's container inspect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/api/owned_name.h"
#include "supervisor/shape/shape.h"
#include "supervisor/shape/ctr_inspect.h"
#include "supervisor/shape/ctr_summary.h"

static const char ctr[] =
	"{\"id\":\"abc\",\"name\":\"web\",\"image\":\"docker.io/library/bb:1\",\"imageDigest\":\"sha256:1\","
	"\"created\":\"2024-01-02T03:04:05Z\",\"command\":[\"sh\",\"-c\",\"sleep 9\"],"
	"\"ports\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp\"}],\"labels\":{\"k\":\"v\"},"
	"\"config\":{\"image\":\"bb:1\",\"env\":[\"K=V\",\"PATH=/mine\"],\"restart\":\"on-failure:3\","
	"\"mounts\":[{\"source\":\"/s\",\"destination\":\"/d\",\"readonly\":true}],\"network\":\"corral\"},"
	"\"volumes\":[{\"name\":\"data\",\"owner\":4141,\"destination\":\"/v\",\"mountpoint\":\"/m\"},"
	"{\"name\":\"cache\",\"owner\":0,\"destination\":\"/c\",\"mountpoint\":\"/n\"}],"
	"\"state\":{\"status\":\"running\",\"pid\":42,\"exitCode\":0,\"startedAt\":\"2024-01-02T03:04:06Z\","
	"\"finishedAt\":\"\",\"restartCount\":2},"
	"\"networks\":{\"corral\":{\"networkId\":\"9d2f450b055e1e5810ae26849513fdec1c7175d457f8b1c1956ebb00542716a7\",\"ipAddress\":\"10.88.0.5\",\"prefixLength\":16,\"gateway\":\"10.88.0.1\",\"macAddress\":\"m\"}}}";
static const char img[] = "{\"size\":1000,\"config\":{\"env\":[\"PATH=/bin\",\"HOME=/root\"],\"cmd\":[\"sh\"]}}";

/* The inspect of ctr as `as` says it to viewer, parsed. */
static yajl_val inspect(dk_dialect as, uid_t viewer)
{
	_cleanup_json_ yajl_val c = NULL, i = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(ctr, NULL, &c, &err), 0);
	assert_int_equal(json_parse(img, NULL, &i, &err), 0);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	dk_gen_ctr_inspect(g, c, i, as, viewer);
	_cleanup_free_ char *text = jg_finish(g, NULL);
	assert_non_null(text);
	yajl_val v = NULL;
	assert_int_equal(json_parse(text, NULL, &v, &err), 0);
	return v;
}

static const char *str_at(yajl_val v, const char *const *path)
{
	yajl_val x = yajl_tree_get(v, (const char **)path, yajl_t_string);
	return x ? x->u.string : NULL;
}

#define STR(v, ...) str_at(v, (const char *const[]){ __VA_ARGS__, NULL })
#define AT(v, ...) yajl_tree_get(v, (const char *[]){ __VA_ARGS__, NULL }, yajl_t_any)

static void test_docker_fields(void **state)
{
	_cleanup_json_ yajl_val v = inspect(DK_AS_DOCKER, 0);
	assert_string_equal(STR(v, "Id"), "abc");
	assert_string_equal(STR(v, "Name"), "/web");
	assert_null(AT(v, "ImageName"));
	assert_string_equal(STR(v, "Created"), "2024-01-02T03:04:05Z");
	assert_string_equal(STR(v, "State", "Status"), "running");
	assert_true(YAJL_IS_TRUE(AT(v, "State", "Running")));
	assert_string_equal(STR(v, "State", "FinishedAt"), "0001-01-01T00:00:00Z");
	assert_int_equal(AT(v, "RestartCount")->u.number.i, 2);
	/* the environment in effect, in dockerd's order: the spec's, then the
	 * image's it does not set (its PATH is the spec's) */
	yajl_val env = AT(v, "Config", "Env");
	assert_int_equal(env->u.array.len, 3);
	assert_string_equal(env->u.array.values[0]->u.string, "K=V");
	assert_string_equal(env->u.array.values[1]->u.string, "PATH=/mine");
	assert_string_equal(env->u.array.values[2]->u.string, "HOME=/root");
	assert_string_equal(STR(v, "Config", "Labels", "k"), "v");
	assert_string_equal(STR(v, "HostConfig", "RestartPolicy", "Name"), "on-failure");
	assert_int_equal(AT(v, "HostConfig", "RestartPolicy", "MaximumRetryCount")->u.number.i, 3);
	assert_string_equal(STR(v, "NetworkSettings", "IPAddress"), "10.88.0.5");
	assert_int_equal(AT(v, "NetworkSettings", "IPPrefixLen")->u.number.i, 16);
	assert_int_equal(AT(v, "NetworkSettings", "Networks", "corral", "IPPrefixLen")->u.number.i, 16);
	assert_string_equal(STR(v, "NetworkSettings", "Networks", "corral", "Gateway"), "10.88.0.1");
	/* its network's id, as corrald gives it */
	assert_string_equal(STR(v, "NetworkSettings", "Networks", "corral", "NetworkID"),
			    "9d2f450b055e1e5810ae26849513fdec1c7175d457f8b1c1956ebb00542716a7");
	yajl_val bound = AT(v, "NetworkSettings", "Ports", "80/tcp");
	assert_string_equal(STR(bound->u.array.values[0], "HostPort"), "8080");
	yajl_val mounts = AT(v, "Mounts");
	assert_int_equal(mounts->u.array.len, 3);
	assert_string_equal(STR(mounts->u.array.values[0], "Destination"), "/d");
	assert_true(YAJL_IS_FALSE(AT(mounts->u.array.values[0], "RW")));
	assert_string_equal(STR(mounts->u.array.values[1], "Type"), "volume");
	assert_string_equal(STR(mounts->u.array.values[1], "Source"), "/m");
}

/* A volume by the name its viewer reaches it by: root names a member's
 * NAME@UID (its bare NAME is root's own), the member its own bare. */
static void test_volume_names(void **state)
{
	_cleanup_json_ yajl_val root = inspect(DK_AS_DOCKER, 0), member = inspect(DK_AS_DOCKER, 4141);
	yajl_val seen_by_root = AT(root, "Mounts"), seen_by_member = AT(member, "Mounts");
	assert_string_equal(STR(seen_by_root->u.array.values[1], "Name"), "data@4141");
	assert_string_equal(STR(seen_by_root->u.array.values[2], "Name"), "cache");
	assert_string_equal(STR(seen_by_member->u.array.values[1], "Name"), "data");
}

/* an event by the same rule, a container's as a volume's: its name, and
 * its owner */
static void test_owned_event_names(void **state)
{
	_cleanup_json_ yajl_val member = NULL, own = NULL, ctr_event = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse("{\"type\":\"volume\",\"name\":\"data\",\"owner\":4141}", NULL, &member, &err), 0);
	assert_int_equal(json_parse("{\"type\":\"volume\",\"name\":\"data\",\"owner\":0}", NULL, &own, &err), 0);
	assert_int_equal(json_parse("{\"type\":\"container\",\"name\":\"web\",\"owner\":4141}", NULL, &ctr_event, &err),
			 0);
	char buf[64];
	assert_string_equal(owned_event_name(member, 0, buf, sizeof(buf)), "data@4141");
	assert_string_equal(owned_event_name(member, 4141, buf, sizeof(buf)), "data");
	assert_string_equal(owned_event_name(own, 0, buf, sizeof(buf)), "data");
	assert_string_equal(owned_event_name(ctr_event, 0, buf, sizeof(buf)), "web@4141");
	/* a name in it as its owner gives it (a container's session) */
	assert_string_equal(owned_event_ref(ctr_event, "ci", 0, buf, sizeof(buf)), "ci@4141");
	assert_string_equal(owned_event_ref(ctr_event, "ci", 4141, buf, sizeof(buf)), "ci");
	assert_string_equal(owned_event_ref(own, "ci@4141", 0, buf, sizeof(buf)), "ci@4141");
	assert_string_equal(owned_event_ref(own, "ci", 0, buf, sizeof(buf)), "ci");
	assert_string_equal(owned_event_ref(ctr_event, "ci@0", 4141, buf, sizeof(buf)), "ci@0"); /* none: as it is */
}

/* A name as its caller writes it: root's bare NAME is root's, NAME@UID a
 * member's; a member reaches its own alone. */
static void test_owned_name_parse(void **state)
{
	uid_t owner;
	char name[8];
	assert_true(owned_name_parse("web", 0, &owner, name, sizeof(name)));
	assert_int_equal(owner, 0);
	assert_string_equal(name, "web");
	assert_true(owned_name_parse("web@4141", 0, &owner, name, sizeof(name)));
	assert_int_equal(owner, 4141);
	assert_string_equal(name, "web");
	assert_true(owned_name_parse("web", 4141, &owner, name, sizeof(name)));
	assert_int_equal(owner, 4141);
	assert_true(owned_name_parse("web@4141", 4141, &owner, name, sizeof(name)));
	assert_false(owned_name_parse("web@4242", 4141, &owner, name, sizeof(name))); /* another member's */
	assert_false(owned_name_parse("web@0", 4141, &owner, name, sizeof(name)));    /* root's: no member's uid */
	assert_false(owned_name_parse("web@0", 0, &owner, name, sizeof(name)));
	assert_false(owned_name_parse("web@x", 0, &owner, name, sizeof(name)));
	assert_false(owned_name_parse("web@", 0, &owner, name, sizeof(name)));
	assert_false(owned_name_parse("toolongname@4141", 0, &owner, name, sizeof(name))); /* no room */
	assert_true(owned_type("container") && owned_type("volume") && owned_type("secret") && owned_type("session") &&
		    owned_type("workload"));
	assert_false(owned_type("image") || owned_type("network") || owned_type(NULL));
	/* Docker's Name, and a container's name in root's list */
	_cleanup_json_ yajl_val c = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse("{\"name\":\"web\",\"owner\":4141}", NULL, &c, &err), 0);
	char buf[64];
	assert_string_equal(dk_owned_name(c, 0, buf, sizeof(buf)), "web@4141");
	assert_string_equal(dk_owned_name(c, 4141, buf, sizeof(buf)), "web");
}

static void test_podman_fields(void **state)
{
	_cleanup_json_ yajl_val v = inspect(DK_AS_PODMAN, 0);
	assert_string_equal(STR(v, "Name"), "web");
	assert_string_equal(STR(v, "ImageName"), "docker.io/library/bb:1");
	assert_string_equal(STR(v, "Image"), "sha256:1");
}

/* the members alone, for a caller that adds its own to the map */
static void test_keys(void **state)
{
	_cleanup_json_ yajl_val c = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(ctr, NULL, &c, &err), 0);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	dk_gen_ctr_inspect_keys(g, c, NULL, DK_AS_PODMAN, 0);
	jg_key_str(g, "extra", "x");
	yajl_gen_map_close(g);
	_cleanup_free_ char *text = jg_finish(g, NULL);
	_cleanup_json_ yajl_val v = NULL;
	assert_int_equal(json_parse(text, NULL, &v, &err), 0);
	assert_string_equal(STR(v, "extra"), "x");
	/* no image: the spec's environment alone */
	assert_int_equal(AT(v, "Config", "Env")->u.array.len, 2);
}

/* docker inspect -s: a container with sizes has SizeRw, and SizeRootFs
 * with its image's size; one without has neither */
static void test_sizes(void **state)
{
	_cleanup_json_ yajl_val plain = inspect(DK_AS_DOCKER, 0);
	assert_null(json_get(plain, "SizeRw"));
	_cleanup_json_ yajl_val i = NULL, c = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(img, NULL, &i, &err), 0);
	assert_int_equal(json_parse("{\"id\":\"a\",\"name\":\"w\",\"sizeRw\":24}", NULL, &c, &err), 0);
	for (int gone = 0; gone < 2; gone++) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		dk_gen_ctr_inspect(g, c, gone ? NULL : i, DK_AS_DOCKER, 0);
		_cleanup_free_ char *text = jg_finish(g, NULL);
		_cleanup_json_ yajl_val v = NULL;
		assert_int_equal(json_parse(text, NULL, &v, &err), 0);
		assert_int_equal(YAJL_GET_INTEGER(json_get(v, "SizeRw")), 24);
		assert_int_equal(YAJL_GET_INTEGER(json_get(v, "SizeRootFs")), gone ? 24 : 1024);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_fields),
		cmocka_unit_test(test_podman_fields),
		cmocka_unit_test(test_volume_names),
		cmocka_unit_test(test_owned_event_names),
		cmocka_unit_test(test_owned_name_parse),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
