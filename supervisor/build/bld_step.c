/* What every step does (bld.h): the cache key's chain, the cache asked,
 * an image committed and taken, the stages and images a step names, and
 * its words expanded with the stage's ENV and ARGs (ENV first, as Docker
 * has it). The steps (bld_instr.c, bld_run.c, bld_copy.c) and the stages
 * (bld_stage.c) call these; these call only the stream, the calls and the
 * config. */
#include "supervisor/build/bld.h"
#include "supervisor/build/bld_step.h"
#include "supervisor/build/bld_call.h"
#include "supervisor/build/bld_stream.h"
#include "images/cfg_instr.h"
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld_instr.h"
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct scope {
	bld *b;
	const bld_stage *s; /* NULL: the ARGs before the first FROM */
} scope;

void bld_key_next(bld_stage *s, const char *what, size_t n)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s\n", s->key);
	sb_add(&sb, what, n);
	cerr err = { 0 };
	if (!sb.buf || digest_buf(sb.buf, sb.len, s->key, &err) < 0)
		cerr_clear(&err); /* libcrypto is there: corral-build hashed already */
}

int bld_take_image(bld_stage *s, const vl_reply *rep, cerr *err)
{
	const char *m = json_str(rep->params, "manifestDigest");
	if (!m || !digest_valid(m))
		return cerr_set(err, EPROTO, "corrald: no manifestDigest in the reply");
	snprintf(s->image, sizeof(s->image), "%s", m);
	s->cfg.dirty = false;
	strv_free(s->steps); /* in the image's history now */
	s->steps = NULL;
	return 0;
}

int bld_cached(bld *b, bld_stage *s, cerr *err)
{
	if (b->no_cache)
		return 0;
	_cleanup_free_ char *p = bld_params_of("key", s->key);
	vl_reply rep;
	if (!p || bld_call(b, "BuildCacheGet", p, &rep, err) < 0)
		return -1;
	int hit = 0;
	if (json_str(rep.params, "manifestDigest"))
		hit = bld_take_image(s, &rep, err) == 0;
	vl_reply_release(&rep);
	if (hit)
		bld_say(b, " ---> Using cache\n");
	return hit;
}

/* method's call with g's keys (an open map), the step's cache key and the
 * stage's config patch; its image is the stage's next. */
static int commit(bld *b, bld_stage *s, const char *method, yajl_gen g, cerr *err)
{
	_cleanup_free_ char *patch = cfg_edit_patch(&s->cfg);
	_cleanup_json_ yajl_val pv = NULL;
	if (!patch || json_parse(patch, "the config", &pv, err) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	jg_key_str(g, "cacheKey", s->key);
	if (s->steps)
		jg_key_strv(g, "emptySteps", s->steps);
	jg_key(g, "config");
	jg_value(g, pv);
	yajl_gen_map_close(g);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	vl_reply rep;
	if (!p || bld_call(b, method, p, &rep, err) < 0)
		return -1;
	int r = bld_take_image(s, &rep, err);
	vl_reply_release(&rep);
	return r;
}

int bld_commit_config(bld *b, bld_stage *s, cerr *err)
{
	int r = bld_cached(b, s, err);
	if (r != 0)
		return r < 0 ? r : 0;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	if (s->image[0])
		jg_key_str(g, "image", s->image);
	size_t n = strv_length(s->steps);
	_cleanup_free_ char *own = n ? s->steps[n - 1] : NULL;
	if (own) {
		jg_key_str(g, "createdBy", own);
		s->steps[n - 1] = NULL;
	}
	return commit(b, s, "ImageCommit", g, err);
}

/* A FROM's image as corrald has it (pulled when it has not, or always
 * with pull): its manifest and run defaults into s. */
int bld_base_image(bld *b, bld_stage *s, const char *ref, cerr *err)
{
	_cleanup_free_ char *p = bld_params_of("image", ref);
	vl_reply rep;
	int r = b->pull ? -ENOENT : bld_call(b, "ImageInspect", p, &rep, err);
	if (r < 0 && r != -ENOENT) /* corrald gone, say: no pull would help */
		return cerr_wrap(err, "FROM %s", ref);
	if (r < 0) {
		cerr_clear(err);
		_cleanup_free_ char *pp = bld_params_of("reference", ref);
		bld_say(b, "Pulling %s\n", ref);
		if (!pp || bld_call(b, "ImagePull", pp, &rep, err) < 0)
			return cerr_wrap(err, "FROM %s", ref);
		vl_reply_release(&rep);
		if (bld_call(b, "ImageInspect", p, &rep, err) < 0)
			return cerr_wrap(err, "FROM %s", ref);
	}
	yajl_val im = json_get(rep.params, "image");
	const char *m = json_str(im, "manifestDigest");
	r = m && digest_valid(m) ? 0 : cerr_set(err, EPROTO, "corrald: ImageInspect: no manifestDigest");
	if (r == 0) {
		snprintf(s->image, sizeof(s->image), "%s", m);
		yajl_val ob = json_get(json_get(im, "config"), "onBuild");
		for (size_t i = 0; YAJL_IS_ARRAY(ob) && i < ob->u.array.len; i++)
			if (YAJL_IS_STRING(ob->u.array.values[i]))
				strv_push(&s->triggers, strdup(ob->u.array.values[i]->u.string));
		if (cfg_edit_from_image(&s->cfg, json_get(im, "config"), true) < 0)
			r = cerr_set(err, ENOMEM, "out of memory");
	}
	vl_reply_release(&rep);
	return r;
}

/* The stage a FROM (or COPY --from) names: by AS name, or by number. */
bld_stage *bld_stage_named(bld *b, size_t before, const char *name)
{
	char *end;
	unsigned long k = strtoul(name, &end, 10);
	if (*name && !*end && k < before)
		return &b->stages[k];
	for (size_t i = 0; i < before; i++)
		if (b->stages[i].name && !strcasecmp(b->stages[i].name, name))
			return &b->stages[i];
	return NULL;
}

const char *bld_args_get(char *const *args, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	for (size_t i = 0; args && args[i]; i++)
		if (!strncmp(args[i], name, n) && (args[i][n] == '=' || !args[i][n]))
			found = args[i][n] ? args[i] + n + 1 : NULL;
	return found;
}

static const char *lookup(const char *name, void *ctx)
{
	scope *sc = ctx;
	if (!sc->s)
		return bld_args_get(sc->b->meta_args, name);
	const char *v = cfg_env_get(&sc->s->cfg, name);
	return v ? v : bld_args_get(sc->s->args, name);
}

int bld_expand(bld *b, bld_stage *s, const char *word, char **out, cerr *err)
{
	scope sc = { b, s };
	return df_expand(word, b->df.escape, lookup, &sc, out, err);
}

int bld_expand_meta(bld *b, const char *word, char **out, cerr *err)
{
	scope sc = { b, NULL };
	return df_expand(word, b->df.escape, lookup, &sc, out, err);
}

int bld_commit_container(bld *b, bld_stage *s, const char *id, const char *created_by, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key_str(g, "id", id);
	jg_key_str(g, "createdBy", created_by);
	jg_key_bool(g, "pause", false);
	return commit(b, s, "ContainerCommit", g, err);
}

/* A VOLUME not yet committed is a volume of the step's container, as a
 * committed one is (corrald makes the image's): anonymous, with what the
 * image has there, so that what the step writes there is not kept, as
 * Docker's builder without BuildKit has it */
static void gen_pending_volumes(yajl_gen g, const cfg_edit *cfg)
{
	static const char key[] = "Volumes\n";
	bool any = false;
	for (size_t i = 0; cfg->merge_keys && cfg->merge_keys[i]; i++) {
		const char *k = cfg->merge_keys[i];
		if (strncmp(k, key, strlen(key)) || k[strlen(key)] != '/')
			continue;
		if (!any) {
			jg_key(g, "mounts");
			yajl_gen_array_open(g);
			any = true;
		}
		jg_object(g, JG_STR("type", "volume"), JG_STR("source", ""), JG_STR("destination", k + strlen(key)), JG_END);
	}
	if (any)
		yajl_gen_array_close(g);
}

int bld_create(bld *b, bld_stage *s, char *const *argv, char *const *env, const char *network, char *id, size_t n,
	       cerr *err)
{
	static char *const never[] = { "/nonexistent-never-started", NULL };
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	yajl_gen_map_open(g);
	jg_key(g, "spec");
	yajl_gen_map_open(g);
	jg_key_str(g, "image", s->image);
	jg_key_strv(g, "entrypoint", (char *const[]){ NULL });
	jg_key_strv(g, "command", argv ? argv : never);
	if (argv) { /* a step that runs: the stage's environment, and the build's network */
		jg_key_strv(g, "env", env);
		if (*s->cfg.workdir)
			jg_key_str(g, "workdir", s->cfg.workdir);
		if (*s->cfg.user)
			jg_key_str(g, "user", s->cfg.user);
		if (network || b->network) /* else corrald's default network, as for any container */
			jg_key_str(g, "network", network ? network : b->network);
		gen_pending_volumes(g, &s->cfg);
	}
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	_cleanup_free_ char *p = jg_finish(g, NULL);
	vl_reply rep;
	if (!p || bld_call(b, "CreateContainer", p, &rep, err) < 0)
		return -1;
	snprintf(id, n, "%s", json_str(rep.params, "id") ?: "");
	vl_reply_release(&rep);
	return *id ? 0 : cerr_set(err, EPROTO, "corrald: CreateContainer: no id");
}

int bld_expand_apply(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	scope sc = { b, s };
	return cfg_edit_apply(&s->cfg, in, b->df.escape, lookup, &sc, err);
}
