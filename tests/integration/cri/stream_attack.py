#!/usr/bin/python3
"""Clients that attack corrald's streaming server, each case printing what
came of it as "key: value" lines (test_cri_streams.sh compares them):

    stream_attack.py CASE --sock S --image I --dir D --cgparent P

  upgrade   bad heads: no upgrade asked, a path of no kind, a forged
            token, a token at another kind's path (used up by it)
  frames    a frame whose length is past the bound; a header block that
            inflates past its bound (a compression bomb)
  ws        WebSocket: an unmasked frame, a message past its bound, and
            fragments that add up past it
  streams   thousands of streams on one connection; the server answers a
            PING after
  flood     a client that never reads while the container floods its
            stdout: another exec is served meanwhile; the flood's command
            is killed once its client goes
  stdinflood a client that sends stdin without end to a command that
            never reads it: the helper's memory stays bounded, and another
            exec is served meanwhile
  pfflood   port-forward to a pod's port that never reads, on 16
            connections at once: the helper's memory stays bounded, and
            an exec is served meanwhile
  idle      (stream-idle-timeout 2) a stream with no traffic ends
  pingflood (stream-idle-timeout 2) PINGs without end, no answer read:
            the helper's memory stays bounded, and it ends once idle
  halfclose a port-forward client that half-closes at once gets the whole
            answer
  halfopen  one that half-closes while the pod holds its end open: its
            helper spends no CPU while it waits
  pings     PINGs every millisecond: each answered, the connection open
  silent    a connection that never sends its head is closed; 300 of them
            hold no more than 32 helpers, and an exec is served beside them
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cri_client  # noqa: E402
import spdy_client  # noqa: E402
from cri_client import out, pb  # noqa: E402


def status_of(url, head):
    """the status line the server answers head with (HOST and PATH filled in)"""
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=15)
    s.sendall(head.replace("PATH", u.path).replace("HOST", u.netloc).encode())
    got = b""
    while b"\r\n" not in got:
        more = s.recv(4096)
        if not more:
            break
        got += more
    s.close()
    return got.split(b"\r\n", 1)[0].decode(errors="replace")


SPDY_HEAD = "POST PATH HTTP/1.1\r\nHost: HOST\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" \
            "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n"


def exec_url(c, pod, cmd, **kw):
    return c.Exec(container_id=pod.ctrs["s"], cmd=cmd, stdout=True, stderr=kw.pop("stderr", True), **kw).url


def closed_within(sock, secs):
    """True when the server closes (after whatever it sends) within secs"""
    sock.settimeout(secs)
    end = time.time() + secs
    try:
        while time.time() < end:
            if not sock.recv(65536):
                return True
    except socket.timeout:
        return False
    except ConnectionError:  # closed with the client's bytes unread: a reset
        return True
    return False


def comm(pid):
    try:
        return open("/proc/%s/comm" % pid).read().strip()
    except OSError:
        return ""


def case_upgrade(c, a, pod):
    url = exec_url(c, pod, ["true"])
    out("no upgrade asked", status_of(url, "GET PATH HTTP/1.1\r\nHost: HOST\r\n\r\n"))
    u = urllib.parse.urlparse(url)
    other = url.replace(u.path, "/shell/" + u.path.rsplit("/", 1)[1])
    out("a path of no kind", status_of(other, SPDY_HEAD))
    forged = url.replace(u.path.rsplit("/", 1)[1], os.urandom(16).hex())
    out("a forged token", status_of(forged, SPDY_HEAD))
    out("a head past 16 KiB", status_of(url, "GET PATH HTTP/1.1\r\nX: " + "a" * 20000 + "\r\n\r\n"))
    attach = url.replace("/exec/", "/attach/")
    out("an exec token at attach's path", status_of(attach, SPDY_HEAD))
    out("then at its own", status_of(url, SPDY_HEAD))


def syn(sid, block):
    payload = struct.pack(">IIH", sid, 0, 0) + block
    return struct.pack(">HHI", 0x8000 | 3, 1, len(payload)) + payload


def case_frames(c, a, pod):
    s, _ = spdy_client.upgrade(exec_url(c, pod, ["sleep", "30"]))
    s.sendall(struct.pack(">II", 1, 0xffffff))  # a data frame of 16 MiB announced
    out("a frame past its bound", "closed" if closed_within(s, 10) else "open")
    s.close()
    s, _ = spdy_client.upgrade(exec_url(c, pod, ["sleep", "30"]))
    z = zlib.compressobj(9, zdict=spdy_client.DICTIONARY)
    raw = struct.pack(">I", 1) + struct.pack(">I", 10) + b"streamtype" + struct.pack(">I", 64 << 20) + b"a" * (64 << 20)
    block = z.compress(raw) + z.flush(zlib.Z_SYNC_FLUSH)
    s.sendall(syn(1, block))
    out("a compression bomb (%d KiB inflating to 64 MiB)" % (len(block) // 1024 // 10 * 10), "closed" if closed_within(s, 10) else "open")
    s.close()


def case_ws(c, a, pod):
    import ws_client
    s, _ = ws_client.connect(exec_url(c, pod, ["sleep", "30"]), "v4.channel.k8s.io")
    s.sendall(b"\x82\x05" + b"\x00hello")  # a binary frame, not masked
    out("an unmasked frame", "closed" if closed_within(s, 10) else "open")
    s.close()
    s, _ = ws_client.connect(exec_url(c, pod, ["sleep", "30"]), "v4.channel.k8s.io")
    s.sendall(b"\x82\xff" + struct.pack(">Q", 1 << 40) + b"mask")  # a message of 1 TiB announced
    out("a message past its bound", "closed" if closed_within(s, 10) else "open")
    s.close()
    s, _ = ws_client.connect(exec_url(c, pod, ["sleep", "30"]), "v4.channel.k8s.io")
    try:
        for _ in range(40):  # fragments that add up past the bound
            s.sendall(b"\x02\xfe" + struct.pack(">H", 65535) + b"mask" + b"x" * 65535)
        closed = closed_within(s, 10)
    except OSError:  # closed while they were sent
        closed = True
    out("fragments past the bound", "closed" if closed else "open")
    s.close()


def case_streams(c, a, pod):
    url = c.PortForward(pod_sandbox_id=pod.id, port=[]).url
    s, _ = spdy_client.upgrade(url, ["portforward.k8s.io"])
    sess = spdy_client.Session(s)
    t = threading.Thread(target=sess.read_loop, daemon=True)
    t.start()
    n = 3000
    for i in range(n):
        sess.open({"streamtype": "data", "port": "9", "requestid": str(i)})
    sess.wait(lambda: len(sess.replied) + sess.frames.count(spdy_client.RST_STREAM) >= n, 30)
    refused = sess.frames.count(spdy_client.RST_STREAM)
    out("streams opened", "%d, refused %s" % (n, "some" if 0 < refused < n else refused))
    sess._control(spdy_client.PING, 0, struct.pack(">I", 7))
    pings = lambda: sess.frames.count(spdy_client.PING)  # noqa: E731
    out("a ping after", "answered" if sess.wait(lambda: pings() >= 1, 10) else "not answered")
    s.close()


def helper_mem_kb(field="VmRSS"):
    """each corral-stream's memory: VmRSS now, or VmHWM (its peak)"""
    kb = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and comm(p) == "corral-stream":
                kb += [int(ln.split()[1]) for ln in open("/proc/%s/status" % p) if ln.startswith(field + ":")]
        except OSError:
            pass
    return kb


def case_flood(c, a, pod):
    flood = exec_url(c, pod, ["sh", "-c", "exec yes flood-flood-flood-flood"], stderr=False)
    s, _ = spdy_client.upgrade(flood)
    sess = spdy_client.Session(s)
    for kind in ("error", "stdout"):
        sess.open({"streamtype": kind})
    time.sleep(0)  # nothing read from here on
    t0 = time.time()
    r = spdy_client.stream_exec(exec_url(c, pod, ["echo", "served"]))
    out("another exec meanwhile", "%r in %s" % (r["stdout"], "time" if time.time() - t0 < 20 else "too long"))
    rss = helper_mem_kb()
    out("the helpers' memory", "bounded" if rss and max(rss) < 32 * 1024 else "%s kB" % rss)
    s.close()

    def yes_left():
        for p in os.listdir("/proc"):
            try:
                if p.isdigit() and open("/proc/%s/cmdline" % p, "rb").read().startswith(b"yes\0flood"):
                    return True
            except OSError:
                pass
        return False
    end = time.time() + 20
    while yes_left() and time.time() < end:
        time.sleep(0.1)
    out("the flood's command once its client went", "running" if yes_left() else "killed")


def flood(c, pod, send, cap):
    """send() a chunk again and again, from a thread, until nothing more is
    taken for 2 s (the server waits) or cap bytes are sent; then the
    helpers' peak memory, and an exec served meanwhile"""
    sent = {"bytes": 0}

    def flood():
        try:
            while sent["bytes"] < cap:
                sent["bytes"] += send()
        except OSError:
            pass
    threading.Thread(target=flood, daemon=True).start()
    last, still = -1, 0
    while sent["bytes"] < cap and still < 20:
        still = still + 1 if sent["bytes"] == last else 0
        last = sent["bytes"]
        time.sleep(0.1)
    peak = helper_mem_kb("VmHWM")
    out("the helpers' memory", "bounded" if peak and max(peak) < 32 * 1024 else
        "%s kB at the most, after %d MiB sent" % (peak, sent["bytes"] >> 20))
    t0 = time.time()
    r = spdy_client.stream_exec(exec_url(c, pod, ["echo", "served"]))
    out("another exec meanwhile", "%r in %s" % (r["stdout"], "time" if time.time() - t0 < 20 else "too long"))


def case_pingflood(c, a, pod):
    """(stream-idle-timeout 2) a client that PINGs without end and never
    reads the answers: its helper stops reading it once 1 MiB of them wait
    (each PING grew its memory), and, idle then, ends though the client
    holds the connection still, unread (it waited for ever to flush)"""
    s, _ = spdy_client.upgrade(c.PortForward(pod_sandbox_id=pod.id, port=[]).url, ["portforward.k8s.io"])
    pings = b"".join(struct.pack(">HHII", 0x8000 | 3, spdy_client.PING, 4, 2 * i + 1) for i in range(4096))

    def send():
        s.sendall(pings)
        return len(pings)
    flood(c, pod, send, 256 << 20)
    peaks = {}
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and comm(p) == "corral-stream":
                peaks[p] = [int(ln.split()[1]) for ln in open("/proc/%s/status" % p) if ln.startswith("VmHWM:")][0]
        except (OSError, IndexError):
            pass
    ours = max(peaks, key=peaks.get) if peaks else None
    end = time.time() + 30
    while ours and os.path.exists("/proc/" + ours) and time.time() < end:
        time.sleep(0.1)
    out("its helper, the client holding on unread", "ended" if ours and not os.path.exists("/proc/" + ours)
        else "still running after 30 s" if ours else "not found")
    s.close()


def case_stdinflood(c, a, pod):
    s, _ = spdy_client.upgrade(exec_url(c, pod, ["sleep", "100000"], stdin=True, stderr=False))
    sess = spdy_client.Session(s)
    threading.Thread(target=sess.read_loop, daemon=True).start()
    ids = [sess.open({"streamtype": kind}) for kind in ("error", "stdin", "stdout")]
    sess.wait(lambda: all(i in sess.replied for i in ids), 30)
    chunk = b"x" * 65536

    def send():
        sess.send(ids[1], chunk)
        return len(chunk)
    flood(c, pod, send, 64 << 20)
    s.close()


def case_pfflood(c, a, pod):
    pod.create("sink", ["nc", "-ll", "-p", "9000", "-e", "sleep", "100000"])  # each connection never read
    pod.wait("sink", pb.CONTAINER_RUNNING)
    s, _ = spdy_client.upgrade(c.PortForward(pod_sandbox_id=pod.id, port=[9000]).url, ["portforward.k8s.io"])
    sess = spdy_client.Session(s)
    threading.Thread(target=sess.read_loop, daemon=True).start()
    data = []
    for i in range(16):
        h = {"port": "9000", "requestid": str(i)}
        sess.open(dict(h, streamtype="error"), fin=True)
        data.append(sess.open(dict(h, streamtype="data")))
    sess.wait(lambda: all(d in sess.replied for d in data), 30)
    chunk, turn = b"p" * 65536, {"n": 0}

    def send():
        d = data[turn["n"] % len(data)]
        turn["n"] += 1
        sess.send(d, chunk)
        return len(chunk)
    flood(c, pod, send, 512 << 20)
    s.close()


def case_idle(c, a, pod):
    """run with stream-idle-timeout 2: a stream with no traffic either way ends"""
    s, _ = spdy_client.upgrade(exec_url(c, pod, ["sleep", "60"]))
    sess = spdy_client.Session(s)
    for kind in ("error", "stdout", "stderr"):
        sess.open({"streamtype": kind})
    t0 = time.time()
    closed = closed_within(s, 15)
    out("an idle stream", "ended after %s" % ("2 s" if closed and 1.5 < time.time() - t0 < 5 else
                                               "%.1f s" % (time.time() - t0) if closed else "15 s: still open"))


def case_pings(c, a, pod):
    """a client that PINGs every millisecond (client-go pings every 5 s):
    each answered, and the connection stays open past the server's 1 s
    ticks (one that met a read took the connection for idle: critest's
    port-forward failed 1 run in 4 so)"""
    s, _ = spdy_client.upgrade(c.PortForward(pod_sandbox_id=pod.id, port=[]).url, ["portforward.k8s.io"])
    sess = spdy_client.Session(s)
    threading.Thread(target=sess.read_loop, daemon=True).start()
    n, end = 0, time.time() + 3.5
    while time.time() < end and not sess.closed:
        sess._control(spdy_client.PING, 0, struct.pack(">I", 2 * n + 1))
        n += 1
        time.sleep(0.001)  # the client's pace, not a wait
    pings = lambda: sess.frames.count(spdy_client.PING)  # noqa: E731
    sess.wait(lambda: pings() >= n, 10)
    ok = pings() >= n and not sess.closed and spdy_client.GOAWAY not in sess.frames
    out("a PING every millisecond for 3.5 s", "each answered, the connection open" if ok else
        "%d of %d answered, %s" % (pings(), n, "GOAWAY" if spdy_client.GOAWAY in sess.frames else
                                   "closed" if sess.closed else "open"))
    s.close()


def case_halfclose(c, a, pod):
    """a client that half-closes its side at once (kubectl does at its
    local end's EOF) still gets the whole answer: 8 MiB"""
    web = ("mkdir -p /tmp/www && head -c 8388608 /dev/zero >/tmp/www/big && "
           "exec httpd -f -p 127.0.0.1:8080 -h /tmp/www")
    pod.create("web", ["sh", "-c", web])
    pod.wait("web", pb.CONTAINER_RUNNING)
    r = {"bytes": 0}
    for _ in range(100):
        r = spdy_client.port_forward(c.PortForward(pod_sandbox_id=pod.id, port=[8080]).url,
                                     [(8080, b"GET /big HTTP/1.0\r\n\r\n")], count_only=True)[0]
        if r["bytes"]:
            break
        time.sleep(0.1)
    out("an answer after the client's half-close", "whole" if r["bytes"] > 8388608 else "%d bytes" % r["bytes"])


def helper_cpu():
    """each corral-stream's CPU ticks so far (user and system), by pid"""
    ticks = {}
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and comm(p) == "corral-stream":
                f = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
                ticks[p] = int(f[11]) + int(f[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks


def case_halfopen(c, a, pod):
    """a port-forward client that half-closes while the pod holds its end
    open (a server that keeps the connection): the helper waits for either
    side, and spends no CPU meanwhile (one asked POLLOUT of the pod's
    socket for ever: a core spun till the pod closed)"""
    pod.create("hold", ["nc", "-l", "-p", "8081", "-e", "sleep", "100000"])
    pod.wait("hold", pb.CONTAINER_RUNNING)
    s, _ = spdy_client.upgrade(c.PortForward(pod_sandbox_id=pod.id, port=[8081]).url, ["portforward.k8s.io"])
    sess = spdy_client.Session(s)
    threading.Thread(target=sess.read_loop, daemon=True).start()
    h = {"port": "8081", "requestid": "0"}
    e = sess.open(dict(h, streamtype="error"), fin=True)
    d = sess.open(dict(h, streamtype="data"))
    sess.wait(lambda: e in sess.replied and d in sess.replied, 30)
    sess.send(d, b"hello", fin=True)
    before, t0 = helper_cpu(), time.time()
    time.sleep(3)  # the span measured
    spent = max([(t - before.get(p, t)) / os.sysconf("SC_CLK_TCK") for p, t in helper_cpu().items()] or [0])
    out("a half-closed port-forward's helper", "idle" if spent < 0.5 else
        "%.1f CPU seconds in %.1f s" % (spent, time.time() - t0))
    out("its connection", "open" if d not in sess.ended else "ended")
    s.close()


def case_silent(c, a, pod):
    u = urllib.parse.urlparse(exec_url(c, pod, ["true"]))
    s = socket.create_connection((u.hostname, u.port), timeout=15)
    s.sendall(b"GET ")
    t0 = time.time()
    closed = closed_within(s, 20)
    out("a head never ended", "closed after %s" % ("10 s" if closed and 8 < time.time() - t0 < 15 else
                                                    "%.1f s" % (time.time() - t0) if closed else "20 s: still open"))
    # anyone on the host may connect: a hoard of silent connections,
    # past every bound, holds no more helpers than the untold bound, and
    # a client that says what it came for is served meanwhile
    hoard = []
    for _ in range(300):
        hoard.append(socket.create_connection((u.hostname, u.port), timeout=15))
    t0 = time.time()
    r = spdy_client.stream_exec(exec_url(c, pod, ["echo", "served"]))
    out("an exec beside 300 silent connections", "%r in %s" % (r["stdout"], "time" if time.time() - t0 < 10 else "too long"))
    helpers = sum(1 for p in os.listdir("/proc") if p.isdigit() and comm(p) == "corral-stream")
    out("helpers running", "bounded" if helpers <= 32 + 4 else "%d" % helpers)
    for h in hoard:
        h.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what")
    ap.add_argument("--sock", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cgparent", default="")
    a = ap.parse_args()
    a.handler, a.cgpath = "", a.cgparent
    c = cri_client.CRI(a.sock)
    fn = globals()["case_" + a.what]

    def run(c, a, pod):
        pod.create("s", ["sleep", "100000"])
        pod.wait("s", pb.CONTAINER_RUNNING)
        fn(c, a, pod)
    run.__name__ = a.what
    cri_client.scenario(run)(c, a)


if __name__ == "__main__":
    main()
