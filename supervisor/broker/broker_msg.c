/* corral-broker pub, sub and req: messages through corrald. */
#include "supervisor/broker/broker_cli.h"
#include "supervisor/broker/broker_msg.h"
#include "supervisor/broker/broker_call.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int broker_cmd_pub(int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;)
		return BROKER_EXIT_USAGE;
	if (argc - optind != 2)
		return broker_usage_error("pub: takes TOPIC DATA");
	_cleanup_free_ char *data = broker_data_arg(argv[optind + 1]);
	if (!data)
		return BROKER_EXIT_FAIL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *params = NULL;
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "topic", argv[optind]) || broker_add_json(g, "data", data) ||
	    !(params = broker_finish(g)))
		return BROKER_EXIT_FAIL;
	vl_reply rep;
	int rc = broker_call("Publish", params, &rep);
	if (rc)
		return rc;
	rc = broker_print(json_get(rep.params, "delivered"));
	vl_reply_release(&rep);
	return rc;
}

int broker_stream(const char *method, const char *params, const char *key, long long count)
{
	int rc;
	_cleanup_vl_client_ vl_client *c = broker_connect(&rc);
	if (!c || (rc = broker_send(c, method, params, true)))
		return rc ? rc : BROKER_EXIT_FAIL;
	for (long long n = 0; !count || n < count; n++) {
		vl_reply rep;
		if ((rc = broker_recv(c, method, &rep)))
			return rc;
		rc = broker_print(key ? json_get(rep.params, key) : rep.params);
		bool more = rep.continues;
		vl_reply_release(&rep);
		if (rc)
			return rc;
		if (!more)
			break;
	}
	return 0;
}

/* "-n COUNT": how many to take before stopping. */
static int count_opt(const char *cmd, const char *arg, long long *count)
{
	if (!broker_parse_count(arg, LLONG_MAX, count) || *count == 0)
		return broker_usage_error("%s: -n %s: must be a positive integer", cmd, arg);
	return 0;
}

char *broker_topics_params(int argc, char **argv)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "topics") || yajl_gen_array_open(g))
		return NULL;
	for (int i = 0; i < argc; i++)
		if (jg_str(g, argv[i]))
			return NULL;
	if (yajl_gen_array_close(g))
		return NULL;
	return broker_finish(g);
}

int broker_cmd_sub(int argc, char **argv)
{
	static const struct option opts[] = { { "count", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	long long count = 0;
	for (int o; (o = getopt_long(argc, argv, "n:", opts, NULL)) != -1;) {
		if (o != 'n' || count_opt("sub", optarg, &count))
			return BROKER_EXIT_USAGE;
	}
	if (argc - optind < 1)
		return broker_usage_error("sub: takes TOPIC...");
	_cleanup_free_ char *params = broker_topics_params(argc - optind, argv + optind);
	if (!params)
		return BROKER_EXIT_FAIL;
	return broker_stream("Subscribe", params, "message", count);
}

int broker_cmd_req(int argc, char **argv)
{
	static const struct option opts[] = { { "to", required_argument, NULL, 't' },
					      { "timeout", required_argument, NULL, 'T' },
					      { NULL, 0, NULL, 0 } };
	const char *to = NULL;
	double timeout = 0;
	for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
		char *end;
		if (o == 't') {
			to = optarg;
		} else if (o == 'T') {
			timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(timeout > 0 && timeout <= 300))
				return broker_usage_error("req: --timeout %s: must be seconds, more than 0 and at most 300",
							  optarg);
		} else {
			return BROKER_EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return broker_usage_error("req: takes TOPIC DATA");
	_cleanup_free_ char *data = broker_data_arg(argv[optind + 1]);
	if (!data)
		return BROKER_EXIT_FAIL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *params = NULL;
	if (!g || yajl_gen_map_open(g) || (to && jg_key_str(g, "to", to)) || jg_key_str(g, "topic", argv[optind]) ||
	    broker_add_json(g, "data", data) || (timeout > 0 && (jg_key(g, "timeout") || yajl_gen_double(g, timeout))) ||
	    !(params = broker_finish(g)))
		return BROKER_EXIT_FAIL;
	vl_reply rep;
	int rc = broker_call("Request", params, &rep);
	if (rc)
		return rc;
	rc = broker_print(json_get(rep.params, "data"));
	vl_reply_release(&rep);
	return rc;
}
