#!/usr/bin/python3
"""Hostile HTTP/2 against corral-cri, for tests/integration/test_cri_attacks.sh.

Frames are written by hand (struct), so that they are as wrong as an attacker
makes them. Header blocks sent are HPACK literals without indexing; answers
are decoded in full (static and dynamic table, Huffman), since nghttp2
indexes and Huffman-codes what it sends.

    h2_attack.py SOCK ATTACK [ARG] [--watch PID] [--hold]

ATTACK is one of the attack_* functions below, with dashes. Each prints one
JSON object: what the server did (GOAWAY's code and debug data, RST_STREAM
codes, grpc-status and grpc-message, whether the connection closed) and the
seconds it took. --watch PID adds "watch": the largest VmHWM (kB) and the CPU
(clock ticks) of PID's children named corral-cri, read while the connection
is still open. --hold keeps the connection open until stdin ends.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
FRAME_NAMES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
               "WINDOW_UPDATE", "CONTINUATION"]
END_STREAM = ACK = 0x1
END_HEADERS, PADDED, PRIORITY_FLAG = 0x4, 0x8, 0x20
ERRORS = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
          "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR",
          "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
MAX_MESSAGE = 16 << 20  # CRI_MAX_MESSAGE (supervisor/cri/cri.h)
VERSION = "/runtime.v1.RuntimeService/Version"
STATUS = "/runtime.v1.RuntimeService/Status"
LIST_CONTAINERS = "/runtime.v1.RuntimeService/ListContainers"
GRPC_CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
              "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
              "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


def error_name(code):
    return ERRORS[code] if code < len(ERRORS) else str(code)


# --- HPACK (RFC 7541) ---

STATIC = [(n.encode(), v.encode()) for n, v in [
    (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
    (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
    (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
    ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""),
    ("cache-control", ""), ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""),
    ("content-length", ""), ("content-location", ""), ("content-range", ""), ("content-type", ""),
    ("cookie", ""), ("date", ""), ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""),
    ("if-match", ""), ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""),
    ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""),
    ("proxy-authenticate", ""), ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""),
    ("retry-after", ""), ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""),
    ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", "")]]

# The Huffman code's lengths (Appendix B), symbol by symbol, as letters
# (A is 5 bits): the code is canonical, so the lengths make the codes.
HUFFMAN_LENGTHS = ("ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHF"
                   "IBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIX"
                   "PRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRS"
                   "VVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWV"
                   "Z")


def huffman_codes():
    lens = [ord(c) - ord("A") + 5 for c in HUFFMAN_LENGTHS]
    codes, code, prev = {}, 0, None
    for sym in sorted(range(257), key=lambda s: (lens[s], s)):
        if prev is not None:
            code = (code + 1) << (lens[sym] - prev)
        prev = lens[sym]
        codes[(lens[sym], code)] = sym
    return codes


HUFFMAN = huffman_codes()


def huffman_decode(b):
    out, code, n = bytearray(), 0, 0
    for byte in b:
        for i in range(7, -1, -1):
            code, n = code << 1 | (byte >> i) & 1, n + 1
            sym = HUFFMAN.get((n, code))
            if sym is not None:
                if sym == 256:
                    raise ValueError("EOS inside a Huffman string")
                out.append(sym)
                code = n = 0
    if n > 7 or code != (1 << n) - 1:
        raise ValueError("a Huffman string's padding is not EOS's prefix")
    return bytes(out)


def hp_int(v, bits, first=0):
    m = (1 << bits) - 1
    if v < m:
        return bytes([first | v])
    out, v = [first | m], v - m
    while v >= 128:
        out.append(v % 128 + 128)
        v //= 128
    return bytes(out + [v])


def hp_encode(headers):
    """literal header fields without indexing, new names, no Huffman"""
    return b"".join(b"\x00" + hp_int(len(n), 7) + n + hp_int(len(v), 7) + v for n, v in headers)


class Hpack:
    """a decoder: the server's dynamic table is followed as it indexes"""

    def __init__(self):
        self.table, self.max = [], 4096

    def _int(self, b, i, bits):
        m = (1 << bits) - 1
        v, i = b[i] & m, i + 1
        if v < m:
            return v, i
        shift = 0
        while True:
            c, i = b[i], i + 1
            v += (c & 127) << shift
            shift += 7
            if not c & 128:
                return v, i

    def _str(self, b, i):
        huff = b[i] & 128
        n, i = self._int(b, i, 7)
        s = bytes(b[i:i + n])
        return (huffman_decode(s) if huff else s), i + n

    def _get(self, idx):
        if 1 <= idx <= len(STATIC):
            return STATIC[idx - 1]
        return self.table[idx - len(STATIC) - 1]

    def _evict(self):
        while self.table and sum(len(n) + len(v) + 32 for n, v in self.table) > self.max:
            self.table.pop()

    def decode(self, b):
        out, i = [], 0
        while i < len(b):
            c = b[i]
            if c & 0x80:
                idx, i = self._int(b, i, 7)
                out.append(self._get(idx))
                continue
            if c & 0xe0 == 0x20:
                self.max, i = self._int(b, i, 5)
                self._evict()
                continue
            indexing = c & 0x40
            idx, i = self._int(b, i, 6 if indexing else 4)
            if idx:
                name = self._get(idx)[0]
            else:
                name, i = self._str(b, i)
            value, i = self._str(b, i)
            out.append((name, value))
            if indexing:
                self.table.insert(0, (name, value))
                self._evict()
        return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in out]


# --- frames and a connection ---

def frame(ftype, flags, sid, payload=b"", length=None):
    n = len(payload) if length is None else length
    return struct.pack(">I", n)[1:] + struct.pack(">BBI", ftype, flags, sid & 0x7fffffff) + payload


def request(path, extra=(), authority="corral", method="POST"):
    return hp_encode([(b":method", method.encode()), (b":scheme", b"http"), (b":path", path.encode()),
                      (b":authority", authority.encode()), (b"content-type", b"application/grpc"), (b"te", b"trailers")]
                     + [(n.encode(), v.encode()) for n, v in extra])


def grpc_message(body, flag=0, claim=None):
    return struct.pack(">BI", flag, len(body) if claim is None else claim) + body


def varint(v):
    out = bytearray()
    while v >= 128:
        out.append(v & 127 | 128)
        v >>= 7
    return bytes(out + bytes([v]))


class Conn:
    def __init__(self, path, rcvbuf=None):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(5)  # a send the server does not take
        self.s.connect(path)
        self.t0 = time.monotonic()
        self.buf, self.block, self.dec = b"", None, Hpack()
        self.streams, self.goaway, self.closed, self.closed_at = {}, None, False, None
        self.frames, self.rsts = {}, {}
        self.settings_seen, self.auto_ack, self.next_id = False, True, 1
        self.conn_win, self.init_win, self.max_frame, self.win = 65535, 65535, 16384, {}
        self.send_blocked, self.send_failed = False, False

    def send(self, b):
        if self.closed or self.send_failed:
            return False
        try:
            self.s.sendall(b)
            return True
        except socket.timeout:
            self.send_blocked = True
            return False
        except OSError:  # EPIPE, ECONNRESET: the server is gone; what it said is still read
            self.send_failed = True
            return False

    def start(self, ack=True):
        self.auto_ack = ack
        return self.send(PREFACE + frame(SETTINGS, 0, 0))

    def new_stream(self):
        sid, self.next_id = self.next_id, self.next_id + 2
        return sid

    def stream(self, sid):
        return self.streams.setdefault(sid, {"data": b"", "ended": False})

    def pump(self, timeout):
        """read what comes within timeout (the first read), and what is there
        then (for a second at most: a server that sends for ever)"""
        wait, end = timeout, time.monotonic() + max(timeout, 1)
        while not self.closed and time.monotonic() < end:
            r, _, _ = select.select([self.s], [], [], wait)
            if not r:
                return
            wait = 0
            try:
                b = self.s.recv(1 << 20)
            except OSError:
                b = b""
            if not b:
                self.closed, self.closed_at = True, time.monotonic()
                return
            self.buf += b
            while len(self.buf) >= 9:
                n = struct.unpack(">I", b"\0" + self.buf[:3])[0]
                if len(self.buf) < 9 + n:
                    break
                t, flags, sid = struct.unpack(">BBI", self.buf[3:9])
                p, self.buf = self.buf[9:9 + n], self.buf[9 + n:]
                self.on_frame(t, flags, sid & 0x7fffffff, p)

    def until(self, cond, timeout):
        end = time.monotonic() + timeout
        while not cond() and not self.closed and time.monotonic() < end:
            self.pump(min(0.1, max(0, end - time.monotonic())))
        return cond()

    def reply(self, b):
        """a frame the protocol asks for; none once a send has blocked (the
        server then reads nothing of ours: waiting would only wait)"""
        return not self.send_blocked and self.send(b)

    def on_frame(self, t, flags, sid, p):
        name = FRAME_NAMES[t] if t < len(FRAME_NAMES) else str(t)
        self.frames[name] = self.frames.get(name, 0) + 1
        if t == SETTINGS and not flags & ACK:
            for i in range(0, len(p) - 5, 6):
                k, v = struct.unpack(">HI", p[i:i + 6])
                if k == 4:
                    for s in self.win:
                        self.win[s] += v - self.init_win
                    self.init_win = v
                elif k == 5:
                    self.max_frame = v
            self.settings_seen = True
            if self.auto_ack:
                self.reply(frame(SETTINGS, ACK, 0))
        elif t == PING and not flags & ACK:
            self.reply(frame(PING, ACK, 0, p))
        elif t == WINDOW_UPDATE:
            inc = struct.unpack(">I", p)[0] & 0x7fffffff
            if sid:
                self.win[sid] = self.win.get(sid, self.init_win) + inc
            else:
                self.conn_win += inc
        elif t == GOAWAY:
            last, code = struct.unpack(">II", p[:8])
            self.goaway = {"last": last & 0x7fffffff, "code": error_name(code),
                           "debug": p[8:].decode("utf-8", "replace"),
                           "secs": round(time.monotonic() - self.t0, 2)}
        elif t == RST_STREAM:
            code = error_name(struct.unpack(">I", p)[0])
            self.stream(sid)["rst"] = code
            self.rsts[code] = self.rsts.get(code, 0) + 1
        elif t in (HEADERS, CONTINUATION):
            if t == HEADERS:
                pad = p[0] if flags & PADDED else 0
                p = p[(1 if flags & PADDED else 0) + (5 if flags & PRIORITY_FLAG else 0):len(p) - pad]
                self.block = [sid, b"", flags]
            self.block[1] += p
            if flags & END_HEADERS:
                bsid, block, first = self.block
                self.block = None
                st = self.stream(bsid)
                st["trailers" if "headers" in st else "headers"] = self.dec.decode(block)
                if first & END_STREAM:
                    st["ended"] = True
        elif t == DATA:
            pad = p[0] if flags & PADDED else 0
            st = self.stream(sid)
            st["data"] += p[(1 if flags & PADDED else 0):len(p) - pad]
            if flags & END_STREAM:
                st["ended"] = True
            if p:  # give the window back, connection and stream
                inc = struct.pack(">I", len(p))
                self.reply(frame(WINDOW_UPDATE, 0, 0, inc) + frame(WINDOW_UPDATE, 0, sid, inc))

    def done(self, sid):
        st = self.streams.get(sid, {})
        return st.get("ended") or "rst" in st

    def result(self, sid):
        """the stream's end: grpc-status, grpc-message, RST_STREAM's code"""
        st = self.streams.get(sid, {})
        hdrs = dict(st.get("headers", []))
        hdrs.update(dict(st.get("trailers", [])))
        out = {}
        if "grpc-status" in hdrs:
            code = int(hdrs["grpc-status"])
            out["status"] = GRPC_CODES[code] if code < len(GRPC_CODES) else str(code)
            out["message"] = hdrs.get("grpc-message", "")
        if "rst" in st:
            out["rst"] = st["rst"]
        if not out:
            out["status"] = "none"
        if st.get("data"):
            out["data_bytes"] = len(st["data"])
        return out

    def headers(self, sid, block, end_stream=True):
        return self.send(frame(HEADERS, END_HEADERS | (END_STREAM if end_stream else 0), sid, block))

    def send_data(self, sid, data, end=True, timeout=60):
        """as flow control lets it; stopped when the server has answered"""
        self.win.setdefault(sid, self.init_win)
        off, end_at = 0, time.monotonic() + timeout
        while True:
            if self.done(sid) or self.closed or self.send_failed or self.goaway:
                return off
            n = min(len(data) - off, self.max_frame, self.conn_win, self.win[sid])
            if n <= 0 and off < len(data):
                if time.monotonic() > end_at:
                    return off
                self.pump(0.05)
                continue
            last = off + n == len(data)
            if not self.send(frame(DATA, END_STREAM if end and last else 0, sid, data[off:off + n])):
                return off
            off += n
            self.conn_win -= n
            self.win[sid] -= n
            if last:
                return off
            self.pump(0)

    def call(self, path, body=None, extra=(), timeout=20, **head):
        """one gRPC call: HEADERS, the body (if any), and its answer"""
        sid = self.new_stream()
        t = time.monotonic()
        self.headers(sid, request(path, extra, **head), end_stream=body is None)
        sent_all = body is None or self.send_data(sid, body) == len(body)
        self.until(lambda: self.done(sid), timeout)
        if not sent_all and self.streams.get(sid, {}).get("ended") and "rst" not in self.streams[sid]:
            # answered before the request ended: the client stops, as grpc's do
            self.send(frame(RST_STREAM, 0, sid, struct.pack(">I", 8)))
        out = self.result(sid)
        out["secs"] = round(time.monotonic() - t, 2)
        return out

    def summary(self):
        return {"closed": self.closed, "goaway": self.goaway, "frames": self.frames,
                "secs": round((self.closed_at or time.monotonic()) - self.t0, 2)}


def watch(parent):
    """corrald's corral-cri children: the largest VmHWM, their CPU, their count"""
    hwm = ticks = n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                st = f.read()
            comm, rest = st[st.index("(") + 1:st.rindex(")")], st[st.rindex(")") + 2:].split()
            if comm != "corral-cri" or int(rest[1]) != parent:
                continue
            with open("/proc/%s/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = max(hwm, int(line.split()[1]))
            ticks += int(rest[11]) + int(rest[12])
            n += 1
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return {"hwm_kb": hwm, "cpu_ticks": ticks, "procs": n}


# --- the attacks ---

def attack_garbage(a):
    """bytes that are not the client preface (an HTTP/1.1 request)"""
    c = Conn(a.sock)
    c.send(b"GET /runtime.v1.RuntimeService/Version HTTP/1.1\r\nHost: corral\r\n\r\n")
    c.until(lambda: c.closed, 10)
    return c, c.summary()


def attack_oversize_frame(a):
    """a frame that claims 16 MiB - 1, past SETTINGS_MAX_FRAME_SIZE (16384), of which 100 bytes come"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    c.send(frame(HEADERS, END_HEADERS, 1, b"\0" * 100, length=0xffffff))
    c.until(lambda: c.closed, 10)
    return c, c.summary()


def attack_bad_hpack(a):
    """a header block that indexes entry 0, which no table has"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    c.headers(1, request(VERSION)[:14] + b"\x80")  # :method POST, then index 0
    c.until(lambda: c.closed, 10)
    return c, c.summary()


def attack_continuation(a):
    """HEADERS without END_HEADERS, then CONTINUATION frames for ever (CVE-2024-27316's, -28182's pattern)"""
    n = int(a.arg or 100000)
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    c.send(frame(HEADERS, 0, 1, request(VERSION)))
    sent = 0
    cont = frame(CONTINUATION, 0, 1, hp_encode([(b"x-flood", b"a" * 100)]))
    while sent < n and not c.closed and not c.goaway and not c.send_blocked and not c.send_failed:
        if c.send(cont * 100):
            sent += 100
        c.pump(0)
    c.until(lambda: c.closed, 10)
    out = c.summary()
    out["continuations_sent"] = sent
    return c, out


def attack_claim_over(a):
    """a message whose prefix claims CRI_MAX_MESSAGE + 1 bytes, and no more of it"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    sid = c.new_stream()
    t = time.monotonic()
    c.headers(sid, request(VERSION), end_stream=False)
    c.send(frame(DATA, 0, sid, grpc_message(b"", claim=MAX_MESSAGE + 1)))
    c.until(lambda: c.done(sid), 10)
    out = c.result(sid)
    out["secs"] = round(time.monotonic() - t, 2)
    if not c.done(sid):
        c.send(frame(RST_STREAM, 0, sid, struct.pack(">I", 8)))
    out["then"] = c.call(VERSION)
    return c, out


def version_request(size):
    """a VersionRequest of exactly size bytes, packed (size past 2 MiB)"""
    k = size - 1 - len(varint(size))
    assert len(varint(k)) == len(varint(size))
    return b"\x0a" + varint(k) + b"v" * k


def attack_message(a):
    """a Version call whose message is ARG bytes (16777216: the bound; 16777217: past it)"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    out = c.call(VERSION, grpc_message(version_request(int(a.arg))), timeout=60)
    out["then"] = c.call(VERSION)
    return c, out


def attack_framing(a):
    """gRPC framing that is wrong, each on a stream of the same connection"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    out = {
        "not_protobuf": c.call(VERSION, grpc_message(b"\xff\xff\xff\xff\xff")),
        "compressed_flag": c.call(VERSION, grpc_message(b"\x0a\x02v1", flag=1)),
        "grpc_encoding_gzip": c.call(VERSION, grpc_message(b"\x0a\x02v1"), extra=[("grpc-encoding", "gzip")]),
        "short_prefix": c.call(VERSION, b"\0\0\0"),
        "two_messages": c.call(VERSION, grpc_message(b"\x0a\x02v1") * 2),
        "prefix_claims_more": c.call(VERSION, grpc_message(b"\x0a\x02v1", claim=100)),
        "unknown_method": c.call("/runtime.v1.RuntimeService/NoSuchThing"),
        "unknown_service": c.call("/evil.Service/Version"),
        "long_path": c.call("/" + "a" * 4000),
        "not_grpc": c.call(VERSION, grpc_message(b""), extra=[("content-type", "text/plain")]),
        # kubelet's and critest's (Go's gRPC dialing a path): not an
        # authority as RFC 3986 has it, and served all the same
        "socket_path_authority": c.call(VERSION, grpc_message(b""), authority=a.sock),
        "get_method": c.call(VERSION, grpc_message(b""), method="GET"),
        # proto3's strings are UTF-8: VersionRequest.version, and a label
        # selector's value in ListContainersRequest.filter
        "not_utf8": c.call(VERSION, grpc_message(b"\x0a\x02\xff\xfe")),
        "not_utf8_nested": c.call(LIST_CONTAINERS, grpc_message(b"\x0a\x09\x22\x07\x0a\x01k\x12\x02\xc0\xaf")),
    }
    out["then"] = c.call(VERSION)
    return c, out


def attack_unknown_fields(a):
    """a StatusRequest of ARG unknown fields (field 2, varint 1: 2 bytes each)"""
    n = int(a.arg)
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    out = c.call(STATUS, grpc_message(b"\x10\x01" * n), timeout=60)
    out["message_bytes"] = 2 * n
    out["then"] = c.call(VERSION)
    return c, out


def attack_headers(a):
    """header blocks past 64 KiB: many small fields, then one field of 80 KB; each stream's DATA follows"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    out = {}
    for what, fields in (("many_fields", [(b"x-h%d" % i, b"a" * 1000) for i in range(70)]),
                         ("one_field", [(b"x-" + b"n" * 40000, b"v" * 40000)])):
        sid = c.new_stream()
        block = request(VERSION) + hp_encode(fields)
        chunks = [block[i:i + 16384] for i in range(0, len(block), 16384)]
        wire = b"".join(frame(HEADERS if i == 0 else CONTINUATION, END_HEADERS if i == len(chunks) - 1 else 0,
                              sid, ch) for i, ch in enumerate(chunks))
        # the body right behind the headers, in the same write
        c.send(wire + frame(DATA, END_STREAM, sid, grpc_message(b"\x0a\x02v1" + b"x" * 1000)))
        c.until(lambda: c.done(sid), 10)
        out[what] = c.result(sid)
    out["then"] = c.call(VERSION)
    return c, out


def attack_streams(a):
    """ARG Version calls at once, sent before the server's SETTINGS is acknowledged"""
    n = int(a.arg)
    c = Conn(a.sock)
    c.start(ack=False)
    ids = [c.new_stream() for _ in range(n)]
    blocks = request(VERSION)
    c.send(b"".join(frame(HEADERS, END_HEADERS | END_STREAM, sid, blocks) for sid in ids))
    c.until(lambda: all(c.done(s) for s in ids), 30)
    res = [c.result(s) for s in ids]
    out = {"ok": sum(r.get("status") == "OK" for r in res), "refused": sum(r.get("rst") == "REFUSED_STREAM" for r in res)}
    out["other"] = [r for r in res if r.get("status") != "OK" and r.get("rst") != "REFUSED_STREAM"][:5]
    c.auto_ack = True
    c.send(frame(SETTINGS, ACK, 0))
    out["then"] = c.call(VERSION)
    out.update(c.summary())
    return c, out


def attack_streams_acked(a):
    """ARG Version calls at once, after the server's SETTINGS (MAX_CONCURRENT_STREAMS) is acknowledged"""
    n = int(a.arg)
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    c.until(lambda: False, 0.3)  # our ACK is in
    ids = [c.new_stream() for _ in range(n)]
    blocks = request(VERSION)
    c.send(b"".join(frame(HEADERS, END_HEADERS | END_STREAM, sid, blocks) for sid in ids))
    c.until(lambda: c.closed or all(c.done(s) for s in ids), 30)
    res = [c.result(s) for s in ids]
    out = {"ok": sum(r.get("status") == "OK" for r in res), "refused": sum(r.get("rst") == "REFUSED_STREAM" for r in res)}
    out["then"] = c.call(VERSION) if not c.closed and not c.goaway else None
    out.update(c.summary())
    return c, out


def attack_rapid_reset(a):
    """ARG times: a Version call's HEADERS, then RST_STREAM (CVE-2023-44487's pattern)"""
    n = int(a.arg)
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    blocks, sent = request(VERSION), 0
    while sent < n and not c.closed and not c.goaway and not c.send_blocked and not c.send_failed:
        batch = b""
        for _ in range(100):
            sid = c.new_stream()
            batch += frame(HEADERS, END_HEADERS | END_STREAM, sid, blocks) + frame(RST_STREAM, 0, sid, struct.pack(">I", 8))
        if c.send(batch):
            sent += 100
        c.pump(0)
    c.pump(0.3)
    if c.goaway:
        c.until(lambda: c.closed, 5)
    out = c.summary()
    out["resets_sent"] = sent
    out["then"] = c.call(VERSION) if not c.closed and not c.goaway else None
    return c, out


def no_read(a, ack):
    secs = float(a.arg)
    c = Conn(a.sock, rcvbuf=4096)
    c.s.settimeout(0.5)
    c.send(PREFACE + frame(SETTINGS, 0, 0) + (frame(SETTINGS, ACK, 0) if ack else b""))
    blocks, sent, blocked, end = request(VERSION), 0, 0, time.monotonic() + secs
    mid, watch_mid = time.monotonic() + secs / 2, None
    while time.monotonic() < end and not c.send_failed and c.next_id < 0x7ffffff0:
        if a.watch and watch_mid is None and time.monotonic() > mid:
            watch_mid = watch(a.watch)  # to compare with the end's: a plateau, or growth
        # 50 at a time, as answers would come: within the server's 128
        # while it can still send them
        c.send_blocked = False
        ids = [c.new_stream() for _ in range(50)]
        if c.send(b"".join(frame(HEADERS, END_HEADERS | END_STREAM, sid, blocks) for sid in ids)):
            sent += 50
        blocked += c.send_blocked
        time.sleep(0.01)
    return c, {"requests_sent": sent, "sends_blocked": blocked, "send_failed": c.send_failed, "watch_mid": watch_mid}


def attack_no_read(a):
    """Version calls for ARG seconds, never reading an answer (a receive
    buffer of 4 KiB); the server's SETTINGS acknowledged unread"""
    return no_read(a, True)


def attack_no_read_no_ack(a):
    """as no-read, the server's SETTINGS never acknowledged (its stream
    bound then refuses each stream past it, with a frame of its own)"""
    return no_read(a, False)


def attack_connections(a):
    """ARG connections at once, each with a Version call answered, all held"""
    conns, out = [], {"ok": 0, "refused": []}
    for i in range(int(a.arg)):
        c = Conn(a.sock)
        conns.append(c)
        c.start()
        r = c.call(VERSION, timeout=10)
        if r.get("status") == "OK":
            out["ok"] += 1
        else:
            out["refused"].append({"index": i + 1, "result": r, "goaway": c.goaway, "closed": c.closed})
    return conns, out


def attack_version(a):
    """one Version call (with --hold: a connection held, served)"""
    c = Conn(a.sock)
    c.start()
    out = c.call(VERSION, timeout=10)
    out["version"] = ""
    if out.get("status") == "OK":
        body = c.streams[1]["data"][5:]
        # VersionResponse: field 2 is runtime_name
        i = 0
        while i < len(body):
            tag, ln = body[i] >> 3, body[i + 1]
            if tag == 2:
                out["version"] = body[i + 2:i + 2 + ln].decode()
            i += 2 + ln
    out.update(c.summary())
    return c, out


def attack_timeouts(a):
    """grpc-timeout's values, well-formed and not, on Version (answered at
    once) and Status (asks corrald): each value's statuses counted, and its
    longest call; a deadline of nothing or next to it is tried 20 times
    (corrald's answer may come first)"""
    c = Conn(a.sock)
    c.start()
    c.until(lambda: c.settings_seen, 5)
    out = {}
    for path in (VERSION, STATUS):
        for v in ("1n", "0S", "0n", "1u", "30S", "99999999H", "abc", "1x", "", "S", "-1S", "123456789S", "1.5S"):
            statuses, secs = {}, 0
            for _ in range(20 if v in ("1n", "0S", "0n", "1u") else 1):
                r = c.call(path, extra=[("grpc-timeout", v)], timeout=10)
                st = r.get("status", "none")
                statuses[st] = statuses.get(st, 0) + 1
                secs = max(secs, r["secs"])
            out["%s %s" % (path.rsplit("/", 1)[1], v)] = {"statuses": statuses, "secs": secs}
    out["then"] = c.call(VERSION)
    return c, out


def pb_bytes(field, b):
    return bytes([field << 3 | 2]) + varint(len(b)) + b


def attack_zero_window(a):
    """ARG "CONTAINER,... N BYTES": N ExecSync calls at once in each
    container, each answering BYTES on stdout and BYTES on stderr, under a
    window of 0 (SETTINGS_INITIAL_WINDOW_SIZE 0): corral-cri's peak while
    it holds the answers the client cannot take, each call's status; then
    the window opens and what was held comes"""
    cids, n, size = a.arg.split()
    cids, size = cids.split(","), int(size)
    c = Conn(a.sock)
    c.auto_ack = True
    c.send(PREFACE + frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 0)))
    c.until(lambda: c.settings_seen, 5)
    script = "head -c {0} /dev/zero | tr '\\0' a; head -c {0} /dev/zero | tr '\\0' b >&2".format(size)
    cmd = b"".join(pb_bytes(2, w.encode()) for w in ("sh", "-c", script))
    bodies = [grpc_message(pb_bytes(1, cid.encode()) + cmd + bytes([3 << 3]) + varint(120))
              for cid in cids for _ in range(int(n))]
    sids = [c.new_stream() for _ in bodies]
    for sid, body in zip(sids, bodies):
        c.headers(sid, request("/runtime.v1.RuntimeService/ExecSync"), end_stream=False)
        c.send(frame(DATA, END_STREAM, sid, body))
    # each answered: the headers of an answer held, or a refusal's end
    c.until(lambda: all("headers" in c.streams.get(s, {}) for s in sids), 120)
    out = {"held": watch(a.watch) if a.watch else None}
    out["before"] = {"ended": sum(c.done(s) for s in sids), "data_bytes": sum(len(c.stream(s)["data"]) for s in sids)}
    c.send(frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 0x7fffffff)) +
           frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 0x7fffffff - 65535)))
    c.until(lambda: all(c.done(s) for s in sids), 120)
    statuses, messages, full = {}, set(), 0
    for s in sids:
        r = c.result(s)
        statuses[r.get("status", "none")] = statuses.get(r.get("status", "none"), 0) + 1
        if r.get("message"):
            messages.add(r["message"])
        full += r.get("status") == "OK" and r.get("data_bytes", 0) > 2 * size
    out.update({"statuses": statuses, "messages": sorted(messages), "ok_with_all_bytes": full})
    out["then"] = c.call(VERSION)
    return c, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sock")
    ap.add_argument("attack")
    ap.add_argument("arg", nargs="?")
    ap.add_argument("--watch", type=int)
    ap.add_argument("--hold", action="store_true")
    a = ap.parse_args()
    fn = globals().get("attack_" + a.attack.replace("-", "_"))
    if not fn:
        ap.error("no attack %s" % a.attack)
    t = time.monotonic()
    try:
        conn, out = fn(a)
    except OSError as e:  # the socket's own refusal, before corrald's
        print(json.dumps({"connect_error": e.strerror}), flush=True)
        return 0
    out["total_secs"] = round(time.monotonic() - t, 2)
    if a.watch:
        out["watch"] = watch(a.watch)
    print(json.dumps(out), flush=True)
    if a.hold:
        sys.stdin.read()
    for c in conn if isinstance(conn, list) else [conn]:
        c.s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
