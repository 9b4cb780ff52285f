/* supervisor/daemon/network/cni_run.c with fake plugins (sh scripts that
 * log what they were given): ADD runs in order and hands each plugin the
 * one before's result; a failed ADD runs DEL over the whole list in
 * reverse and reports the plugin's error; DEL goes past errors; a missing
 * plugin is named; an ADD that lost a race to make an iptables chain runs
 * once more; the drain at corrald's exit cuts a run short, and no run
 * starts after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "supervisor/daemon/network/cni_run.h"

static char dir[] = "/tmp/corral-cnirun-XXXXXX";

/* a plugin that logs "NAME COMMAND prev=<has prevResult> ports=<has runtimeConfig>" and
 * answers a result with its own name as an interface */
static void plugin(const char *name, const char *body)
{
	char path[256], text[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\nin=$(cat)\n"
		 "p=no; case \"$in\" in *prevResult*) p=yes;; esac\n"
		 "r=no; case \"$in\" in *portMappings*) r=yes;; esac\n"
		 "echo \"%s $CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME prev=$p ports=$r\" >>%s/log\n%s\n",
		 name, dir, body);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0755);
}

#define OK_RESULT(n) "echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"" n "\"}],\"ips\":[{\"address\":\"10.1.0.2/24\",\"interface\":0}]}'"

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	plugin("one", OK_RESULT("one"));
	plugin("two", "[ \"$CNI_COMMAND\" = DEL ] && exit 0; " OK_RESULT("two"));
	/* the first ADD loses the race (a marker file says it ran), the next finds the chain */
	char racy[600];
	snprintf(racy, sizeof(racy),
		 "[ \"$CNI_COMMAND\" = ADD ] && [ ! -e %s/raced ] && { : >%s/raced; "
		 "echo '{\"code\":999,\"msg\":\"running [/usr/sbin/iptables -t filter -N CNI-ISOLATION-STAGE-1 --wait]: "
		 "exit status 4: CHAIN_USER_ADD failed (File exists): chain CNI-ISOLATION-STAGE-1\"}'; exit 1; }; "
		 OK_RESULT("racy"), dir, dir);
	plugin("racy", racy);
	plugin("exists", "[ \"$CNI_COMMAND\" = DEL ] && exit 0; "
			 "echo '{\"code\":999,\"msg\":\"iptables: CHAIN_USER_ADD failed (File exists): chain X\"}'; exit 1");
	plugin("slow", "[ \"$CNI_COMMAND\" = ADD ] && exec sleep 30; exit 0");
	plugin("bad", "[ \"$CNI_COMMAND\" = DEL ] && { echo '{\"code\":11,\"msg\":\"del failed\"}'; exit 1; }; "
		      "echo '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"no more addresses\",\"details\":\"range full\"}'; exit 1");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(dir);
	return 0;
}

struct outcome {
	bool done;
	int r;
	char msg[512];
	char *result;
};

static void on_done(int r, const char *result, const cerr *e, void *data)
{
	struct outcome *o = data;
	o->done = true;
	o->r = r;
	snprintf(o->msg, sizeof(o->msg), "%s", r < 0 ? e->msg : "");
	o->result = result ? strdup(result) : NULL;
}

/* a loop for the runs, and the plugins' log (its path in logp) emptied */
static el_loop *fresh_loop(char *logp, size_t n)
{
	el_loop *l = NULL;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	snprintf(logp, n, "%s/log", dir);
	unlink(logp);
	return l;
}

static void run(enum cni_cmd cmd, const char *list, const char *prev, struct outcome *o)
{
	char logp[300];
	_cleanup_el_ el_loop *l = fresh_loop(logp, sizeof(logp));
	cerr err = { 0 };
	cni_port p = { .host_port = 8080, .container_port = 80, .protocol = "tcp" };
	cni_args a = { .container_id = "c1", .netns = "/proc/self/ns/net", .ifname = "eth0", .path = dir, .ports = &p, .n_ports = 1 };
	memset(o, 0, sizeof(*o));
	cni_runner rn = { .loop = l };
	assert_int_equal(cni_run_start(&rn, cmd, list, prev, &a, on_done, o, NULL, &err), 0);
	for (int i = 0; i < 100 && !o->done; i++)
		el_run_once(l, 100);
	assert_true(o->done);
	assert_null(rn.live); /* a run that is over leaves the runner */
}

static char *log_text(void)
{
	char p[300], *t = NULL;
	size_t n;
	cerr err = { 0 };
	snprintf(p, sizeof(p), "%s/log", dir);
	if (read_file_at(AT_FDCWD, p, 65536, &t, &n, &err) < 0)
		fail_msg("%s", cerr_msg(&err));
	return t;
}

#define LIST(a, b, c) "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"" a "\"},{\"type\":\"" b \
	"\",\"capabilities\":{\"portMappings\":true}},{\"type\":\"" c "\"}]}"

static void test_add_in_order_with_prev_result(void **state)
{
	(void)state;
	struct outcome o;
	run(CNI_ADD, LIST("one", "two", "one"), NULL, &o);
	assert_int_equal(o.r, 0);
	_cleanup_free_ char *log = log_text();
	assert_string_equal(log, "one ADD c1 eth0 prev=no ports=no\n"
				 "two ADD c1 eth0 prev=yes ports=yes\n"
				 "one ADD c1 eth0 prev=yes ports=no\n");
	assert_non_null(o.result);
	assert_non_null(strstr(o.result, "\"one\"")); /* the last plugin's result */
	free(o.result);
}

static void test_failed_add_dels_the_list_in_reverse(void **state)
{
	(void)state;
	struct outcome o;
	run(CNI_ADD, LIST("one", "bad", "two"), NULL, &o);
	assert_true(o.r < 0);
	assert_string_equal(o.msg, "CNI plugin bad: error 7: no more addresses (range full)");
	assert_null(o.result);
	_cleanup_free_ char *log = log_text();
	assert_string_equal(log, "one ADD c1 eth0 prev=no ports=no\n"
				 "bad ADD c1 eth0 prev=yes ports=yes\n"
				 "two DEL c1 eth0 prev=yes ports=no\n"
				 "bad DEL c1 eth0 prev=yes ports=yes\n"
				 "one DEL c1 eth0 prev=yes ports=no\n");
}

static void test_del_goes_past_errors(void **state)
{
	(void)state;
	struct outcome o;
	run(CNI_DEL, LIST("one", "bad", "two"), "{\"cniVersion\":\"1.0.0\"}", &o);
	assert_string_equal(o.msg, "CNI plugin bad: error 11: del failed");
	_cleanup_free_ char *log = log_text();
	assert_string_equal(log, "two DEL c1 eth0 prev=yes ports=no\n"
				 "bad DEL c1 eth0 prev=yes ports=yes\n"
				 "one DEL c1 eth0 prev=yes ports=no\n");
}

static void test_missing_plugin_is_named(void **state)
{
	(void)state;
	struct outcome o;
	run(CNI_ADD, LIST("one", "gone", "two"), NULL, &o);
	char want[400];
	snprintf(want, sizeof(want), "CNI plugin gone: not found in %s", dir);
	assert_string_equal(o.msg, want);
	_cleanup_free_ char *log = log_text();
	/* its ADD never ran; the list's DEL did, the missing one skipped */
	assert_string_equal(log, "one ADD c1 eth0 prev=no ports=no\n"
				 "two DEL c1 eth0 prev=yes ports=no\n"
				 "one DEL c1 eth0 prev=yes ports=no\n");
}

static void test_add_that_lost_a_chain_race_runs_again(void **state)
{
	(void)state;
	char marker[300];
	snprintf(marker, sizeof(marker), "%s/raced", dir);
	unlink(marker);
	struct outcome o;
	run(CNI_ADD, LIST("one", "racy", "two"), NULL, &o);
	assert_int_equal(o.r, 0);
	free(o.result);
	_cleanup_free_ char *log = log_text();
	assert_string_equal(log, "one ADD c1 eth0 prev=no ports=no\n"
				 "racy ADD c1 eth0 prev=yes ports=yes\n"
				 "racy ADD c1 eth0 prev=yes ports=yes\n"
				 "two ADD c1 eth0 prev=yes ports=no\n");
}

static void test_add_that_finds_the_chain_twice_fails(void **state)
{
	(void)state;
	struct outcome o;
	run(CNI_ADD, LIST("one", "exists", "two"), NULL, &o);
	assert_true(o.r < 0);
	assert_string_equal(o.msg, "CNI plugin exists: error 999: iptables: CHAIN_USER_ADD failed (File exists): chain X");
	_cleanup_free_ char *log = log_text();
	/* one more try, then its error and the list's DEL */
	assert_string_equal(log, "one ADD c1 eth0 prev=no ports=no\n"
				 "exists ADD c1 eth0 prev=yes ports=yes\n"
				 "exists ADD c1 eth0 prev=yes ports=yes\n"
				 "two DEL c1 eth0 prev=yes ports=no\n"
				 "exists DEL c1 eth0 prev=yes ports=yes\n"
				 "one DEL c1 eth0 prev=yes ports=no\n");
}

/* what a cut ADD's owner does next: another run (as net_ns's ADD after
 * the DEL of an ADD cut short) */
struct again {
	struct outcome first, second;
	cni_runner *rn;
	const cni_args *a;
	int r;
	char msg[256];
};

static void on_cut_then_again(int r, const char *result, const cerr *e, void *data)
{
	struct again *g = data;
	on_done(r, result, e, &g->first);
	_cleanup_cerr_ cerr err = { 0 };
	g->r = cni_run_start(g->rn, CNI_ADD, LIST("one", "two", "one"), NULL, g->a, on_done, &g->second, NULL, &err);
	snprintf(g->msg, sizeof(g->msg), "%s", err.msg);
}

static void test_drain_cuts_short_and_nothing_starts_after(void **state)
{
	(void)state;
	char logp[300];
	_cleanup_el_ el_loop *l = fresh_loop(logp, sizeof(logp));
	cerr err = { 0 };
	cni_args a = { .container_id = "c1", .netns = "/proc/self/ns/net", .ifname = "eth0", .path = dir };
	cni_runner rn = { .loop = l };
	struct again g = { .rn = &rn, .a = &a };
	assert_int_equal(cni_run_start(&rn, CNI_ADD, LIST("one", "slow", "two"), NULL, &a, on_cut_then_again, &g, NULL,
				       &err),
			 0);
	/* the slow plugin is running when the drain's time is up */
	for (int i = 0; i < 100; i++) {
		_cleanup_free_ char *log = NULL;
		size_t n;
		_cleanup_cerr_ cerr e = { 0 };
		if (read_file_at(AT_FDCWD, logp, 65536, &log, &n, &e) == 0 && strstr(log, "slow ADD"))
			break;
		el_run_once(l, 50);
	}
	cni_run_drain(&rn, 100);
	assert_true(g.first.done);
	assert_int_equal(g.first.r, -ECANCELED);
	assert_string_equal(g.first.msg, "CNI ADD of network n: cut short by corrald's exit");
	assert_int_equal(g.r, -ECANCELED);
	assert_string_equal(g.msg, "CNI ADD: not started: corrald is exiting");
	assert_null(rn.live);
	/* the cut plugin was the last to run: no DEL of the cut ADD, no second ADD */
	_cleanup_free_ char *log = log_text();
	assert_string_equal(log, "one ADD c1 eth0 prev=no ports=no\n"
				 "slow ADD c1 eth0 prev=yes ports=yes\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_in_order_with_prev_result),
		cmocka_unit_test(test_failed_add_dels_the_list_in_reverse),
		cmocka_unit_test(test_del_goes_past_errors),
		cmocka_unit_test(test_missing_plugin_is_named),
		cmocka_unit_test(test_add_that_lost_a_chain_race_runs_again),
		cmocka_unit_test(test_add_that_finds_the_chain_twice_fails),
		cmocka_unit_test(test_drain_cuts_short_and_nothing_starts_after),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
