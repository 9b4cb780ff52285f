/* corral-broker state get|set|rm|ls|watch, and whoami. */
#include "supervisor/broker/broker_cli.h"
#include "supervisor/broker/broker_state_cmd.h"
#include "supervisor/broker/broker_msg.h"
#include "supervisor/broker/broker_call.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* {"key": key?, "prefix": prefix?, "expectVersion": expect (when >= 0)} */
static yajl_gen params_of(const char *key_name, const char *key, long long expect)
{
	yajl_gen g = json_gen_new(false);
	if (g && (yajl_gen_map_open(g) || (key && jg_key_str(g, key_name, key)) ||
		  (expect >= 0 && jg_key_int(g, "expectVersion", expect)))) {
		yajl_gen_free(g);
		return NULL;
	}
	return g;
}

static int call_print(const char *method, yajl_gen gen, const char *key)
{
	_cleanup_json_gen_ yajl_gen g = gen;
	_cleanup_free_ char *params = g ? broker_finish(g) : NULL;
	if (!params)
		return BROKER_EXIT_FAIL;
	vl_reply rep;
	int rc = broker_call(method, params, &rep);
	if (rc)
		return rc;
	if (key && streq(key, "keys")) { /* one a line */
		yajl_val keys = json_get(rep.params, "keys");
		for (size_t i = 0; YAJL_IS_ARRAY(keys) && i < keys->u.array.len; i++)
			if (YAJL_IS_STRING(keys->u.array.values[i]))
				printf("%s\n", keys->u.array.values[i]->u.string);
	} else if (key) {
		rc = broker_print(*key ? json_get(rep.params, key) : rep.params);
	}
	vl_reply_release(&rep);
	return rc;
}

static int state_set(const char *key, const char *value, long long expect)
{
	_cleanup_free_ char *data = broker_data_arg(value);
	if (!data)
		return BROKER_EXIT_FAIL;
	yajl_gen g = params_of("key", key, expect);
	if (g && broker_add_json(g, "value", data)) {
		yajl_gen_free(g);
		g = NULL;
	}
	return call_print("StateSet", g, "version");
}

int broker_cmd_state(int argc, char **argv)
{
	static const struct option opts[] = { { "expect", required_argument, NULL, 'e' },
					      { "json", no_argument, NULL, 'j' },
					      { "count", required_argument, NULL, 'n' },
					      { NULL, 0, NULL, 0 } };
	long long expect = -1, count = 0;
	bool json = false;
	for (int o; (o = getopt_long(argc, argv, "n:", opts, NULL)) != -1;) {
		if (o == 'j') {
			json = true;
		} else if (o == 'e') {
			if (!broker_parse_count(optarg, LLONG_MAX, &expect))
				return broker_usage_error("state: --expect %s: must be a version, 0 or more", optarg);
		} else if (o == 'n') {
			if (!broker_parse_count(optarg, LLONG_MAX, &count) || count == 0)
				return broker_usage_error("state: -n %s: must be a positive integer", optarg);
		} else {
			return BROKER_EXIT_USAGE;
		}
	}
	int n = argc - optind;
	const char *verb = n > 0 ? argv[optind] : "";
	char **arg = argv + optind + 1;
	n--;
	if (streq(verb, "get") && n == 1)
		return call_print("StateGet", params_of("key", arg[0], -1), json ? "" : "value");
	if (streq(verb, "set") && n == 2)
		return state_set(arg[0], arg[1], expect);
	if (streq(verb, "rm") && n == 1)
		return call_print("StateRemove", params_of("key", arg[0], expect), NULL);
	if (streq(verb, "ls") && n <= 1)
		return call_print("StateList", params_of("prefix", n ? arg[0] : NULL, -1), "keys");
	if (streq(verb, "watch") && n <= 1) {
		_cleanup_json_gen_ yajl_gen g = params_of("prefix", n ? arg[0] : NULL, -1);
		_cleanup_free_ char *params = g ? broker_finish(g) : NULL;
		return params ? broker_stream("StateWatch", params, NULL, count) : BROKER_EXIT_FAIL;
	}
	return broker_usage_error("state: takes get KEY | set KEY VALUE [--expect N] | rm KEY [--expect N] | "
				  "ls [PREFIX] | watch [PREFIX]");
}

int broker_cmd_whoami(int argc, char **argv)
{
	if (argc != 1)
		return broker_usage_error("whoami: takes no arguments");
	return call_print("Whoami", params_of(NULL, NULL, -1), "");
}
