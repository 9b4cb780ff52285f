/* supervisor/daemon/broker: the broker served for real, in this process, to
 * members speaking varlink on their own sockets: the socket names the
 * member, publish/subscribe, request/serve/reply and timeouts, the policy
 * (denials audited), rates, bounds (size, a queue that drops and says how
 * many were missed), state with CAS, and garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "supervisor/daemon/broker/broker.h"
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/broker_policy.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/daemon/sessions/session_kv.h"
#include "common/monotonic.h"

/* sessions/ is another part's: the two hooks the broker calls */
static int touched;
void session_touch(struct corrald *d, session *s) { touched++; }

static char dir[64];
static corrald D;
static session S;
static ctr A, B;
static char path_a[256], path_b[256];
static char audit_path[128];

static void add_party(ctr *c, const char *id, const char *name, char **labels, char *path)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->name = (char *)name;
	c->spec.labels = labels;
	cerr err = { 0 };
	int r = broker_party_add(&D, &S, c, path, 256, &err);
	if (r < 0)
		fail_msg("%s", cerr_msg(&err));
	/* it names the member's directory, which holds the socket */
	size_t n = strlen(path);
	snprintf(path + n, 256 - n, "/broker.sock");
}

static int setup_with(const char *policy)
{
	strcpy(dir, "/tmp/corral-broker-XXXXXX");
	assert_non_null(mkdtemp(dir));
	cerr err = { 0 };
	memset(&D, 0, sizeof(D));
	memset(&S, 0, sizeof(S));
	assert_int_equal(el_new(&D.loop, &err), 0);
	snprintf(audit_path, sizeof(audit_path), "%s/audit.log", dir);
	assert_int_equal(audit_open(&D.audit, audit_path, 1 << 20, 1, &err), 0);
	strcpy(S.name, "s1");
	assert_true(asprintf(&S.dir, "%s/s1", dir) > 0);
	char sp[128];
	snprintf(sp, sizeof(sp), "%s/state.json", dir);
	assert_int_equal(kv_open(sp, &S.state, &err), 0);
	if (policy) {
		yajl_val v = NULL;
		json_fault f = { 0 };
		assert_int_equal(json_parse(policy, "policy", &v, &err), 0);
		assert_int_equal(broker_policy_parse(v, "", &S.policy, &f), 0);
		yajl_tree_free(v);
	}
	D.sessions = &S;
	assert_int_equal(broker_session_open(&D, &S, &err), 0);
	static char *labels_b[] = { "role", "worker", NULL };
	add_party(&A, "aaaa", "alpha", NULL, path_a);
	add_party(&B, "bbbb", "beta", labels_b, path_b);
	touched = 0;
	return 0;
}

static int setup(void **state) { return setup_with(NULL); }

static int setup_policy(void **state)
{
	return setup_with("{\"members\":[{\"name\":\"alpha\",\"publish\":[\"jobs/*\"],\"subscribe\":[\"done\"],"
			  "\"rate\":{\"messages\":5,\"burst\":5}},"
			  "{\"labels\":{\"role\":\"worker\"},\"subscribe\":[\"jobs/*\"],\"serve\":[\"work\"]}]}");
}

static int teardown(void **state)
{
	broker_shutdown(&D);
	kv_free(S.state);
	broker_policy_free(S.policy);
	audit_close(&D.audit);
	el_free(D.loop);
	free(S.dir);
	rm_rf(dir);
	return 0;
}

static int dial(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	el_run_once(D.loop, 0);
	return fd;
}

static void say(int fd, const char *msg)
{
	size_t n = strlen(msg) + 1;
	assert_int_equal(send(fd, msg, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Per-fd receive buffers: the next message, or NULL on EOF; spins = 0 on
 * nothing within about ms. */
struct rbuf {
	int fd;
	char buf[1 << 18];
	size_t have;
};
static struct rbuf bufs[8];

static char *hear_within(int fd, int ms)
{
	struct rbuf *b = NULL;
	for (int i = 0; i < 8 && !b; i++)
		if (bufs[i].fd == fd)
			b = &bufs[i];
	for (int i = 0; i < 8 && !b; i++)
		if (bufs[i].fd <= 0) {
			b = &bufs[i];
			b->fd = fd;
			b->have = 0;
		}
	assert_non_null(b);
	for (int spins = 0; spins <= ms; spins++) {
		char *nul = memchr(b->buf, '\0', b->have);
		if (nul) {
			size_t n = (size_t)(nul - b->buf) + 1;
			char *m = strdup(b->buf);
			memmove(b->buf, b->buf + n, b->have - n);
			b->have -= n;
			return m;
		}
		el_run_once(D.loop, 1);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 0) == 1) {
			ssize_t r = recv(fd, b->buf + b->have, sizeof(b->buf) - b->have, MSG_DONTWAIT);
			if (r == 0) {
				b->fd = 0;
				return NULL;
			}
			if (r > 0)
				b->have += (size_t)r;
		}
	}
	return strdup("");
}

static char *hear(int fd)
{
	char *m = hear_within(fd, 3000);
	if (m && !*m)
		fail_msg("nothing heard");
	return m;
}

static void forget(int fd)
{
	for (int i = 0; i < 8; i++)
		if (bufs[i].fd == fd)
			bufs[i].fd = 0;
	close(fd);
}

#define EXPECT(fd, needle)                                                                                            \
	do {                                                                                                         \
		_cleanup_free_ char *m_ = hear(fd);                                                                    \
		if (!m_ || !strstr(m_, needle))                                                                        \
			fail_msg("heard %s, wanted %s", m_ ? m_ : "EOF", needle);                                     \
	} while (0)

static void test_whoami_is_the_socket(void **state)
{
	int a = dial(path_a), b = dial(path_b);
	say(a, "{\"method\":\"io.corral.Broker.Whoami\"}");
	EXPECT(a, "{\"parameters\":{\"session\":\"s1\",\"member\":\"alpha\",\"labels\":{}}}");
	say(b, "{\"method\":\"io.corral.Broker.Whoami\"}");
	EXPECT(b, "\"member\":\"beta\",\"labels\":{\"role\":\"worker\"}");
	forget(a);
	forget(b);
}

static void test_publish_subscribe(void **state)
{
	int sub = dial(path_b), pub = dial(path_a);
	say(sub, "{\"method\":\"io.corral.Broker.Subscribe\",\"parameters\":{\"topics\":[\"jobs/*\"]},\"more\":true}");
	el_run_once(D.loop, 5);
	say(pub, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"jobs/1\",\"data\":{\"n\":1}}}");
	EXPECT(pub, "{\"delivered\":1}");
	EXPECT(sub, "\"topic\":\"jobs/1\",\"from\":\"alpha\",\"data\":{\"n\":1}");
	say(pub, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"other\",\"data\":2}}");
	EXPECT(pub, "{\"delivered\":0}");
	assert_true(touched >= 2);
	forget(sub);
	forget(pub);
}

/* data is passed on as it came when that is what yajl would write, else
 * as yajl writes it; either way the 64 KiB bound is on the written text. */
static void test_data_as_written(void **state)
{
	int sub = dial(path_b), pub = dial(path_a);
	say(sub, "{\"method\":\"io.corral.Broker.Subscribe\",\"parameters\":{\"topics\":[\"d\"]},\"more\":true}");
	el_run_once(D.loop, 5);
	say(pub, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"d\",\"data\":[\"]}\",{\"a\":1.50}]}}");
	EXPECT(pub, "{\"delivered\":1}");
	EXPECT(sub, "\"data\":[\"]}\",{\"a\":1.50}],\"seq\":");
	say(pub, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"d\",\"data\" : [ \"\\u0041\\/\" ,"
		 "\n{ \"a\" : 1 } ] }}");
	EXPECT(pub, "{\"delivered\":1}");
	EXPECT(sub, "\"data\":[\"A/\",{\"a\":1}],\"seq\":");
	/* 65,536 bytes as written pass, one more does not; spaces do not count */
	for (int extra = 0; extra < 2; extra++) {
		_cleanup_strbuf_ strbuf m = { 0 };
		sb_adds(&m, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"d\",\"data\":[ \"");
		for (int i = 0; i < BROKER_DATA_MAX - 6 + extra; i++)
			sb_adds(&m, "z");
		sb_adds(&m, "\" ,  1]}}");
		say(pub, m.buf);
		EXPECT(pub, extra ? "io.corral.Broker.InvalidMessage" : "{\"delivered\":1}");
		if (!extra)
			EXPECT(sub, "zz\",1],\"seq\":");
	}
	forget(sub);
	forget(pub);
}

static void test_request_serve_reply_and_timeout(void **state)
{
	int srv = dial(path_b), req = dial(path_a), rep = dial(path_b);
	say(req, "{\"method\":\"io.corral.Broker.Request\",\"parameters\":{\"topic\":\"work\",\"data\":1}}");
	EXPECT(req, "io.corral.Broker.NoServer");
	say(req, "{\"method\":\"io.corral.Broker.Request\",\"parameters\":{\"to\":\"gamma\",\"topic\":\"work\",\"data\":1}}");
	EXPECT(req, "\"error\":\"io.corral.Broker.NoSuchMember\",\"parameters\":{\"member\":\"gamma\"}");
	say(srv, "{\"method\":\"io.corral.Broker.Serve\",\"parameters\":{\"topics\":[\"work\"]},\"more\":true}");
	el_run_once(D.loop, 5);
	say(req, "{\"method\":\"io.corral.Broker.Request\",\"parameters\":{\"to\":\"beta\",\"topic\":\"work\",\"data\":\"x\"}}");
	_cleanup_free_ char *m = hear(srv);
	assert_non_null(strstr(m, "\"message\":{\"topic\":\"work\",\"from\":\"alpha\",\"data\":\"x\""));
	char *id = strstr(m, "\"id\":\"");
	assert_non_null(id);
	id += 6;
	*strchr(id, '"') = '\0';
	char buf[256];
	snprintf(buf, sizeof(buf), "{\"method\":\"io.corral.Broker.Reply\",\"parameters\":{\"id\":\"%s\",\"data\":[42]}}", id);
	say(rep, buf);
	EXPECT(rep, "{\"parameters\":{}}");
	EXPECT(req, "{\"parameters\":{\"from\":\"beta\",\"data\":[42]}}");
	say(rep, buf); /* answered already */
	EXPECT(rep, "io.corral.Broker.InvalidMessage");
	assert_int_equal(S.broker->lat_count, 1);
	/* nobody answers: Timeout, in about the time asked */
	uint64_t t0 = mono_usec();
	say(req, "{\"method\":\"io.corral.Broker.Request\",\"parameters\":{\"topic\":\"work\",\"data\":1,\"timeout\":0.2}}");
	_cleanup_free_ char *ask = hear(srv);
	EXPECT(req, "\"error\":\"io.corral.Broker.Timeout\",\"parameters\":{\"topic\":\"work\"}");
	uint64_t took = mono_usec() - t0;
	assert_true(took >= 200000 && took < 1500000);
	forget(srv);
	forget(req);
	forget(rep);
}

static void test_policy_denies_and_audits(void **state)
{
	int a = dial(path_a), b = dial(path_b);
	say(a, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"secret\",\"data\":1}}");
	EXPECT(a, "\"error\":\"io.corral.Broker.Denied\",\"parameters\":{\"action\":\"publish\",\"topic\":\"secret\"}");
	say(a, "{\"method\":\"io.corral.Broker.Subscribe\",\"parameters\":{\"topics\":[\"*\"]},\"more\":true}");
	EXPECT(a, "\"action\":\"subscribe\",\"topic\":\"*\"");
	say(b, "{\"method\":\"io.corral.Broker.Serve\",\"parameters\":{\"topics\":[\"work\"]},\"more\":true}");
	_cleanup_free_ char *none = hear_within(b, 50); /* kept: no answer */
	assert_string_equal(none, "");
	assert_int_equal(S.broker->denied, 2);
	_cleanup_free_ char *log = NULL;
	cerr err = { 0 };
	assert_int_equal(read_file(audit_path, 1 << 20, &log, NULL, &err), 0);
	assert_non_null(strstr(log, "s1/alpha"));
	assert_non_null(strstr(log, "publish secret"));
	assert_non_null(strstr(log, "subscribe *"));
	/* the connection lives on */
	say(a, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"jobs/1\",\"data\":1}}");
	EXPECT(a, "\"delivered\":0");
	forget(a);
	forget(b);
}

static void test_rate_limited(void **state)
{
	int a = dial(path_a);
	int limited = 0;
	for (int i = 0; i < 20; i++) {
		say(a, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"jobs/x\",\"data\":1}}");
		_cleanup_free_ char *m = hear(a);
		if (strstr(m, "io.corral.Broker.RateLimited")) {
			assert_non_null(strstr(m, "\"retryAfter\":0."));
			limited++;
		}
	}
	assert_true(limited >= 14 && limited <= 15); /* a burst of 5 at 5/s */
	assert_int_equal(S.broker->rate_limited, (uint64_t)limited);
	forget(a);
}

static void test_bounds_and_missed(void **state)
{
	int sub = dial(path_b), pub = dial(path_a);
	/* too large: an error, and the connection survives */
	_cleanup_strbuf_ strbuf big = { 0 };
	sb_adds(&big, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":\"");
	for (int i = 0; i < 65 * 1024; i++)
		sb_adds(&big, "x");
	sb_adds(&big, "\"}}");
	say(pub, big.buf);
	EXPECT(pub, "io.corral.Broker.InvalidMessage");
	say(pub, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"bad topic\",\"data\":1}}");
	EXPECT(pub, "io.corral.Broker.InvalidMessage");
	/* a subscriber that does not read: its queue stays bounded, drops the oldest */
	int rcv = 4096;
	setsockopt(sub, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	say(sub, "{\"method\":\"io.corral.Broker.Subscribe\",\"parameters\":{\"topics\":[\"t\"]},\"more\":true}");
	el_run_once(D.loop, 5);
	_cleanup_strbuf_ strbuf msg = { 0 };
	sb_adds(&msg, "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":\"");
	for (int i = 0; i < 8000; i++)
		sb_adds(&msg, "y");
	sb_adds(&msg, "\"}}");
	for (int i = 0; i < 1000; i++) {
		say(pub, msg.buf);
		free(hear(pub));
	}
	bstream *st = S.broker->streams;
	assert_non_null(st);
	assert_true(st->q->bytes <= BQ_MAX_BYTES);
	assert_true(st->q->n <= BQ_MAX_MSGS);
	assert_true(S.broker->dropped > 0);
	/* it reads now: the first messages come, and one says what was missed */
	int missed_seen = 0;
	for (int i = 0; i < 1000 && !missed_seen; i++) {
		_cleanup_free_ char *m = hear(sub);
		missed_seen = strstr(m, "\"missed\":") != NULL;
	}
	assert_true(missed_seen);
	forget(sub);
	forget(pub);
}

static void test_state_cas_and_watch(void **state)
{
	int a = dial(path_a), w = dial(path_b);
	say(a, "{\"method\":\"io.corral.Broker.StateSet\",\"parameters\":{\"key\":\"k\",\"value\":{\"v\":1},\"expectVersion\":0}}");
	EXPECT(a, "{\"version\":1}");
	say(a, "{\"method\":\"io.corral.Broker.StateSet\",\"parameters\":{\"key\":\"k\",\"value\":2,\"expectVersion\":0}}");
	EXPECT(a, "\"error\":\"io.corral.Broker.Conflict\",\"parameters\":{\"key\":\"k\",\"version\":1}");
	say(w, "{\"method\":\"io.corral.Broker.StateWatch\",\"parameters\":{},\"more\":true}");
	EXPECT(w, "\"key\":\"k\",\"value\":{\"v\":1},\"version\":1");
	say(a, "{\"method\":\"io.corral.Broker.StateSet\",\"parameters\":{\"key\":\"k\",\"value\":3,\"expectVersion\":1}}");
	EXPECT(a, "{\"version\":2}");
	EXPECT(w, "\"key\":\"k\",\"value\":3,\"version\":2");
	say(a, "{\"method\":\"io.corral.Broker.StateGet\",\"parameters\":{\"key\":\"k\"}}");
	EXPECT(a, "{\"value\":3,\"version\":2}");
	say(a, "{\"method\":\"io.corral.Broker.StateList\",\"parameters\":{\"prefix\":\"\"}}");
	EXPECT(a, "{\"keys\":[\"k\"]}");
	say(a, "{\"method\":\"io.corral.Broker.StateRemove\",\"parameters\":{\"key\":\"k\"}}");
	EXPECT(a, "{\"parameters\":{}}");
	EXPECT(w, "\"key\":\"k\",\"value\":null");
	say(a, "{\"method\":\"io.corral.Broker.StateGet\",\"parameters\":{\"key\":\"k\"}}");
	EXPECT(a, "io.corral.Broker.NoSuchKey");
	forget(a);
	forget(w);
}

static void test_garbage_and_removal(void **state)
{
	for (int i = 0; i < 1000; i++) {
		int g = dial(path_a);
		static const char *junk[] = { "not json", "{\"method\":5}", "[]", "{\"method\":\"io.corral.Broker.Nope\"}",
					      "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":7}}" };
		say(g, junk[i % 5]);
		_cleanup_free_ char *m = hear_within(g, 1000);
		assert_true(m == NULL || *m); /* an error or a hang-up, never silence */
		forget(g);
		el_run_once(D.loop, 0);
	}
	int a = dial(path_a);
	say(a, "{\"method\":\"io.corral.Broker.Whoami\"}");
	EXPECT(a, "\"member\":\"alpha\"");
	/* removed: its socket and connections go; the other member stays */
	broker_party_remove(&D, &A);
	_cleanup_free_ char *eof = hear(a);
	assert_null(eof);
	forget(a);
	assert_int_equal(dial(path_a), -1);
	assert_int_equal(access(path_a, F_OK), -1);
	int b = dial(path_b);
	assert_true(b >= 0);
	forget(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_whoami_is_the_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_subscribe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_as_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_serve_reply_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_denies_and_audits, setup_policy, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limited, setup_policy, teardown),
		cmocka_unit_test_setup_teardown(test_bounds_and_missed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_cas_and_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_removal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
