/* bld_instr.h: each instruction's words expanded (ENV before ARG, as
 * Docker has it), its change written into the config's patch, and what it
 * did into the cache key. */
#include "supervisor/build/bld_instr.h"
#include "supervisor/build/bld_step.h"
#include "images/dockerfile_instr.h"
#include "images/df_expand.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* ARG NAME[=DEFAULT] in args: the build's --build-arg first, then the
 * default, then (in a stage) the value before the first FROM. */
static int declare_arg(bld *b, bld_stage *s, char ***args, const char *raw, cerr *err)
{
	const char *eq = strchr(raw, '=');
	_cleanup_free_ char *name = eq ? strndup(raw, (size_t)(eq - raw)) : strdup(raw), *dflt = NULL;
	if (!name)
		return cerr_set(err, ENOMEM, "out of memory");
	yajl_val given = json_get(b->build_args, name);
	const char *value = YAJL_IS_STRING(given) ? given->u.string : NULL;
	if (!value && eq) {
		if ((s ? bld_expand(b, s, eq + 1, &dflt, err) : bld_expand_meta(b, eq + 1, &dflt, err)) < 0)
			return -1;
		value = dflt;
	}
	if (!value && s)
		value = bld_args_get(b->meta_args, name);
	char *kv = NULL;
	if ((value ? asprintf(&kv, "%s=%s", name, value) : asprintf(&kv, "%s", name)) < 0 || strv_push(args, kv) < 0) {
		free(kv);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (s)
		bld_key_next(s, kv, strlen(kv));
	return 0;
}

/* corrald's bounds on a commit's emptySteps (ImageCommit), and each
 * step's text in the history */
#define STEPS_MAX 256
#define STEPS_BYTES_MAX (64u << 10)
#define STEP_TEXT_MAX 4096

/* Room in the stage's pending history for in, before it is applied: when
 * there is none, what is pending is committed first, so that a long run of
 * ENV or LABEL never makes a commit corrald refuses */
static int room_for_step(bld *b, bld_stage *s, cerr *err)
{
	size_t n = 0, bytes = STEP_TEXT_MAX + 16;
	for (; s->steps && s->steps[n]; n++)
		bytes += strlen(s->steps[n]);
	return n < STEPS_MAX && bytes <= STEPS_BYTES_MAX ? 0 : bld_commit_config(b, s, err);
}

/* An instruction that changed no file, for the next commit's history. */
static int step_taken(bld_stage *s, const df_instr *in, cerr *err)
{
	size_t len = strlen(in->text);
	if (len > STEP_TEXT_MAX) /* cut at a character's start: the text goes in JSON */
		for (len = STEP_TEXT_MAX; len && ((unsigned char)in->text[len] & 0xC0) == 0x80; len--)
			;
	char *step;
	if (asprintf(&step, "%s %.*s", df_kind_name(in->kind), (int)len, in->text) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if (strv_push(&s->steps, step) < 0) {
		free(step);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int bld_meta_arg(bld *b, const df_instr *in, cerr *err)
{
	for (size_t i = 0; in->args[i]; i++)
		if (declare_arg(b, NULL, &b->meta_args, in->args[i], err) < 0)
			return cerr_wrap(err, "Dockerfile:%u", in->line);
	return 0;
}

int bld_step_config(bld *b, bld_stage *s, const df_instr *in, cerr *err)
{
	if (room_for_step(b, s, err) < 0)
		return -1;
	if (in->kind == DF_ARG) {
		for (size_t i = 0; in->args[i]; i++)
			if (declare_arg(b, s, &s->args, in->args[i], err) < 0)
				return -1;
		return step_taken(s, in, err); /* its key is the value it took */
	}
	if (bld_expand_apply(b, s, in, err) < 0)
		return -1;
	/* the patch as it is now is what the step did */
	_cleanup_free_ char *patch = cfg_edit_patch(&s->cfg);
	_cleanup_free_ char *what = NULL;
	if (!patch || asprintf(&what, "%s %s", df_kind_name(in->kind), patch) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	bld_key_next(s, what, strlen(what));
	return step_taken(s, in, err);
}
