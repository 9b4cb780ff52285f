/* Parsers of image metadata: index, manifest, config, docker manifest.json,
 * media types, platforms, and digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "images/digest.h"
#include "images/manifest.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void test_digest(void **state)
{
	char d[DIGEST_STR_LEN];
	assert_int_equal(digest_buf("abc", 3, d, NULL), 0);
	assert_string_equal(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(digest_valid(D1));
	assert_false(digest_valid("sha256:1111"));
	assert_false(digest_valid("sha256:111111111111111111111111111111111111111111111111111111111111111G"));
	assert_false(digest_valid("sha512:1111111111111111111111111111111111111111111111111111111111111111"));
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(digest_check("md5:abc", "x", &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "unsupported digest algorithm"));
	/* streaming equals one-shot */
	digest_ctx *c = digest_new();
	digest_update(c, "a", 1);
	digest_update(c, "bc", 2);
	char d2[DIGEST_STR_LEN];
	digest_final(c, d2);
	digest_free(c);
	assert_string_equal(d, d2);
}

static void test_index(void **state)
{
	const char *t = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
			"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D1 "\",\"size\":10,"
			"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"},"
			"\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},"
			"{\"mediaType\":\"" MT_OCI_INDEX "\",\"digest\":\"" D2 "\",\"size\":20}]}";
	img_index idx;
	cerr err = { 0 };
	assert_int_equal(index_parse(t, "index.json", &idx, &err), 0);
	assert_int_equal(idx.n, 2);
	assert_string_equal(idx.m[0].arch, "arm64");
	assert_string_equal(idx.m[0].variant, "v8");
	assert_string_equal(idx.m[0].ref_name, "v1");
	assert_int_equal(idx.m[1].size, 20);
	assert_true(mt_is_index(idx.m[1].media_type));
	index_free(&idx);
}

static void expect_index_error(const char *t, const char *needle)
{
	img_index idx;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(index_parse(t, "index.json", &idx, &err) < 0);
	assert_non_null(err.msg);
	if (!strstr(err.msg, needle))
		fail_msg("error [%s] lacks [%s]", err.msg, needle);
	assert_null(strchr(err.msg, '\n'));
}

static void test_index_bad(void **state)
{
	expect_index_error("[]", "expected an object");
	expect_index_error("{\"schemaVersion\":1,\"manifests\":[]}", "schemaVersion");
	expect_index_error("{\"schemaVersion\":2}", "manifests");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:12\",\"size\":1}]}",
			   "malformed digest");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":-1}]}", "size");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1 "\",\"size\":\"1\"}]}", "size");
	expect_index_error("{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\",\"manifests\":[]}",
			   "not an image index");
	expect_index_error("{\"schemaVersion\":2,\"manifests\":[", "invalid JSON");
}

static void test_manifest(void **state)
{
	const char *t = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
			"\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1 "\",\"size\":5},"
			"\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"" D2 "\",\"size\":7},"
			"{\"mediaType\":\"" MT_OCI_LAYER_ZSTD "\",\"digest\":\"" D1 "\",\"size\":8},"
			"{\"mediaType\":\"" MT_DOCKER_LAYER_GZIP "\",\"digest\":\"" D1 "\",\"size\":9}]}";
	img_manifest m;
	cerr err = { 0 };
	assert_int_equal(manifest_parse(t, "m", &m, &err), 0);
	assert_string_equal(m.config.digest, D1);
	assert_int_equal(m.n_layers, 3);
	assert_int_equal(mt_layer_comp(m.layers[0].media_type), COMP_GZIP);
	assert_int_equal(mt_layer_comp(m.layers[1].media_type), COMP_ZSTD);
	assert_int_equal(mt_layer_comp(m.layers[2].media_type), COMP_GZIP);
	assert_int_equal(m.layers[2].size, 9);
	manifest_free(&m);
}

static void test_manifest_bad(void **state)
{
	img_manifest m;
	_cleanup_cerr_ cerr err = { 0 };
	/* a layer whose media type is not a layer */
	const char *t1 = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
			 "\",\"size\":5},\"layers\":[{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D2
			 "\",\"size\":7}]}";
	assert_true(manifest_parse(t1, "m", &m, &err) < 0);
	assert_non_null(strstr(err.msg, "unsupported layer mediaType"));
	cerr_clear(&err);
	/* the config descriptor must be a config */
	const char *t2 = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" MT_OCI_LAYER "\",\"digest\":\"" D1
			 "\",\"size\":5},\"layers\":[]}";
	assert_true(manifest_parse(t2, "m", &m, &err) < 0);
	assert_non_null(strstr(err.msg, "not an image config"));
	cerr_clear(&err);
	/* an index is not a manifest */
	const char *t3 = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":[]}";
	assert_true(manifest_parse(t3, "m", &m, &err) < 0);
	assert_non_null(strstr(err.msg, "not an image manifest"));
	cerr_clear(&err);
	/* too many layers */
	char big[40000] = "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":5},\"layers\":[";
	for (int i = 0; i <= IMG_MAX_LAYERS; i++)
		strcat(big, i ? ",{}" : "{}");
	strcat(big, "]}");
	assert_true(manifest_parse(big, "m", &m, &err) < 0);
	assert_non_null(strstr(err.msg, "more than"));
}

static void test_config(void **state)
{
	const char *t = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
			"\"Entrypoint\":[\"/bin/ep\"],\"Cmd\":[\"a\",\"b\"],\"Env\":[\"A=1\",\"B=2\"],"
			"\"WorkingDir\":\"/w\",\"User\":\"app:wheel\",\"StopSignal\":\"SIGINT\","
			"\"Labels\":{\"k\":\"v\",\"x\":\"y\"}},"
			"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]}}";
	img_config c;
	cerr err = { 0 };
	assert_int_equal(img_config_parse(t, "c", &c, &err), 0);
	assert_string_equal(c.arch, "amd64");
	assert_int_equal(c.n_diff_ids, 2);
	assert_string_equal(c.diff_ids[1], D2);
	assert_string_equal(c.entrypoint[0], "/bin/ep");
	assert_null(c.entrypoint[1]);
	assert_string_equal(c.cmd[1], "b");
	assert_string_equal(c.env[0], "A=1");
	assert_string_equal(c.workdir, "/w");
	assert_string_equal(c.user, "app:wheel");
	assert_string_equal(c.stop_signal, "SIGINT");
	assert_int_equal(c.n_labels, 2);
	assert_string_equal(c.labels[1].key, "x");
	img_config_free(&c);
	/* null run config and null members are fine */
	assert_int_equal(img_config_parse("{\"config\":null,\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}", "c", &c, &err), 0);
	assert_null(c.cmd);
	img_config_free(&c);
}

static void test_config_bad(void **state)
{
	img_config c;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(img_config_parse("{\"rootfs\":{\"type\":\"layers\"}}", "c", &c, &err) < 0);
	assert_non_null(strstr(err.msg, "diff_ids"));
	cerr_clear(&err);
	assert_true(img_config_parse("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:xx\"]}}", "c", &c, &err) < 0);
	assert_non_null(strstr(err.msg, "rootfs.diff_ids[0]"));
	cerr_clear(&err);
	assert_true(img_config_parse("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Env\":\"A=1\"}}", "c",
				 &c, &err) < 0);
	assert_non_null(strstr(err.msg, "Env: expected an array"));
	cerr_clear(&err);
	assert_true(img_config_parse("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"config\":{\"Cmd\":[1]}}", "c", &c,
				 &err) < 0);
	assert_non_null(strstr(err.msg, "Cmd[0]"));
	cerr_clear(&err);
	assert_true(img_config_parse("{\"rootfs\":{\"type\":\"bogus\",\"diff_ids\":[]}}", "c", &c, &err) < 0);
}

static void test_docker_manifest(void **state)
{
	const char *t = "[{\"Config\":\"abc.json\",\"RepoTags\":[\"busybox:latest\"],"
			"\"Layers\":[\"x/layer.tar\",\"y/layer.tar\"]}]";
	docker_manifest d;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(docker_manifest_parse(t, "manifest.json", &d, &err), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.e[0].config, "abc.json");
	assert_string_equal(d.e[0].repo_tags[0], "busybox:latest");
	assert_int_equal(d.e[0].n_layers, 2);
	docker_manifest_free(&d);
	assert_true(docker_manifest_parse("[]", "manifest.json", &d, &err) < 0);
	cerr_clear(&err);
	assert_true(docker_manifest_parse("[{\"Layers\":[]}]", "manifest.json", &d, &err) < 0);
	assert_non_null(strstr(err.msg, "Config and Layers"));
}

static void test_platform(void **state)
{
	assert_true(platform_match("linux", "amd64", NULL, "linux", "amd64", NULL));
	assert_false(platform_match("linux", "arm64", NULL, "linux", "amd64", NULL));
	assert_false(platform_match("windows", "amd64", NULL, "linux", "amd64", NULL));
	assert_true(platform_match("linux", "arm", "v7", "linux", "arm", "v7"));
	assert_false(platform_match("linux", "arm", "v6", "linux", "arm", "v7"));
	assert_true(platform_match("linux", "arm64", NULL, "linux", "arm64", "v8"));
	assert_false(platform_match(NULL, "amd64", NULL, "linux", "amd64", NULL));
	const char *os, *arch, *variant;
	host_platform(&os, &arch, &variant);
	assert_string_equal(os, "linux");
	assert_true(strlen(arch) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest),        cmocka_unit_test(test_index),
		cmocka_unit_test(test_index_bad),     cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_manifest_bad),  cmocka_unit_test(test_config),
		cmocka_unit_test(test_config_bad),    cmocka_unit_test(test_docker_manifest),
		cmocka_unit_test(test_platform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
