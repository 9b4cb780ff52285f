/* memtouch MIB: allocate MIB MiB, write every page, make /dev/shm/ready
 * (stdio may be /dev/null), and wait for a signal: a process with that
 * much memory of its own, for the checkpoint benchmark. Static: it runs
 * inside containers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0;
	if (mib <= 0) {
		fprintf(stderr, "usage: memtouch MIB\n");
		return 2;
	}
	size_t n = (size_t)mib << 20;
	char *p = malloc(n);
	if (!p) {
		fprintf(stderr, "memtouch: cannot allocate %ld MiB\n", mib);
		return 1;
	}
	for (size_t i = 0; i < n; i += 4096)
		p[i] = (char)(i >> 12);
	FILE *f = fopen("/dev/shm/ready", "w");
	if (f)
		fclose(f);
	for (;;)
		pause();
}
