/* kubelet's relist as a compiled client makes it, for the CRI benchmark:
 * ListPodSandbox then ListContainers on one HTTP/2 connection (nghttp2),
 * each answer read whole and its gRPC status checked, not decoded. Its own
 * cost is next to nothing, so the time is the runtime's and the
 * connection's, as kubelet (Go) sees it rather than a Python client.
 *   cri_relist SOCKET ROUNDS
 * prints "relist MEDIAN MIN MAX" and "floor MEDIAN MIN MAX" (two Version
 * calls a round), in seconds, after 5 rounds unmeasured. */
#include <nghttp2/nghttp2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define WARM_UP 5

static int fd;
static bool done, ok;
static size_t got;

static void die(const char *what)
{
	fprintf(stderr, "cri_relist: %s\n", what);
	exit(1);
}

static ssize_t on_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *u)
{
	ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
	return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len, void *u)
{
	got += len;
	return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl, const uint8_t *value,
		     size_t vl, uint8_t flags, void *u)
{
	if (nl == 11 && !memcmp(name, "grpc-status", 11))
		ok = vl == 1 && value[0] == '0';
	return 0;
}

static int on_close(nghttp2_session *s, int32_t id, uint32_t code, void *u)
{
	done = true;
	return 0;
}

/* the request body: a gRPC message of nothing (an empty request) */
static ssize_t body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags, nghttp2_data_source *src,
		    void *u)
{
	memset(buf, 0, 5);
	*flags |= NGHTTP2_DATA_FLAG_EOF;
	return 5;
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, NGHTTP2_NV_FLAG_NONE }

static void call(nghttp2_session *s, const char *path)
{
	nghttp2_nv h[] = { NV(":method", "POST"), NV(":scheme", "http"), NV(":authority", "localhost"),
			   { (uint8_t *)":path", (uint8_t *)path, 5, strlen(path), NGHTTP2_NV_FLAG_NONE },
			   NV("content-type", "application/grpc"), NV("te", "trailers") };
	nghttp2_data_provider p = { .read_callback = body };
	done = ok = false;
	if (nghttp2_submit_request(s, NULL, h, sizeof(h) / sizeof(*h), &p, NULL) < 0 || nghttp2_session_send(s) != 0)
		die("send");
	while (!done) {
		uint8_t buf[65536];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0 || nghttp2_session_mem_recv(s, buf, (size_t)n) < 0 || nghttp2_session_send(s) != 0)
			die("the connection ended");
	}
	if (!ok)
		die(path);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void summary(const char *what, double *xs, int n)
{
	qsort(xs, (size_t)n, sizeof(*xs), cmp);
	printf("%s %.6f %.6f %.6f\n", what, n % 2 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2, xs[0], xs[n - 1]);
}

int main(int argc, char **argv)
{
	int rounds = argc == 3 ? atoi(argv[2]) : 0;
	if (rounds < 1)
		die("usage: cri_relist SOCKET ROUNDS");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect");
	nghttp2_session_callbacks *cb;
	nghttp2_session *s;
	nghttp2_session_callbacks_new(&cb);
	nghttp2_session_callbacks_set_send_callback(cb, on_send);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	nghttp2_session_client_new(&s, cb, NULL);
	nghttp2_session_callbacks_del(cb);
	/* a window as large as gRPC's clients open, so no answer waits on one */
	nghttp2_settings_entry set[] = { { NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 24 } };
	nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, set, 1);
	nghttp2_session_set_local_window_size(s, NGHTTP2_FLAG_NONE, 0, 1 << 24);
	double *relist = calloc((size_t)rounds, sizeof(double)), *floor = calloc((size_t)rounds, sizeof(double));
	for (int i = -WARM_UP; i < rounds; i++) {
		double t0 = now();
		call(s, "/runtime.v1.RuntimeService/ListPodSandbox");
		call(s, "/runtime.v1.RuntimeService/ListContainers");
		double t1 = now();
		call(s, "/runtime.v1.RuntimeService/Version");
		call(s, "/runtime.v1.RuntimeService/Version");
		if (i >= 0)
			relist[i] = t1 - t0, floor[i] = now() - t1;
	}
	summary("relist", relist, rounds);
	summary("floor", floor, rounds);
	fprintf(stderr, "cri_relist: %zu bytes read\n", got);
	nghttp2_session_del(s);
	return 0;
}
