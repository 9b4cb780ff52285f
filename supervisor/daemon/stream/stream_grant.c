/* StreamPrepare: what is asked is checked now, as the caller, and kept
 * under a token of 128 random bits for 60 s; the table is bounded, and a
 * member's share of it too. */
#include "supervisor/daemon/stream/stream_grant.h"
#include "supervisor/varlink/call.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/api/sv_errors.h"
#include "supervisor/varlink/params.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static stream_grant *grants[STREAM_MAX_TOKENS];
static const stream_grant *held[STREAM_MAX_HELD]; /* redeemed, till freed */
static char listen_addr[80];

void stream_grant_set_addr(const char *addr) { snprintf(listen_addr, sizeof(listen_addr), "%s", addr); }

void stream_grant_free(stream_grant *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < STREAM_MAX_HELD; i++)
		if (held[i] == g)
			held[i] = NULL;
	free(g->params);
	free(g->id);
	free(g);
}

static void drop_expired(uint64_t now)
{
	for (size_t i = 0; i < STREAM_MAX_TOKENS; i++)
		if (grants[i] && grants[i]->expires_usec <= now) {
			stream_grant_free(grants[i]);
			grants[i] = NULL;
		}
}

/* in a time that does not depend on where they differ */
static bool same_token(const char *a, const char *b)
{
	unsigned char diff = 0;
	for (size_t i = 0; i < STREAM_TOKEN_LEN; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* g, redeemed, among the held: NULL, or why it may not be */
static const char *hold(const stream_grant *g)
{
	size_t own = 0, slot = STREAM_MAX_HELD;
	for (size_t i = 0; i < STREAM_MAX_HELD; i++) {
		if (!held[i])
			slot = slot < i ? slot : i;
		else
			own += held[i]->owner.uid == g->owner.uid;
	}
	static char why[96];
	if (owner_is_member(&g->owner) && own >= STREAM_MAX_HELD_MEMBER)
		snprintf(why, sizeof(why), "its owner holds %d streaming connections open, the most one member may",
			 STREAM_MAX_HELD_MEMBER);
	else if (slot == STREAM_MAX_HELD)
		snprintf(why, sizeof(why), "%d streaming connections are open, the most there may be", STREAM_MAX_HELD);
	else
		return held[slot] = g, NULL;
	return why;
}

stream_grant *stream_grant_take(enum stream_grant_kind kind, const char *token, const char **why)
{
	*why = "no such token: unknown, used, expired, or of another kind";
	drop_expired(mono_usec());
	if (strlen(token) != STREAM_TOKEN_LEN)
		return NULL;
	for (size_t i = 0; i < STREAM_MAX_TOKENS; i++) {
		stream_grant *g = grants[i];
		if (!g || !same_token(g->token, token))
			continue;
		grants[i] = NULL;
		const char *full = g->kind == kind ? hold(g) : *why;
		if (!full)
			return g;
		*why = full;
		stream_grant_free(g);
		return NULL;
	}
	return NULL;
}

/* A free slot for peer's grant, or -1 with retry_after: when the oldest
 * that keeps it out goes */
static int free_slot(const peer_cred *peer, double *retry_after)
{
	uint64_t now = mono_usec(), oldest = UINT64_MAX, oldest_own = UINT64_MAX;
	drop_expired(now);
	int slot = -1;
	size_t own = 0;
	for (size_t i = 0; i < STREAM_MAX_TOKENS; i++) {
		if (!grants[i]) {
			if (slot < 0)
				slot = (int)i;
			continue;
		}
		if (grants[i]->expires_usec < oldest)
			oldest = grants[i]->expires_usec;
		if (grants[i]->owner.uid == peer->uid) {
			own++;
			if (grants[i]->expires_usec < oldest_own)
				oldest_own = grants[i]->expires_usec;
		}
	}
	if (peer->uid != 0 && own >= STREAM_MAX_TOKENS_MEMBER)
		slot = -1, oldest = oldest_own;
	if (slot < 0)
		*retry_after = (double)(oldest - now) / 1e6;
	return slot;
}

/* The owner's call: Exec's or Attach's parameters, on the container's id */
static char *call_params(enum stream_grant_kind kind, const char *id, yajl_val command, unsigned flags)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "id", id))
		return NULL;
	if (kind == GRANT_EXEC) {
		if (jg_key(g, "command") || jg_value(g, command) || jg_key_bool(g, "tty", flags & STREAM_F_TTY) ||
		    jg_key_bool(g, "interactive", flags & STREAM_F_STDIN))
			return NULL;
	} else if (jg_key_bool(g, "stdin", flags & STREAM_F_STDIN)) {
		return NULL;
	}
	return yajl_gen_map_close(g) ? NULL : jg_finish(g, NULL);
}

/* portforward's ports: each 1-65535 */
static int read_ports(yajl_val params, stream_grant *g, json_fault *f)
{
	yajl_val ports = json_get(params, "ports");
	if (!ports || YAJL_IS_NULL(ports))
		return 0;
	if (!YAJL_IS_ARRAY(ports) || ports->u.array.len > STREAM_MAX_PORTS)
		return json_fault_set(f, EINVAL, "ports", "must be an array of at most 64 ports");
	for (size_t i = 0; i < ports->u.array.len; i++) {
		long long p;
		if (!json_int_in(ports->u.array.values[i], 1, 65535, &p))
			return json_fault_set(f, EINVAL, "ports", "each must be a port, 1 to 65535");
		g->ports[g->n_ports++] = (uint16_t)p;
	}
	return 0;
}

static int check_params(yajl_val params, const char **kind, const char **id, unsigned *flags, json_fault *f)
{
	bool on[4]; /* tty, stdin, stdout, stderr: the flags' bits in order */
	int r = sp_dispatch(params,
			    SP_PARAMS(SP_STR("kind", true, kind), SP_NAME("id", true, id), SP_BOOL("tty", false, &on[0]),
				      SP_BOOL("stdin", false, &on[1]), SP_BOOL("stdout", true, &on[2]),
				      SP_BOOL("stderr", true, &on[3]), SP_KEY("command"), SP_KEY("ports")),
			    f);
	if (r < 0)
		return r;
	*flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(on); i++)
		*flags |= on[i] ? 1u << i : 0;
	if (strcmp(*kind, "exec") && strcmp(*kind, "attach") && strcmp(*kind, "portforward"))
		return json_fault_set(f, EINVAL, "kind", "must be exec, attach or portforward");
	yajl_val cmd = json_get(params, "command");
	bool exec = !strcmp(*kind, "exec");
	if (exec && (!YAJL_IS_ARRAY(cmd) || cmd->u.array.len == 0))
		return json_fault_set(f, EINVAL, "command", "must be a non-empty array of strings");
	for (size_t i = 0; exec && i < cmd->u.array.len; i++)
		if (!YAJL_IS_STRING(cmd->u.array.values[i]))
			return json_fault_set(f, EINVAL, "command", "must be a non-empty array of strings");
	if (!exec && cmd && !YAJL_IS_NULL(cmd))
		return json_fault_set(f, EINVAL, "command", "is exec's alone");
	return 0;
}

int sv_stream_prepare(vl_call *call, yajl_val params, void *ud)
{
	corrald *d = ud;
	const peer_cred *peer = vl_call_peer(call);
	const char *kind, *id;
	unsigned flags;
	json_fault f = { 0 };
	if (check_params(params, &kind, &id, &flags, &f) < 0)
		return sv_invalid_fault(call, &f);
	_cleanup_(stream_grant_freep) stream_grant *g = calloc(1, sizeof(*g));
	if (!g)
		return sv_internal(call, "out of memory");
	g->kind = (enum stream_grant_kind)kind[0];
	g->owner = *peer;
	g->flags = flags;
	if (g->kind == GRANT_PORTFORWARD) {
		session *s = session_for(d, peer->uid, id);
		if (!s)
			return sv_no_such_session(call, id);
		/* its ports are the host's, as root's host-network pods' are */
		if (!(s->share & SESSION_SHARE_NET) && owner_is_member(peer))
			return sv_permission_denied(call, "the session shares no network namespace: a port-forward "
							  "to the host's is root's");
		if (read_ports(params, g, &f) < 0)
			return sv_invalid_fault(call, &f);
		char key[SESSION_SHOWN_MAX]; /* as root names it: this owner's session, not a later one's */
		g->id = strdup(session_shown(s, NULL, key, sizeof(key)));
	} else {
		ctr *c = ctr_find_for(d, id, peer);
		if (!c)
			return sv_no_such_container(call, id);
		if (c->status != CS_RUNNING)
			return reply_bad_state(call, c, c->status == CS_PAUSED ? "it is paused: unpause it" : "it is not running");
		g->id = strdup(c->id);
		g->params = call_params(g->kind, c->id, json_get(params, "command"), flags);
		if (!g->params)
			return sv_internal(call, "out of memory");
	}
	/* after the lookup: what the caller may not see is not there, served or not */
	if (!listen_addr[0])
		return sv_invalid_state(call, id, "off", "corrald serves no streaming server (corrald.conf stream-address)");
	double retry;
	int slot = free_slot(peer, &retry);
	if (slot < 0) {
		char p[64];
		snprintf(p, sizeof(p), "{\"retryAfter\":%.3f}", retry);
		return vl_call_error(call, SV_ERR("RateLimited"), p);
	}
	unsigned char raw[STREAM_TOKEN_LEN / 2];
	if (!g->id || getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return sv_internal(call, "no random bytes for a token");
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(g->token + 2 * i, 3, "%02x", raw[i]);
	g->expires_usec = mono_usec() + STREAM_TOKEN_TTL_USEC;
	const char *path = g->kind == GRANT_EXEC ? "exec" : g->kind == GRANT_ATTACH ? "attach" : "portforward";
	char url[160];
	snprintf(url, sizeof(url), "http://%s/%s/%s", listen_addr, path, g->token);
	grants[slot] = TAKE_PTR(g);
	_cleanup_free_ char *reply = vl_json_obj1("url", url);
	return reply ? vl_call_reply(call, reply) : sv_internal(call, "out of memory");
}
