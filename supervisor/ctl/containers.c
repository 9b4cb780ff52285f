/* corralctl's container verbs: the dispatch, and the verbs that name
 * containers by id (start, stop, kill, rm, inspect, wait). */
#include "supervisor/ctl/ctl.h"
#include "common/units.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *ctl_obj_id(const char *key, const char *id)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, key, id) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

/* Call, print JSON (or nothing), and return 0/1. */
static int simple(const char *method, const char *params, bool print)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call(&c, method, params, false, &rep))
		return 1;
	if (print) {
		_cleanup_free_ char *s = ctl_to_json(rep.params, true);
		printf("%s\n", s ? s : "{}");
	}
	vl_reply_release(&rep);
	return 0;
}

int ctl_by_id(const char *method, int argc, char **argv, const char *extra_key, const char *extra_val,
	      bool is_int, bool print)
{
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		yajl_gen_map_open(g);
		jg_key_str(g, "id", argv[i]);
		if (extra_val) {
			if (is_int)
				jg_key_int(g, extra_key, strtoll(extra_val, NULL, 10));
			else if (!strcmp(extra_val, "true"))
				jg_key_bool(g, extra_key, true);
			else
				jg_key_str(g, extra_key, extra_val);
		}
		yajl_gen_map_close(g);
		_cleanup_free_ char *p = jg_finish(g, NULL);
		if (simple(method, p, print))
			rc = 1;
		else if (!print)
			printf("%s\n", argv[i]);
	}
	return rc;
}

int ctl_verb(const char *verb, int argc, char **argv, bool *handled)
{
	*handled = true;
	/* getopt wants argv[0] */
	if (!strcmp(verb, "create") || !strcmp(verb, "run"))
		return ctl_create_run(argc + 1, argv - 1, verb[0] == 'r');
	if (!strcmp(verb, "start"))
		return ctl_by_id(M("Start"), argc, argv, NULL, NULL, false, false);
	if (!strcmp(verb, "stop")) {
		const char *t = NULL;
		if (argc >= 2 && !strcmp(argv[0], "-t")) {
			t = argv[1];
			argc -= 2;
			argv += 2;
		}
		ctl_timeout_ms = -1;
		return ctl_by_id(M("Stop"), argc, argv, "timeout", t, true, false);
	}
	if (!strcmp(verb, "kill")) {
		const char *s = NULL;
		if (argc >= 2 && !strcmp(argv[0], "-s")) {
			s = argv[1];
			argc -= 2;
			argv += 2;
		}
		return ctl_by_id(M("Kill"), argc, argv, "signal", s, false, false);
	}
	if (!strcmp(verb, "rm")) {
		bool f = argc >= 1 && !strcmp(argv[0], "-f");
		ctl_timeout_ms = -1;
		return ctl_by_id(M("Remove"), argc - f, argv + f, "force", f ? "true" : NULL, false, false);
	}
	if (!strcmp(verb, "inspect"))
		return ctl_by_id(M("Inspect"), argc, argv, NULL, NULL, false, true);
	if (!strcmp(verb, "ps"))
		return ctl_ps(argc, argv);
	if (!strcmp(verb, "logs"))
		return ctl_logs(argc + 1, argv - 1);
	if (!strcmp(verb, "wait") && argc == 1)
	{
		bool ok;
		ctl_wait_code(argv[0], true, &ok);
		return ok ? 0 : 1;
	}
	if (!strcmp(verb, "exec"))
		return ctl_exec(argc + 1, argv - 1);
	if (!strcmp(verb, "attach"))
		return ctl_attach(argc + 1, argv - 1);
	if (!strcmp(verb, "stats"))
		return ctl_stats(argc, argv);
	if (!strcmp(verb, "events"))
		return ctl_events(argc, argv);
	if (!strcmp(verb, "image"))
		return ctl_image(argc, argv);
	*handled = false;
	return 2;
}
