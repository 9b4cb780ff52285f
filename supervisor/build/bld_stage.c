/* The stages of a Dockerfile, in order up to the target (bld.h): each
 * begins at a FROM, with a base image (pulled when it is not there, or
 * when asked), an earlier stage, or scratch; its steps follow; its last
 * image is the one its config's last changes are committed on. The last
 * stage run is the build's image, tagged as asked. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_run.h"
#include "supervisor/build/bld_stage.h"
#include "supervisor/build/bld_step.h"
#include "supervisor/build/bld_call.h"
#include "supervisor/build/bld_stream.h"
#include "images/dockerfile_instr.h"
#include "supervisor/build/bld_instr.h"
#include "supervisor/build/bld_copy.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"
#include "images/refs.h"
#include "images/refs_name.h"
#include "images/manifest.h"
#include "images/cfg_instr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* FROM --platform: the host's own, which is all corral runs (a build's
 * RUN runs here); $BUILDPLATFORM and $TARGETPLATFORM say it. */
static int host_platform_only(bld *b, const df_instr *from, cerr *err)
{
	const char *os, *arch, *variant;
	host_platform(&os, &arch, &variant);
	char host[64];
	snprintf(host, sizeof(host), "%s/%s%s%s", os, arch, *variant ? "/" : "", variant);
	for (size_t i = 0; from->flags[i]; i++) {
		if (strncmp(from->flags[i], "--platform=", 11))
			continue;
		_cleanup_free_ char *want = NULL;
		if (bld_expand_meta(b, from->flags[i] + 11, &want, err) < 0)
			return -1;
		if (*want && strcmp(want, host) && !(!*variant && !strncmp(want, host, strlen(host)) && want[strlen(host)] == '/'))
			return cerr_set(err, ENOTSUP, "FROM --platform=%s: corral builds for this host's platform, %s", want, host);
	}
	return 0;
}

static int begin_stage(bld *b, size_t at, const df_instr *from, cerr *err)
{
	bld_stage *s = &b->stages[at];
	if (from->args[1])
		s->name = strdup(from->args[2]);
	_cleanup_free_ char *ref = NULL;
	if (bld_expand_meta(b, from->args[0], &ref, err) < 0 || host_platform_only(b, from, err) < 0)
		return -1;
	bld_stage *earlier = bld_stage_named(b, at, ref);
	if (earlier) {
		memcpy(s->image, earlier->image, sizeof(s->image));
		memcpy(s->key, earlier->key, sizeof(s->key));
		/* its ONBUILDs run here, as Docker's builders run an image's */
		if (cfg_edit_copy(&s->cfg, &earlier->cfg) < 0 || cfg_edit_triggers(&earlier->cfg, &s->triggers) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		return 0;
	}
	if (!strcasecmp(ref, "scratch")) {
		bld_key_next(s, "FROM scratch", 12);
		if (cfg_edit_from_image(&s->cfg, NULL, false) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		s->cfg.dirty = true;
		return bld_commit_config(b, s, err);
	}
	if (bld_base_image(b, s, ref, err) < 0)
		return -1;
	char what[DIGEST_STR_LEN + 8];
	int n = snprintf(what, sizeof(what), "FROM %s", s->image);
	bld_key_next(s, what, (size_t)n);
	return 0;
}

static int step(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	return in->kind == DF_RUN			  ? bld_step_run(b, s, in, err)
	       : in->kind == DF_COPY || in->kind == DF_ADD ? bld_step_copy(b, s, in, err)
							   : bld_step_config(b, s, in, err);
}

/* The base image's ONBUILD instructions, first; the new image has none. */
static int run_triggers(bld *b, bld_stage *s, cerr *err)
{
	size_t n = 0;
	for (; s->triggers && s->triggers[n]; n++)
		;
	if (!n)
		return 0;
	bld_say(b, "# Executing %zu build trigger%s\n", n, n > 1 ? "s" : "");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;
		if (asprintf(&text, "FROM scratch\n%s\n", s->triggers[i]) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		_cleanup_(dockerfile_release) dockerfile df = { 0 };
		int r = dockerfile_parse(text, strlen(text), "ONBUILD", &df, err);
		if (r == 0 && df.n != 2)
			r = cerr_set(err, EINVAL, "one instruction a trigger");
		df.escape = b->df.escape;
		if (r == 0)
			r = step(b, s, &df.instrs[1], err);
		if (r < 0)
			return cerr_wrap(err, "the base image's ONBUILD %s", s->triggers[i]);
	}
	return cfg_edit_set(&s->cfg, "OnBuild", "null") < 0 ? cerr_set(err, ENOMEM, "out of memory") : 0;
}

/* The stage's instructions after its FROM, up to the next FROM. */
static int run_stage(bld *b, size_t at, size_t *i, cerr *err)
{
	const df_instr *from = &b->df.instrs[*i];
	bld_say(b, "Step %u/%u : FROM %s\n", ++b->step, b->steps, from->text);
	if (begin_stage(b, at, from, err) < 0 || run_triggers(b, &b->stages[at], err) < 0)
		return cerr_wrap(err, "Dockerfile:%u", from->line);
	for ((*i)++; *i < b->df.n && b->df.instrs[*i].kind != DF_FROM; (*i)++) {
		const df_instr *in = &b->df.instrs[*i];
		if (bld_client_gone(b))
			return cerr_set(err, ECANCELED, "the client went away: the build stops");
		bld_say(b, "Step %u/%u : %s %s\n", ++b->step, b->steps, df_kind_name(in->kind), in->text);
		if (step(b, &b->stages[at], in, err) < 0)
			return err->msg && !strncmp(err->msg, "Dockerfile:", 11) ? -1
										  : cerr_wrap(err, "Dockerfile:%u", in->line);
	}
	return 0;
}

/* The build's own labels (--label), then what is left of the config. */
static int finish_stage(bld *b, bld_stage *s, bool last, cerr *err)
{
	for (size_t i = 0; last && b->labels && i < b->labels->u.object.len; i++) {
		yajl_val v = b->labels->u.object.values[i];
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		jg_str(g, YAJL_IS_STRING(v) ? v->u.string : "");
		_cleanup_free_ char *json = jg_finish(g, NULL);
		_cleanup_free_ char *what = NULL;
		if (!json || asprintf(&what, "LABEL %s=%s", b->labels->u.object.keys[i], json) < 0 ||
		    cfg_edit_merge(&s->cfg, "Labels", b->labels->u.object.keys[i], json) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		bld_key_next(s, what, strlen(what));
	}
	if ((s->cfg.dirty || s->steps) && bld_commit_config(b, s, err) < 0)
		return -1;
	s->done = true;
	return 0;
}

static size_t target_stage(bld *b, size_t n, cerr *err)
{
	if (!b->target || !*b->target)
		return n - 1;
	for (size_t i = 0, k = 0; i < b->df.n; i++)
		if (b->df.instrs[i].kind == DF_FROM) {
			const df_instr *f = &b->df.instrs[i];
			if (f->args[1] && !strcasecmp(f->args[2], b->target))
				return k;
			k++;
		}
	cerr_set(err, EINVAL, "failed to reach build target %s in Dockerfile", b->target);
	return (size_t)-1;
}

/* The image's ID (its config digest), and its names given. */
static int tag_image(bld *b, bld_stage *s, char id[DIGEST_STR_LEN], cerr *err)
{
	_cleanup_free_ char *p = bld_params_of("image", s->image);
	vl_reply rep;
	if (!p || bld_call(b, "ImageInspect", p, &rep, err) < 0)
		return -1;
	const char *v = json_str(json_get(rep.params, "image"), "id");
	snprintf(id, DIGEST_STR_LEN, "%s", v ? v : "");
	/* a rebuild that changed nothing finds its names there already */
	yajl_val names = json_get(json_get(rep.params, "image"), "names");
	bool all = true;
	for (size_t i = 0; all && b->tags && b->tags[i]; i++) {
		_cleanup_free_ char *norm = ref_normalize(b->tags[i]);
		bool found = false;
		for (size_t k = 0; norm && YAJL_IS_ARRAY(names) && k < names->u.array.len && !found; k++)
			found = YAJL_IS_STRING(names->u.array.values[k]) && !strcmp(names->u.array.values[k]->u.string, norm);
		all = found;
	}
	vl_reply_release(&rep);
	if (all)
		return 0;
	_cleanup_json_gen_ yajl_gen t = json_gen_new(false);
	jg_object(t, JG_STR("image", s->image), JG_STRV("names", b->tags), JG_END);
	_cleanup_free_ char *tp = jg_finish(t, NULL);
	if (!tp || bld_call(b, "ImageTag", tp, &rep, err) < 0)
		return -1;
	vl_reply_release(&rep);
	return 0;
}

int bld_run_all(bld *b, cerr *err)
{
	size_t n = 0;
	b->steps = 0;
	for (size_t i = 0; i < b->df.n; i++) {
		n += b->df.instrs[i].kind == DF_FROM;
		b->steps += n > 0;
	}
	size_t last = target_stage(b, n, err);
	if (last == (size_t)-1)
		return -1;
	if (!(b->stages = calloc(n, sizeof(*b->stages))))
		return cerr_set(err, ENOMEM, "out of memory");
	b->n_stages = n;
	/* the platform ARGs Docker's builder sets, for FROM --platform=$BUILDPLATFORM */
	const char *os, *arch, *variant;
	host_platform(&os, &arch, &variant);
	for (int k = 0; k < 2; k++) {
		char *kv = NULL;
		if (asprintf(&kv, "%s=%s/%s%s%s", k ? "TARGETPLATFORM" : "BUILDPLATFORM", os, arch, *variant ? "/" : "", variant) < 0 ||
		    strv_push(&b->meta_args, kv) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
	}
	size_t i = 0;
	while (i < b->df.n && b->df.instrs[i].kind == DF_ARG)
		if (bld_meta_arg(b, &b->df.instrs[i++], err) < 0)
			return -1;
	for (size_t k = 0; k <= last; k++)
		if (run_stage(b, k, &i, err) < 0 || finish_stage(b, &b->stages[k], k == last, err) < 0)
			return -1;
	char id[DIGEST_STR_LEN];
	if (tag_image(b, &b->stages[last], id, err) < 0)
		return -1;
	char shortid[13];
	digest_short(id, shortid);
	/* one line a message: clients match "^Successfully built ID$" in each */
	bld_say(b, " ---> %s\n", shortid);
	bld_say(b, "Successfully built %s\n", shortid);
	for (size_t t = 0; b->tags && b->tags[t]; t++)
		bld_say(b, "Successfully tagged %s\n", b->tags[t]);
	return bld_send_result(b, id, b->stages[last].image);
}
