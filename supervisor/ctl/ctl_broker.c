/* corralctl's broker verbs: the operator in a session as its member
 * "host" (broker pub, sub, req). DATA: JSON text as it is, anything else
 * as a JSON string; -: read from stdin. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA_MAX (64 * 1024) /* the broker's bound; corrald says so too */

/* A map of the call's parameters: session, topic (or topics) and data. */
static yajl_gen broker_params(const ctl_args *a, bool topics)
{
	const char *what = a->cmd->name;
	_cleanup_free_ char *in = NULL;
	const char *data = a->argc > 2 ? a->argv[2] : NULL;
	if (data && streq(data, "-")) {
		size_t n;
		_cleanup_cerr_ cerr err = { 0 };
		if (read_fd(STDIN_FILENO, "stdin", DATA_MAX + 1, &in, &n, &err) < 0) {
			ctl_failf("%s: %s", what, cerr_msg(&err));
			return NULL;
		}
		while (n && in[n - 1] == '\n')
			in[--n] = '\0';
		data = in;
	}
	yajl_gen g = ctl_params(NULL);
	char eb[64];
	_cleanup_(json_freep) yajl_val v = data ? yajl_tree_parse(data, eb, sizeof(eb)) : NULL;
	if (!g || jg_key_str(g, "session", a->argv[0]) ||
	    (topics ? jg_key(g, "topics") || yajl_gen_array_open(g) || jg_str(g, a->argv[1]) || yajl_gen_array_close(g)
		    : jg_key_str(g, "topic", a->argv[1])) ||
	    (!topics && (jg_key(g, "data") || (v ? jg_value(g, v) : data ? jg_str(g, data) : (int)yajl_gen_null(g))))) {
		if (g)
			yajl_gen_free(g);
		ctl_fail(what, "out of memory");
		return NULL;
	}
	return g;
}

static void print_data(yajl_val reply, const char *key)
{
	_cleanup_free_ char *s = ctl_to_json(json_get(reply, key), false);
	printf("%s\n", s ? s : "null");
}

static int v_pub(ctl_args *a)
{
	yajl_gen g = broker_params(a, false);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (!g || ctl_call_gen(&c, M("BrokerPublish"), g, false, &rep))
		return EXIT_CTL;
	if (ctl_json)
		ctl_print_json(rep.params);
	vl_reply_release(&rep);
	return 0;
}

static int v_req(ctl_args *a)
{
	yajl_gen g = broker_params(a, false);
	if (g && ((opt_on(a, "to") && jg_key_str(g, "to", opt_str(a, "to"))) ||
		  (opt_on(a, "wait") && (jg_key(g, "timeout") ||
					 yajl_gen_double(g, (double)opt_val(a, "wait")->num / 1e9))))) {
		yajl_gen_free(g);
		return ctl_fail("broker req", "out of memory");
	}
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1; /* the broker's timeout bounds it */
	if (!g || ctl_call_gen(&c, M("BrokerRequest"), g, false, &rep))
		return EXIT_CTL;
	if (ctl_json)
		ctl_print_json(rep.params);
	else
		print_data(rep.params, "data");
	vl_reply_release(&rep);
	return 0;
}

static int v_sub(ctl_args *a)
{
	yajl_gen g = broker_params(a, true);
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1;
	long long left = opt_on(a, "count") ? opt_num(a, "count", 0) : -1;
	if (!g || ctl_call_gen(&c, M("BrokerSubscribe"), g, true, &rep))
		return EXIT_CTL;
	for (int rc = 0;; rc = ctl_recv(c, M("BrokerSubscribe"), &rep)) {
		if (rc)
			return rc;
		yajl_val m = json_get(rep.params, "message");
		if (ctl_json) {
			_cleanup_free_ char *s = ctl_to_json(m, false);
			printf("%s\n", s ? s : "{}");
		} else {
			long long missed = ctl_int(m, "missed", 0);
			if (missed)
				printf("# missed %lld\n", missed);
			printf("%s %s ", ctl_str(m, "topic"), ctl_str(m, "from"));
			print_data(m, "data");
		}
		fflush(stdout);
		bool more = rep.continues;
		vl_reply_release(&rep);
		if (!more || (left > 0 && --left == 0))
			return 0;
	}
}

static const ctl_opt sub_opts[] = {
	{ "count", 'n', OPT_INT, "N", "stop after N messages" },
	{ NULL },
};
static const ctl_opt req_opts[] = {
	{ "to", 0, OPT_STR, "MEMBER", "ask this member (else whichever serves the topic)" },
	{ "wait", 'w', OPT_DURATION, "DURATION", "wait at most this long for the answer (default 30s, at most 5m)" },
	{ NULL },
};

const ctl_cmd ctl_broker_cmds[] = {
	{ "broker pub", "SESSION TOPIC DATA", "Publish DATA (JSON, else a string; -: stdin) on TOPIC as the member host",
	  NULL, 3, 3, 0, COMPLETE_NONE, v_pub },
	{ "broker sub", "SESSION PATTERN", "Print the messages published on topics matching PATTERN (\"jobs/\" \"*\")",
	  sub_opts, 2, 2, 0, COMPLETE_NONE, v_sub },
	{ "broker req", "SESSION TOPIC DATA", "Ask whichever member serves TOPIC, and print its answer", req_opts, 3, 3, 0,
	  COMPLETE_NONE, v_req },
	{ NULL },
};
