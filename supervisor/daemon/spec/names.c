#include "supervisor/daemon/spec/names.h"
#include "supervisor/daemon/spec/spec_fields.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

bool names_ip_valid(const char *ip)
{
	unsigned char a[16];
	return inet_pton(AF_INET, ip, a) == 1 || inet_pton(AF_INET6, ip, a) == 1;
}

void names_spec_release(ctr_spec *s)
{
	strv_free(s->dns);
	strv_free(s->extra_hosts);
	strv_free(s->network_aliases);
	strv_free(s->dns_search);
	strv_free(s->dns_options);
	s->dns = s->extra_hosts = s->network_aliases = s->dns_search = s->dns_options = NULL;
}

static int get_list(yajl_val cspec_json, const char *key, size_t max, char ***out, json_fault *f)
{
	char p[JSON_PATH_MAX];
	int r = ctr_spec_want(json_key(cspec_json, key), yajl_t_array, json_path(p, "spec", key), "an array of strings", f);
	if (r < 0 || (r = json_get_strv(cspec_json, "spec", key, 0, out, NULL, f)) < 0)
		return r;
	if (strv_length(*out) > max)
		return json_fault_set(f, EINVAL, p, "at most %zu entries", max);
	return 0;
}

/* NAME:IP, split at the first ':' (an IPv6 address has more of them). NAME
 * is a host name, or a container's name (Docker's links name them: web_1);
 * IP may be host-gateway, as Docker's: the host's address on its network. */
static bool extra_host_valid(const char *e)
{
	const char *colon = strchr(e, ':');
	if (!colon || colon == e || colon - e > CTR_NAME_MAX)
		return false;
	char name[CTR_NAME_MAX + 1];
	memcpy(name, e, (size_t)(colon - e));
	name[colon - e] = '\0';
	return ctr_alias_valid(name) && (streq(colon + 1, NAMES_HOST_GATEWAY) || names_ip_valid(colon + 1));
}

int names_spec_parse(yajl_val cspec_json, ctr_spec *s, json_fault *f)
{
	char p[JSON_PATH_MAX];
	int r;
	if ((r = get_list(cspec_json, "dns", NAMES_DNS_MAX, &s->dns, f)) < 0 ||
	    (r = get_list(cspec_json, "extraHosts", NAMES_EXTRA_HOSTS_MAX, &s->extra_hosts, f)) < 0 ||
	    (r = get_list(cspec_json, "networkAliases", NAMES_ALIASES_MAX, &s->network_aliases, f)) < 0 ||
	    (r = get_list(cspec_json, "dnsSearch", NAMES_DNS_MAX, &s->dns_search, f)) < 0 ||
	    (r = get_list(cspec_json, "dnsOptions", NAMES_DNS_MAX, &s->dns_options, f)) < 0)
		return r;
	/* one resolv.conf word each: a domain, or an option (ndots:5, edns0) */
	const struct { char **v; const char *field; const char *ok; } words[] = {
		{ s->dns_search, "spec.dnsSearch", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_" },
		{ s->dns_options, "spec.dnsOptions", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_." },
	};
	for (size_t w = 0; w < 2; w++)
		for (size_t i = 0; words[w].v && words[w].v[i]; i++) {
			const char *e = words[w].v[i];
			if (!*e || strlen(e) > 253 || strspn(e, words[w].ok) != strlen(e))
				return json_fault_set(f, EINVAL, json_path_idx(p, words[w].field, i),
						      "must be one word of letters, digits, '.', '-', '_'%s, not \"%s\"",
						      w ? " or ':'" : "", e);
		}
	for (size_t i = 0; s->network_aliases && s->network_aliases[i]; i++)
		if (!ctr_alias_valid(s->network_aliases[i]))
			return json_fault_set(f, EINVAL, json_path_idx(p, "spec.networkAliases", i),
					      "must be a host or container name, not \"%s\"", s->network_aliases[i]);
	for (size_t i = 0; s->dns && s->dns[i]; i++)
		if (!names_ip_valid(s->dns[i]))
			return json_fault_set(f, EINVAL, json_path_idx(p, "spec.dns", i),
					      "must be an IPv4 or IPv6 address, not \"%s\"", s->dns[i]);
	for (size_t i = 0; s->extra_hosts && s->extra_hosts[i]; i++)
		if (!extra_host_valid(s->extra_hosts[i]))
			return json_fault_set(f, EINVAL, json_path_idx(p, "spec.extraHosts", i),
					      "must be NAME:IP (a host or container name, then an IPv4 or IPv6 address, or host-gateway), not \"%s\"",
					      s->extra_hosts[i]);
	return 0;
}
