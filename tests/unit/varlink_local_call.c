/* supervisor/varlink/local_call.c: corrald calling its own methods, as a
 * peer would, with no connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/local_call.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/wire.h"

static el_loop *loop;
static vl_server *srv;
static vl_call *kept;
static int cancelled, audited, delivered, in_handler;
static uid_t audited_uid;
static char got_error[128], got_word[64];

static int m_echo(vl_call *call, yajl_val params, void *ud)
{
	yajl_val v = json_get(params, "word");
	if (!YAJL_IS_STRING(v))
		return vl_call_invalid_parameter(call, "word");
	char p[96];
	snprintf(p, sizeof(p), "{\"word\":\"%s\",\"uid\":%u}", v->u.string, (unsigned)vl_call_peer(call)->uid);
	in_handler = 1;
	int r = vl_call_reply(call, p);
	in_handler = 0;
	return r;
}

static void on_cancel(vl_call *call, void *data) { cancelled++; kept = NULL; }

static int m_hold(vl_call *call, yajl_val params, void *ud)
{
	kept = call;
	vl_call_set_cancel(call, on_cancel, NULL);
	return 0;
}

static int m_forget(vl_call *call, yajl_val params, void *ud) { return 0; }

static const vl_method methods[] = { { "Echo", m_echo }, { "Hold", m_hold }, { "Forget", m_forget } };
static const vl_interface iface = { "org.example.Local", "interface org.example.Local\n", methods, 3 };

static void on_call_done(const vl_call_info *info, void *ud)
{
	audited++;
	audited_uid = info->peer->uid;
}

static void done(void *data, const char *error, yajl_val params)
{
	assert_false(in_handler); /* never from inside the handler */
	delivered++;
	snprintf(got_error, sizeof(got_error), "%s", error ? error : "");
	yajl_val w = json_get(params, "word");
	snprintf(got_word, sizeof(got_word), "%s", YAJL_IS_STRING(w) ? w->u.string : "");
	if (json_get(params, "uid"))
		assert_int_equal(json_get(params, "uid")->u.number.i, 1234);
}

static int setup(void **state)
{
	cerr err = { 0 };
	kept = NULL;
	cancelled = audited = delivered = 0;
	got_error[0] = got_word[0] = '\0';
	assert_int_equal(el_new(&loop, &err), 0);
	vl_server_config cfg = { .vendor = "corral", .product = "t", .version = "1", .url = "u",
				 .group = PEER_NO_GROUP, .on_call_done = on_call_done };
	assert_int_equal(vl_server_new(loop, &cfg, &srv, &err), 0);
	assert_int_equal(vl_server_add_interface(srv, &iface, &err), 0);
	return 0;
}

static int teardown(void **state)
{
	vl_server_free(srv);
	el_free(loop);
	return 0;
}

static const peer_cred peer = { .uid = 1234, .gid = 99 };

static void run_until_delivered(int n)
{
	for (int i = 0; i < 100 && delivered < n; i++)
		el_run_once(loop, 100);
	assert_int_equal(delivered, n);
}

static void test_reply_comes_from_the_loop_as_the_peer(void **state)
{
	vl_local *l;
	cerr err = { 0 };
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Echo", "{\"word\":\"hi\"}", done, NULL, &l, &err), 0);
	assert_int_equal(delivered, 0); /* answered, not yet delivered */
	assert_int_equal(audited, 1);
	assert_int_equal(audited_uid, 1234); /* the audit names the peer */
	run_until_delivered(1);
	assert_string_equal(got_error, "");
	assert_string_equal(got_word, "hi");
}

static void test_errors_are_delivered(void **state)
{
	vl_local *l;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Echo", "{}", done, NULL, &l, &err), 0);
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Nope", NULL, done, NULL, &l, &err), 0);
	run_until_delivered(2);
	assert_string_equal(got_error, VL_ERR_METHOD_NOT_FOUND);
	/* org.varlink.service answers connections only */
	assert_int_equal(vl_local_call(srv, &peer, "org.varlink.service.GetInfo", NULL, done, NULL, &l, &err), -EINVAL);
}

static void test_kept_call_answered_later(void **state)
{
	vl_local *l;
	cerr err = { 0 };
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Hold", NULL, done, NULL, &l, &err), 0);
	assert_non_null(kept);
	el_run_once(loop, 10);
	assert_int_equal(delivered, 0);
	vl_call_set_cancel(kept, NULL, NULL);
	vl_call_reply(kept, "{\"word\":\"later\"}");
	run_until_delivered(1);
	assert_string_equal(got_word, "later");
	assert_int_equal(cancelled, 0);
}

static void test_abandon_cancels_a_kept_call(void **state)
{
	vl_local *l, *l2;
	cerr err = { 0 };
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Hold", NULL, done, NULL, &l, &err), 0);
	vl_local_abandon(l);
	assert_int_equal(cancelled, 1);
	/* and one answered but not delivered yet is never delivered */
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Echo", "{\"word\":\"x\"}", done, NULL, &l2, &err), 0);
	vl_local_abandon(l2);
	for (int i = 0; i < 5; i++)
		el_run_once(loop, 10);
	assert_int_equal(delivered, 0);
}

static void test_unanswered_call_is_a_hang_up(void **state)
{
	vl_local *l;
	cerr err = { 0 };
	assert_int_equal(vl_local_call(srv, &peer, "org.example.Local.Forget", NULL, done, NULL, &l, &err), 0);
	run_until_delivered(1);
	assert_string_equal(got_error, VL_ERR_LOCAL_HUNG_UP);
}

/* What a workload's or a job's reason says of a refused call: the missing
 * thing's name, the parameter and reason, or the parameters as they are. */
static void test_error_text_names_what_was_wrong(void **state)
{
	(void)state;
	static const struct { const char *params, *want; } cases[] = {
		{ "{\"name\":\"nosuch\"}", "CreateContainer: NoSuchNetwork: nosuch" },
		{ "{\"parameter\":\"spec.image\",\"reason\":\"empty\"}", "CreateContainer: NoSuchNetwork: spec.image: empty" },
		{ "{\"reason\":\"busy\"}", "CreateContainer: NoSuchNetwork: busy" },
		{ "{\"id\":7}", "CreateContainer: NoSuchNetwork {\"id\":7}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_cerr_ cerr err = { 0 };
		_cleanup_(json_freep) yajl_val p = NULL;
		assert_int_equal(json_parse(cases[i].params, "params", &p, &err), 0);
		_cleanup_free_ char *t = vl_local_error_text("CreateContainer", "io.corral.Supervisor.NoSuchNetwork", p);
		assert_string_equal(t, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reply_comes_from_the_loop_as_the_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_are_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_call_answered_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandon_cancels_a_kept_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unanswered_call_is_a_hang_up, setup, teardown),
		cmocka_unit_test(test_error_text_names_what_was_wrong),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
