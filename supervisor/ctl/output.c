/* What a listing prints: one JSON array, each row through a --format
 * template, or a table. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/output.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/ctl/human.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strbuf.h"

#include <stdio.h>
#include <string.h>

int ctl_print_json(yajl_val items)
{
	_cleanup_free_ char *s = ctl_to_json(items, true);
	if (!s)
		return ctl_fail("output", "out of memory");
	printf("%s\n", s);
	return 0;
}

int ctl_output(yajl_val items, yajl_val rows, const char *dflt, const tmpl_title *titles)
{
	const char *fmt = ctl_format ? ctl_format : dflt, *body;
	if (ctl_json || !fmt)
		return ctl_print_json(items);
	if (streq(fmt, "table") && dflt)
		fmt = dflt;
	if (!rows)
		rows = items;
	bool table = tmpl_is_table(fmt, &body);
	_cleanup_table_ ctl_table t = { 0 };
	_cleanup_strbuf_ strbuf line = STRBUF_INIT;
	_cleanup_cerr_ cerr err = { 0 };
	if (table && (tmpl_render(body, NULL, true, titles, &line, &err) < 0 ||
		      table_add_line(&t, line.buf ? line.buf : "") < 0))
		goto bad;
	for (size_t i = 0; YAJL_IS_ARRAY(rows) && i < rows->u.array.len; i++) {
		sb_reset(&line);
		if (tmpl_render(table ? body : fmt, rows->u.array.values[i], false, titles, &line, &err) < 0)
			goto bad;
		if (table && table_add_line(&t, line.buf ? line.buf : "") < 0)
			goto bad;
		if (!table)
			printf("%s\n", line.buf ? line.buf : "");
	}
	if (table)
		table_print(stdout, &t);
	return 0;
bad:
	ctl_failf("--format %s: %s", fmt, err.msg ? err.msg : "out of memory");
	return EXIT_CTL;
}

int ctl_output_gen(yajl_gen items, yajl_gen rows, const char *dflt, const tmpl_title *titles)
{
	if (!items || !rows || yajl_gen_array_close(items) || yajl_gen_array_close(rows))
		return ctl_fail("output", "out of memory");
	_cleanup_json_ yajl_val it = ctl_gen_tree(items), rw = ctl_gen_tree(rows);
	return it && rw ? ctl_output(it, rw, dflt, titles) : EXIT_CTL;
}

void ctl_print_reclaimed(yajl_val reply)
{
	long long b = ctl_int(reply, "reclaimedBytes", -1);
	char sz[32];
	if (b >= 0)
		printf("reclaimed %s\n", human_size(b, sz, sizeof(sz)));
}
