"""A WebSocket client of the Kubernetes channel protocols (RFC 6455, as
client-go's WebSocket executor and the API server's translator speak them
to a runtime's streaming server): the URL that the CRI's Exec or Attach
answered, an upgrade offering a subprotocol, then binary messages whose
first byte is the channel (0 stdin, 1 stdout, 2 stderr, 3 error,
4 resize), or for base64.channel.k8s.io text ones with the channel's digit
and the bytes in base64; v5 closes stdin with (255, 0).

    stream_exec_ws(url, protocol, stdin=b"...", tty=False, size=(rows, cols))
        -> {"protocol", "stdout", "stderr", "status", "exit", "first"}
"""
import base64
import hashlib
import json
import os
import socket
import struct
import time
import urllib.parse

import spdy_client


def _frame(opcode, payload):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i & 3] for i, b in enumerate(payload))


def connect(url, protocol):
    """the socket after 101, and the subprotocol the server chose"""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port or 80), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Protocol: %s\r\n\r\n"
               % (u.path, u.netloc, key, protocol)).encode())
    h = spdy_client.read_101(s)
    want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    if h.get("sec-websocket-accept") != want:
        raise ConnectionError("Sec-WebSocket-Accept %r, not %r" % (h.get("sec-websocket-accept"), want))
    chosen = h.get("sec-websocket-protocol", "")
    return s, chosen


class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""

    def _need(self, n):
        while len(self.buf) < n:
            more = self.s.recv(65536)
            if not more:
                raise EOFError
            self.buf += more

    def message(self):
        """(opcode, payload) of the next whole message"""
        data, op = b"", None
        while True:
            self._need(2)
            fin, opcode, n = self.buf[0] & 0x80, self.buf[0] & 0x0f, self.buf[1] & 0x7f
            hl = 2
            if n == 126:
                self._need(4)
                n, hl = struct.unpack(">H", self.buf[2:4])[0], 4
            elif n == 127:
                self._need(10)
                n, hl = struct.unpack(">Q", self.buf[2:10])[0], 10
            self._need(hl + n)
            payload, self.buf = self.buf[hl:hl + n], self.buf[hl + n:]
            if opcode in (8, 9, 10):
                return opcode, payload
            op = op if opcode == 0 else opcode
            data += payload
            if fin:
                return op, data


def stream_exec_ws(url, protocol="v4.channel.k8s.io", stdin=None, tty=False, size=None, secs=60):
    s, chosen = connect(url, protocol)
    b64 = "base64" in chosen

    def send(ch, data):
        if b64:
            s.sendall(_frame(1, str(ch).encode() + base64.b64encode(data)))
        else:
            s.sendall(_frame(2, bytes([ch]) + data))
    rd = Reader(s)
    s.settimeout(secs)
    got = {1: b"", 2: b"", 3: b""}
    first = None
    if tty and size:
        send(4, json.dumps({"Width": size[1], "Height": size[0]}).encode())
    if stdin is not None:
        if stdin:
            send(0, stdin)
        if chosen == "v5.channel.k8s.io":
            send(255, b"\x00")
    end = time.time() + secs
    try:
        while time.time() < end:
            op, p = rd.message()
            if op == 8:
                break
            if op not in (1, 2) or not p:
                continue
            if b64:
                ch, data = int(chr(p[0])), base64.b64decode(p[1:])
            else:
                ch, data = p[0], p[1:]
            if first is None:
                first = (ch, data)
            got[ch] = got.get(ch, b"") + data
    except (EOFError, OSError):
        pass
    try:
        s.sendall(_frame(8, struct.pack(">H", 1000)))
    except OSError:
        pass
    s.close()
    status = got[3].decode(errors="replace")
    code = spdy_client.exit_code(status, chosen)
    return {"protocol": chosen, "stdout": got[1], "stderr": got[2], "status": status, "exit": code, "first": first}
