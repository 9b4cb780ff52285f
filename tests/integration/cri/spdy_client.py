"""A SPDY/3.1 client of the Kubernetes streaming protocols, as kubectl's
(client-go's remotecommand over moby/spdystream) speaks them to a
runtime's streaming server: the URL that the CRI's Exec or Attach
answered, an HTTP/1.1 upgrade to SPDY/3.1 with the subprotocols offered in
X-Stream-Protocol-Version, then one SPDY stream per channel (error, stdin,
stdout, stderr, resize), each opened by the client with its "streamtype"
header. Headers go zlib-compressed over SPDY/3's dictionary, one zlib
stream each way.

    stream_exec(url, stdin=b"...", tty=False, size=(rows, cols))
        -> {"protocol", "stdout", "stderr", "status" (the error stream's
            text), "exit" (from a v4 Status), "frames" (kinds seen)}
"""
import json
import socket
import struct
import threading
import time
import urllib.parse
import zlib

SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FIN = 0x01
PROTOCOLS = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]
_WORDS = ("options head post put delete trace accept accept-charset accept-encoding accept-language "
          "accept-ranges age allow authorization cache-control connection content-base content-encoding "
          "content-language content-length content-location content-md5 content-range content-type date etag "
          "expect expires from host if-match if-modified-since if-none-match if-range if-unmodified-since "
          "last-modified location max-forwards pragma proxy-authenticate proxy-authorization range referer "
          "retry-after server te trailer transfer-encoding upgrade user-agent vary via warning www-authenticate "
          "method get status").split() + ["200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
                                          "keep-alive", "origin"]
_TAIL = (b"100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
         b"203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
         b"403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
         b"Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
         b"chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
         b"text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.")
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _WORDS) + _TAIL
assert zlib.adler32(DICTIONARY) == 0xe3c6a7c2


class Session:
    def __init__(self, sock):
        self.sock = sock
        self.z_out = zlib.compressobj(9, zdict=DICTIONARY)
        self.z_in = zlib.decompressobj(zdict=DICTIONARY)
        self.next_id = 1
        self.lock = threading.Lock()
        self.data = {}        # stream id -> bytes
        self.ended = set()    # stream ids the server ended (FIN or RST)
        self.replied = set()
        self.frames = []      # kinds of control frames seen
        self.cond = threading.Condition()
        self.closed = False
        self.buf = b""
        self.counts = {}         # stream id -> bytes received
        self.count_only = False  # a benchmark's: the bytes counted, not kept

    def _send(self, b):
        with self.lock:
            self.sock.sendall(b)

    def _control(self, kind, flags, payload):
        self._send(struct.pack(">HHI", 0x8000 | 3, kind, flags << 24 | len(payload)) + payload)

    def headers(self, h):
        block = struct.pack(">I", len(h)) + b"".join(
            struct.pack(">I", len(k)) + k.encode() + struct.pack(">I", len(v)) + v.encode() for k, v in h.items())
        return self.z_out.compress(block) + self.z_out.flush(zlib.Z_SYNC_FLUSH)

    def open(self, h, fin=False):
        sid = self.next_id
        self.next_id += 2
        self._control(SYN_STREAM, FIN if fin else 0, struct.pack(">IIH", sid, 0, 0) + self.headers(h))
        return sid

    def send(self, sid, data, fin=False):
        self._send(struct.pack(">II", sid, (FIN if fin else 0) << 24 | len(data)) + data)

    def read_loop(self):
        try:
            while True:
                while len(self.buf) < 8 or len(self.buf) < 8 + (struct.unpack(">I", self.buf[4:8])[0] & 0xffffff):
                    more = self.sock.recv(65536)
                    if not more:
                        return
                    self.buf += more
                head, length = self.buf[:8], struct.unpack(">I", self.buf[4:8])[0] & 0xffffff
                flags, payload = self.buf[4], self.buf[8:8 + length]
                self.buf = self.buf[8 + length:]
                with self.cond:
                    if head[0] & 0x80:
                        self._on_control(struct.unpack(">H", head[2:4])[0], flags, payload)
                    else:
                        sid = struct.unpack(">I", head[:4])[0] & 0x7fffffff
                        self.counts[sid] = self.counts.get(sid, 0) + len(payload)
                        if not self.count_only:
                            self.data[sid] = self.data.get(sid, b"") + payload
                        if flags & FIN:
                            self.ended.add(sid)
                    self.cond.notify_all()
        except OSError:
            return
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def _on_control(self, kind, flags, payload):
        self.frames.append(kind)
        if kind == SYN_REPLY:
            sid = struct.unpack(">I", payload[:4])[0] & 0x7fffffff
            self.z_in.decompress(payload[4:])  # the zlib stream goes on, its headers unread
            self.replied.add(sid)
            if flags & FIN:
                self.ended.add(sid)
        elif kind == SYN_STREAM:
            self.z_in.decompress(payload[10:])
        elif kind == HEADERS:
            self.z_in.decompress(payload[4:])
        elif kind == RST_STREAM:
            self.ended.add(struct.unpack(">I", payload[:4])[0] & 0x7fffffff)
        elif kind == PING and struct.unpack(">I", payload[:4])[0] % 2 == 0:
            self._control(PING, 0, payload)  # the server's (even): an odd one answers ours

    def wait(self, pred, secs=30):
        end = time.time() + secs
        with self.cond:
            while not pred() and not self.closed and time.time() < end:
                self.cond.wait(0.1)
            return pred()


def upgrade(url, protocols=PROTOCOLS):
    """The socket after 101, and the protocol the server chose"""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port or 80), timeout=30)
    req = "POST %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" % (u.path, u.netloc)
    req += "".join("X-Stream-Protocol-Version: %s\r\n" % p for p in protocols) + "\r\n"
    s.sendall(req.encode())
    chosen = read_101(s).get("x-stream-protocol-version", "")
    s.settimeout(None)
    return s, chosen


def read_101(s):
    """the server's answer to an upgrade: its 101's headers (names in lower
    case), or ConnectionError"""
    head = b""
    while b"\r\n\r\n" not in head:
        more = s.recv(1)  # one byte at a time: what follows the head is the protocol's
        if not more:
            raise ConnectionError("the server closed before its answer: %r" % head)
        head += more
    lines = head.decode(errors="replace").split("\r\n")
    if " 101 " not in lines[0] + " ":
        raise ConnectionError("not upgraded: %s" % lines[0])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    return headers


def stream_exec(url, stdin=None, tty=False, size=None, stdout=True, stderr=True, secs=60, knock=None,
                end_after=None):
    """knock: (probe, answer): before stdin, the probe is typed again and
    again until the answer shows on stdout, as a person at an attach types
    until the container answers (its answers are left out of stdout).
    end_after: {"stdout": text, "stderr": text}: stdin is ended once these
    show, as that person reads the answer before ^D (containerd's attach
    stops copying stdout and stderr once its stdin ends)."""
    s, proto = upgrade(url)
    sess = Session(s)
    t = threading.Thread(target=sess.read_loop, daemon=True)
    t.start()
    ids = {"error": sess.open({"streamtype": "error"})}
    if stdin is not None:
        ids["stdin"] = sess.open({"streamtype": "stdin"})
    if stdout:
        ids["stdout"] = sess.open({"streamtype": "stdout"})
    if stderr and not tty:
        ids["stderr"] = sess.open({"streamtype": "stderr"})
    if tty and proto in ("v4.channel.k8s.io", "v3.channel.k8s.io"):
        ids["resize"] = sess.open({"streamtype": "resize"})
    replied = sess.wait(lambda: all(i in sess.replied for i in ids.values()), secs)
    if tty and size and "resize" in ids:
        sess.send(ids["resize"], json.dumps({"Width": size[1], "Height": size[0]}).encode())
    if stdin is not None:
        if knock:
            probe, answer = knock
            for _ in range(int(secs / 0.2)):
                sess.send(ids["stdin"], probe)
                if sess.wait(lambda: answer in sess.data.get(ids["stdout"], b""), 0.2):
                    break
        if stdin:
            sess.send(ids["stdin"], stdin)
        if end_after:
            sess.wait(lambda: all(v in sess.data.get(ids[k], b"") for k, v in end_after.items()), secs)
        sess.send(ids["stdin"], b"", fin=True)
    sess.wait(lambda: ids["error"] in sess.ended and all(ids[k] in sess.ended for k in ("stdout", "stderr") if k in ids),
              secs)
    s.close()
    t.join(5)
    status = sess.data.get(ids["error"], b"").decode(errors="replace")
    code = exit_code(status, proto)
    got = sess.data.get(ids.get("stdout"), b"")
    if knock:
        got = b"".join(ln for ln in got.splitlines(True) if ln.rstrip(b"\n") != knock[1])
    return {"protocol": proto, "replied": replied, "stdout": got,
            "stderr": sess.data.get(ids.get("stderr"), b""), "status": status, "exit": code}


def exit_code(status, protocol):
    """the exit code an error stream's last word says: v4's (and v5's) Status
    names it (ExitCode); the older ones say no more than that it failed"""
    if not status or protocol not in ("v4.channel.k8s.io", "v5.channel.k8s.io", "v4.base64.channel.k8s.io"):
        return 0
    st = json.loads(status)
    code = None if st.get("status") == "Success" else -1
    for cause in st.get("details", {}).get("causes", []):
        if cause.get("reason") == "ExitCode":
            code = int(cause.get("message"))
    return 0 if code is None else code


def port_forward(url, requests, secs=30, close_error=True, count_only=False, hold_open=False):
    """kubectl port-forward's streams over one connection: for each
    (port, bytes) an error and a data stream (requestid i); the bytes sent,
    then the data stream closed as kubectl closes it at its local EOF (with
    hold_open, once the server has ended its side).
    -> [{"data", "error", "ended"}] in the requests' order"""
    s, proto = upgrade(url, ["portforward.k8s.io"])
    sess = Session(s)
    sess.count_only = count_only
    t = threading.Thread(target=sess.read_loop, daemon=True)
    t.start()
    ids = []
    for i, (port, _) in enumerate(requests):
        h = {"port": str(port), "requestid": str(i)}
        # kubectl closes its side of the error stream at once: it only reads it
        e = sess.open(dict(h, streamtype="error"), fin=close_error)
        ids.append((e, sess.open(dict(h, streamtype="data"))))
    sess.wait(lambda: all(e in sess.replied and d in sess.replied for e, d in ids), secs)
    for (e, d), (_, payload) in zip(ids, requests):
        if payload:
            sess.send(d, payload)
        if not hold_open:
            sess.send(d, b"", fin=True)
    if hold_open:  # as a client that keeps its side open till the answer has come (curl through kubectl)
        sess.wait(lambda: all(d in sess.ended for _, d in ids), secs)
        for _, d in ids:
            sess.send(d, b"", fin=True)
    sess.wait(lambda: all(e in sess.ended and d in sess.ended for e, d in ids), secs)
    s.shutdown(socket.SHUT_RDWR)  # the server keeps the connection: its reader wakes
    s.close()
    t.join(5)
    return [{"data": sess.data.get(d, b""), "error": sess.data.get(e, b"").decode(errors="replace"),
             "ended": e in sess.ended and d in sess.ended, "bytes": sess.counts.get(d, 0)} for e, d in ids]
