/* What a CNI plugin says back: a result, a VERSION reply, or an error. */
#include "supervisor/daemon/network/cni.h"
#include "supervisor/daemon/network/cni_result.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first line of s, at most n bytes, printable. */
static void one_line(const char *s, size_t len, char *out, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < len && s[i] != '\n' && k + 1 < n; i++)
		out[k++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	while (k && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

int cni_plugin_error(const char *type, int exit_code, const strbuf *out, const strbuf *errout, cerr *err)
{
	_cleanup_json_ yajl_val v = NULL;
	_cleanup_cerr_ cerr perr = { 0 };
	if (out->len && out->len < CNI_MAX_OUTPUT && json_parse(out->buf, NULL, &v, &perr) == 0 && YAJL_IS_OBJECT(v)) {
		long long code = 0;
		json_int_in(json_key(v, "code"), 0, 1 << 30, &code);
		const char *msg = YAJL_GET_STRING(json_key(v, "msg"));
		const char *details = YAJL_GET_STRING(json_key(v, "details"));
		char m[512] = "", d[512] = "";
		if (msg)
			one_line(msg, strlen(msg), m, sizeof(m));
		if (details)
			one_line(details, strlen(details), d, sizeof(d));
		if (code || m[0])
			return cerr_set(err, EIO, "CNI plugin %s: error %lld: %s%s%s%s", type, code, m[0] ? m : "(no message)",
					d[0] ? " (" : "", d, d[0] ? ")" : "");
	}
	char e[512] = "";
	if (errout->len)
		one_line(errout->buf, errout->len, e, sizeof(e));
	return cerr_set(err, EIO, "CNI plugin %s: exit %d%s%s", type, exit_code, e[0] ? ": " : " with no error message",
			e);
}

static bool cidr_ok(const char *s)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return false;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	unsigned char buf[16];
	char *end;
	long bits = strtol(slash + 1, &end, 10);
	bool v4 = inet_pton(AF_INET, ip, buf) == 1;
	return !*end && slash[1] && (v4 || inet_pton(AF_INET6, ip, buf) == 1) && bits >= 0 && bits <= (v4 ? 32 : 128);
}

static int check_ips(yajl_val ips, size_t n_ifaces, json_fault *f)
{
	for (size_t i = 0; ips && i < ips->u.array.len; i++) {
		char p[JSON_PATH_MAX];
		yajl_val ip = ips->u.array.values[i];
		const char *addr, *gw;
		long long idx = 0;
		bool has_idx = false;
		json_path_idx(p, "ips", i);
		int r;
		if ((r = json_want(ip, yajl_t_object, p, f)) < 0 ||
		    (r = json_get_str(ip, p, "address", JSON_REQUIRED | JSON_BOUNDED, &addr, f)) < 0 ||
		    (r = json_get_str(ip, p, "gateway", JSON_BOUNDED, &gw, f)) < 0 ||
		    (r = json_get_int_in(ip, p, "interface", 0, 0, n_ifaces ? (long long)n_ifaces - 1 : 0, &idx, &has_idx, f)) < 0)
			return r;
		if (!cidr_ok(addr))
			return json_fault_set(f, EINVAL, p, "address \"%s\" is not an address/prefix", addr);
		if (has_idx && !n_ifaces)
			return json_fault_set(f, EINVAL, p, "interface %lld: the result has no interfaces", idx);
	}
	return 0;
}

/* A plugin's reply on stdout, as JSON, and what faults call it. */
typedef struct plugin_reply {
	yajl_val v;
	char what[64];
} plugin_reply;

static void plugin_reply_done(plugin_reply *rep)
{
	json_freep(&rep->v);
}

static int plugin_reply_parse(const char *text, const char *type, const char *part, plugin_reply *rep, cerr *err)
{
	snprintf(rep->what, sizeof(rep->what), "CNI plugin %s: %s", type, part);
	return json_parse(text, rep->what, &rep->v, err);
}

int cni_result_parse(const char *text, const char *type, yajl_val *out, cerr *err)
{
	_cleanup_(plugin_reply_done) plugin_reply rep = { 0 };
	int r = plugin_reply_parse(text, type, "result", &rep, err);
	if (r < 0)
		return r;
	yajl_val v = rep.v;
	const char *what = rep.what, *ver;
	json_fault f = JSON_FAULT_CHAIN(err);
	yajl_val ifaces = NULL, ips = NULL;
	if ((r = json_want(v, yajl_t_object, "", &f)) < 0 ||
	    (r = json_get_str(v, "", "cniVersion", JSON_REQUIRED | JSON_BOUNDED, &ver, &f)) < 0 ||
	    (r = json_get_array(v, "", "interfaces", 0, 256, &ifaces, &f)) < 0 ||
	    (r = json_get_array(v, "", "ips", 0, 256, &ips, &f)) < 0)
		return cerr_wrap(err, "%s", what);
	size_t n_ifaces = ifaces ? ifaces->u.array.len : 0;
	for (size_t i = 0; i < n_ifaces; i++) {
		char p[JSON_PATH_MAX];
		const char *name;
		json_path_idx(p, "interfaces", i);
		if ((r = json_want(ifaces->u.array.values[i], yajl_t_object, p, &f)) < 0 ||
		    (r = json_get_str(ifaces->u.array.values[i], p, "name", JSON_REQUIRED | JSON_BOUNDED, &name, &f)) < 0)
			return cerr_wrap(err, "%s", what);
	}
	if ((r = check_ips(ips, n_ifaces, &f)) < 0)
		return cerr_wrap(err, "%s", what);
	*out = TAKE_PTR(rep.v);
	return 0;
}

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

void cni_result_summary(yajl_val result, cni_summary *s)
{
	memset(s, 0, sizeof(*s));
	yajl_val ifaces = json_key(result, "interfaces"), ips = json_key(result, "ips");
	size_t n_if = YAJL_IS_ARRAY(ifaces) ? ifaces->u.array.len : 0;
	for (size_t i = 0; YAJL_IS_ARRAY(ips) && i < ips->u.array.len; i++) {
		yajl_val ip = ips->u.array.values[i];
		long long idx = -1;
		json_int_in(json_key(ip, "interface"), 0, (long long)n_if - 1, &idx);
		yajl_val iface = idx >= 0 ? ifaces->u.array.values[idx] : NULL;
		if (iface && !json_key(iface, "sandbox"))
			continue; /* a host side interface */
		const char *addr = YAJL_GET_STRING(json_key(ip, "address")), *slash = addr ? strchr(addr, '/') : NULL;
		if (slash) { /* checked by cni_result_parse */
			snprintf(s->ip, sizeof(s->ip), "%.*s", (int)(slash - addr), addr);
			s->prefix_len = (unsigned)strtoul(slash + 1, NULL, 10);
		}
		copy(s->gateway, sizeof(s->gateway), YAJL_GET_STRING(json_key(ip, "gateway")));
		if (iface) {
			copy(s->ifname, sizeof(s->ifname), YAJL_GET_STRING(json_key(iface, "name")));
			copy(s->mac, sizeof(s->mac), YAJL_GET_STRING(json_key(iface, "mac")));
		}
		return;
	}
}

int cni_version_check(const char *text, const char *type, const char *version, cerr *err)
{
	_cleanup_(plugin_reply_done) plugin_reply rep = { 0 };
	int r = plugin_reply_parse(text, type, "VERSION", &rep, err);
	if (r < 0)
		return r;
	json_fault f = JSON_FAULT_CHAIN(err);
	yajl_val vs;
	if ((r = json_get_array(rep.v, "", "supportedVersions", JSON_REQUIRED, 256, &vs, &f)) < 0)
		return cerr_wrap(err, "%s", rep.what);
	for (size_t i = 0; i < vs->u.array.len; i++) {
		const char *s = YAJL_GET_STRING(vs->u.array.values[i]);
		if (s && streq(s, version))
			return 0;
	}
	return cerr_set(err, ENOTSUP, "%s: it does not speak CNI %s", rep.what, version);
}
