/* supervisor/daemon/sessions: names, share lists, a member's spec and the
 * namespaces its bundle joins by path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session_int.h"
#include "supervisor/daemon/sessions/session_record.h"
#include "supervisor/daemon/sessions/session_ctr.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"

static void test_names(void **state)
{
	char big[SESSION_NAME_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_true(session_name_valid("pod1"));
	assert_true(session_name_valid("a.b_c-d"));
	assert_false(session_name_valid(""));
	assert_false(session_name_valid("-x"));
	assert_false(session_name_valid(".x"));
	assert_false(session_name_valid("a/b"));
	assert_false(session_name_valid("a b"));
	assert_false(session_name_valid(big));
	big[SESSION_NAME_MAX] = '\0';
	assert_true(session_name_valid(big));
}

static void test_share(void **state)
{
	unsigned s;
	assert_int_equal(session_share_parse("net,ipc,uts", &s), 0);
	assert_int_equal(s, SESSION_SHARE_NET | SESSION_SHARE_IPC | SESSION_SHARE_UTS);
	assert_int_equal(session_share_parse("uts", &s), 0);
	assert_int_equal(s, SESSION_SHARE_UTS);
	assert_int_equal(session_share_parse("", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(session_share_parse("net,net", &s), -EINVAL);
	assert_int_equal(session_share_parse("pid,uts", &s), 0);
	assert_int_equal(s, SESSION_SHARE_PID | SESSION_SHARE_UTS);
	assert_int_equal(session_share_parse("mnt", &s), -EINVAL);
	assert_int_equal(session_share_parse("net,", &s), -EINVAL);
	assert_int_equal(session_share_parse("net,ipc,uts,net", &s), -EINVAL);
}

/* owner's session pod (sharing what share says), first in d's list */
static session *add_session(corrald *d, uid_t owner, unsigned share)
{
	session_x *x = session_x_new(d, owner, "pod");
	x->s.share = share;
	x->s.next = d->sessions;
	d->sessions = &x->s;
	return &x->s;
}

/* A corrald with one session, root's pod. */
static corrald *with_session(unsigned share)
{
	static corrald_config cfg = { .state_dir = "/st", .default_network = "corral" };
	corrald *d = calloc(1, sizeof(*d));
	d->cfg = &cfg;
	add_session(d, 0, share);
	return d;
}

static void drop(corrald *d)
{
	while (d->sessions) {
		session *s = d->sessions;
		d->sessions = s->next;
		session_x_free(sx_of(s));
	}
	free(d);
}

static void test_session_ctr_spec(void **state)
{
	corrald *d = with_session(SESSION_SHARE_NET | SESSION_SHARE_UTS);
	ctr_spec s = { .session = "pod", .network = CTR_NET_CNI, .net_name = strdup("corral"), .network_default = true };
	json_fault f = { 0 };
	assert_int_equal(session_ctr_spec(d, &s, 0, &f), 0);
	assert_int_equal(s.network, CTR_NET_LOOPBACK); /* the session's namespace, no attachment of its own */
	assert_null(s.net_name);
	ctr_spec mine = { .session = "pod", .network = CTR_NET_CNI, .net_name = "other" };
	assert_int_equal(session_ctr_spec(d, &mine, 0, &f), -EINVAL);
	assert_string_equal(f.field, "spec.network");
	ctr_spec none = { .session = "nope" };
	assert_int_equal(session_ctr_spec(d, &none, 0, &f), -ENOENT);
	drop(d);
}

/* spec.session as the container's owner names it: a member's session is
 * root's NAME@UID (kept so), never root's bare NAME */
static void test_session_ctr_spec_names_as_its_owner(void **state)
{
	corrald *d = calloc(1, sizeof(*d));
	d->cfg = &(corrald_config){ .state_dir = "/st" };
	add_session(d, 4242, SESSION_SHARE_UTS);
	json_fault f = { 0 };
	ctr_spec roots = { .session = strdup("pod@4242") };
	assert_int_equal(session_ctr_spec(d, &roots, 0, &f), 0);
	assert_string_equal(roots.session, "pod@4242");
	free(roots.session);
	ctr_spec own = { .session = "pod" };
	assert_int_equal(session_ctr_spec(d, &own, 4242, &f), 0);
	/* a record's bare name that is another's session: none of its own */
	ctr_spec bare = { .session = strdup("pod") };
	assert_int_equal(session_ctr_spec(d, &bare, 0, &f), -ENOENT);
	assert_null(bare.session);
	ctr_spec other = { .session = strdup("pod") };
	assert_int_equal(session_ctr_spec(d, &other, 4343, &f), -ENOENT);
	assert_null(other.session);
	ctr_spec at_root = { .session = "pod@0" };
	assert_int_equal(session_ctr_spec(d, &at_root, 4242, &f), -ENOENT);
	assert_ptr_equal(session_for(d, 0, "pod@4242"), d->sessions);
	assert_null(session_for(d, 0, "pod"));
	assert_null(session_for(d, 4343, "pod@4242"));
	drop(d);
}

/* Each owner's session names are its own: root's pod beside a member's,
 * each with its directory and its CNI id; a container is in the one its
 * owner names */
static void test_each_owners_pod(void **state)
{
	corrald *d = with_session(SESSION_SHARE_NET);
	session *roots = d->sessions, *members = add_session(d, 4242, SESSION_SHARE_NET);
	assert_ptr_equal(session_for(d, 0, "pod"), roots);
	assert_ptr_equal(session_for(d, 0, "pod@4242"), members);
	assert_ptr_equal(session_for(d, 4242, "pod"), members);
	assert_null(session_for(d, 4343, "pod"));
	assert_string_equal(roots->dir, "/st/sessions/pod");
	assert_string_equal(members->dir, "/st/sessions/pod@4242");
	assert_string_equal(sx_of(roots)->cni_id, "corral-session-pod");
	assert_string_equal(sx_of(members)->cni_id, "corral-session_4242_pod");
	ctr mine = { .owner = 4242, .spec = { .session = "pod" } }, root_in_theirs = { .spec = { .session = "pod@4242" } };
	ctr root_in_own = { .spec = { .session = "pod" } };
	assert_true(session_holds(members, &mine) && !session_holds(roots, &mine));
	assert_true(session_holds(members, &root_in_theirs) && !session_holds(roots, &root_in_theirs));
	assert_true(session_holds(roots, &root_in_own) && !session_holds(members, &root_in_own));
	assert_ptr_equal(session_of(d, &mine), members);
	char path[PATH_MAX] = "";
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &mine.spec, .owner = 4242 }, "network", path,
					 sizeof(path)), 1);
	assert_string_equal(path, "/st/sessions/pod@4242/ns/net");
	drop(d);
}

static void test_namespaces(void **state)
{
	corrald *d = with_session(SESSION_SHARE_NET | SESSION_SHARE_IPC);
	ctr_spec s = { .session = "pod" };
	char path[PATH_MAX] = "";
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &s }, "network", path, sizeof(path)), 1);
	assert_string_equal(path, "/st/sessions/pod/ns/net");
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &s }, "ipc", path, sizeof(path)), 1);
	assert_string_equal(path, "/st/sessions/pod/ns/ipc");
	/* not shared, not a kind a session shares, or no session: its own */
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &s }, "uts", path, sizeof(path)), 0);
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &s }, "pid", path, sizeof(path)), 0);
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &s }, "mount", path, sizeof(path)), 0);
	ctr_spec none = { .network = CTR_NET_HOST };
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &none }, "network", path, sizeof(path)), 0);
	ctr_spec gone = { .session = "nope" };
	assert_int_equal(session_ns_join(&(bundle_in){ .d = d, .spec = &gone }, "network", path, sizeof(path)), 0);
	drop(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_session_ctr_spec),
		cmocka_unit_test(test_session_ctr_spec_names_as_its_owner),
		cmocka_unit_test(test_each_owners_pod),
		cmocka_unit_test(test_namespaces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
