/* copy_stat.c: CopyFrom's STAT frame (io.corral.Supervisor.varlink), as
 * corral-docker's stat of a path and corralctl cp's destination read it. */
#pragma once

typedef struct copy_stat {
	long long size;
	long long mtime_ns;
	unsigned mode; /* st_mode */
	char *link;    /* where a link leads, absolute, every link followed; "" else */
} copy_stat;

/* 0 with *st, for copy_stat_release; -EINVAL when json is not a STAT's
 * (a NUL-terminated frame), -ENOMEM. */
int copy_stat_parse(const char *json, copy_stat *st);
void copy_stat_release(copy_stat *st);
