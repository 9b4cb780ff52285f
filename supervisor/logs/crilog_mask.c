#include "supervisor/logs/crilog_mask.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int crilog_mask_add(secbuf *buf, const void *value, size_t n)
{
	if (n == 0)
		return 0;
	if (n > CRILOG_MASK_MAX || buf->len + 4 + n > CRILOG_MASK_MAX)
		return -EFBIG;
	if (buf->len + 4 + n > buf->cap) {
		secbuf bigger = { 0 };
		int r = secbuf_alloc(&bigger, 2 * (buf->len + 4 + n));
		if (r < 0)
			return r;
		if (buf->len)
			memcpy(bigger.p, buf->p, buf->len);
		bigger.len = buf->len;
		secbuf_release(buf);
		*buf = bigger;
	}
	uint32_t len = (uint32_t)n;
	for (int i = 0; i < 4; i++)
		buf->p[buf->len++] = (unsigned char)(len >> (8 * i));
	memcpy(buf->p + buf->len, value, n);
	buf->len += n;
	return 0;
}

int crilog_mask_load(crilog_mask *m, int fd, cerr *err)
{
	int r = secbuf_alloc(&m->buf, 64 << 10);
	if (r < 0)
		return cerr_sys(err, -r, "log mask");
	for (;;) {
		if (m->buf.len == m->buf.cap) {
			if (m->buf.cap >= CRILOG_MASK_MAX)
				return cerr_set(err, EFBIG, "log mask: over %u bytes", CRILOG_MASK_MAX);
			secbuf bigger = { 0 };
			if ((r = secbuf_alloc(&bigger, 2 * m->buf.cap)) < 0)
				return cerr_sys(err, -r, "log mask");
			memcpy(bigger.p, m->buf.p, m->buf.len);
			bigger.len = m->buf.len;
			secbuf_release(&m->buf);
			m->buf = bigger;
		}
		ssize_t k = read(fd, m->buf.p + m->buf.len, m->buf.cap - m->buf.len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return cerr_sys(err, errno, "log mask");
		if (k == 0)
			return 0;
		m->buf.len += (size_t)k;
	}
}

bool crilog_mask_hit(const crilog_mask *m, const char *p, size_t n)
{
	for (size_t i = 0; i + 4 <= m->buf.len;) {
		const unsigned char *b = m->buf.p + i;
		size_t len = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16 | (size_t)b[3] << 24;
		if (len > m->buf.len - i - 4)
			return false; /* cut short: what follows is no value */
		if (len && len <= n && memmem(p, n, b + 4, len))
			return true;
		i += 4 + len;
	}
	return false;
}

void crilog_mask_record(const crilog_mask *m, const char **p, size_t *n)
{
	if (m && crilog_mask_hit(m, *p, *n)) {
		*p = CRILOG_REDACTED;
		*n = strlen(CRILOG_REDACTED);
	}
}

int crilog_mask_redact(const crilog_mask *m, const char *p, size_t n, strbuf *out)
{
	if (!m || !crilog_mask_hit(m, p, n))
		return 0;
	sb_reset(out);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n, keep = end - i;
		while (keep && p[i + keep - 1] == '\r')
			keep--;
		const char *line = p + i;
		size_t len = keep;
		crilog_mask_record(m, &line, &len);
		if (sb_add(out, line, len) < 0 || sb_add(out, p + i + keep, end - i - keep + (nl ? 1 : 0)) < 0)
			return -ENOMEM;
		i = end + (nl ? 1 : 0);
	}
	return 1;
}

void crilog_mask_release(crilog_mask *m)
{
	secbuf_release(&m->buf);
}
