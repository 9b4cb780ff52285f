#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "supervisor/daemon/core/events_methods.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/call.h"

static el_loop *loop;
static vl_server *srv;
static event_bus *bus;
static char dir[64], path[128];

static int m_sub(vl_call *call, yajl_val params, void *ud)
{
	yajl_val since = json_get(params, "since"), until = json_get(params, "until");
	event_window w = { YAJL_IS_INTEGER(since) ? YAJL_GET_INTEGER(since) : -1,
			   YAJL_IS_INTEGER(until) ? YAJL_GET_INTEGER(until) : -1 };
	event_filter filter;
	json_fault f = { 0 };
	if (events_parse_filters(json_get(params, "filters"), &filter, &f) < 0)
		return vl_call_error(call, "t.E.BadFilters", NULL);
	/* "asUid": subscribe as that member rather than as the test's peer */
	yajl_val as = json_get(params, "asUid");
	peer_cred member = { .uid = YAJL_IS_INTEGER(as) ? (uid_t)YAJL_GET_INTEGER(as) : 0 };
	if (events_subscribe_call(bus, loop, call, as ? &member : vl_call_peer(call), &w, &filter) < 0)
		return vl_call_error(call, "t.E.NoMemory", NULL);
	return 0;
}

static const vl_method methods[] = { { "Sub", m_sub } };
static const vl_interface iface = { "t.E", "interface t.E\n", methods, 1 };

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-ev-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s", dir);
	cerr err = { 0 };
	assert_int_equal(el_new(&loop, &err), 0);
	vl_server_config cfg = { .group = PEER_NO_GROUP };
	assert_int_equal(vl_server_new(loop, &cfg, &srv, &err), 0);
	assert_int_equal(vl_server_add_interface(srv, &iface, &err), 0);
	assert_int_equal(vl_server_listen(srv, path, 0600, PEER_NO_GROUP, &err), 0);
	bus = events_new(4);
	return 0;
}

static int teardown(void **state)
{
	events_free(bus);
	vl_server_free(srv);
	el_free(loop);
	rm_rf(dir);
	return 0;
}

static int subscribe(const char *params)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "{\"method\":\"t.E.Sub\",\"more\":true,\"parameters\":%s}", params);
	assert_int_equal(send(fd, msg, (size_t)n + 1, 0), n + 1);
	for (int i = 0; i < 5; i++)
		el_run_once(loop, 2);
	return fd;
}

/* Everything the server sent so far on fd, NULs turned into newlines. */
static char *drain(int fd)
{
	for (int i = 0; i < 5; i++)
		el_run_once(loop, 2);
	static char buf[65536];
	size_t have = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	while (poll(&p, 1, 20) == 1 && have < sizeof(buf) - 1) {
		ssize_t r = recv(fd, buf + have, sizeof(buf) - 1 - have, MSG_DONTWAIT);
		if (r <= 0)
			break;
		have += (size_t)r;
	}
	for (size_t i = 0; i < have; i++)
		if (buf[i] == '\0')
			buf[i] = '\n';
	buf[have] = '\0';
	return buf;
}

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_replay_ring_and_live(void **state)
{
	for (int i = 1; i <= 6; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(events_publish(bus, EV_SHARED(0), "container", "start", id, NULL, NULL, i * 1000LL), 0);
	}
	/* the ring keeps 4: c3..c6; since 4000 replays c4..c6 */
	int fd = subscribe("{\"since\":4000}");
	char *out = drain(fd);
	assert_int_equal(count(out, "\"continues\":true"), 3);
	assert_null(strstr(out, "\"c3\""));
	assert_non_null(strstr(out, "\"id\":\"c4\""));
	const char *attrs[] = { "exitCode", "1", NULL };
	assert_int_equal(events_publish(bus, EV_SHARED(0), "container", "die", "c6", "web", attrs, 7000), 0);
	out = drain(fd);
	assert_non_null(strstr(out, "{\"parameters\":{\"event\":{\"time\":\"1970-01-01T00:00:00.000007000Z\","
				    "\"type\":\"container\",\"action\":\"die\",\"id\":\"c6\",\"name\":\"web\","
				    "\"attributes\":{\"exitCode\":\"1\"},\"owner\":0}},\"continues\":true}"));
	assert_int_equal(events_n_subscribers(bus), 1);
	close(fd);
	drain(fd);
	for (int i = 0; i < 5; i++)
		el_run_once(loop, 2);
	assert_int_equal(events_n_subscribers(bus), 0);
}

static void test_filters(void **state)
{
	int fd = subscribe("{\"filters\":{\"action\":\"oom\",\"name\":\"db\"}}");
	events_publish(bus, EV_SHARED(0), "container", "oom", "a", "web", NULL, 0);
	events_publish(bus, EV_SHARED(0), "container", "start", "b", "db", NULL, 0);
	events_publish(bus, EV_SHARED(0), "container", "oom", "b", "db", NULL, 0);
	char *out = drain(fd);
	assert_int_equal(count(out, "\"continues\":true"), 1);
	assert_non_null(strstr(out, "\"action\":\"oom\",\"id\":\"b\""));
	close(fd);
	json_fault f = { 0 };
	event_filter filter;
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse("{\"type\":\"x\",\"label\":\"y\"}", "f", &v, &err), 0);
	assert_true(events_parse_filters(v, &filter, &f) < 0);
	assert_string_equal(f.field, "filters.label");
	assert_string_equal(f.reason, "filters are type, action (or event), id, name, container and session, each a string");
	yajl_tree_free(v);
	assert_int_equal(json_parse("{\"type\":1}", "f", &v, &err), 0);
	assert_true(events_parse_filters(v, &filter, &f) < 0);
	assert_string_equal(f.field, "filters.type");
	yajl_tree_free(v);
	assert_int_equal(json_parse("{\"name\":\"db\"}", "f", &v, &err), 0);
	assert_int_equal(events_parse_filters(v, &filter, &f), 0);
	assert_string_equal(filter.name, "db");
	assert_null(filter.type);
	yajl_tree_free(v);
}

/* session: a member's events (attribute "session") and the session's own */
static void test_session_filter(void **state)
{
	int fd = subscribe("{\"filters\":{\"session\":\"pod\"}}");
	events_publish(bus, EV_SHARED(0), "container", "start", "a", "web",
		       (const char *const[]){ "session", "pod", NULL }, 0);
	events_publish(bus, EV_SHARED(0), "container", "start", "b", "db",
		       (const char *const[]){ "session", "other", NULL }, 0);
	events_publish(bus, EV_SHARED(0), "container", "start", "c", "lone", NULL, 0);
	events_publish(bus, EV_SHARED(0), "session", "expired", "pod", "pod", NULL, 0);
	events_publish(bus, EV_SHARED(0), "session", "create", "other", "other", NULL, 0);
	char *out = drain(fd);
	assert_int_equal(count(out, "\"continues\":true"), 2);
	assert_non_null(strstr(out, "\"name\":\"web\""));
	assert_non_null(strstr(out, "\"action\":\"expired\""));
	assert_null(strstr(out, "\"name\":\"db\""));
	assert_null(strstr(out, "\"name\":\"lone\""));
	close(fd);
}

/* A session filter names it as its subscriber does (owned_name.h): root's
 * bare name is never a member's session, NAME@UID is; an event's session
 * is as its owner names it */
static void test_session_filter_is_the_subscribers_name(void **state)
{
	int root_bare = subscribe("{\"asUid\":0,\"filters\":{\"session\":\"pod\",\"type\":\"session\"}}");
	int root_at = subscribe("{\"asUid\":0,\"filters\":{\"session\":\"pod@4242\"}}");
	int member = subscribe("{\"asUid\":4242,\"filters\":{\"session\":\"pod\"}}");
	int member_at_root = subscribe("{\"asUid\":4242,\"filters\":{\"session\":\"pod@0\"}}");
	events_publish(bus, EV_OWNER(4242), "session", "create", "pod", "pod", NULL, 0);
	/* root's container in the member's pod, and in root's own pod */
	events_publish(bus, EV_OWNER(0), "container", "start", "r", "rootc",
		       (const char *const[]){ "session", "pod@4242", NULL }, 0);
	events_publish(bus, EV_OWNER(0), "container", "start", "o", "own", (const char *const[]){ "session", "pod", NULL },
		       0);
	char *out = drain(root_bare);
	assert_int_equal(count(out, "\"continues\":true"), 0);
	out = drain(root_at);
	assert_int_equal(count(out, "\"continues\":true"), 2);
	out = drain(member);
	assert_int_equal(count(out, "\"continues\":true"), 1);
	assert_non_null(strstr(out, "\"action\":\"create\""));
	out = drain(member_at_root);
	assert_int_equal(count(out, "\"continues\":true"), 0);
	close(root_bare);
	close(root_at);
	close(member);
	close(member_at_root);
}

static void test_until_ends_the_stream(void **state)
{
	for (int i = 1; i <= 3; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(events_publish(bus, EV_SHARED(0), "container", "start", id, NULL, NULL, i * 1000LL), 0);
	}
	/* a window in the past: its events, then the end */
	int fd = subscribe("{\"since\":0,\"until\":2500}");
	char *out = drain(fd);
	assert_int_equal(count(out, "\"continues\":true"), 2);
	assert_null(strstr(out, "\"c3\""));
	assert_non_null(strstr(out, "{\"parameters\":{}}"));
	assert_int_equal(events_n_subscribers(bus), 0);
	close(fd);
	/* one that ends 200 ms from now: live events until then */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long long now = (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
	char params[64];
	snprintf(params, sizeof(params), "{\"until\":%lld}", now + 200000000ll);
	fd = subscribe(params);
	events_publish(bus, EV_SHARED(0), "container", "stop", "c1", NULL, NULL, 0);
	out = drain(fd);
	assert_int_equal(count(out, "\"continues\":true"), 1);
	assert_int_equal(events_n_subscribers(bus), 1);
	for (int i = 0; i < 40 && events_n_subscribers(bus); i++)
		el_run_once(loop, 20);
	assert_int_equal(events_n_subscribers(bus), 0);
	assert_non_null(strstr(drain(fd), "{\"parameters\":{}}"));
	close(fd);
}

static void test_container_filter_takes_a_prefix_or_name(void **state)
{
	int fd = subscribe("{\"filters\":{\"container\":\"ab\",\"event\":\"start\"}}");
	events_publish(bus, EV_SHARED(0), "container", "start", "abc123", "web", NULL, 0);
	events_publish(bus, EV_SHARED(0), "container", "start", "ffff", "ab", NULL, 0);
	events_publish(bus, EV_SHARED(0), "container", "start", "ffee", "db", NULL, 0);
	events_publish(bus, EV_SHARED(0), "container", "stop", "abc123", "web", NULL, 0);
	char *out = drain(fd);
	assert_int_equal(count(out, "\"continues\":true"), 2);
	assert_null(strstr(out, "\"db\""));
	assert_null(strstr(out, "\"stop\""));
	close(fd);
}

/* A member hears only of its own objects and of root's shared ones, live
 * and in replay; root of everything. */
static void test_member_hears_only_what_it_may_see(void **state)
{
	events_publish(bus, EV_OWNER(4242), "container", "start", "mine1", "mine1", NULL, 1000);
	events_publish(bus, EV_OWNER(65534), "container", "start", "theirs1", "theirs1", NULL, 2000);
	events_publish(bus, EV_OWNER(0), "secret", "create", "roots1", "roots1", NULL, 3000);
	int member = subscribe("{\"since\":0,\"asUid\":4242}");
	int root = subscribe("{\"since\":0,\"asUid\":0}");
	events_publish(bus, EV_SHARED(0), "image", "import", "rootimg", "bb:1", NULL, 0);
	events_publish(bus, EV_SHARED(65534), "image", "import", "theirimg", "~65534/bb:1", NULL, 0);
	events_publish(bus, EV_OWNER(65534), "session", "create", "theirs2", "theirs2", NULL, 0);
	events_publish(bus, EV_OWNER(4242), "job", "submit", "mine2", "mine2", NULL, 0);
	char *out = drain(member);
	assert_int_equal(count(out, "\"continues\":true"), 3);
	assert_non_null(strstr(out, "\"id\":\"mine1\""));
	assert_non_null(strstr(out, "\"id\":\"mine2\""));
	assert_non_null(strstr(out, "\"id\":\"rootimg\""));
	assert_null(strstr(out, "theirs"));
	assert_null(strstr(out, "theirimg"));
	assert_null(strstr(out, "roots1"));
	out = drain(root);
	assert_int_equal(count(out, "\"continues\":true"), 7);
	assert_non_null(strstr(out, "\"id\":\"theirs2\""));
	assert_non_null(strstr(out, "\"id\":\"theirimg\""));
	close(member);
	close(root);
}

/* Events outlive their bus in the file: a new bus (a restarted corrald)
 * replays them as they were sent live, to whom may see them; a torn last
 * line is skipped and the next event whole; rotation keeps two files. */
static void test_file_outlives_the_bus(void **state)
{
	char log[160], rotated[170];
	snprintf(log, sizeof(log), "%s/events.log", dir);
	snprintf(rotated, sizeof(rotated), "%s.1", log);
	cerr err = { 0 };
	assert_int_equal(events_open_log(bus, log, 4096, &err), 0);
	const char *attrs[] = { "exitCode", "1", "session", "s\"1", NULL };
	events_publish(bus, EV_OWNER(4242), "container", "die", "mine1", "web", attrs, 1000);
	events_publish(bus, EV_OWNER(65534), "container", "start", "theirs1", "theirs1", NULL, 2000);
	events_publish(bus, EV_SHARED(0), "image", "import", "rootimg", "bb:1", NULL, 3000);
	events_free(bus);
	FILE *f = fopen(log, "a");
	assert_non_null(f);
	fputs("{\"ts\":2500,\"uid\":4242,\"shared\":false,\"event\":{\"type\":\"cont", f);
	fclose(f);
	bus = events_new(4);
	assert_int_equal(events_open_log(bus, log, 4096, &err), 0);
	events_publish(bus, EV_OWNER(4242), "job", "submit", "mine2", "mine2", NULL, 4000);
	int member = subscribe("{\"since\":0,\"asUid\":4242}");
	char *out = drain(member);
	assert_int_equal(count(out, "\"continues\":true"), 3);
	assert_non_null(strstr(out, "{\"parameters\":{\"event\":{\"time\":\"1970-01-01T00:00:00.000001000Z\","
				    "\"type\":\"container\",\"action\":\"die\",\"id\":\"mine1\",\"name\":\"web\","
				    "\"attributes\":{\"exitCode\":\"1\",\"session\":\"s\\\"1\"},\"owner\":4242}},\"continues\":true}"));
	assert_non_null(strstr(out, "\"id\":\"rootimg\""));
	assert_non_null(strstr(out, "\"id\":\"mine2\""));
	assert_null(strstr(out, "theirs1"));
	close(member);
	int root = subscribe("{\"since\":1500,\"until\":3500,\"asUid\":0,\"filters\":{\"session\":\"s\\\"1\"}}");
	out = drain(root);
	assert_int_equal(count(out, "\"continues\":true"), 0); /* mine1 is before since */
	close(root);
	/* past 4 KiB the file rotates; one older file is kept */
	for (int i = 0; i < 200; i++)
		events_publish(bus, EV_OWNER(0), "secret", "create", "s", "s", NULL, 5000 + i);
	struct stat st;
	assert_int_equal(stat(log, &st), 0);
	assert_true(st.st_size <= 4096);
	assert_int_equal(stat(rotated, &st), 0);
	assert_true(st.st_size <= 4096);
	char older[180];
	snprintf(older, sizeof(older), "%s.2", log);
	assert_int_not_equal(access(older, F_OK), 0);
	root = subscribe("{\"since\":0,\"asUid\":0}");
	out = drain(root);
	assert_null(strstr(out, "mine1")); /* rotated away */
	assert_non_null(strstr(out, "1970-01-01T00:00:00.000005199Z"));
	close(root);
}

static void test_slow_subscriber_is_cut_off(void **state)
{
	int fd = subscribe("{}");
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	char big[4096];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const char *attrs[] = { "blob", big, NULL };
	/* nobody reads fd: ~8 MiB queue and the stream is ended */
	for (int i = 0; i < 4000 && events_n_subscribers(bus); i++) {
		events_publish(bus, EV_SHARED(0), "container", "spam", "x", NULL, attrs, 0);
		el_run_once(loop, 0);
	}
	assert_int_equal(events_n_subscribers(bus), 0);
	close(fd);
}

/* A since that reaches back past what a subscriber may have queued is
 * given a share at a time as its client reads, not cut off; an event
 * published meanwhile comes after the history, once. */
static void test_long_history_is_paced(void **state)
{
	char log[160];
	snprintf(log, sizeof(log), "%s/events.log", dir);
	cerr err = { 0 };
	assert_int_equal(events_open_log(bus, log, 8u << 20, &err), 0);
	static char big[600];
	memset(big, 'x', sizeof(big) - 1);
	const char *attrs[] = { "blob", big, NULL };
	enum { N = 6000 }; /* 4 MiB and more, past EVENTS_MAX_QUEUED */
	for (int i = 0; i < N; i++)
		events_publish(bus, EV_SHARED(0), "container", "old", "x", NULL, attrs, 1000 + i);
	int fd = subscribe("{\"since\":0}");
	events_publish(bus, EV_SHARED(0), "container", "new", "y", NULL, NULL, 0);
	static char msg[4096];
	size_t len = 0;
	int olds = 0, news = 0, news_early = 0;
	for (int idle = 0; idle < 200 && events_n_subscribers(bus);) {
		el_run_once(loop, 1);
		char buf[65536];
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		idle = r > 0 ? 0 : idle + 1;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] && len < sizeof(msg) - 1) {
				msg[len++] = buf[i];
				continue;
			}
			msg[len] = '\0';
			olds += strstr(msg, "\"action\":\"old\"") != NULL;
			if (strstr(msg, "\"action\":\"new\"")) {
				news++;
				news_early += olds < N;
			}
			len = 0;
		}
		if (olds == N && news == 1)
			break;
	}
	assert_int_equal(events_n_subscribers(bus), 1); /* not cut off */
	assert_int_equal(olds, N);
	assert_int_equal(news, 1);
	assert_int_equal(news_early, 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_ring_and_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_filter_is_the_subscribers_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_until_ends_the_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_container_filter_takes_a_prefix_or_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_hears_only_what_it_may_see, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_subscriber_is_cut_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_outlives_the_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_history_is_paced, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
