#!/usr/bin/python3
# A hostile build context for POST /build, made here and sent raw over the
# Docker socket, so that what the docker CLI would never send reaches
# corral: entries with "..", absolute paths, symlinks out of the context,
# a Dockerfile path outside it, a gzip bomb.
#   build_context.py SOCK KIND [QUERY]
# prints the answer's body; exits 0.
import http.client, io, json, socket, sys, tarfile, gzip

class Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

def add(t, name, data=b"", kind=tarfile.REGTYPE, link=""):
    i = tarfile.TarInfo(name)
    i.type = kind
    i.linkname = link
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    i.mode = 0o644 if kind != tarfile.DIRTYPE else 0o755
    t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

sock, kind = sys.argv[1], sys.argv[2]
query = sys.argv[3] if len(sys.argv) > 3 else ""
buf = io.BytesIO()
if kind == "bomb":  # 256 MiB of zeros in a file, a few hundred KiB gzipped
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        add(t, "Dockerfile", b"FROM busybox:latest\nCOPY zeros /\n")
        i = tarfile.TarInfo("zeros")
        i.size = 256 << 20
        class Zeros(io.RawIOBase):
            left = 256 << 20
            def readinto(self, b):
                n = min(len(b), self.left)
                b[:n] = bytes(n)
                self.left -= n
                return n
        t.addfile(i, Zeros())
    body = gzip.compress(raw.getvalue(), compresslevel=9)
else:
    with tarfile.open(fileobj=buf, mode="w") as t:
        if kind == "escape":  # entries that climb, or start at /
            add(t, "Dockerfile", b"FROM busybox:latest\nCOPY . /ctx/\n")
            add(t, "../../../../../../tmp/corral-escaped", b"out")
            add(t, "/tmp/corral-escaped-abs", b"out")
            add(t, "sub/../../../corral-escaped-up", b"out")
        elif kind == "links":  # symlinks out of the context, named and walked
            add(t, "Dockerfile", b"FROM busybox:latest\nCOPY . /ctx/\n")
            add(t, "shadow", kind=tarfile.SYMTYPE, link="/etc/shadow")
            add(t, "up", kind=tarfile.SYMTYPE, link="../../../../../../etc")
        elif kind == "follow":  # COPY a name whose path goes through a link out
            add(t, "Dockerfile", b"FROM busybox:latest\nCOPY up/shadow /stolen\n")
            add(t, "up", kind=tarfile.SYMTYPE, link="../../../../../../etc")
        elif kind == "dockerfile-outside":
            add(t, "Dockerfile", b"FROM busybox:latest\n")
    body = buf.getvalue()
c = Unix(sock)
c.request("POST", "/v1.41/build?" + query, body=body, headers={"Content-Type": "application/x-tar"})
r = c.getresponse()
sys.stdout.write("%d\n" % r.status)
sys.stdout.write(r.read().decode(errors="replace"))
