/* Seed corpus for fuzz_stream_conn: a kubelet's exec over SPDY/3.1 (its
 * streams opened with compressed header blocks, stdin's data and end, a
 * ping, settings, a window update, a reset, a goaway), a port-forward's
 * pair of streams, and an exec over each WebSocket protocol (masked frames,
 * a fragmented message, a ping, v5's channel close, a close). The first
 * byte is the fuzzer's pick (wire, protocol, what was granted). */
#include <stdio.h>
#include <string.h>

#include "supervisor/stream/spdy_frame.h"
#include "supervisor/stream/spdy_headers.h"
#include "common/cleanup.h"
#include "fuzz_seeds.h"

static int syn(strbuf *out, spdy_zlib *z, uint32_t id, const spdy_header *h, size_t n, uint8_t flags)
{
	_cleanup_strbuf_ strbuf p = STRBUF_INIT;
	uint8_t head[10] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
	if (sb_add(&p, head, sizeof(head)) < 0 || spdy_headers_encode(z, h, n, &p) < 0)
		return -1;
	return spdy_put_control(out, SPDY_SYN_STREAM, flags, p.buf, p.len);
}

static int stream_of(strbuf *out, spdy_zlib *z, uint32_t id, const char *type, uint8_t flags)
{
	spdy_header h[] = { { (char *)"streamtype", (char *)type } };
	return syn(out, z, id, h, 1, flags);
}

static int spdy_exec(strbuf *out)
{
	_cleanup_(spdy_zlib_release) spdy_zlib z = { 0 };
	uint8_t hdrs[4] = { 0, 0, 0, 1 };
	return sb_add(out, "\xe1", 1) < 0 || stream_of(out, &z, 1, "error", 0) < 0 ||
	       stream_of(out, &z, 3, "stdin", 0) < 0 || stream_of(out, &z, 5, "stdout", 0) < 0 ||
	       stream_of(out, &z, 7, "resize", 0) < 0 || spdy_put_data(out, 3, 0, "hello\n", 6) < 0 ||
	       spdy_put_data(out, 7, 0, "{\"Width\":80,\"Height\":24}", 24) < 0 || spdy_put_ping(out, 1) < 0 ||
	       spdy_put_settings(out, SPDY_SETTINGS_INITIAL_WINDOW, 1 << 20) < 0 ||
	       spdy_put_window_update(out, 3, 4096) < 0 || spdy_put_control(out, SPDY_HEADERS, 0, hdrs, 4) < 0 ||
	       spdy_put_data(out, 3, SPDY_FLAG_FIN, "", 0) < 0 || spdy_put_rst(out, 5, SPDY_CANCEL) < 0 ||
	       spdy_put_goaway(out, 7, 0) < 0
		       ? -1
		       : 0;
}

static int spdy_port_forward(strbuf *out)
{
	_cleanup_(spdy_zlib_release) spdy_zlib z = { 0 };
	spdy_header err[] = { { (char *)"streamtype", (char *)"error" }, { (char *)"port", (char *)"80" },
			      { (char *)"requestid", (char *)"0" } };
	spdy_header data[] = { { (char *)"streamtype", (char *)"data" }, { (char *)"port", (char *)"80" },
			       { (char *)"requestid", (char *)"0" } };
	return sb_add(out, "\0", 1) < 0 || syn(out, &z, 1, err, 3, 0) < 0 || syn(out, &z, 3, data, 3, 0) < 0 ||
			       spdy_put_data(out, 3, SPDY_FLAG_FIN, "GET / HTTP/1.0\r\n\r\n", 18) < 0
		       ? -1
		       : 0;
}

/* one masked frame of the client's */
static int ws_frame(strbuf *out, uint8_t first, const void *p, size_t n)
{
	static const uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	uint8_t h[2] = { first, (uint8_t)(0x80 | n) }; /* n < 126 */
	if (sb_add(out, h, 2) < 0 || sb_add(out, mask, 4) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = ((const uint8_t *)p)[i] ^ mask[i & 3];
		if (sb_add(out, &b, 1) < 0)
			return -1;
	}
	return 0;
}

static int ws_exec(strbuf *out, const char *pick)
{
	return sb_add(out, pick, 1) < 0 || ws_frame(out, 0x82, "\0hello\n", 7) < 0 ||
			       ws_frame(out, 0x02, "\0frag", 5) < 0 || ws_frame(out, 0x80, "mented\n", 7) < 0 ||
			       ws_frame(out, 0x82, "\4{\"Width\":80,\"Height\":24}", 25) < 0 ||
			       ws_frame(out, 0x89, "ping", 4) < 0 || ws_frame(out, 0x82, "\xff\0", 2) < 0 ||
			       ws_frame(out, 0x88, "\x03\xe8", 2) < 0
		       ? -1
		       : 0;
}

static int ws_base64(strbuf *out)
{
	return sb_add(out, "\xe3", 1) < 0 || ws_frame(out, 0x81, "0aGVsbG8K", 9) < 0 ||
			       ws_frame(out, 0x81, "4eyJXaWR0aCI6ODB9", 17) < 0 || ws_frame(out, 0x88, "", 0) < 0
		       ? -1
		       : 0;
}

static int write_seed(const char *dir, const char *name, const strbuf *sb)
{
	return seed_put(dir, name, sb->buf, sb->len);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	_cleanup_strbuf_ strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT, d = STRBUF_INIT, e = STRBUF_INIT;
	if (spdy_exec(&a) < 0 || spdy_port_forward(&b) < 0 || ws_exec(&c, "\xe2") < 0 || ws_exec(&d, "\xe5") < 0 ||
	    ws_base64(&e) < 0)
		return 1;
	return write_seed(argv[1], "spdy-exec", &a) < 0 || write_seed(argv[1], "spdy-port-forward", &b) < 0 ||
			       write_seed(argv[1], "ws-v4", &c) < 0 || write_seed(argv[1], "ws-v5", &d) < 0 ||
			       write_seed(argv[1], "ws-base64", &e) < 0
		       ? 1
		       : 0;
}
