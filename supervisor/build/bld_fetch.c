/* ADD's remote source: a URL (http or https) fetched by libcurl into an
 * unnamed file of the context's directory, as the caller, at most the
 * context's bound, redirects followed a few times; its name the URL
 * path's last part. Docker's rule: what is fetched is never unpacked. */
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld_fetch.h"
#include "common/cleanup.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FETCH_TIMEOUT_SEC 600L
#define FETCH_REDIRECTS 5L

typedef struct sink {
	int fd;
	uint64_t bytes, max;
	int err;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *data)
{
	sink *s = data;
	size_t len = size * n;
	if (s->bytes + len > s->max) {
		s->err = EFBIG;
		return 0;
	}
	for (size_t at = 0; at < len;) {
		ssize_t w = write(s->fd, p + at, len - at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->err = errno;
			return 0;
		}
		at += (size_t)w;
	}
	s->bytes += len;
	return len;
}

bool bld_is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* The name a fetched file takes: the URL path's last part, or "index". */
static char *name_of(const char *url)
{
	const char *p = strstr(url, "://") + 3, *path = strchr(p, '/');
	if (!path)
		return strdup("index");
	size_t n = strcspn(path, "?#");
	const char *end = path + n, *last = end;
	while (last > path && last[-1] != '/')
		last--;
	return last < end ? strndup(last, (size_t)(end - last)) : strdup("index");
}

int bld_fetch(bld *b, const char *url, uint64_t max, int *fd_out, char **name, cerr *err)
{
	*fd_out = -1;
	_cleanup_close_ int fd = openat(b->ctx_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "ADD %s: a file for it", url);
	CURL *h = curl_easy_init();
	if (!h)
		return cerr_set(err, ENOMEM, "ADD %s: libcurl", url);
	sink s = { .fd = fd, .max = max };
	char why[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, FETCH_REDIRECTS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, FETCH_TIMEOUT_SEC);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
	CURLcode rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	if (s.err == EFBIG)
		return cerr_set(err, EFBIG, "ADD %s: more than %llu bytes", url, (unsigned long long)max);
	if (rc != CURLE_OK)
		return cerr_set(err, EIO, "ADD %s: %s", url, why[0] ? why : curl_easy_strerror(rc));
	if (!(*name = name_of(url)))
		return cerr_set(err, ENOMEM, "out of memory");
	*fd_out = TAKE_FD(fd);
	return 0;
}
