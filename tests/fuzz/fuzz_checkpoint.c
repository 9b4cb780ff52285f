/* libFuzzer target: what a checkpoint archive carries that is parsed, each
 * given the same bytes: its manifest.json (supervisor/copy/
 * ckpt_archive.c, as corral-copy reads it once its HMAC matched) and the
 * dump's descriptors.json (runtime/ckpt_args.c, which makes criu's
 * --inherit-fd arguments of it on restore). A manifest that parses names
 * only checkpoint/NAME and rootfs-diff.tar, each once, with a digest; a
 * descriptor passed on is criu's own form, for fds 0 to 2 only. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"
#include "runtime/ckpt_args.h"
#include "supervisor/copy/ckpt_archive.h"
#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entries(const ckpt_entries *es, const char *head)
{
	for (size_t i = 0; i < es->n; i++) {
		const char *p = es->v[i].path;
		const char *name = strncmp(p, "checkpoint/", 11) ? NULL : p + 11;
		if (strcmp(p, CKPT_ARCHIVE_DIFF) && (!name || !*name || *name == '.' || strchr(name, '/')))
			abort();
		if (!digest_valid(es->v[i].digest))
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(es->v[j].path, p))
				abort();
	}
	_cleanup_json_ yajl_val h = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (json_parse(head, "head", &h, &err) < 0 || !YAJL_IS_OBJECT(h))
		abort();
}

static void manifest(const char *text)
{
	for (long long owner = -1; owner <= 4242; owner += 4243) {
		ckpt_entries es = { 0 };
		char *head = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		int r = ckpt_manifest_parse(text, owner, &es, &head, &err);
		if (r == 0)
			check_entries(&es, head);
		else if (head)
			abort();
		ckpt_entries_free(&es);
		free(head);
		if (r < 0)
			break;
	}
}

/* fd[N]:pipe:[INO] or fd[N]:file[MNT:INO], N of 0..2 */
static bool inherit_ok(const char *a)
{
	if (strncmp(a, "fd[", 3) || a[3] < '0' || a[3] > '2' || strncmp(a + 4, "]:", 2))
		return false;
	const char *v = a + 6;
	const char *body = !strncmp(v, "pipe:[", 6) ? v + 6 : !strncmp(v, "file[", 5) ? v + 5 : NULL;
	if (!body)
		return false;
	size_t n = strlen(body);
	if (n < 2 || body[n - 1] != ']')
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (!isxdigit((unsigned char)body[i]) && body[i] != ':')
			return false;
	return true;
}

static void descriptors(const char *text)
{
	static struct oci_spec spec;
	struct criu c = { .path = "criu", .version = 31701, .text = "3.17.1" };
	struct ckpt_opts o = { .image_path = "/ckpt" };
	struct ckpt_ctx x = { .spec = &spec, .rootfs = "/root", .bundle = "/bundle", .pidfile = "/pid",
			      .descriptors = text };
	_cleanup_strv_ char **args = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	if (ckpt_restore_args(&c, &o, &x, &args, &err) < 0)
		return;
	size_t inherited = 0;
	for (char **a = args; *a; a++) {
		if (strcmp(*a, "--inherit-fd"))
			continue;
		if (!a[1] || !inherit_ok(a[1]) || ++inherited > 3) {
			fprintf(stderr, "descriptors.json passed on \"%s\"\n", a[1] ? a[1] : "(nothing)");
			abort();
		}
		a++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > CKPT_ARCHIVE_MAX_MANIFEST)
		return 0;
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	manifest(text);
	if (size <= 1 << 16) /* restore reads at most this much of it */
		descriptors(text);
	free(text);
	return 0;
}
