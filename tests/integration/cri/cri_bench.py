#!/usr/bin/python3
"""The CRI figures of issue's benchmark, against one CRI socket:

    cri_bench.py start --sock S --image I --handler H --cgparent P -n N
        N pods, each with one container (sleep), from RunPodSandbox to the
        container running; each removed after, untimed. Prints
        "median MIN MAX" in seconds.
    cri_bench.py relist --sock S --image I --handler H --cgparent P --pods P --rounds R
                        --procs REGEX [--procs REGEX ...]
        P pods with a sleeping container each; then R rounds of kubelet's
        relist (ListPodSandbox + ListContainers), timed after 5 rounds
        unmeasured: "median MIN MAX"; then "floor median MIN MAX", two
        Version calls timed in each round (the client's and the
        connection's own cost); with --relist-bin, the same two from
        tests/helpers/cri_relist, a compiled client: "compiled relist ..."
        and "compiled floor ...";
        and the memory (proportional set size, kB) the processes matching
        each REGEX (on their command line) added per pod: "mem NAME KB".

    cri_bench.py streams --sock S --image I --handler H --cgparent P -n N [--mib M]
        a pod with a sleeping container and an HTTP server on its loopback
        serving M MiB; N times each: ExecSync of true ("execsync"), Exec's
        URL served to its exit over SPDY ("exec"), in seconds; M MiB
        fetched through PortForward's URL ("forward", in MB/s). Each
        "median MIN MAX".

Run inside the VM tier's guest (tests/bench/cri-guest.sh), beside
containerd with runc.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.environ.get("CRI_PB", "."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grpc  # noqa: E402
import runtime_v1_pb2 as pb  # noqa: E402
import spdy_client  # noqa: E402

NS = pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD)
WARM_UP_ROUNDS = 5


class CRI:
    def __init__(self, sock):
        self.ch = grpc.insecure_channel("unix://" + sock)

    def __getattr__(self, method):
        req_t, resp_t = getattr(pb, method + "Request"), getattr(pb, method + "Response")
        f = self.ch.unary_unary("/runtime.v1.RuntimeService/" + method, request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=resp_t.FromString)
        return lambda **kw: f(req_t(**kw), timeout=120)


def pod(c, a, i):
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name="b%d" % i, uid="b%d-%s" % (i, a.handler), namespace="bench"),
        linux=pb.LinuxPodSandboxConfig(cgroup_parent=a.cgparent,
                                       security_context=pb.LinuxSandboxSecurityContext(namespace_options=NS)))
    pid = c.RunPodSandbox(config=cfg, runtime_handler=a.handler).pod_sandbox_id
    cc = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="c"), image=pb.ImageSpec(image=a.image),
                            command=["sleep", "100000"])
    cid = c.CreateContainer(pod_sandbox_id=pid, config=cc, sandbox_config=cfg).container_id
    c.StartContainer(container_id=cid)
    while c.ContainerStatus(container_id=cid).status.state != pb.CONTAINER_RUNNING:
        time.sleep(0.005)
    return pid


def remove(c, pid):
    for x in c.ListContainers(filter=pb.ContainerFilter(pod_sandbox_id=pid)).containers:
        c.StopContainer(container_id=x.id, timeout=0)
        c.RemoveContainer(container_id=x.id)
    c.StopPodSandbox(pod_sandbox_id=pid)
    c.RemovePodSandbox(pod_sandbox_id=pid)


def summary(xs):
    return "%.4f %.4f %.4f" % (statistics.median(xs), min(xs), max(xs))


def pss_kb(regexes):
    """the proportional set size of each regex's processes, kB"""
    tot = {r: 0 for r in regexes}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            for r in regexes:
                if re.search(r, cmd):
                    with open("/proc/%s/smaps_rollup" % p) as f:
                        for ln in f:
                            if ln.startswith("Pss:"):
                                tot[r] += int(ln.split()[1])
        except OSError:
            continue
    return tot


def streams(c, a):
    pid = pod(c, a, 7777)
    cid = c.ListContainers(filter=pb.ContainerFilter(pod_sandbox_id=pid)).containers[0].id
    cfg = pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name="b7777", uid="b7777-%s" % a.handler, namespace="bench"),
        linux=pb.LinuxPodSandboxConfig(cgroup_parent=a.cgparent,
                                       security_context=pb.LinuxSandboxSecurityContext(namespace_options=NS)))
    web = ("mkdir -p /tmp/www && head -c %d /dev/zero >/tmp/www/big && touch /tmp/www/ready && "
           "exec httpd -f -p 127.0.0.1:8080 -h /tmp/www" % (a.mib << 20))
    cc = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="web"), image=pb.ImageSpec(image=a.image),
                            command=["sh", "-c", web])
    web_id = c.CreateContainer(pod_sandbox_id=pid, config=cc, sandbox_config=cfg).container_id
    c.StartContainer(container_id=web_id)
    get = b"GET /big HTTP/1.0\r\n\r\n"
    for _ in range(200):  # httpd up
        r = spdy_client.port_forward(c.PortForward(pod_sandbox_id=pid, port=[8080]).url, [(8080, b"GET /ready HTTP/1.0\r\n\r\n")])
        if b" 200 " in r[0]["data"]:
            break
        time.sleep(0.05)
    execsync, exec_url, forward = [], [], []
    c.ExecSync(container_id=cid, cmd=["true"], timeout=30)  # warm up
    spdy_client.stream_exec(c.Exec(container_id=cid, cmd=["true"], stdout=True, stderr=True).url)
    for _ in range(a.n):
        t0 = time.monotonic()
        c.ExecSync(container_id=cid, cmd=["true"], timeout=30)
        execsync.append(time.monotonic() - t0)
    for _ in range(a.n):
        t0 = time.monotonic()
        r = spdy_client.stream_exec(c.Exec(container_id=cid, cmd=["true"], stdout=True, stderr=True).url)
        exec_url.append(time.monotonic() - t0)
        assert r["exit"] == 0, r
    for _ in range(max(3, a.n // 4)):
        t0 = time.monotonic()
        # the client's side held open till the answer ends: containerd 1.6
        # cuts the answer short at the client's half-close (28 of 32 MiB here)
        r = spdy_client.port_forward(c.PortForward(pod_sandbox_id=pid, port=[8080]).url, [(8080, get)], secs=300,
                                     count_only=True, hold_open=True)[0]
        dt = time.monotonic() - t0
        assert r["bytes"] >= a.mib << 20, r["bytes"]
        forward.append(r["bytes"] / dt / 1e6)
    print("execsync", summary(execsync))
    print("exec", summary(exec_url))
    print("forward", "%.1f %.1f %.1f" % (statistics.median(forward), min(forward), max(forward)))
    remove(c, pid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["start", "relist", "streams"])
    ap.add_argument("--sock", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--handler", default="")
    ap.add_argument("--cgparent", default="")
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--procs", action="append", default=[])
    ap.add_argument("--mib", type=int, default=32)
    ap.add_argument("--relist-bin", help="tests/helpers/cri_relist: the relist from a compiled client too")
    a = ap.parse_args()
    c = CRI(a.sock)
    if a.what == "streams":
        streams(c, a)
        return 0
    if a.what == "start":
        times = []
        remove(c, pod(c, a, 9999))  # warm up
        for i in range(a.n):
            t0 = time.monotonic()
            pid = pod(c, a, i)
            times.append(time.monotonic() - t0)
            remove(c, pid)
        print(summary(times))
        return 0
    before = pss_kb(a.procs)
    pods = [pod(c, a, i) for i in range(a.pods)]
    time.sleep(1)  # what starts settles (shims, monitors)
    after = pss_kb(a.procs)
    # kubelet relists every second for as long as it runs: its first lists
    # (corral-cri fills its store at the second) are not what it waits on
    for _ in range(WARM_UP_ROUNDS):
        c.ListPodSandbox()
        c.ListContainers()
    times, floor = [], []
    for _ in range(a.rounds):
        t0 = time.monotonic()
        c.ListPodSandbox()
        c.ListContainers()
        times.append(time.monotonic() - t0)
        # the client's own part: two calls that carry nothing
        t0 = time.monotonic()
        c.Version()
        c.Version()
        floor.append(time.monotonic() - t0)
    print(summary(times))
    print("floor", summary(floor))
    if a.relist_bin:  # the same, from a compiled client (kubelet's weight)
        out = subprocess.run([a.relist_bin, a.sock, str(a.rounds)], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            print("compiled", line)
    for r in a.procs:
        print("mem %s %.0f" % (r, (after[r] - before[r]) / a.pods))
    for pid in pods:
        remove(c, pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
