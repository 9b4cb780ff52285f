#include "supervisor/daemon/containers/record/net_stats.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NET_DEV_MAX (256 * 1024) /* 64 interfaces are about 10 KiB */

/* One "NAME: rx_bytes rx_packets ... (8 rx, 8 tx)" line; false when it is not one. */
static bool parse_line(const char *line, size_t len, net_if_stats *s)
{
	const char *colon = memchr(line, ':', len), *end = line + len;
	if (!colon)
		return false;
	const char *name = line;
	while (name < colon && *name == ' ')
		name++;
	size_t nl = (size_t)(colon - name);
	if (nl == 0 || nl >= sizeof(s->name))
		return false;
	uint64_t v[16];
	const char *p = colon + 1;
	for (int i = 0; i < 16; i++) {
		while (p < end && *p == ' ')
			p++;
		if (p == end || !isdigit((unsigned char)*p))
			return false;
		char *q;
		errno = 0;
		unsigned long long x = strtoull(p, &q, 10);
		if (errno || q > end)
			return false;
		v[i] = x;
		p = q;
	}
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return false;
	memcpy(s->name, name, nl);
	s->name[nl] = '\0';
	s->rx_bytes = v[0];
	s->rx_packets = v[1];
	s->tx_bytes = v[8];
	s->tx_packets = v[9];
	return true;
}

size_t net_dev_parse(const char *text, net_if_stats *out, size_t max)
{
	size_t n = 0;
	for (const char *line = text; *line && n < max;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		net_if_stats s = { 0 };
		if (parse_line(line, len, &s) && !streq(s.name, "lo"))
			out[n++] = s;
		line += len + (nl ? 1 : 0);
	}
	return n;
}

int net_stats_read(pid_t pid, net_if_stats *out, size_t max, size_t *n, cerr *err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	_cleanup_free_ char *text = NULL;
	int r = read_file(path, NET_DEV_MAX, &text, NULL, err);
	if (r < 0)
		return r;
	*n = net_dev_parse(text, out, max);
	return 0;
}

net_if_stats net_stats_total(const net_if_stats *s, size_t n)
{
	net_if_stats t = { 0 };
	for (size_t i = 0; i < n; i++) {
		t.rx_bytes += s[i].rx_bytes;
		t.rx_packets += s[i].rx_packets;
		t.tx_bytes += s[i].tx_bytes;
		t.tx_packets += s[i].tx_packets;
	}
	return t;
}
