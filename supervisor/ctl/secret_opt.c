/* --secret NAME[,target=PATH][,uid=U][,mode=0400][,mask=true] into the
 * spec's secrets: a reference, as docker service --secret takes it. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/ctl_spec.h"
#include "supervisor/ctl/secret_opt.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <stdlib.h>
#include <string.h>

static int gen_one(yajl_gen g, const char *text)
{
	_cleanup_free_ char *s = strdup(text);
	if (!s)
		return ctl_fail("--secret", "out of memory");
	char *save = NULL, *name = strtok_r(s, ",", &save);
	if (!name || strchr(name, '='))
		return ctl_failf("--secret %s: must start with the secret's name", text);
	if (yajl_gen_map_open(g) || jg_key_str(g, "name", name))
		return ctl_fail("--secret", "out of memory");
	for (char *o = strtok_r(NULL, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		const char *v = eq ? eq + 1 : "";
		if (eq)
			*eq = '\0';
		long long n;
		int r;
		if (streq(o, "target") && *v)
			r = jg_key_str(g, "target", v);
		else if (streq(o, "uid") && opt_number(v, 10, 0, 4294967294ll, &n))
			r = jg_key_int(g, "uid", n);
		else if (streq(o, "mode") && opt_number(v, 8, 0, 0777, &n))
			r = jg_key_int(g, "mode", n);
		else if (streq(o, "mask") && (streq(v, "true") || streq(v, "false")))
			r = jg_key_bool(g, "mask", streq(v, "true"));
		else
			return ctl_failf("--secret %s: %s: the options are target=PATH, uid=NUMBER, mode=OCTAL (0400) and "
					 "mask=true|false", text, o);
		if (r)
			return ctl_fail("--secret", "out of memory");
	}
	return yajl_gen_map_close(g) ? ctl_fail("--secret", "out of memory") : 0;
}

int ctl_gen_secrets(const ctl_args *a, yajl_gen g)
{
	const ctl_optval *v = opt_val(a, "secret");
	if (!v->n)
		return 0;
	if (jg_key(g, "secrets") || yajl_gen_array_open(g))
		return ctl_fail("--secret", "out of memory");
	for (size_t i = 0; i < v->n; i++)
		if (gen_one(g, v->list[i]))
			return EXIT_CTL;
	return yajl_gen_array_close(g) ? ctl_fail("--secret", "out of memory") : 0;
}
