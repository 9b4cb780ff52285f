/* corral-broker serve: answer requests, with their data (--echo) or with
 * what a command prints given the data on its stdin. Requests come on one
 * connection (Serve, a stream) and answers go back on another (Reply). */
#include "supervisor/broker/broker_cli.h"
#include "supervisor/broker/broker_serve.h"
#include "supervisor/broker/broker_msg.h"
#include "supervisor/broker/broker_call.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define ANSWER_MAX (64 * 1024)

/* The request's data as the command reads it: a string as its bytes, any
 * other value as its JSON text. */
static int stdin_of(yajl_val data)
{
	_cleanup_close_ int fd = memfd_create("corral-broker-request", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	_cleanup_json_gen_ yajl_gen g = NULL;
	_cleanup_free_ char *text = NULL;
	const char *s = YAJL_IS_STRING(data) ? data->u.string : NULL;
	if (!s) {
		g = json_gen_new(false);
		if (!g || jg_value(g, data) || !(text = jg_finish(g, NULL)))
			return -ENOMEM;
		s = text;
	}
	for (size_t off = 0, len = strlen(s); off < len;) {
		ssize_t n = write(fd, s + off, len - off);
		if (n < 0 && errno != EINTR)
			return -errno;
		off += n > 0 ? (size_t)n : 0;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* Run cmd with data on stdin; its stdout as the answer's JSON text. */
static char *run_cmd(char **cmd, yajl_val data)
{
	_cleanup_close_ int in = stdin_of(data);
	_cleanup_close_pair_ int out[2] = { -1, -1 };
	if (in < 0 || pipe2(out, O_CLOEXEC) < 0) {
		fprintf(stderr, "corral-broker: serve: %s\n", strerror(in < 0 ? -in : errno));
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "corral-broker: serve: fork: %s\n", strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		if (dup2(in, STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(cmd[0], cmd);
		fprintf(stderr, "corral-broker: serve: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	closep(&out[1]);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	_cleanup_cerr_ cerr err = { 0 };
	int r = read_fd(out[0], cmd[0], ANSWER_MAX, &text, &len, &err);
	closep(&out[0]); /* a command that writes on past the bound gets EPIPE */
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0) {
		fprintf(stderr, "corral-broker: serve: %s\n", cerr_msg(&err));
		return NULL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "corral-broker: serve: %s: exited with status %d: answering with its output\n", cmd[0],
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return broker_data_bytes(text, len);
}

static int reply(vl_client *c, const char *id, yajl_val data, const char *data_text)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	_cleanup_free_ char *params = NULL;
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "id", id) ||
	    (data_text ? broker_add_json(g, "data", data_text) : (jg_key(g, "data") || jg_value(g, data))) ||
	    !(params = broker_finish(g)))
		return BROKER_EXIT_FAIL;
	vl_reply rep;
	int rc = broker_send(c, "Reply", params, false) ?: broker_recv(c, "Reply", &rep);
	if (!rc)
		vl_reply_release(&rep);
	return rc;
}

/* Each request: its answer on the second connection. */
static int serve(const char *params, char **cmd, long long count)
{
	int rc;
	_cleanup_vl_client_ vl_client *reqs = broker_connect(&rc);
	_cleanup_vl_client_ vl_client *answers = reqs ? broker_connect(&rc) : NULL;
	if (!answers || (rc = broker_send(reqs, "Serve", params, true)))
		return rc ? rc : BROKER_EXIT_FAIL;
	for (long long n = 0; !count || n < count; n++) {
		vl_reply rep;
		if ((rc = broker_recv(reqs, "Serve", &rep)))
			return rc;
		yajl_val id = json_get(rep.params, "id");
		yajl_val data = json_get(json_get(rep.params, "message"), "data");
		bool more = rep.continues;
		if (!YAJL_IS_STRING(id)) {
			fprintf(stderr, "corral-broker: Serve: a request without an id\n");
			rc = BROKER_EXIT_FAIL;
		} else if (cmd) {
			_cleanup_free_ char *answer = run_cmd(cmd, data);
			rc = answer ? reply(answers, id->u.string, NULL, answer) : BROKER_EXIT_FAIL;
		} else {
			rc = reply(answers, id->u.string, data, NULL);
		}
		vl_reply_release(&rep);
		if (rc || !more)
			return rc;
	}
	return 0;
}

int broker_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = { { "echo", no_argument, NULL, 'e' },
					      { "count", required_argument, NULL, 'n' },
					      { NULL, 0, NULL, 0 } };
	/* what follows "--" is the command, never options of serve */
	int dash = 1;
	while (dash < argc && !streq(argv[dash], "--"))
		dash++;
	bool echo = false;
	long long count = 0;
	for (int o; (o = getopt_long(dash, argv, "n:", opts, NULL)) != -1;) {
		if (o == 'e')
			echo = true;
		else if (o != 'n' || !broker_parse_count(optarg, 1ll << 62, &count) || count == 0)
			return o == 'n' ? broker_usage_error("serve: -n %s: must be a positive integer", optarg)
					: BROKER_EXIT_USAGE;
	}
	char **cmd = dash + 1 < argc ? argv + dash + 1 : NULL;
	if (dash - optind < 1)
		return broker_usage_error("serve: takes TOPIC... -- CMD [ARGS], or --echo TOPIC...");
	if (echo == (cmd != NULL))
		return broker_usage_error(echo ? "serve: --echo takes no command" : "serve: needs -- CMD [ARGS] or --echo");
	_cleanup_free_ char *params = broker_topics_params(dash - optind, argv + optind);
	if (!params)
		return BROKER_EXIT_FAIL;
	return serve(params, cmd, count);
}
