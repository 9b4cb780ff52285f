/* supervisor/daemon/ctr_bundle.c: the config.json corrald writes is one the runtime
 * accepts (spec_parse), carries what the request and the image asked for,
 * and bad image defaults are refused by name, with nothing left behind. */
#include "etc_fixture.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "bundle/spec_parse.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "images/gc.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_init.h"
#include <sys/mount.h>

typedef struct fixture {
	char dir[64], rootfs[80];
	ctr_spec spec;
	image_ref img;
	bundle_in in;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->dir, "/tmp/corral-bundle-gen.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->dir);
	assert_int_equal(mkdir(f->rootfs, 0755), 0);
	static char *img_env[] = { "PATH=/usr/bin:/bin", "FROM_IMAGE=1", "KEEP=image", NULL };
	static char *img_cmd[] = { "/bin/sh", "-c", "echo hi", NULL };
	f->img = (image_ref){ .id = "sha256:abc", .manifest = "sha256:def", .name = "t:1", .rootfs = f->rootfs,
			      .env = img_env, .cmd = img_cmd, .workdir = "/srv" };
	f->spec = (ctr_spec){ .image = "t:1", .memory = -1, .pids = -1, .network = CTR_NET_NONE };
	f->in = (bundle_in){ .id = "0123abcd", .hostname = "web", .spec = &f->spec, .image = &f->img,
			     .cgroups_path = "/corral/0123abcd" };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	rm_rf(f->dir);
	free(f);
	return 0;
}

static int write_config(fixture *f, const char **field, cerr *err)
{
	wfa_pending w = WFA_PENDING_INIT;
	int r = bundle_write(f->dir, &f->in, field, &w, err);
	return r < 0 ? r : wfa_commit(&w, err);
}

static struct oci_spec *load_written(const fixture *f)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/config.json", f->dir);
	cerr err = { 0 };
	struct oci_spec *s = NULL;
	if (spec_load(p, &s, &err) < 0)
		fail_msg("the runtime refuses the generated config: %s", cerr_msg(&err));
	return s;
}

static const char *annotation(const struct oci_spec *s, const char *key)
{
	for (size_t i = 0; i < s->n_annotations; i++)
		if (!strcmp(s->annotations[i].key, key))
			return s->annotations[i].value;
	return NULL;
}

static size_t count_env(char **env, const char *prefix)
{
	size_t n = 0;
	for (; env && *env; env++)
		n += !strncmp(*env, prefix, strlen(prefix));
	return n;
}

static void test_image_defaults_make_a_valid_config(void **state)
{
	fixture *f = *state;
	const char *field = "unset";
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
	assert_null(field);
	_cleanup_spec_ struct oci_spec *s = load_written(f);
	assert_string_equal(s->root_path, f->rootfs);
	assert_false(s->root_readonly);
	assert_string_equal(s->process.args[0], "/bin/sh");
	assert_string_equal(s->process.args[2], "echo hi");
	assert_null(s->process.args[3]);
	assert_string_equal(s->process.cwd, "/srv");
	assert_int_equal(count_env(s->process.env, "FROM_IMAGE=1"), 1);
	assert_string_equal(s->hostname, "web");
	assert_null(s->domainname); /* none unless asked */
	assert_string_equal(s->linux_.cgroups_path, "/corral/0123abcd");
	assert_string_equal(annotation(s, GC_BUNDLE_ANNOTATION), "sha256:def");
	assert_string_equal(annotation(s, ANNOT_NETWORK), "loopback"); /* none has lo up, as podman's */
	assert_string_equal(annotation(s, ANNOT_ROOTFS_SUID), "true"); /* its overlay, nosuid on the host */
}

static void test_request_overrides_the_image(void **state)
{
	fixture *f = *state;
	static char *cmd[] = { "sleep", "5", NULL };
	/* KEY alone unsets KEY, as Docker's -e KEY when the client has none */
	static char *env[] = { "KEEP=request", "EXTRA=x", "FROM_IMAGE", "NOWHERE", "PATH", "PATH=/again", NULL };
	static char *labels[] = { "app", "web", GC_BUNDLE_ANNOTATION, "sha256:spoof", ANNOT_NETWORK, "none",
				  ANNOT_ROOTFS_SUID, "false", NULL };
	ctr_mount m = { .source = "/etc", .destination = "/host-etc", .readonly = true };
	f->spec.command = cmd;
	f->spec.env = env;
	f->spec.workdir = "/tmp";
	f->spec.labels = labels;
	f->spec.mounts = &m;
	f->spec.n_mounts = 1;
	f->spec.memory = 64 << 20;
	f->spec.pids = 20;
	f->spec.tty = true;
	const char *field = NULL;
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
	_cleanup_spec_ struct oci_spec *s = load_written(f);
	assert_string_equal(s->process.args[0], "sleep");
	assert_null(s->process.args[2]);
	assert_string_equal(s->process.cwd, "/tmp");
	assert_true(s->process.terminal);
	assert_int_equal(count_env(s->process.env, "KEEP="), 1);
	assert_int_equal(count_env(s->process.env, "KEEP=request"), 1);
	assert_int_equal(count_env(s->process.env, "TERM=xterm"), 1);
	assert_int_equal(count_env(s->process.env, "FROM_IMAGE"), 0);
	assert_int_equal(count_env(s->process.env, "NOWHERE"), 0);
	assert_int_equal(count_env(s->process.env, "PATH"), 1); /* unset, then set again */
	assert_int_equal(count_env(s->process.env, "PATH=/again"), 1);
	assert_int_equal(count_env(s->process.env, "EXTRA=x"), 1);
	assert_string_equal(annotation(s, "app"), "web");
	/* labels cannot pin an image against gc, nor say how lo is, nor
	 * what the rootfs is */
	assert_string_equal(annotation(s, GC_BUNDLE_ANNOTATION), "sha256:def");
	assert_string_equal(annotation(s, ANNOT_NETWORK), "loopback");
	assert_string_equal(annotation(s, ANNOT_ROOTFS_SUID), "true");
	bool bound = false;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, "/host-etc"))
			bound = s->mounts[i].bind && !strcmp(s->mounts[i].source, "/etc");
	assert_true(bound);
	_cleanup_free_ char *text = NULL;
	char p[128];
	snprintf(p, sizeof(p), "%s/config.json", f->dir);
	cerr rerr = { 0 };
	assert_int_equal(read_file(p, CONFIG_MAX_BYTES, &text, NULL, &rerr), 0);
	assert_non_null(strstr(text, "\"limit\": 67108864"));
	assert_non_null(strstr(text, "\"limit\": 20"));
}

static void expect_refused(fixture *f, const char *want_field, const char *want_msg)
{
	const char *field = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(write_config(f, &field, &err) < 0);
	assert_non_null(field);
	assert_string_equal(field, want_field);
	if (!strstr(cerr_msg(&err), want_msg))
		fail_msg("message \"%s\" lacks \"%s\"", cerr_msg(&err), want_msg);
	char p[128];
	snprintf(p, sizeof(p), "%s/config.json", f->dir);
	assert_int_equal(access(p, F_OK), -1);
}

static void test_relative_image_workdir_is_refused(void **state)
{
	fixture *f = *state;
	f->img.workdir = "app";
	expect_refused(f, "image", "WorkingDir \"app\" is not a clean absolute path");
	f->img.workdir = "/app/../../etc";
	expect_refused(f, "image", "WorkingDir \"/app/../../etc\" is not a clean absolute path");
	f->spec.workdir = "/app"; /* the request may mend it */
	const char *field = NULL;
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
}

static void test_image_env_without_value_is_refused(void **state)
{
	fixture *f = *state;
	static char *bad[] = { "PATH=/bin", "JUSTNAME", NULL };
	f->img.env = bad;
	expect_refused(f, "image", "\"JUSTNAME\" is not KEY=VALUE");
	static char *nokey[] = { "=x", NULL };
	f->img.env = nokey;
	expect_refused(f, "image", "\"=x\" is not KEY=VALUE");
}

static void test_empty_first_word_is_refused(void **state)
{
	fixture *f = *state;
	static char *empty[] = { "", NULL };
	f->img.cmd = empty;
	expect_refused(f, "image", "first word is empty");
	static char *cmd[] = { "", "x", NULL };
	f->spec.command = cmd;
	expect_refused(f, "spec.command", "first word is empty");
	f->img.cmd = NULL;
	f->spec.command = NULL;
	expect_refused(f, "spec.command", "no command");
}

/* The image's User, or the request's, as the image's own files say, with
 * the groups that list the user (bundle/image_user.c). */
static void test_user_and_its_groups(void **state)
{
	fixture *f = *state;
	etc_fixture(f->rootfs);
	f->img.user = "app";
	const char *field = NULL;
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
	struct oci_spec *s = load_written(f);
	assert_int_equal(s->process.user.uid, 1000);
	assert_int_equal(s->process.user.gid, 1001);
	assert_int_equal(s->process.user.n_additional_gids, 2);
	assert_int_equal(s->process.user.additional_gids[0], 10);
	assert_int_equal(s->process.user.additional_gids[1], 29);
	spec_free(s);
	f->spec.user = "1000:audio";
	assert_int_equal(write_config(f, &field, &err), 0);
	s = load_written(f);
	assert_int_equal(s->process.user.gid, 29);
	assert_int_equal(s->process.user.n_additional_gids, 0);
	spec_free(s);
	char p[128];
	snprintf(p, sizeof(p), "%s/config.json", f->dir);
	unlink(p);
	f->spec.user = "nobody";
	expect_refused(f, "spec.user", "no such user \"nobody\" in the image's /etc/passwd");
}

static const struct oci_mount *mount_at(const struct oci_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (!strcmp(s->mounts[i].destination, dst))
			return &s->mounts[i];
	return NULL;
}

static bool has_option(const struct oci_mount *m, const char *o)
{
	for (char **p = m ? m->options : NULL; p && *p; p++)
		if (!strcmp(*p, o))
			return true;
	return false;
}

/* The image's entrypoint with the request's command; init before both. */
static void test_entrypoint_command_and_init(void **state)
{
	fixture *f = *state;
	static char *ep[] = { "echo", "ENTRY", NULL };
	static char *arg[] = { "myarg", NULL };
	f->img.entrypoint = ep;
	f->spec.command = arg;
	const char *field = NULL;
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
	struct oci_spec *s = load_written(f);
	assert_string_equal(s->process.args[0], "echo");
	assert_string_equal(s->process.args[1], "ENTRY");
	assert_string_equal(s->process.args[2], "myarg");
	assert_null(s->process.args[3]);
	spec_free(s);
	if (!ctr_init_binary())
		skip();
	f->spec.init = true;
	assert_int_equal(write_config(f, &field, &err), 0);
	s = load_written(f);
	assert_string_equal(s->process.args[0], CTR_INIT_PATH);
	assert_string_equal(s->process.args[1], "--");
	assert_string_equal(s->process.args[2], "echo");
	const struct oci_mount *m = mount_at(s, CTR_INIT_PATH);
	assert_non_null(m);
	assert_string_equal(m->source, ctr_init_binary());
	assert_true(m->bind && has_option(m, "ro"));
	spec_free(s);
}

/* readOnly: the root, and a tmpfs where a program writes; tmpfs mounts
 * with podman's defaults before the request's options. */
static void test_read_only_and_tmpfs(void **state)
{
	fixture *f = *state;
	static char *opts[] = { "size=1m", "exec", NULL };
	ctr_tmpfs t = { .destination = "/tmp", .options = opts };
	f->spec.read_only = true;
	f->spec.tmpfs = &t;
	f->spec.n_tmpfs = 1;
	f->spec.hostname = "given";
	f->spec.domainname = "corp.example";
	const char *field = NULL;
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
	struct oci_spec *s = load_written(f);
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "given");
	assert_string_equal(s->domainname, "corp.example");
	assert_true(has_option(mount_at(s, "/run"), "nosuid"));
	assert_true(has_option(mount_at(s, "/var/tmp"), "mode=1777"));
	const struct oci_mount *m = mount_at(s, "/tmp");
	assert_true(has_option(m, "noexec") && has_option(m, "exec") && has_option(m, "size=1m"));
	assert_false(has_option(m, "mode=1777")); /* the request's own /tmp, not the scratch one */
	assert_false(m->flags & MS_NOEXEC);      /* exec came after noexec */
	size_t n = 0;
	for (size_t i = 0; i < s->n_mounts; i++)
		n += !strcmp(s->mounts[i].destination, "/tmp");
	assert_int_equal(n, 1);
	spec_free(s);
}

/* privileged: every capability, no seccomp, no masked or read-only paths,
 * /sys writable, no no_new_privs, the host's devices, all allowed. */
static void test_privileged(void **state)
{
	fixture *f = *state;
	const char *field = NULL;
	cerr err = { 0 };
	assert_int_equal(write_config(f, &field, &err), 0);
	struct oci_spec *s = load_written(f);
	size_t dflt = s->process.caps.n[CAPSET_EFFECTIVE];
	assert_non_null(s->linux_.seccomp);
	assert_true(s->process.no_new_privileges);
	assert_true(has_option(mount_at(s, "/sys"), "ro"));
	assert_null(s->process.apparmor_profile); /* no corrald: no default */
	spec_free(s);
	f->spec.privileged = true;
	assert_int_equal(write_config(f, &field, &err), 0);
	s = load_written(f);
	assert_true(s->process.caps.n[CAPSET_EFFECTIVE] > dflt + 20);
	assert_null(s->linux_.seccomp);
	assert_false(s->process.no_new_privileges);
	assert_null(s->linux_.masked_paths);
	assert_null(s->linux_.readonly_paths);
	assert_false(has_option(mount_at(s, "/sys"), "ro"));
	assert_true(has_option(mount_at(s, "/sys"), "rw"));
	bool null_dev = false;
	for (size_t i = 0; i < s->linux_.n_devices; i++)
		null_dev |= !strcmp(s->linux_.devices[i].path, "/dev/null");
	assert_true(null_dev);
	spec_free(s);
	char p[128];
	snprintf(p, sizeof(p), "%s/config.json", f->dir);
	_cleanup_free_ char *text = NULL;
	assert_int_equal(read_file(p, CONFIG_MAX_BYTES, &text, NULL, &err), 0);
	assert_non_null(strstr(text, "\"allow\": true"));
	/* a profile the spec names is the process's, privileged or not */
	f->spec.apparmor = (char *)"unconfined";
	assert_int_equal(write_config(f, &field, &err), 0);
	s = load_written(f);
	assert_string_equal(s->process.apparmor_profile, "unconfined");
	spec_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_image_defaults_make_a_valid_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_overrides_the_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_image_workdir_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_env_without_value_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_first_word_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_and_its_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entrypoint_command_and_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_and_tmpfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privileged, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
