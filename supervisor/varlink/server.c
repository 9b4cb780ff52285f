#include "supervisor/varlink/server.h"
#include "supervisor/varlink/wire.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define READ_BUDGET (1u << 20)  /* per wakeup, for fairness between clients */
#define OUT_HIGH (1u << 20)     /* stop taking new calls above this */
#define OUT_MAX (64u << 20)     /* a peer that reads nothing is dropped */
#define MAX_LISTENERS 4

typedef struct vl_conn vl_conn;

struct vl_call {
	vl_conn *conn;
	vl_message msg;
	uint64_t t0;
	void (*cancel)(vl_call *c, void *data);
	void *cancel_data;
};

struct vl_conn {
	vl_server *srv;
	int fd;
	el_source *src;
	peer_cred peer;
	bool allowed;
	vl_framer in;
	strbuf out;
	size_t out_off;
	vl_call *call;   /* the call being served; replies go out in order */
	bool eof;        /* peer shut down its side */
	bool closing;    /* close once out is flushed */
	bool broken;     /* close now */
	bool kicked;
	bool in_process; /* calls ending now need no kick: the loop goes on */
	vl_conn *prev, *next, *next_kick;
};

struct listener {
	int fd;
	el_source *src;
	char *path; /* unlinked at the end when we bound it */
};

struct vl_server {
	el_loop *loop;
	vl_server_config cfg;
	const vl_interface *ifaces[8];
	size_t n_ifaces;
	struct listener lis[MAX_LISTENERS];
	size_t n_lis;
	vl_conn *conns;
	size_t n_conns;
	vl_conn *kick;
	el_source *kick_timer;
	el_source *resume_timer; /* re-enables accept after EMFILE */
};

static void conn_update(vl_conn *c);
static void conn_process(vl_conn *c);

/* ---- small helpers ---- */

char *vl_json_obj1(const char *key, const char *value)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, key, value) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, NULL);
}

static void kick(vl_conn *c)
{
	if (c->kicked)
		return;
	c->kicked = true;
	c->next_kick = c->srv->kick;
	c->srv->kick = c;
	el_timer_set(c->srv->kick_timer, 1, false);
}

/* ---- output ---- */

static void conn_flush(vl_conn *c)
{
	while (c->out_off < c->out.len && !c->broken) {
		ssize_t w = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->broken = true;
			break;
		}
		c->out_off += (size_t)w;
	}
	if (c->out_off == c->out.len) {
		sb_reset(&c->out);
		c->out_off = 0;
	} else if (c->out_off > (1u << 16) && c->out_off > c->out.len / 2) {
		memmove(c->out.buf, c->out.buf + c->out_off, c->out.len - c->out_off);
		c->out.len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out.len - c->out_off > OUT_MAX)
		c->broken = true;
}

/* ---- calls ---- */

const char *vl_call_method(const vl_call *c) { return c->msg.method; }
const peer_cred *vl_call_peer(const vl_call *c) { return &c->conn->peer; }
yajl_val vl_call_params(const vl_call *c) { return c->msg.params; }
bool vl_call_wants_more(const vl_call *c) { return c->msg.more; }
bool vl_call_is_oneway(const vl_call *c) { return c->msg.oneway; }
size_t vl_call_out_pending(const vl_call *c) { return c->conn->out.len - c->conn->out_off; }

void vl_call_set_cancel(vl_call *c, void (*fn)(vl_call *, void *), void *data)
{
	c->cancel = fn;
	c->cancel_data = data;
}

static void call_finish(vl_call *call, const char *error)
{
	vl_conn *c = call->conn;
	vl_server *s = c->srv;
	if (s->cfg.on_call_done) {
		vl_call_info info = {
			.method = call->msg.method, .peer = &c->peer, .params = call->msg.params,
			.error = error, .usec = el_now_usec() - call->t0,
		};
		s->cfg.on_call_done(&info, s->cfg.userdata);
	}
	vl_message_release(&call->msg);
	free(call);
	c->call = NULL;
	/* the next pipelined call, or a close, happens at top level */
	if (!c->in_process)
		kick(c);
}

static int call_send(vl_call *call, int r)
{
	vl_conn *c = call->conn;
	if (r < 0) {
		c->broken = true; /* out of memory: drop the peer, not the daemon */
		return r;
	}
	conn_flush(c);
	/* sent from outside the connection's own events (a timer's stream):
	 * what the socket did not take yet waits for EPOLLOUT */
	if (!c->in_process && c->out_off < c->out.len)
		conn_update(c);
	return 0;
}

int vl_call_reply(vl_call *call, const char *params_json)
{
	int r = 0;
	if (!call->msg.oneway)
		r = call_send(call, vl_encode_reply(&call->conn->out, params_json, false));
	call_finish(call, NULL);
	return r;
}

int vl_call_reply_gen(vl_call *call, yajl_gen g)
{
	const unsigned char *buf;
	size_t n;
	if (yajl_gen_get_buf(g, &buf, &n) != yajl_gen_status_ok)
		return vl_call_error(call, VL_ERR_INVALID_PARAMETER, NULL);
	/* the generator's buffer is not NUL-terminated */
	_cleanup_free_ char *s = strndup((const char *)buf, n);
	if (!s) {
		call->conn->broken = true;
		call_finish(call, "out of memory");
		return -ENOMEM;
	}
	return vl_call_reply(call, s);
}

int vl_call_notify(vl_call *call, const char *params_json)
{
	if (!call->msg.more)
		return -EINVAL;
	return call_send(call, vl_encode_reply(&call->conn->out, params_json, true));
}

int vl_call_error(vl_call *call, const char *error, const char *params_json)
{
	int r = 0;
	if (!call->msg.oneway)
		r = call_send(call, vl_encode_error(&call->conn->out, error, params_json));
	call_finish(call, error);
	return r;
}

int vl_call_invalid_parameter(vl_call *call, const char *parameter)
{
	_cleanup_free_ char *p = vl_json_obj1("parameter", parameter);
	return vl_call_error(call, VL_ERR_INVALID_PARAMETER, p);
}

/* ---- org.varlink.service ---- */

static void svc_get_info(vl_call *call, yajl_val params, void *ud)
{
	vl_server *s = call->conn->srv;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return (void)vl_call_error(call, VL_ERR_INVALID_PARAMETER, NULL);
	int r = yajl_gen_map_open(g) || jg_key_str(g, "vendor", s->cfg.vendor) ||
		jg_key_str(g, "product", s->cfg.product) || jg_key_str(g, "version", s->cfg.version) ||
		jg_key_str(g, "url", s->cfg.url) || jg_key(g, "interfaces") || yajl_gen_array_open(g) ||
		jg_str(g, "org.varlink.service");
	for (size_t i = 0; !r && i < s->n_ifaces; i++)
		r = jg_str(g, s->ifaces[i]->name);
	r = r || yajl_gen_array_close(g) || yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
}

static const char service_description[] =
	"# The Varlink Service Interface is provided by every varlink service. It\n"
	"# describes the service and the interfaces it implements.\n"
	"interface org.varlink.service\n\n"
	"# Get a list of all the interfaces a service provides and information\n"
	"# about the implementation.\n"
	"method GetInfo() -> (\n  vendor: string,\n  product: string,\n  version: string,\n"
	"  url: string,\n  interfaces: []string\n)\n\n"
	"# Get the description of an interface that is implemented by this service.\n"
	"method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
	"# The requested interface was not found.\n"
	"error InterfaceNotFound (interface: string)\n\n"
	"# The requested method was not found\n"
	"error MethodNotFound (method: string)\n\n"
	"# The interface defines the requested method, but the service does not\n"
	"# implement it.\n"
	"error MethodNotImplemented (method: string)\n\n"
	"# One of the passed parameters is invalid.\n"
	"error InvalidParameter (parameter: string)\n\n"
	"# Client is denied access\n"
	"error PermissionDenied ()\n\n"
	"# Method is expected to be called with 'more' set to true, but wasn't\n"
	"error ExpectedMore ()\n";

static void svc_get_description(vl_call *call, yajl_val params, void *ud)
{
	vl_server *s = call->conn->srv;
	yajl_val v = json_get(params, "interface");
	if (!YAJL_IS_STRING(v))
		return (void)vl_call_invalid_parameter(call, "interface");
	const char *desc = NULL;
	if (streq(v->u.string, "org.varlink.service"))
		desc = service_description;
	for (size_t i = 0; !desc && i < s->n_ifaces; i++)
		if (streq(s->ifaces[i]->name, v->u.string))
			desc = s->ifaces[i]->description;
	if (!desc) {
		_cleanup_free_ char *p = vl_json_obj1("interface", v->u.string);
		return (void)vl_call_error(call, VL_ERR_INTERFACE_NOT_FOUND, p);
	}
	_cleanup_free_ char *p = vl_json_obj1("description", desc);
	if (!p) {
		call->conn->broken = true;
		return (void)call_finish(call, "out of memory");
	}
	vl_call_reply(call, p);
}

static const vl_method service_methods[] = {
	{ "GetInfo", svc_get_info },
	{ "GetInterfaceDescription", svc_get_description },
};
static const vl_interface service_iface = {
	"org.varlink.service", service_description, service_methods, ARRAY_SIZE(service_methods),
};

/* ---- dispatch ---- */

static const vl_interface *find_iface(vl_server *s, const char *name, size_t len)
{
	if (len == strlen(service_iface.name) && !memcmp(name, service_iface.name, len))
		return &service_iface;
	for (size_t i = 0; i < s->n_ifaces; i++)
		if (strlen(s->ifaces[i]->name) == len && !memcmp(s->ifaces[i]->name, name, len))
			return s->ifaces[i];
	return NULL;
}

static void dispatch(vl_conn *c, vl_call *call)
{
	vl_server *s = c->srv;
	const char *m = call->msg.method;
	if (!c->allowed) {
		c->closing = true;
		return (void)vl_call_error(call, s->cfg.denied_error, NULL);
	}
	const char *dot = strrchr(m, '.');
	const vl_interface *iface = dot ? find_iface(s, m, (size_t)(dot - m)) : NULL;
	if (!iface) {
		_cleanup_free_ char *ifname = dot ? strndup(m, (size_t)(dot - m)) : strdup(m);
		_cleanup_free_ char *p = vl_json_obj1("interface", ifname ? ifname : "");
		return (void)vl_call_error(call, VL_ERR_INTERFACE_NOT_FOUND, p);
	}
	for (size_t i = 0; i < iface->n_methods; i++)
		if (streq(iface->methods[i].name, dot + 1))
			return iface->methods[i].fn(call, call->msg.params, s->cfg.userdata);
	_cleanup_free_ char *p = vl_json_obj1("method", m);
	vl_call_error(call, VL_ERR_METHOD_NOT_FOUND, p);
}

/* Serve buffered calls one at a time, in order, while nothing is pending. */
static void conn_process(vl_conn *c)
{
	c->in_process = true;
	while (!c->call && !c->closing && !c->broken && c->out.len - c->out_off < OUT_HIGH) {
		char *text;
		size_t len;
		int r = vl_framer_next(&c->in, &text, &len);
		if (r == 0)
			break;
		if (r < 0) {
			log_warn("varlink: peer pid %d uid %u: message larger than %zu bytes; disconnecting",
				 (int)c->peer.pid, (unsigned)c->peer.uid, c->in.max);
			c->broken = true;
			break;
		}
		vl_call *call = calloc(1, sizeof(*call));
		if (!call) {
			c->broken = true;
			break;
		}
		call->conn = c;
		call->t0 = el_now_usec();
		cerr err = { 0 };
		if (vl_message_parse(text, len, &call->msg, &err) < 0) {
			/* not a varlink call: there is no method to answer, so hang up */
			log_warn("varlink: peer pid %d uid %u: %s; disconnecting", (int)c->peer.pid,
				 (unsigned)c->peer.uid, cerr_msg(&err));
			cerr_clear(&err);
			free(call);
			c->broken = true;
			break;
		}
		c->call = call;
		dispatch(c, call);
	}
	c->in_process = false;
}

/* ---- connections ---- */

static void conn_close(vl_conn *c)
{
	vl_server *s = c->srv;
	if (c->call) {
		vl_call *call = c->call;
		if (call->cancel)
			call->cancel(call, call->cancel_data);
		/* the hook may not end the call; it ends here with no reply */
		if (c->call == call) {
			c->broken = true;
			call_finish(call, "disconnected");
		}
	}
	/* drop from the kick list */
	for (vl_conn **pp = &s->kick; *pp; pp = &(*pp)->next_kick)
		if (*pp == c) {
			*pp = c->next_kick;
			break;
		}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	el_remove(c->src);
	close(c->fd);
	vl_framer_release(&c->in);
	sb_release(&c->out);
	free(c);
}

static bool has_complete_message(const vl_conn *c)
{
	size_t n = vl_framer_pending(&c->in);
	return n && memchr(c->in.buf + c->in.start, '\0', n);
}

/* Close when broken, when a refusal was flushed, or when the peer hung up
 * and every call it sent has been answered. Returns false once closed. */
static bool conn_settle(vl_conn *c)
{
	bool flushed = c->out_off == c->out.len;
	bool done = c->broken || (c->closing && flushed) ||
		    (c->eof && !c->call && flushed && !has_complete_message(c));
	if (done) {
		conn_close(c);
		return false;
	}
	conn_update(c);
	return true;
}

static void conn_update(vl_conn *c)
{
	uint32_t ev = 0;
	if (!c->eof && !c->closing && !c->call && c->out.len - c->out_off < OUT_HIGH &&
	    vl_framer_pending(&c->in) <= c->in.max)
		ev |= EPOLLIN;
	if (c->out_off < c->out.len)
		ev |= EPOLLOUT;
	el_io_set_events(c->src, ev);
}

static void conn_read(vl_conn *c)
{
	size_t budget = READ_BUDGET;
	while (budget > 0) {
		char *p;
		size_t room;
		if (vl_framer_reserve(&c->in, READ_CHUNK, &p, &room) < 0) {
			c->broken = true;
			return;
		}
		ssize_t n = recv(c->fd, p, room < budget ? room : budget, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->broken = true;
			return;
		}
		if (n == 0) {
			c->eof = true;
			return;
		}
		vl_framer_commit(&c->in, (size_t)n);
		budget -= (size_t)n;
		/* cut early: a peer streaming garbage with no NUL is dropped at the bound */
		if (vl_framer_pending(&c->in) > c->in.max + 1 && !c->call) {
			conn_process(c);
			return;
		}
	}
}

static void on_conn_io(el_source *src, int fd, uint32_t events, void *data)
{
	vl_conn *c = data;
	if (events & EPOLLERR)
		c->broken = true;
	else if (events & EPOLLIN)
		conn_read(c);
	else if (events & EPOLLHUP)
		c->broken = true; /* both directions gone, e.g. while a call is pending */
	if (events & EPOLLOUT)
		conn_flush(c);
	conn_process(c);
	conn_settle(c);
}

static void on_kick(el_source *src, void *data)
{
	vl_server *s = data;
	while (s->kick) {
		vl_conn *c = s->kick;
		s->kick = c->next_kick;
		c->kicked = false;
		conn_process(c);
		conn_settle(c);
	}
}

static size_t conns_of_uid(vl_server *s, uid_t uid)
{
	size_t n = 0;
	for (vl_conn *c = s->conns; c; c = c->next)
		n += c->peer.uid == uid;
	return n;
}

static void accept_one(vl_server *s, int cfd)
{
	cerr err = { 0 };
	peer_cred peer;
	if (peer_get(cfd, &peer, &err) < 0) {
		log_warn("varlink: %s", cerr_msg(&err));
		cerr_clear(&err);
		close(cfd);
		return;
	}
	const char *why = NULL;
	if (s->n_conns >= s->cfg.max_connections)
		why = "too many connections";
	else if (peer.uid != 0 && conns_of_uid(s, peer.uid) >= s->cfg.max_per_uid)
		why = "too many connections from this uid";
	if (why) {
		if (s->cfg.on_refused)
			s->cfg.on_refused(&peer, why, s->cfg.userdata);
		close(cfd);
		return;
	}
	vl_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return;
	}
	c->srv = s;
	c->fd = cfd;
	c->peer = peer;
	c->allowed = peer_allowed(&peer, s->cfg.group);
	vl_framer_init(&c->in, s->cfg.max_message);
	if (el_add_io(s->loop, cfd, EPOLLIN, on_conn_io, c, &c->src, &err) < 0) {
		log_warn("varlink: %s", cerr_msg(&err));
		cerr_clear(&err);
		close(cfd);
		free(c);
		return;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
}

static void on_resume(el_source *src, void *data)
{
	vl_server *s = data;
	for (size_t i = 0; i < s->n_lis; i++)
		el_io_set_events(s->lis[i].src, EPOLLIN);
}

static void on_listen_io(el_source *src, int fd, uint32_t events, void *data)
{
	vl_server *s = data;
	for (int i = 0; i < 64; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd >= 0) {
			accept_one(s, cfd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of fds: pause accepting instead of spinning on a ready socket */
			log_warn("varlink: accept: %s; pausing for 100ms", strerror(errno));
			for (size_t j = 0; j < s->n_lis; j++)
				el_io_set_events(s->lis[j].src, 0);
			el_timer_set(s->resume_timer, 100000, false);
		}
		return;
	}
}

/* ---- server ---- */

int vl_server_new(el_loop *loop, const vl_server_config *cfg, vl_server **out, cerr *err)
{
	vl_server *s = calloc(1, sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "varlink server: out of memory");
	s->loop = loop;
	s->cfg = *cfg;
	if (!s->cfg.max_message)
		s->cfg.max_message = VL_MAX_MESSAGE;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = 1024;
	if (!s->cfg.max_per_uid)
		s->cfg.max_per_uid = 128;
	if (!s->cfg.denied_error)
		s->cfg.denied_error = VL_ERR_PERMISSION_DENIED;
	if (!s->cfg.vendor)
		s->cfg.vendor = "";
	if (!s->cfg.product)
		s->cfg.product = "";
	if (!s->cfg.version)
		s->cfg.version = "";
	if (!s->cfg.url)
		s->cfg.url = "";
	int r = el_add_timer(loop, 0, false, on_kick, s, &s->kick_timer, err);
	if (r == 0)
		r = el_add_timer(loop, 0, false, on_resume, s, &s->resume_timer, err);
	if (r < 0) {
		vl_server_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void vl_server_free(vl_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	for (size_t i = 0; i < s->n_lis; i++) {
		el_remove(s->lis[i].src);
		close(s->lis[i].fd);
		if (s->lis[i].path)
			unlink(s->lis[i].path);
		free(s->lis[i].path);
	}
	el_remove(s->kick_timer);
	el_remove(s->resume_timer);
	free(s);
}

size_t vl_server_n_connections(const vl_server *s) { return s->n_conns; }

int vl_server_add_interface(vl_server *s, const vl_interface *iface, cerr *err)
{
	if (s->n_ifaces >= ARRAY_SIZE(s->ifaces))
		return cerr_set(err, ENOSPC, "varlink server: too many interfaces");
	s->ifaces[s->n_ifaces++] = iface;
	return 0;
}

static int add_listener(vl_server *s, int fd, const char *path, cerr *err)
{
	if (s->n_lis >= MAX_LISTENERS) {
		close(fd);
		return cerr_set(err, ENOSPC, "varlink server: too many listening sockets");
	}
	struct listener *l = &s->lis[s->n_lis];
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		return cerr_sys(err, e, "varlink server: set non-blocking");
	}
	int r = el_add_io(s->loop, fd, EPOLLIN, on_listen_io, s, &l->src, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	l->fd = fd;
	l->path = path ? strdup(path) : NULL;
	s->n_lis++;
	return 0;
}

int vl_server_listen_fd(vl_server *s, int fd, cerr *err) { return add_listener(s, fd, NULL, err); }

/* A socket file nobody answers on is stale (a crashed daemon); a live one
 * means another daemon is serving it. */
static int clear_stale(const char *path, struct sockaddr_un *sa, cerr *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", path);
	if (!S_ISSOCK(st.st_mode))
		return cerr_set(err, EEXIST, "%s: exists and is not a socket", path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)sa, sizeof(*sa)) == 0)
		return cerr_set(err, EADDRINUSE, "%s: another server is listening on it", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return cerr_sys(err, errno, "%s: remove stale socket", path);
	return 0;
}

int vl_listen_socket(const char *path, mode_t mode, gid_t gid, int *out, cerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return cerr_set(err, ENAMETOOLONG, "%s: socket path longer than %zu bytes", path,
				sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	int r = clear_stale(path, &sa, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "socket");
	/* bind under a tight umask, then widen: never briefly world-connectable */
	mode_t old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return cerr_sys(err, errno, "%s: bind", path);
	if ((gid != PEER_NO_GROUP && chown(path, (uid_t)-1, gid) < 0) || chmod(path, mode) < 0) {
		int e = errno;
		unlink(path);
		return cerr_sys(err, e, "%s: set owner and mode", path);
	}
	if (listen(fd, SOMAXCONN) < 0) {
		int e = errno;
		unlink(path);
		return cerr_sys(err, e, "%s: listen", path);
	}
	*out = TAKE_FD(fd);
	return 0;
}

int vl_server_listen(vl_server *s, const char *path, mode_t mode, gid_t gid, cerr *err)
{
	int fd;
	int r = vl_listen_socket(path, mode, gid, &fd, err);
	return r < 0 ? r : add_listener(s, fd, path, err);
}
