#!/usr/bin/python3
# A client of CopyFrom and CopyTo that speaks the wire itself, so that the
# daemon's side is tested without corralctl: a varlink call with "upgrade",
# its reply, then Streams frames (1 byte kind, 4 bytes big-endian length,
# payload).
#   copy_stream.py SOCK from ID PATH >tar    the tar on stdout
#   copy_stream.py SOCK to ID PATH <tar      the tar from stdin
#   copy_stream.py SOCK to-overwrite ID PATH <tar   the same, with overwriteDirs
#   copy_stream.py SOCK stat ID PATH         CopyFrom's STAT frame alone
#   copy_stream.py SOCK stat-only ID PATH    the same, asked with statOnly:
#                                            a tar's frame is a failure (102)
# STDERR frames go to stderr; the exit code is the EXIT frame's (100 when
# the call failed, with its error on stderr).
import json, socket, struct, sys

STDIN, STDOUT, STDERR, CLOSE_STDIN, EXIT, STAT = 0, 1, 2, 4, 5, 7
path, way, cid, cpath = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(path)
method = "io.corral.Supervisor.Copy" + ("To" if way.startswith("to") else "From")
params = {"id": cid, "path": cpath}
if way == "stat":
    params["stat"] = True
if way == "stat-only":
    params["statOnly"] = True
if way == "to-overwrite":
    params["overwriteDirs"] = True
s.sendall(json.dumps({"method": method, "parameters": params, "upgrade": True}).encode() + b"\0")
buf = b""
while b"\0" not in buf:
    d = s.recv(65536)
    if not d:
        sys.stderr.write("copy_stream: closed before the reply\n")
        sys.exit(100)
    buf += d
msg, _, buf = buf.partition(b"\0")
rep = json.loads(msg)
if "error" in rep:
    sys.stderr.write("%s %s\n" % (rep["error"], json.dumps(rep.get("parameters", {}))))
    sys.exit(100)

def frame(kind, data=b""):
    s.sendall(struct.pack(">BI", kind, len(data)) + data)

if way.startswith("to"):
    try:
        while True:
            d = sys.stdin.buffer.read(65536)
            if not d:
                break
            frame(STDIN, d)
        frame(CLOSE_STDIN)
    except (BrokenPipeError, ConnectionResetError):
        pass  # it ended first (a target that is not there): its EXIT says why

while True:
    while len(buf) < 5:
        d = s.recv(65536)
        if not d:
            sys.stderr.write("copy_stream: the stream ended without EXIT\n")
            sys.exit(101)
        buf += d
    kind, n = struct.unpack(">BI", buf[:5])
    while len(buf) < 5 + n:
        d = s.recv(65536)
        if not d:
            sys.stderr.write("copy_stream: a frame was cut\n")
            sys.exit(101)
        buf += d
    data, buf = buf[5:5 + n], buf[5 + n:]
    if kind == STAT and way.startswith("stat"):
        sys.stdout.buffer.write(data + b"\n")
    elif kind == STDOUT and way == "stat-only":
        sys.stderr.write("copy_stream: statOnly, and a tar came\n")
        sys.exit(102)
    elif kind == STDOUT and way == "from":
        sys.stdout.buffer.write(data)
    elif kind == STDERR:
        sys.stderr.buffer.write(data)
    elif kind == EXIT:
        sys.stdout.flush()
        sys.exit(struct.unpack(">I", data)[0])
