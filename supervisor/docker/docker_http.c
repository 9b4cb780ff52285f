/* docker_serve: libmicrohttpd on the one connection corrald handed over,
 * single-threaded (each handler may block on corrald: the client is the
 * only one waiting), its requests' bodies collected and routed. */
#include "supervisor/docker/docker.h"
#include "supervisor/docker/docker_http.h"
#include "supervisor/docker/dk.h"
#include "supervisor/docker/docker_images_io.h"
#include "supervisor/docker/docker_img_push.h"
#include "supervisor/docker/docker_networks.h"
#include "supervisor/docker/docker_ctr_fs.h"
#include "supervisor/docker/docker_archive.h"
#include "supervisor/docker/docker_ctr_actions.h"
#include "supervisor/docker/docker_containers.h"
#include "supervisor/docker/docker_ctr_create.h"
#include "supervisor/docker/docker_ctr_update.h"
#include "supervisor/docker/docker_df.h"
#include "supervisor/docker/docker_events.h"
#include "supervisor/docker/docker_exec.h"
#include "supervisor/docker/docker_build.h"
#include "supervisor/docker/docker_commit.h"
#include "supervisor/docker/docker_system.h"
#include "supervisor/docker/docker_attach.h"
#include "supervisor/docker/docker_ctr_streams.h"
#include "supervisor/docker/docker_images.h"
#include "supervisor/docker/docker_auth.h"
#include "supervisor/docker/docker_answer.h"
#include "supervisor/docker/docker_ctr_resize.h"
#include "supervisor/docker/docker_stats.h"
#include "supervisor/docker/docker_volumes.h"
#include "supervisor/varlink/peer.h"
#include "common/cleanup.h"
#include "common/json_scan.h"
#include "common/log.h"
#include "common/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>

/* A request body larger than this is refused (413): create and the other
 * calls send a few KiB; an archive goes to a sink as it comes. */
#define DK_MAX_BODY (1u << 20)
/* libmicrohttpd's memory for one connection, its read buffer among it:
 * the bound on each line of a request (its default) */
#define DK_CONN_MEMORY (32u << 10)
/* runs in a row that wait for nothing (waits_for_nothing): stuck */
#define DK_STUCK_RUNS 1000

typedef struct dk_route {
	const char *method;
	/* a path, or PREFIX*SUFFIX (one segment captured) or PREFIX**SUFFIX
	 * (one or more: an image's name has slashes) */
	const char *pattern;
	dk_handler *handler;
} dk_route;

static const dk_route routes[] = {
	{ "GET", "/_ping", dk_ping },
	{ "GET", "/version", dk_version },
	{ "GET", "/info", dk_info },
	{ "GET", "/plugins", dk_plugins },
	{ "GET", "/images/search", dk_search },
	{ "POST", "/commit", dk_commit },
	{ "POST", "/build/prune", dk_build_prune },
	{ "GET", "/events", dk_events },
	{ "POST", "/auth", dk_auth },
	{ "GET", "/system/df", dk_system_df },
	{ "POST", "/containers/create", dk_ctr_create },
	{ "GET", "/containers/json", dk_ctr_list },
	{ "POST", "/containers/prune", dk_ctr_prune },
	{ "GET", "/containers/*/json", dk_ctr_inspect },
	{ "GET", "/containers/*/logs", dk_ctr_logs },
	{ "GET", "/containers/*/top", dk_ctr_top },
	{ "GET", "/containers/*/archive", dk_ctr_archive_get },
	{ "GET", "/containers/*/changes", dk_ctr_changes },
	{ "GET", "/containers/*/export", dk_ctr_export },
	{ "GET", "/containers/*/stats", dk_ctr_stats },
	{ "POST", "/containers/*/start", dk_ctr_start },
	{ "POST", "/containers/*/stop", dk_ctr_stop },
	{ "POST", "/containers/*/kill", dk_ctr_kill },
	{ "POST", "/containers/*/restart", dk_ctr_restart },
	{ "POST", "/containers/*/pause", dk_ctr_pause },
	{ "POST", "/containers/*/unpause", dk_ctr_unpause },
	{ "POST", "/containers/*/rename", dk_ctr_rename },
	{ "POST", "/containers/*/wait", dk_ctr_wait },
	{ "POST", "/containers/*/attach", dk_ctr_attach },
	{ "POST", "/containers/*/resize", dk_ctr_resize },
	{ "POST", "/containers/*/update", dk_ctr_update },
	{ "POST", "/containers/*/exec", dk_exec_create },
	{ "POST", "/exec/*/start", dk_exec_start },
	{ "POST", "/exec/*/resize", dk_exec_resize },
	{ "GET", "/exec/*/json", dk_exec_inspect },
	{ "DELETE", "/containers/*", dk_ctr_remove },
	{ "GET", "/networks", dk_net_list },
	{ "POST", "/networks/create", dk_net_create },
	{ "POST", "/networks/prune", dk_net_prune },
	{ "GET", "/networks/*", dk_net_inspect },
	{ "POST", "/networks/*/connect", dk_net_connect },
	{ "POST", "/networks/*/disconnect", dk_net_disconnect },
	{ "DELETE", "/networks/*", dk_net_remove },
	{ "GET", "/volumes", dk_vol_list },
	{ "POST", "/volumes/create", dk_vol_create },
	{ "POST", "/volumes/prune", dk_vol_prune },
	{ "GET", "/volumes/*", dk_vol_inspect },
	{ "DELETE", "/volumes/*", dk_vol_remove },
	{ "GET", "/images/json", dk_img_list },
	{ "POST", "/images/prune", dk_img_prune },
	{ "GET", "/images/**/json", dk_img_inspect },
	{ "GET", "/images/**/history", dk_img_history },
	{ "GET", "/images/get", dk_img_save_many },
	{ "GET", "/images/**/get", dk_img_save },
	{ "POST", "/images/**/tag", dk_img_tag },
	{ "POST", "/images/**/push", dk_img_push },
	{ "DELETE", "/images/**", dk_img_remove },
};

/* The requests whose body is too large to hold (a tar): fed to a sink as
 * it comes. */
static const struct {
	const char *method, *pattern;
	dk_sink_open open;
} sink_routes[] = {
	{ "PUT", "/containers/*/archive", dk_ctr_archive_put },
	{ "POST", "/images/load", dk_img_load },
	{ "POST", "/build", dk_build },
	{ "POST", "/images/create", dk_img_create },
};

/* path matches pattern; *arg (a copy, to free) is the captured part. */
static bool route_match(const char *pattern, const char *path, char **arg)
{
	const char *star = strchr(pattern, '*');
	if (!star)
		return streq(pattern, path);
	bool rest = star[1] == '*';
	size_t pre = (size_t)(star - pattern);
	const char *suffix = star + (rest ? 2 : 1);
	size_t plen = strlen(path), slen = strlen(suffix);
	if (plen <= pre + slen || strncmp(path, pattern, pre) != 0 || !streq(path + plen - slen, suffix))
		return false;
	size_t n = plen - pre - slen;
	if (!rest && memchr(path + pre, '/', n))
		return false;
	*arg = strndup(path + pre, n);
	return *arg != NULL;
}

/* "/v1.41/containers/json" is /containers/json; 0, or -1 with r answered
 * when the version is one this API does not speak. */
static int strip_version(dk_req *r, const char *url, const char **path)
{
	unsigned major, minor;
	int n = 0;
	*path = url;
	if (url[0] != '/' || url[1] != 'v' || sscanf(url + 2, "%u.%u%n", &major, &minor, &n) != 2 ||
	    (url[2 + n] != '/' && url[2 + n] != '\0'))
		return 0;
	*path = url[2 + n] ? url + 2 + n : "/";
	if (major != 1 || minor < 24) {
		dk_error(r, 400, "client version %u.%u is too old. Minimum supported API version is %s, "
				 "please upgrade your client to a newer version",
			 major, minor, DOCKER_API_MIN_VERSION);
		return -1;
	}
	if (minor > 43) {
		dk_error(r, 400, "client version %u.%u is too new. Maximum supported API version is %s", major,
			 minor, DOCKER_API_VERSION);
		return -1;
	}
	return 0;
}

/* The route of r's method and url, its argument in *arg (to free); NULL,
 * with r answered when the version is wrong. */
static const dk_route *find_route(dk_req *r, const char *url, char **arg)
{
	const char *path;
	*arg = NULL;
	if (strip_version(r, url, &path) < 0)
		return NULL;
	r->path = path;
	const char *m = streq(r->method, "HEAD") ? "GET" : r->method;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++)
		if (streq(routes[i].method, m) && route_match(routes[i].pattern, path, arg))
			return &routes[i];
	return NULL;
}

static dk_sink_open find_sink(const char *method, const char *path, char **arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(sink_routes); i++)
		if (streq(sink_routes[i].method, method) && route_match(sink_routes[i].pattern, path, arg))
			return sink_routes[i].open;
	return NULL;
}

/* Whether url's body goes to a sink (its version unchecked). */
static bool takes_sink(const char *method, const char *url)
{
	unsigned major, minor;
	int n = 0;
	if (url[0] == '/' && url[1] == 'v' && sscanf(url + 2, "%u.%u%n", &major, &minor, &n) == 2 && url[2 + n] == '/')
		url += 2 + n;
	_cleanup_free_ char *arg = NULL;
	return find_sink(method, url, &arg) != NULL;
}

static void dispatch(dk_req *r, const char *url)
{
	_cleanup_free_ char *arg = NULL;
	const dk_route *rt = find_route(r, url, &arg);
	if (r->resp)
		return;
	if (!rt) {
		dk_error(r, 404, "page not found");
		return;
	}
	rt->handler(r, arg);
	if (!r->resp)
		dk_error(r, 500, "corral-docker: %s %s gave no answer", r->method, r->path);
}

/* One request's state across the access handler's calls. */
typedef struct dk_upload {
	strbuf body;
	bool too_big;
	dk_sink *sink;      /* the body goes there, as it comes */
	bool sink_failed;   /* it took no more: the rest is dropped */
	dk_req early;       /* the answer of a sink that would not open */
} dk_upload;

/* A route that takes its body as it comes gets it from the start. */
static void open_sink(dk_upload *up, vl_client *vl, struct MHD_Connection *conn, const char *url, const char *method)
{
	up->early = (dk_req){ .vl = vl, .conn = conn, .method = method, .path = url };
	_cleanup_free_ char *arg = NULL;
	const char *path;
	if (strip_version(&up->early, url, &path) < 0)
		return; /* answered: the version is wrong */
	up->early.path = path;
	dk_sink_open open = find_sink(method, path, &arg);
	if (open)
		up->sink = open(&up->early, arg);
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	unsigned *n = cls;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		n[0]++;
	else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		n[1]++;
	return MHD_YES;
}

/* A request whose length is said twice, or by both a Content-Length and a
 * Transfer-Encoding, could be read two ways (request smuggling, RFC 9112
 * 6.3): refused, and the connection closed after the answer. */
static bool framing_ambiguous(struct MHD_Connection *conn)
{
	unsigned n[2] = { 0, 0 };
	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, n);
	return n[0] > 1 || n[1] > 1 || (n[0] && n[1]);
}

typedef struct {
	char *why;
	size_t n;
} utf8_check;

static enum MHD_Result query_utf8(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	utf8_check *c = cls;
	if (!json_utf8_valid(key, strlen(key)))
		snprintf(c->why, c->n, "a query parameter's name is not UTF-8");
	else if (value && !json_utf8_valid(value, strlen(value)))
		snprintf(c->why, c->n, "invalid query parameter %s: not UTF-8", key);
	else
		return MHD_YES;
	return MHD_NO;
}

/* Every string of a request reaches corrald in JSON, which is UTF-8: a
 * path or query parameter that is not (once unescaped) is refused here,
 * named, rather than breaking the call to corrald. true, or false with
 * why. */
static bool url_utf8(struct MHD_Connection *conn, const char *url, char *why, size_t n)
{
	if (!json_utf8_valid(url, strlen(url))) {
		snprintf(why, n, "invalid path: not UTF-8");
		return false;
	}
	utf8_check c = { why, n };
	why[0] = '\0';
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_utf8, &c);
	return !why[0];
}

typedef struct dk_server {
	vl_client *vl;
	uid_t viewer;
	bool closed;
} dk_server;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	dk_server *srv = cls;
	dk_upload *up = *con_cls;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		bool ambiguous = framing_ambiguous(conn), sink = takes_sink(method, url);
		/* a body declared too big is refused before a byte of it is read */
		if (ambiguous || (cl && !sink && strtoull(cl, NULL, 10) > DK_MAX_BODY)) {
			up->early = (dk_req){ .vl = srv->vl, .conn = conn, .method = method, .path = url };
			if (ambiguous)
				dk_error(&up->early, 400, "the request's length is given more than once");
			else
				dk_error(&up->early, 413, "request body larger than %u bytes", DK_MAX_BODY);
			if (!up->early.resp)
				return MHD_NO;
			/* answered now: MHD reads no body after it, and closes */
			MHD_add_response_header(up->early.resp, MHD_HTTP_HEADER_CONNECTION, "close");
			enum MHD_Result q = MHD_queue_response(conn, up->early.status, up->early.resp);
			MHD_destroy_response(up->early.resp);
			up->early.resp = NULL;
			return q;
		}
		char why[128];
		if (!url_utf8(conn, url, why, sizeof(why))) { /* answered once its body is read */
			up->early = (dk_req){ .vl = srv->vl, .conn = conn, .method = method, .path = url };
			dk_error(&up->early, 400, "%s", why);
			if (!up->early.resp)
				return MHD_NO;
		} else if (sink) {
			open_sink(up, srv->vl, conn, url, method);
		}
		return MHD_YES;
	}
	if (up->sink || up->early.resp) {
		if (*upload_data_size && up->sink && !up->sink_failed &&
		    up->sink->feed(up->sink, upload_data, *upload_data_size) < 0)
			up->sink_failed = true;
		if (*upload_data_size) {
			*upload_data_size = 0;
			return MHD_YES;
		}
	}
	if (*upload_data_size) {
		if (!up->too_big && up->body.len + *upload_data_size > DK_MAX_BODY)
			up->too_big = true;
		if (!up->too_big && sb_add(&up->body, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	dk_req r = { .vl = srv->vl, .conn = conn, .method = method, .path = url, .viewer = srv->viewer };
	if (up->early.resp) {
		r = up->early;
		up->early.resp = NULL;
	} else if (up->sink) {
		dk_sink *sink = TAKE_PTR(up->sink);
		sink->finish(sink, &r);
	} else if (up->too_big)
		dk_error(&r, 413, "request body larger than %u bytes", DK_MAX_BODY);
	else {
		r.body = up->body.buf ? up->body.buf : "";
		r.body_len = up->body.len;
		dispatch(&r, url);
	}
	if (!r.resp)
		return MHD_NO;
	enum MHD_Result q = MHD_queue_response(conn, r.status, r.resp);
	MHD_destroy_response(r.resp);
	return q;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	dk_upload *up = *con_cls;
	if (up) {
		if (up->sink) /* the request ended before its body did */
			up->sink->finish(up->sink, NULL);
		if (up->early.resp)
			MHD_destroy_response(up->early.resp);
		sb_release(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	dk_server *srv = cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		srv->closed = true;
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	/* the client's connection is a unix socket, which has no TCP options
	 * to set (and no delay to avoid with them) */
	if (strstr(line, "TCP_CORK") || strstr(line, "TCP_NODELAY") || strstr(line, "Failed to push the data"))
		return;
	log_warn("libmicrohttpd: %s", line);
}

/* libmicrohttpd 0.9.75 (Debian 12's) spins when a line of a chunked body
 * (a chunk's size and its extensions) fills its read buffer: it neither
 * reads more nor refuses the request, and runs again at once, waiting on
 * no socket, for ever, the client gone or not. True when it waits so: for
 * no byte to read or write, with something to do at once. */
static bool waits_for_nothing(struct MHD_Daemon *d)
{
	fd_set rs, ws, es;
	FD_ZERO(&rs);
	FD_ZERO(&ws);
	FD_ZERO(&es);
	MHD_socket max = 0;
	MHD_UNSIGNED_LONG_LONG t;
	if (MHD_get_fdset(d, &rs, &ws, &es, &max) != MHD_YES)
		return false;
	for (MHD_socket s = 0; s <= max; s++)
		if (FD_ISSET(s, &rs) || FD_ISSET(s, &ws))
			return false;
	return MHD_get_timeout(d, &t) == MHD_YES && t == 0;
}

int docker_serve(int fd, vl_client *vl, unsigned idle_timeout)
{
	/* the client's uid, as corrald knows it: a member's objects are named
	 * to root as VolumeList names them; unknown, as no one's */
	peer_cred client;
	_cleanup_cerr_ cerr err = { 0 };
	dk_server srv = { .vl = vl, .viewer = peer_get(fd, &client, &err) == 0 ? client.uid : (uid_t)-1 };
	/* every part of a request (its line, headers, a chunk's size line,
	 * trailers) must fit DK_CONN_MEMORY, else it is refused; a client
	 * that sends nothing for idle_timeout seconds is let go */
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE, 0, NULL, NULL, on_request, &srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, &srv, MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)DK_CONN_MEMORY, MHD_OPTION_CONNECTION_TIMEOUT, idle_timeout, MHD_OPTION_END);
	if (!d) {
		log_error("libmicrohttpd would not start");
		close(fd);
		return -EIO;
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	/* MHD owns fd from here, also when it refuses it */
	if (MHD_add_connection(d, fd, (const struct sockaddr *)&addr, sizeof(addr)) != MHD_YES) {
		log_error("libmicrohttpd would not take the connection: %s", strerror(errno));
		MHD_stop_daemon(d);
		return -EIO;
	}
	unsigned stuck = 0;
	int r = 0;
	while (!srv.closed) {
		if (MHD_run_wait(d, 1000) != MHD_YES) {
			log_error("libmicrohttpd: its loop failed");
			break;
		}
		stuck = waits_for_nothing(d) ? stuck + 1 : 0;
		if (stuck == DK_STUCK_RUNS) {
			log_error("a request that cannot be read (a line past %u bytes): connection closed", DK_CONN_MEMORY);
			r = -EPROTO;
			break;
		}
	}
	MHD_stop_daemon(d);
	return r;
}
