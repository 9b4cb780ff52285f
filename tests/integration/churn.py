#!/usr/bin/python3
# churn.py churn docker|varlink SOCKET SECONDS [WORKERS]
# churn.py probe docker|varlink SOCKET SECONDS PER_SECOND
# churn: connect, ask (Docker's GET /_ping, or varlink's GetInfo), close,
#   as fast as it can for SECONDS, in WORKERS threads at once (1); prints
#   how many were answered, refused (429, or closed before an answer) and
#   failed to connect. Workers make the churn outrun a slow machine: one
#   waits for each answer, so it connects only as fast as it is answered.
# probe: the same PER_SECOND times a second, each timed from connect() to
#   the answer; prints the count, the failures and the worst time (ms).
# A connect() that would wait (EAGAIN: the listen backlog is full) is a
# failure, as Go's non-blocking connect (the docker CLI's) sees it.
import json, socket, sys, threading, time

mode, kind, path, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
extra = float(sys.argv[5]) if len(sys.argv) > 5 else 0
per_second = extra if mode == "probe" else 0
workers = int(extra) if mode == "churn" and extra else 1
ASK = {
    "docker": b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
    "varlink": b'{"method":"org.varlink.service.GetInfo"}\0',
}[kind]


def once():
    """'ok', 'refused' or 'connect' (failed), and the seconds it took"""
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.setblocking(False)
        try:
            s.connect(path)
        except (BlockingIOError, ConnectionRefusedError, FileNotFoundError):
            return "connect", time.monotonic() - t0
        s.setblocking(True)
        s.settimeout(30)
        try:
            s.sendall(ASK)
            got = b""
            while True:
                b = s.recv(4096)
                if not b:
                    break
                got += b
                if (kind == "varlink" and b"\0" in got) or (kind == "docker" and b"\r\n\r\n" in got and b"OK" in got):
                    break
        except OSError:
            got = b""
        ok = b" 200 " in got if kind == "docker" else b'"vendor"' in got
        return ("ok" if ok else "refused"), time.monotonic() - t0
    finally:
        s.close()


end = time.monotonic() + seconds
counts = {"ok": 0, "refused": 0, "connect": 0}
worst = 0.0
lock = threading.Lock()


def loop():
    global worst
    while time.monotonic() < end:
        what, took = once()
        with lock:
            counts[what] += 1
            worst = max(worst, took)
        if per_second:
            time.sleep(max(0, 1 / per_second - took))


threads = [threading.Thread(target=loop) for _ in range(workers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
counts["worst_ms"] = round(worst * 1000, 1)
print(json.dumps(counts))
