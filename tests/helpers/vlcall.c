/* vlcall: a varlink peer for the tests, from the host side of a socket.
 *   vlcall SOCKET [-n N] [-w SECONDS] [-r REPEAT] [-s] JSON...
 * Sends each JSON message (with its NUL) and prints each reply on a line:
 * one reply, or with "more" in the message, N replies (-n, default 1) or
 * until the peer hangs up or -w seconds pass. -r sends each message REPEAT
 * times and prints, instead of the replies, "ok N" and one "ERROR N" line
 * per error name, then "p50 USEC" and "p99 USEC" of the round trips.
 * -s sends, then sleeps -w seconds reading nothing (a subscriber that never
 * reads). Exit 0; 2 when it cannot connect; 3 when the peer hung up. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];
static size_t have;

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The next reply into *out (in buf, valid until the next call): 1, 0 on
 * EOF, -1 on timeout. */
static int next_reply(int fd, long long deadline, char **out)
{
	static size_t consumed;
	if (consumed) {
		memmove(buf, buf + consumed, have - consumed);
		have -= consumed;
		consumed = 0;
	}
	for (;;) {
		char *nul = memchr(buf, '\0', have);
		if (nul) {
			*out = buf;
			consumed = (size_t)(nul - buf) + 1;
			return 1;
		}
		long long left = deadline - now_us();
		if (left <= 0 || have == sizeof(buf))
			return -1;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)(left / 1000) + 1) <= 0)
			continue;
		ssize_t r = read(fd, buf + have, sizeof(buf) - have);
		if (r <= 0)
			return 0;
		have += (size_t)r;
	}
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = 1, repeat = 0, sleeper = 0, opt;
	double wait = 10;
	while ((opt = getopt(argc, argv, "n:w:r:s")) != -1) {
		if (opt == 'n')
			n = atoi(optarg);
		else if (opt == 'w')
			wait = atof(optarg);
		else if (opt == 'r')
			repeat = atoi(optarg);
		else if (opt == 's')
			sleeper = 1;
		else
			return 64;
	}
	if (optind >= argc)
		return 64;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[optind]);
	if (sleeper) {
		int small = 4096;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "vlcall: %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		const char *msg = argv[i];
		int more = strstr(msg, "\"more\":true") != NULL;
		int times = repeat ? repeat : 1, ok = 0;
		long long *lat = calloc((size_t)times, sizeof(*lat));
		char errs[16][128] = { { 0 } };
		int nerr[16] = { 0 };
		for (int t = 0; t < times; t++) {
			long long t0 = now_us();
			if (send(fd, msg, strlen(msg) + 1, MSG_NOSIGNAL) < 0)
				return 3;
			if (sleeper) {
				usleep((useconds_t)(wait * 1e6));
				return 0;
			}
			long long deadline = now_us() + (long long)(wait * 1e6);
			for (int got = 0; got < (more ? n : 1); got++) {
				char *r;
				int rc = next_reply(fd, deadline, &r);
				if (rc == 0)
					return fflush(stdout), 3;
				if (rc < 0)
					break;
				lat[t] = now_us() - t0;
				if (!repeat) {
					printf("%s\n", r);
					fflush(stdout);
					continue;
				}
				char *e = strstr(r, "\"error\":\"");
				if (!e) {
					ok++;
					continue;
				}
				e += 9;
				size_t len = strcspn(e, "\"");
				for (int k = 0; k < 16; k++)
					if (!errs[k][0] || (strlen(errs[k]) == len && !strncmp(errs[k], e, len))) {
						snprintf(errs[k], sizeof(errs[k]), "%.*s", (int)len, e);
						nerr[k]++;
						break;
					}
			}
		}
		if (repeat) {
			printf("ok %d\n", ok);
			for (int k = 0; k < 16 && errs[k][0]; k++)
				printf("%s %d\n", errs[k], nerr[k]);
			qsort(lat, (size_t)times, sizeof(*lat), cmp);
			printf("p50 %lld\np99 %lld\n", lat[times / 2], lat[times * 99 / 100]);
		}
		free(lat);
	}
	return 0;
}
