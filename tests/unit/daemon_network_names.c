/* supervisor/daemon/network: a container's /etc/hosts and /etc/resolv.conf
 * (hosts.c, resolv.c) and ContainerSpec's dns and extraHosts (names_spec.c). */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "common/cleanup.h"
#include <sys/stat.h>

#include "common/json.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "supervisor/daemon/netfiles/hosts.h"
#include "supervisor/daemon/network/resolv.h"

static char *render_hosts(const hosts_in *in)
{
	strbuf sb = STRBUF_INIT;
	assert_int_equal(hosts_render(in, &sb), 0);
	return sb_detach(&sb);
}

static void test_hosts_networked(void **state)
{
	char *extra[] = { "db.local:192.168.1.9", "v6:fd00::1", "host.docker.internal:host-gateway", NULL };
	hosts_peer peers[] = { { "10.88.0.3", "web web" }, { "10.88.0.4", "cache cache" } };
	hosts_in in = { .hostname = "app", .name = "app1", .ip = "10.88.0.2", .gateway = "10.88.0.1",
			.extra = extra, .peers = peers, .n_peers = 2 };
	char *t = render_hosts(&in);
	assert_non_null(strstr(t, "127.0.0.1\tlocalhost"));
	assert_non_null(strstr(t, "::1\tlocalhost"));
	assert_non_null(strstr(t, "192.168.1.9\tdb.local\n"));
	assert_non_null(strstr(t, "fd00::1\tv6\n"));
	assert_non_null(strstr(t, "\n10.88.0.1\thost.docker.internal\n")); /* Docker's host-gateway */
	assert_non_null(strstr(t, "\n10.88.0.2\tapp app1\n"));
	assert_non_null(strstr(t, "\n10.88.0.1\thost.containers.internal\n"));
	assert_non_null(strstr(t, "\n10.88.0.3\tweb web\n10.88.0.4\tcache cache\n"));
	/* the user's lines come before corral's: the first match wins */
	assert_true(strstr(t, "db.local") < strstr(t, "10.88.0.2"));
	free(t);
}

static void test_hosts_no_network(void **state)
{
	char *extra[] = { "up:host-gateway", NULL };
	hosts_in in = { .hostname = "box", .name = "box", .extra = extra };
	char *t = render_hosts(&in);
	assert_non_null(strstr(t, "\n127.0.0.1\tbox\n")); /* one name, not twice */
	assert_null(strstr(t, "host.containers.internal"));
	assert_null(strstr(t, "up")); /* no gateway yet: left out */
	assert_null(strstr(t, "host-gateway"));
	free(t);
}

static void test_hosts_bounded(void **state)
{
	static hosts_peer peers[400];
	for (size_t i = 0; i < 400; i++)
		peers[i] = (hosts_peer){ "10.88.100.100", "a-rather-long-container-name a-rather-long-container-name" };
	hosts_in in = { .hostname = "h", .name = "n", .ip = "10.88.0.2", .peers = peers, .n_peers = 400 };
	strbuf sb = STRBUF_INIT;
	assert_int_equal(hosts_render(&in, &sb), -E2BIG);
	assert_true(sb.len <= HOSTS_MAX && sb.len > 1000);
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	sb_release(&sb);
}

static void test_rewrite_keeps_inode(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/hosts", tmpdir);
	_cleanup_cerr_ cerr err = { 0 };
	const char *longer = "127.0.0.1\tlocalhost\n10.0.0.2\tone\n10.0.0.3\ttwo\n";
	assert_int_equal(hosts_rewrite(path, longer, strlen(longer), &err), 0);
	struct stat a, b;
	assert_int_equal(stat(path, &a), 0);
	const char *shorter = "127.0.0.1\tlocalhost\n";
	assert_int_equal(hosts_rewrite(path, shorter, strlen(shorter), &err), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	char *got = slurp(path);
	assert_string_equal(got, shorter);
	free(got);
	/* a symlink planted in its place is not followed */
	char link[160];
	snprintf(link, sizeof(link), "%s/evil", tmpdir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(hosts_rewrite(link, shorter, strlen(shorter), &err), -ELOOP);
}

static const char host_conf[] = "# made by hand\n"
				"nameserver 127.0.0.1\n"
				"nameserver 192.0.2.53\n"
				"nameserver ::1\n"
				"search corp.example example.org\n"
				"options ndots:2 timeout:1\n"
				"nameserver 2001:db8::53\n";

static void put(const char *path, const char *text)
{
	cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644, &err), 0);
}

static char *render_resolv(const char *host, char **dns)
{
	strbuf sb = STRBUF_INIT;
	assert_int_equal(resolv_render(host, dns, NULL, NULL, &sb), 0);
	return sb_detach(&sb);
}

static void test_resolv_drops_loopback_keeps_search(void **state)
{
	char *t = render_resolv(host_conf, NULL);
	assert_string_equal(t, "nameserver 192.0.2.53\n"
			       "search corp.example example.org\n"
			       "options ndots:2 timeout:1\n"
			       "nameserver 2001:db8::53\n");
	free(t);
}

static void test_resolv_dns_wins(void **state)
{
	char *dns[] = { "9.9.9.9", "2620:fe::fe", NULL };
	char *t = render_resolv(host_conf, dns);
	assert_null(strstr(t, "192.0.2.53"));
	assert_null(strstr(t, "2001:db8::53"));
	assert_non_null(strstr(t, "search corp.example example.org\n"));
	assert_non_null(strstr(t, "nameserver 9.9.9.9\nnameserver 2620:fe::fe\n"));
	free(t);
}

/* the CRI's DNSConfig: its searches and options replace the host's */
static void test_resolv_search_and_options_replace_the_hosts(void **state)
{
	char *dns[] = { "10.96.0.10", NULL }, *search[] = { "default.svc.cluster.local", "svc.cluster.local", NULL },
	     *options[] = { "ndots:5", NULL };
	strbuf sb = STRBUF_INIT;
	assert_int_equal(resolv_render(host_conf, dns, search, options, &sb), 0);
	char *t = sb_detach(&sb);
	assert_string_equal(t, "nameserver 10.96.0.10\n"
			       "search default.svc.cluster.local svc.cluster.local\n"
			       "options ndots:5\n");
	free(t);
}

static void test_resolv_reads_resolved_behind_the_stub(void **state)
{
	char etc[128], real[128], missing[128];
	snprintf(etc, sizeof(etc), "%s/etc", tmpdir);
	snprintf(real, sizeof(real), "%s/real", tmpdir);
	snprintf(missing, sizeof(missing), "%s/none", tmpdir);
	put(etc, "nameserver 127.0.0.53\noptions edns0\n");
	put(real, "nameserver 203.0.113.7\n");
	cerr err = { 0 };
	char *t = NULL;
	assert_int_equal(resolv_read_host(etc, real, &t, &err), 0);
	assert_string_equal(t, "nameserver 203.0.113.7\n");
	free(t);
	/* no resolved: the stub's file, whose 127.x the render drops */
	assert_int_equal(resolv_read_host(etc, missing, &t, &err), 0);
	char *r = render_resolv(t, NULL);
	assert_string_equal(r, "options edns0\n");
	free(r);
	free(t);
	/* a real server beside the stub: etc's stays */
	put(etc, "nameserver 127.0.0.53\nnameserver 198.51.100.1\n");
	assert_int_equal(resolv_read_host(etc, real, &t, &err), 0);
	assert_non_null(strstr(t, "198.51.100.1"));
	free(t);
	/* no /etc/resolv.conf at all: empty */
	assert_int_equal(resolv_read_host(missing, real, &t, &err), 0);
	assert_string_equal(t, "");
	free(t);
}

static int parse(const char *more, ctr_spec *s, json_fault *f)
{
	char json[2048];
	snprintf(json, sizeof(json), "{\"image\":\"busybox\",%s}", more);
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(json, "spec", &v, &err), 0);
	memset(f, 0, sizeof(*f));
	int r = ctr_spec_parse(v, "no", 10, s, f);
	yajl_tree_free(v);
	return r;
}

static void test_spec_fields(void **state)
{
	ctr_spec s;
	json_fault f;
	assert_int_equal(parse("\"dns\":[\"1.1.1.1\",\"2606:4700::1111\"],"
			       "\"extraHosts\":[\"db:10.0.0.5\",\"v6.host:fd00::5\",\"h:host-gateway\",\"demo_web_1:10.0.0.6\"]", &s, &f), 0);
	assert_string_equal(s.dns[1], "2606:4700::1111");
	assert_string_equal(s.extra_hosts[1], "v6.host:fd00::5");
	ctr_spec_release(&s);
	assert_null(s.dns);

	static const struct { const char *in, *field; } bad[] = {
		{ "\"dns\":[\"1.1.1\"]", "spec.dns[0]" },
		{ "\"dns\":[\"8.8.8.8\",\"10.0.0.1/8\"]", "spec.dns[1]" },
		{ "\"dns\":\"8.8.8.8\"", "spec.dns" },
		{ "\"extraHosts\":[\"db\"]", "spec.extraHosts[0]" },
		{ "\"extraHosts\":[\":10.0.0.1\"]", "spec.extraHosts[0]" },
		{ "\"extraHosts\":[\"ok:10.0.0.1\",\"bad name:10.0.0.1\"]", "spec.extraHosts[1]" },
		{ "\"extraHosts\":[\"db:not-an-ip\"]", "spec.extraHosts[0]" },
		{ "\"extraHosts\":[\"db:host-gateway2\"]", "spec.extraHosts[0]" },
		{ "\"networkAliases\":[\"web_app\",\"a b\"]", "spec.networkAliases[1]" },
		{ "\"networkAliases\":[\"_x\"]", "spec.networkAliases[0]" },
		{ "\"extraHosts\":[\"db:10.0.0.1\\nevil 1.2.3.4\"]", "spec.extraHosts[0]" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(bad[i].in, &s, &f), -EINVAL);
		assert_string_equal(f.field, bad[i].field);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts_networked),
		cmocka_unit_test(test_hosts_no_network),
		cmocka_unit_test(test_hosts_bounded),
		cmocka_unit_test_setup_teardown(test_rewrite_keeps_inode, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_resolv_drops_loopback_keeps_search),
		cmocka_unit_test(test_resolv_dns_wins),
		cmocka_unit_test(test_resolv_search_and_options_replace_the_hosts),
		cmocka_unit_test_setup_teardown(test_resolv_reads_resolved_behind_the_stub, tmpdir_setup,
						tmpdir_teardown),
		cmocka_unit_test(test_spec_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
