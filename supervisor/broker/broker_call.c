/* corral-broker's calls, its errors as one line each, and DATA arguments. */
#include "supervisor/broker/broker_cli.h"
#include "common/cli_error.h"
#include "supervisor/broker/broker_call.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *broker_sock;

int broker_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror("corral-broker", " (see corral-broker --help)", fmt, ap);
	va_end(ap);
	return BROKER_EXIT_USAGE;
}

static int fail_io(const char *what, cerr *err)
{
	fprintf(stderr, "corral-broker: %s: %s\n", what, cerr_msg(err));
	cerr_clear(err);
	return BROKER_EXIT_FAIL;
}

vl_client *broker_connect(int *rc)
{
	vl_client *c = NULL;
	cerr err = { 0 };
	if (vl_client_connect(broker_sock, &c, &err) < 0) {
		*rc = fail_io("connect", &err);
		return NULL;
	}
	*rc = 0;
	return c;
}

int broker_send(vl_client *c, const char *method, const char *params, bool more)
{
	char full[128];
	cerr err = { 0 };
	snprintf(full, sizeof(full), BROKER_IFACE "%s", method);
	if (vl_client_send(c, full, params, more, false, &err) < 0)
		return fail_io(method, &err);
	return 0;
}

int broker_recv(vl_client *c, const char *method, vl_reply *rep)
{
	cerr err = { 0 };
	if (vl_client_recv(c, rep, &err) < 0)
		return fail_io(method, &err);
	if (!rep->error)
		return 0;
	/* "corral-broker: StateSet: io.corral.Broker.Conflict {"key":"k","version":3}" */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *params = g && !jg_value(g, rep->params) ? jg_finish(g, NULL) : NULL;
	fprintf(stderr, "corral-broker: %s: %s %s\n", method, rep->error, params ? params : "{}");
	vl_reply_release(rep);
	return BROKER_EXIT_FAIL;
}

int broker_call(const char *method, const char *params, vl_reply *rep)
{
	int rc;
	_cleanup_vl_client_ vl_client *c = broker_connect(&rc);
	if (!c)
		return rc;
	return broker_send(c, method, params, false) ?: broker_recv(c, method, rep);
}

char *broker_data_bytes(const char *s, size_t len)
{
	_cleanup_free_ char *text = strndup(s, len);
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (!text)
		return NULL;
	/* a NUL inside is no JSON text: it goes as a string */
	if (strlen(text) == len && json_parse(text, NULL, &v, &err) == 0)
		return TAKE_PTR(text);
	while (len > 0 && s[len - 1] == '\n')
		len--;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_text(g, s, len))
		return NULL;
	return jg_finish(g, NULL);
}

char *broker_data_arg(const char *arg)
{
	if (!streq(arg, "-")) {
		char *d = broker_data_bytes(arg, strlen(arg));
		if (!d)
			fprintf(stderr, "corral-broker: out of memory\n");
		return d;
	}
	_cleanup_free_ char *in = NULL;
	size_t len = 0;
	cerr err = { 0 };
	/* the broker takes at most 64 KiB; a little more says so from there */
	if (read_fd(STDIN_FILENO, "stdin", 256 * 1024, &in, &len, &err) < 0) {
		fail_io("DATA", &err);
		return NULL;
	}
	return broker_data_bytes(in, len);
}

int broker_print(yajl_val v)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *s = g && !jg_value(g, v) ? jg_finish(g, NULL) : NULL;
	if (!s) {
		fprintf(stderr, "corral-broker: out of memory\n");
		return BROKER_EXIT_FAIL;
	}
	printf("%s\n", s);
	/* a pipe's reader sees each message when it comes */
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "corral-broker: stdout: %s\n", strerror(errno));
		return BROKER_EXIT_FAIL;
	}
	return 0;
}

bool broker_parse_count(const char *s, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

int broker_add_json(yajl_gen g, const char *key, const char *json_text)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(json_text, NULL, &v, &err) < 0)
		return -EINVAL;
	return jg_key(g, key) || jg_value(g, v) ? -ENOMEM : 0;
}

char *broker_finish(yajl_gen g)
{
	if (yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}
