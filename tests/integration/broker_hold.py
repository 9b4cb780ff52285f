#!/usr/bin/python3
# broker_hold.py [-k] N SOCKET...: open N connections to each broker socket
# (through its directory's fd: a state directory may be longer than a
# socket address), ask Whoami on each, and print "served S closed C"; with
# -k keep the connections until stdin closes. The broker tests use it to
# hold a member's sockets to their bounds.
import os, socket, sys

args = sys.argv[1:]
keep = args[0] == "-k"
if keep:
    args = args[1:]
n, paths = int(args[0]), args[1:]
conns, served, closed = [], 0, 0
for p in paths:
    d = os.open(os.path.dirname(p), os.O_PATH)
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect("/proc/self/fd/%d/%s" % (d, os.path.basename(p)))
        conns.append(s)
for s in conns:
    s.settimeout(10)
    try:
        s.sendall(b'{"method":"io.corral.Broker.Whoami"}\0')
        r = b""
        while b"\0" not in r:
            c = s.recv(4096)
            if not c:
                break
            r += c
        if b'"member"' in r:
            served += 1
        else:
            closed += 1
    except OSError:
        closed += 1
print("served %d closed %d" % (served, closed), flush=True)
if keep:
    sys.stdin.read()
