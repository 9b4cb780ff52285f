/* The broker benchmark's client (tests/bench/broker.sh): COUNT messages of
 * SIZE bytes of data, each stamped with the time it was sent, from one
 * connection to another, at most WINDOW of them on the way at once. The
 * writer and the reader are two processes (the reader a child), which share
 * only the counters the window needs.
 *   broker_bench broker PUB_SOCK SUB_SOCK COUNT SIZE WINDOW
 *       through corrald: PUB_SOCK's member Publishes (oneway, pipelined),
 *       SUB_SOCK's member Subscribes
 *   broker_bench floor COUNT SIZE WINDOW
 *       the floor: the same NUL-framed JSON over a socketpair, no broker
 *   broker_bench relay COUNT SIZE WINDOW
 *       the floor of any broker: a third process that only copies what
 *       comes on one socketpair to another, as it comes (no parsing)
 * Prints one line: messages, seconds, messages/s, latency p50/p99/max (us),
 * and messages the broker dropped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STALL_NS (10ll * 1000000000ll) /* no progress this long: give up */

static long count, size, window;
/* What the reader tells the writer and the report, in shared memory. */
static struct shared {
	atomic_long received; /* messages seen (or reported missed) by the reader */
	atomic_long missed;
	atomic_int failed;
	long n_lat;
	int64_t t_last;
	uint64_t lat[]; /* ns, one per message received */
} *sh;
static int64_t t_first;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "broker_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	/* a member's socket is named by its 64-hex id: past sun_path from a
	 * deep directory, so reach it through the directory's fd */
	char *slash = strrchr(path, '/');
	if (strlen(path) >= sizeof(sa.sun_path) && slash) {
		char *dir = strndup(path, (size_t)(slash - path));
		int dfd = dir ? open(dir, O_PATH | O_DIRECTORY) : -1;
		if (dfd < 0)
			die(path);
		free(dir);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d%s", dfd, slash);
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(path);
	return fd;
}

/* One message of the reader, checked: its data is the next one sent (or
 * comes after exactly the messages reported missed) and has its size;
 * its stamp gives the latency. */
static long last_n = -1;
static int take(const char *msg, size_t len)
{
	const char *d = memmem(msg, len, "\"data\":{\"t\":", 12);
	if (!d) {
		if (memmem(msg, len, "\"error\"", 7) || !memmem(msg, len, "\"probe\"", 7)) {
			fprintf(stderr, "broker_bench: %.300s\n", msg);
			atomic_store(&sh->failed, 1);
		}
		return 0; /* a warm-up message */
	}
	d += 7;
	int64_t now = now_ns();
	char *end;
	int64_t sent = strtoll(d + 5, &end, 10);
	long n = strncmp(end, ",\"n\":", 5) ? -1 : strtol(end + 5, &end, 10);
	const char *pad = strncmp(end, ",\"pad\":\"", 8) ? NULL : end + 8;
	const char *q = pad ? memchr(pad, '"', len - (size_t)(pad - msg)) : NULL;
	long miss = 0;
	const char *m = q ? memmem(q, len - (size_t)(q - msg), "\"missed\":", 9) : NULL;
	if (m)
		miss = strtol(m + 9, NULL, 10);
	if (!q || q[1] != '}' || q + 2 - d != size || n != last_n + 1 + miss) {
		fprintf(stderr, "broker_bench: message %ld (after %ld, %ld missed) is not as sent: %.200s\n", n, last_n,
			miss, msg);
		atomic_store(&sh->failed, 1);
		return 0;
	}
	last_n = n;
	atomic_fetch_add(&sh->missed, miss);
	if (sh->n_lat < count)
		sh->lat[sh->n_lat++] = (uint64_t)(now - sent);
	sh->t_last = now;
	return 1 + (int)miss;
}

static void reader(int fd)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	if (!buf)
		die("malloc");
	while (atomic_load(&sh->received) < count && !atomic_load(&sh->failed)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(STALL_NS / 1000000));
		if (r == 0) {
			fprintf(stderr, "broker_bench: nothing for %llds: %ld of %ld received\n", STALL_NS / 1000000000ll,
				atomic_load(&sh->received), count);
			atomic_store(&sh->failed, 1);
			break;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "broker_bench: the reader's connection ended\n");
			atomic_store(&sh->failed, 1);
			break;
		}
		len += (size_t)n;
		size_t start = 0;
		for (char *z; (z = memchr(buf + start, '\0', len - start));) {
			int k = take(buf + start, (size_t)(z - buf) - start);
			if (k)
				atomic_fetch_add(&sh->received, k); /* the writer goes on at once */
			start = (size_t)(z - buf) + 1;
		}
		memmove(buf, buf + start, len - start);
		len -= start;
		if (len == cap)
			die("a message larger than 1 MiB");
	}
	free(buf);
}

static long sent_n;
/* prefix, {"t":NOW,"n":SEQ,"pad":"xxx"} of size bytes, suffix, NUL. */
static size_t render(char *out, size_t cap, const char *prefix, const char *suffix)
{
	char head[64];
	int h = snprintf(head, sizeof(head), "{\"t\":%lld,\"n\":%ld,\"pad\":\"", (long long)now_ns(), sent_n++);
	long pad = size - h - 2;
	if (pad < 0)
		pad = 0;
	size_t n = (size_t)snprintf(out, cap, "%s%s", prefix, head);
	memset(out + n, 'x', (size_t)pad);
	n += (size_t)pad;
	n += (size_t)snprintf(out + n, cap - n, "\"}%s", suffix);
	out[n++] = '\0';
	return n;
}

/* Send count messages, at most window ahead of the reader. */
static void send_all(int fd, const char *prefix, const char *suffix)
{
	size_t cap = (size_t)size + 512;
	char *msg = malloc(cap);
	if (!msg)
		die("malloc");
	t_first = now_ns();
	for (long i = 0; i < count && !atomic_load(&sh->failed); i++) {
		int64_t since = now_ns();
		while (i - atomic_load(&sh->received) >= window && !atomic_load(&sh->failed)) {
			if (now_ns() - since > STALL_NS)
				break; /* the reader says why */
			sched_yield();
		}
		write_all(fd, msg, render(msg, cap, prefix, suffix));
	}
	free(msg);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int report(const char *what)
{
	long n = sh->n_lat;
	if (atomic_load(&sh->failed) || n == 0)
		return 1;
	uint64_t *lat = sh->lat;
	qsort(lat, (size_t)n, sizeof(*lat), cmp);
	double secs = (double)(sh->t_last - t_first) / 1e9;
	printf("%-6s %ld msgs of %ld B in %.3f s: %.0f msg/s  p50 %.1f us  p99 %.1f us  max %.1f us  dropped %ld\n",
	       what, n, size, secs, (double)n / secs, lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3, lat[n - 1] / 1e3,
	       atomic_load(&sh->missed));
	return 0;
}

/* The reader, a child reading rfd; the writer here, on wfd. */
static int run(int rfd, int wfd, const char *prefix, const char *suffix, const char *what)
{
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(wfd);
		reader(rfd);
		_exit(0);
	}
	close(rfd);
	send_all(wfd, prefix, suffix);
	int status;
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		atomic_store(&sh->failed, 1);
	return report(what);
}

/* Publish probes until the subscription is in place (delivered >= 1). */
static void warm_up(int pub)
{
	static const char probe[] = "{\"method\":\"io.corral.Broker.Publish\",\"parameters\":"
				    "{\"topic\":\"bench\",\"data\":{\"probe\":1}}}";
	char buf[4096];
	for (int i = 0; i < 500; i++) {
		write_all(pub, probe, sizeof(probe));
		size_t len = 0;
		while (!memchr(buf, '\0', len)) {
			ssize_t n = read(pub, buf + len, sizeof(buf) - 1 - len);
			if (n <= 0)
				die("read the Publish reply");
			len += (size_t)n;
		}
		buf[len] = '\0';
		if (strstr(buf, "\"error\"")) {
			fprintf(stderr, "broker_bench: Publish: %s\n", buf);
			exit(1);
		}
		if (!strstr(buf, "\"delivered\":0"))
			return;
		usleep(10000);
	}
	fprintf(stderr, "broker_bench: the subscription never took a message\n");
	exit(1);
}

static void args(char **argv)
{
	count = atol(argv[0]);
	size = atol(argv[1]);
	window = atol(argv[2]);
	if (count <= 0 || size < 64 || size > 60000 || window <= 0) {
		fprintf(stderr, "broker_bench: COUNT > 0, 64 <= SIZE <= 60000, WINDOW > 0\n");
		exit(2);
	}
	/* shared with the reader: zeroed, and gone with both processes */
	sh = mmap(NULL, sizeof(*sh) + (size_t)count * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
}

/* Copy in to out until in ends: a relay that knows nothing of messages. */
static void relay(int in, int out)
{
	static char buf[1 << 16];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			write_all(out, buf, (size_t)n);
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "broker") == 0) {
		args(argv + 4);
		int pub = connect_to(argv[2]), sub = connect_to(argv[3]);
		static const char subscribe[] = "{\"method\":\"io.corral.Broker.Subscribe\",\"parameters\":"
						"{\"topics\":[\"bench\"]},\"more\":true}";
		write_all(sub, subscribe, sizeof(subscribe));
		warm_up(pub);
		return run(sub, pub,
			   "{\"method\":\"io.corral.Broker.Publish\",\"oneway\":true,\"parameters\":"
			   "{\"topic\":\"bench\",\"data\":",
			   "}}", "broker");
	}
	if (argc == 5 && strcmp(argv[1], "floor") == 0) {
		args(argv + 2);
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
			die("socketpair");
		return run(sp[1], sp[0], "{\"topic\":\"bench\",\"data\":", "}", "floor");
	}
	if (argc == 5 && strcmp(argv[1], "relay") == 0) {
		args(argv + 2);
		int a[2], b[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) < 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b) < 0)
			die("socketpair");
		pid_t r = fork();
		if (r < 0)
			die("fork");
		if (r == 0) {
			close(a[0]);
			close(b[1]);
			relay(a[1], b[0]);
			_exit(0);
		}
		close(a[1]);
		close(b[0]);
		int rc = run(b[1], a[0], "{\"topic\":\"bench\",\"data\":", "}", "relay");
		close(a[0]);
		struct rusage ru;
		if (wait4(r, NULL, 0, &ru) == r && rc == 0) /* beside corrald's CPU a message */
			printf("relay CPU %.0f ns/msg\n",
			       ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
				(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3) / (double)count);
		return rc;
	}
	fprintf(stderr, "usage: broker_bench broker PUB_SOCK SUB_SOCK COUNT SIZE WINDOW\n"
			"       broker_bench floor COUNT SIZE WINDOW\n"
			"       broker_bench relay COUNT SIZE WINDOW\n");
	return 2;
}
