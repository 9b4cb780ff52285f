#!/usr/bin/python3
"""A stand-in for corrald's CopyFrom (with its STAT frame, or that alone) and CopyTo, as
io.corral.Supervisor.varlink words them, to test corralctl cp on its own:
one varlink call with "upgrade", its reply, then Streams frames (1 byte
kind, 4 bytes big-endian length, payload).
The "container" is a directory. Usage: fake_copy_server.py SOCKET ROOT"""
import io
import json
import os
import socket
import struct
import sys
import tarfile

STDIN, STDOUT, STDERR, CLOSE_STDIN, EXIT, STAT = 0, 1, 2, 4, 5, 7


def frame(kind, data=b""):
    return struct.pack(">BI", kind, len(data)) + data


def read_exact(c, n):
    b = b""
    while len(b) < n:
        chunk = c.recv(n - len(b))
        if not chunk:
            raise EOFError
        b += chunk
    return b


def serve(c, root):
    buf = b""
    while b"\0" not in buf:
        chunk = c.recv(4096)
        if not chunk:
            return
        buf += chunk
    call = json.loads(buf.split(b"\0", 1)[0])
    method = call["method"].rsplit(".", 1)[1]
    p = call.get("parameters", {})
    if method not in ("CopyFrom", "CopyTo") or not call.get("upgrade"):
        c.sendall(json.dumps({"error": "org.varlink.service.MethodNotFound", "parameters": {}}).encode() + b"\0")
        return
    path = os.path.join(root, p["path"].lstrip("/"))
    c.sendall(b'{"parameters":{}}\0')
    if method == "CopyFrom":
        if not os.path.lexists(path):
            c.sendall(frame(STDERR, b"no such file or directory: " + p["path"].encode()) + frame(EXIT, struct.pack(">I", 1)))
            return
        if p.get("stat") or p.get("statOnly"):
            st = os.lstat(path)
            link = ""
            if os.path.islink(path):  # where it leads, in the root
                rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
                link = "/" if rel == "." else "/" + rel
            c.sendall(frame(STAT, json.dumps({"size": st.st_size, "mode": st.st_mode, "mtimeNs": st.st_mtime_ns,
                                              "linkTarget": link}).encode()))
        if p.get("statOnly"):  # the frame alone, no tar
            c.sendall(frame(EXIT, struct.pack(">I", 0)))
            return
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w") as t:
            t.add(path, arcname=os.path.basename(os.path.normpath(path)))
        data = out.getvalue()
        for i in range(0, len(data), 65536):
            c.sendall(frame(STDOUT, data[i:i + 65536]))
        c.sendall(frame(EXIT, struct.pack(">I", 0)))
        return
    data = b""
    while True:
        kind, n = struct.unpack(">BI", read_exact(c, 5))
        payload = read_exact(c, n)
        if kind == CLOSE_STDIN:
            break
        data += payload
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        t.extractall(path, filter="data")
    c.sendall(frame(EXIT, struct.pack(">I", 0)))


def main():
    sock, root = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX)
    s.bind(sock)
    s.listen(8)
    while True:
        c, _ = s.accept()
        with c:
            try:
                serve(c, root)
            except (EOFError, BrokenPipeError, ConnectionResetError):
                pass  # a client that has read enough (a STAT frame, say) hangs up


main()
