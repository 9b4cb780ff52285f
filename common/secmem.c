#include "common/secmem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t rounded(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return n ? (n + page - 1) / page * page : page;
}

int secbuf_alloc(secbuf *b, size_t cap)
{
	size_t n = rounded(cap);
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (madvise(p, n, MADV_DONTDUMP) < 0) {
		int r = -errno;
		munmap(p, n);
		return r;
	}
	(void)mlock(p, n); /* best effort: RLIMIT_MEMLOCK may be small */
	b->p = p;
	b->len = 0;
	b->cap = n;
	return 0;
}

void secbuf_release(secbuf *b)
{
	if (!b->p)
		return;
	explicit_bzero(b->p, b->cap);
	munlock(b->p, b->cap);
	munmap(b->p, b->cap);
	b->p = NULL;
	b->len = b->cap = 0;
}
