#!/usr/bin/python3
"""A small CRI (runtime.v1) client for corral's tests, over containerd's CRI
socket, with messages protoc generates from the project's CRI API,
supervisor/cri/runtime_v1.proto (runtime_v1_pb2 on CRI_PB, a directory), and
grpc's generic unary calls.

    cri_client.py SCENARIO --sock S --handler H --image I --cgparent /P --dir D
    cri_client.py cleanup --sock S      (stop and remove every pod)
    cri_client.py bench --sock S --handler H --image I --cgparent /P --dir D -n N

Each scenario runs one pod under the runtime handler H, prints what it saw as
"key: value" lines that do not depend on the handler (no ids, times, or
addresses), removes the pod, and prints what was left behind. The test runs
it under runc and corral and compares.
"""
import argparse
import faulthandler
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.environ.get("CRI_PB", "."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grpc  # noqa: E402
import runtime_v1_pb2 as pb  # noqa: E402
import spdy_client  # noqa: E402
import ws_client  # noqa: E402

MiB = 1 << 20
# as the kubelet asks for a pod without shareProcessNamespace: each
# container its own pid namespace, the pod's network and ipc
KUBELET_NS = pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD)
# shareProcessNamespace: true; hostPID and hostIPC: true
SHARED_PID_NS = pb.NamespaceOption(network=pb.POD, pid=pb.POD, ipc=pb.POD)
HOST_PID_IPC_NS = pb.NamespaceOption(network=pb.POD, pid=pb.NODE, ipc=pb.NODE)


class CRI:
    def __init__(self, sock):
        self.ch = grpc.insecure_channel("unix://" + sock)

    def call(self, method, req, timeout=60, svc="RuntimeService"):
        resp = getattr(pb, method + "Response")
        f = self.ch.unary_unary("/runtime.v1.%s/%s" % (svc, method),
                                request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=resp.FromString)
        return f(req, timeout=timeout)

    def __getattr__(self, method):
        req = getattr(pb, method + "Request")
        # _deadline is the call's; a request's own "timeout" is a field
        return lambda _deadline=120, **kw: self.call(method, req(**kw), _deadline)


def out(key, value):
    print("%s: %s" % (key, value), flush=True)


def rpc_error(e):
    return "%s (%s)" % (e.code().name, e.details())


class Pod:
    """One pod of the scenario: its config, containers, and what it leaves."""

    def __init__(self, c, a, name, ns=KUBELET_NS):
        self.c, self.a, self.name, self.ns = c, a, name, ns
        self.pidns = None  # a shared PID namespace, checked for processes left
        self.logdir = os.path.join(a.dir, "logs-" + name)
        os.makedirs(self.logdir, exist_ok=True)
        # a pod's name is the CRI's to reserve: one per handler
        meta = pb.PodSandboxMetadata(name="%s-%s" % (name, a.handler), uid="%s-%s-uid" % (name, a.handler),
                                     namespace="corral-test")
        self.cfg = pb.PodSandboxConfig(
            metadata=meta, hostname="pod-" + name.replace("_", "-"), log_directory=self.logdir,
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=a.cgparent,
                                           security_context=pb.LinuxSandboxSecurityContext(namespace_options=ns)))
        self.id = c.RunPodSandbox(config=self.cfg, runtime_handler=a.handler).pod_sandbox_id
        self.ctrs = {}
        st = c.PodSandboxStatus(pod_sandbox_id=self.id, verbose=True)
        info = json.loads(st.info.get("info", "{}"))
        self.netns = ""
        for ns in info.get("runtimeSpec", {}).get("linux", {}).get("namespaces", []):
            if ns.get("type") == "network":
                self.netns = ns.get("path", "")
        self.ip = st.status.network.ip

    def create(self, name, cmd, memory=0, caps=(), mounts=(), start=True, apparmor="", ns=None, stdin=False, tty=False,
               cpu_quota=0):
        res = pb.LinuxContainerResources(memory_limit_in_bytes=memory)
        if cpu_quota:
            res.cpu_period, res.cpu_quota = 100000, cpu_quota
        lin = pb.LinuxContainerConfig(resources=res,
                                      security_context=pb.LinuxContainerSecurityContext(
                                          namespace_options=ns or self.ns, apparmor_profile=apparmor,
                                          capabilities=pb.Capability(add_capabilities=list(caps))))
        cfg = pb.ContainerConfig(metadata=pb.ContainerMetadata(name=name),
                                 image=pb.ImageSpec(image=self.a.image), command=cmd,
                                 log_path=name + ".log", linux=lin, mounts=list(mounts), stdin=stdin, tty=tty)
        cid = self.c.CreateContainer(pod_sandbox_id=self.id, config=cfg, sandbox_config=self.cfg).container_id
        self.ctrs[name] = cid
        if start:
            self.c.StartContainer(container_id=cid)
        return cid

    def status(self, name):
        return self.c.ContainerStatus(container_id=self.ctrs[name]).status

    def pid(self, name):
        st = self.c.ContainerStatus(container_id=self.ctrs[name], verbose=True)
        return int(json.loads(st.info["info"])["pid"])

    def wait(self, name, state, secs=60):
        end = time.time() + secs
        while time.time() < end:
            st = self.status(name)
            if st.state == state:
                return st
            time.sleep(0.05)
        raise TimeoutError("%s did not become %s" % (name, pb.ContainerState.Name(state)))

    def log(self, name, stream="stdout", want=None, secs=10):
        """The container's log lines of one stream (CRI format: TIME STREAM TAG TEXT)."""
        end = time.time() + secs
        while True:
            lines = []
            try:
                with open(os.path.join(self.logdir, name + ".log")) as f:
                    for ln in f.read().splitlines():
                        p = ln.split(" ", 3)
                        if len(p) == 4 and p[1] == stream:
                            lines.append(p[3])
            except FileNotFoundError:
                pass
            if want is None or want in lines or time.time() > end:
                return lines
            time.sleep(0.05)

    def exec(self, name, cmd, timeout=0):
        # the call's own deadline is past the exec's
        return self.c.ExecSync(container_id=self.ctrs[name], cmd=cmd, timeout=timeout)

    def remove(self):
        """Stop and remove the pod, as the kubelet does, and say what is left."""
        ids = [self.id] + list(self.ctrs.values())
        steps = []
        for cid in self.ctrs.values():
            steps += [lambda cid=cid: self.c.StopContainer(container_id=cid, timeout=0),
                      lambda cid=cid: self.c.RemoveContainer(container_id=cid)]
        steps += [lambda: self.c.StopPodSandbox(pod_sandbox_id=self.id),
                  lambda: self.c.RemovePodSandbox(pod_sandbox_id=self.id)]
        # every step, whatever an earlier one said
        for step in steps:
            try:
                step()
            except grpc.RpcError as e:
                out("error in removal", rpc_error(e))
        out("containers left", len(self.c.ListContainers(filter=pb.ContainerFilter(pod_sandbox_id=self.id)).containers))
        left = leftovers(ids, self.a.cgpath, self.netns, self.pidns)
        out("left behind", left or "nothing")


def pid_ns_of(p):
    try:
        return os.readlink("/proc/%s/ns/pid" % p)
    except OSError:
        return None


def leftovers(ids, cgparent, netns, pidns=None):
    """Mounts, processes (shims and containers' own, and any in the pod's
    shared PID namespace), cgroups and the network namespace of a removed
    pod that are still there, polled for up to 20 s (a shim exits just after
    it answers its last call)."""
    end = time.time() + 20  # a removal finishes in the background (a trash, a shim): under TCG, slowly
    while True:
        left = []
        with open("/proc/self/mountinfo") as f:
            for ln in f:
                mp = ln.split()[4]
                if any(i in mp for i in ids) or (netns and mp == netns):
                    left.append("mount " + mp.replace(ids[0], "POD"))
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                with open("/proc/%s/cgroup" % p) as f:
                    cg = f.read()
                with open("/proc/%s/stat" % p) as f:
                    zombie = f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                continue
            if zombie:
                continue
            if any(i in cmd for i in ids) or ("::" + cgparent + "/") in cg or (pidns and pid_ns_of(p) == pidns):
                left.append("process " + cmd.split(" ")[0].rsplit("/", 1)[-1])
        cgdir = "/sys/fs/cgroup" + cgparent
        if os.path.isdir(cgdir):
            subs = [d for d in os.listdir(cgdir) if os.path.isdir(os.path.join(cgdir, d))]
            left += ["cgroup " + ("POD" if d == ids[0] else "CONTAINER" if d in ids else d) for d in subs]
        if netns and os.path.exists(netns):
            left.append("netns file")
        if not left or time.time() > end:
            return " ".join(sorted(set(left)))
        time.sleep(0.1)


def guarded(pod_fn):
    """Run a scenario step; an RPC error is printed as a result, not raised."""
    try:
        pod_fn()
    except grpc.RpcError as e:
        out("error", rpc_error(e))
    except (TimeoutError, OSError, KeyError, ValueError) as e:
        out("error", e)


def scenario(fn, ns=KUBELET_NS):
    def run(c, a):
        pod = None
        try:
            pod = Pod(c, a, fn.__name__, ns)
            out("pod", "ready" if c.PodSandboxStatus(pod_sandbox_id=pod.id).status.state == pb.SANDBOX_READY else "not ready")
            out("pod has an address", bool(pod.ip))
            guarded(lambda: fn(c, a, pod))
        except grpc.RpcError as e:
            out("error", rpc_error(e))
        finally:
            if pod:
                try:
                    pod.remove()
                except grpc.RpcError as e:
                    out("error in removal", rpc_error(e))
    run.__name__ = fn.__name__
    return run


@scenario
def localhost(c, a, pod):
    """Two containers talk over the pod's localhost; ExecSync."""
    # the server answers only once it has read the client's line: with
    # `echo pong | nc -l`, a client that saw pong and the server's EOF first
    # could end before it sent ping (busybox nc), under either runtime
    pod.create("server", ["sh", "-c", "nc -l -p 8080 -e sh -c 'read l; echo pong; echo \"$l\" >&2'"])
    pod.create("client", ["sh", "-c", "until echo ping | nc 127.0.0.1 8080; do sleep 0.1; done"])
    pod.create("shell", ["sleep", "100000"])
    for n in ("client", "server"):
        st = pod.wait(n, pb.CONTAINER_EXITED)
        out(n + " exit", "%d %s" % (st.exit_code, st.reason))
    out("client got", pod.log("client", want="pong"))
    out("server got", pod.log("server", stream="stderr", want="ping"))
    pod.wait("shell", pb.CONTAINER_RUNNING)
    r = pod.exec("shell", ["sh", "-c", "echo out; echo err >&2; hostname; exit 5"])
    out("exec", "stdout=%r stderr=%r exit=%d" % (r.stdout.decode(), r.stderr.decode(), r.exit_code))
    r = pod.exec("shell", ["cat", "/proc/1/cmdline"])
    out("exec sees pid 1", r.stdout.decode().replace("\0", " ").strip())
    r = pod.exec("shell", ["sh", "-c", "exit 0"])
    out("exec exit 0", r.exit_code)
    # the security module's confinement of the container and of an exec
    # (containerd's cri-containerd.apparmor.d where AppArmor is on)
    for who, path in (("container", "/proc/1/attr/current"), ("exec", "/proc/self/attr/current")):
        r = pod.exec("shell", ["sh", "-c", "cat %s 2>/dev/null || echo none" % path])
        out("LSM label of the " + who, r.stdout.decode().replace("\0", "").strip())
    t0 = time.time()
    try:
        r = pod.exec("shell", ["sleep", "60"], timeout=1)
        out("exec timeout", "returned exit=%d" % r.exit_code)
    except grpc.RpcError as e:
        out("exec timeout", "%s, says timeout: %s" % (e.code().name, "timeout" in e.details()))
    out("exec timeout within 15 s", time.time() - t0 < 15)
    # the timed-out process is killed
    end = time.time() + 10
    while True:
        ps = pod.exec("shell", ["ps", "-o", "args"]).stdout.decode()
        if "sleep 60" not in ps or time.time() > end:
            break
        time.sleep(0.1)
    out("timed-out exec left running", "sleep 60" in ps)
    try:
        r = pod.exec("shell", ["nonexistent-command"])
        out("exec of a missing command", "exit=%d" % r.exit_code)
    except grpc.RpcError as e:
        out("exec of a missing command", e.code().name)


@scenario
def exits(c, a, pod):
    """Exit codes and reasons: an error, an OOM kill, StopContainer, success."""
    pod.create("three", ["sh", "-c", "echo bye; exit 3"])
    # 32 MiB: runc's own init (Go) is OOM-killed in 16 MiB in the VM tier
    pod.create("oom", ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"], memory=32 * MiB)
    pod.create("ok", ["true"])
    pod.create("stopped", ["sleep", "100000"])
    for n in ("three", "oom", "ok"):
        st = pod.wait(n, pb.CONTAINER_EXITED)
        out(n, "exit=%d reason=%s" % (st.exit_code, st.reason))
        # (the exit's time is the shim's, which may be before containerd
        # notes the start)
        out(n + " times set", 0 < st.created_at <= st.started_at and st.created_at <= st.finished_at)
    out("three logged", pod.log("three", want="bye"))
    pod.wait("stopped", pb.CONTAINER_RUNNING)
    t0 = time.time()
    c.StopContainer(container_id=pod.ctrs["stopped"], timeout=1)
    st = pod.status("stopped")
    # sleep as pid 1 ignores the image's stop signal (SIGUSR1): SIGKILL
    # after the timeout
    out("stopped", "state=%s exit=%d reason=%s" % (pb.ContainerState.Name(st.state), st.exit_code, st.reason))
    out("stop took under 15 s", time.time() - t0 < 15)
    # a container stopped again, and one that has exited, stop without error
    c.StopContainer(container_id=pod.ctrs["stopped"], timeout=1)
    c.StopContainer(container_id=pod.ctrs["three"], timeout=1)
    out("stop again", "ok")


def cpu_usec(cg):
    with open("/sys/fs/cgroup%s/cpu.stat" % cg) as f:
        for ln in f:
            k, v = ln.split()
            if k == "usage_usec":
                return int(v)


def read(path):
    with open(path) as f:
        return f.read().strip()


def own_cgroup(pid):
    for ln in read("/proc/%d/cgroup" % pid).splitlines():
        if ln.startswith("0::"):
            return ln[3:]


@scenario
def stats(c, a, pod):
    """ContainerStats and ListContainerStats from each container's own
    cgroup; UpdateContainerResources writes memory.max."""
    # a tenth of a CPU, as kubelet's limits.cpu 100m: the scenario runs
    # three at once beside their engines, which a VM's one vCPU (TCG) must
    # still serve (one unbounded each is the likeliest cause of a first
    # call of corrald's that missed its 60 s deadline)
    busy = pod.create("busy", ["sh", "-c", "while :; do :; done"], cpu_quota=10000)
    idle = pod.create("idle", ["sleep", "100000"], memory=32 * MiB)
    pod.wait("busy", pb.CONTAINER_RUNNING)
    pod.wait("idle", pb.CONTAINER_RUNNING)
    cg = {}
    for n, cid in (("busy", busy), ("idle", idle)):
        cg[n] = own_cgroup(pod.pid(n))
        # under the systemd driver a container's cgroup is its scope
        out(n + " cgroup", cg[n].replace("cri-containerd-%s.scope" % cid, cid).replace("corral-%s.scope" % cid, cid)
            .replace(a.cgpath, "PARENT").replace(cid, "ID"))

    def sample(n, cid):
        before = cpu_usec(cg[n]) * 1000
        mem_before = int(read("/sys/fs/cgroup%s/memory.current" % cg[n]))
        s = c.ContainerStats(container_id=cid).stats
        after = cpu_usec(cg[n]) * 1000
        mem_after = int(read("/sys/fs/cgroup%s/memory.current" % cg[n]))
        u = s.cpu.usage_core_nano_seconds.value
        out(n + " cpu from its cgroup", before <= u <= after)
        m = s.memory.usage_bytes.value
        out(n + " memory from its cgroup", 0.75 * min(mem_before, mem_after) <= m <= 1.25 * max(mem_before, mem_after))
        out(n + " working set > 0", s.memory.working_set_bytes.value > 0)
        out(n + " stats id", s.attributes.id == cid and s.attributes.metadata.name == n)
        return u

    t0 = {n: sample(n, cid) for n, cid in (("busy", busy), ("idle", idle))}
    time.sleep(1.5)
    t1 = {n: sample(n, cid) for n, cid in (("busy", busy), ("idle", idle))}
    db, di = t1["busy"] - t0["busy"], t1["idle"] - t0["idle"]
    print("# cpu over 1.5 s: busy %d ms, idle %d ms" % (db // 1000000, di // 1000000), file=sys.stderr)
    out("busy used over 0.05 s of cpu in 1.5 s", db > 50 * 1000000)
    out("busy grew over 10 times more than idle", db > 10 * di)
    ls = c.ListContainerStats(filter=pb.ContainerStatsFilter(pod_sandbox_id=pod.id)).stats
    out("listed stats", sorted(s.attributes.metadata.name for s in ls))
    out("listed stats have cpu and memory",
        all(s.cpu.usage_core_nano_seconds.value > 0 and s.memory.working_set_bytes.value > 0 for s in ls))
    out("busy cpu.max", read("/sys/fs/cgroup%s/cpu.max" % cg["busy"]))
    mm = "/sys/fs/cgroup%s/memory.max" % cg["idle"]
    out("idle memory.max", read(mm))
    c.UpdateContainerResources(container_id=idle, linux=pb.LinuxContainerResources(memory_limit_in_bytes=64 * MiB))
    out("idle memory.max after update", read(mm))
    c.UpdateContainerResources(container_id=busy, linux=pb.LinuxContainerResources(
        cpu_period=100000, cpu_quota=50000, memory_limit_in_bytes=48 * MiB))
    out("busy cpu.max after update", read("/sys/fs/cgroup%s/cpu.max" % cg["busy"]))
    out("busy memory.max after update", read("/sys/fs/cgroup%s/memory.max" % cg["busy"]))


def mounted(path):
    with open("/proc/self/mountinfo") as f:
        return any(ln.split()[4] == path for ln in f)


def sh(cmd):
    if os.system(cmd) != 0:
        raise OSError("failed: " + cmd)


@scenario
def bidirectional(c, a, pod):
    """A Bidirectional mount: mounts go both ways between host and container."""
    d = os.path.join(a.dir, "bidir")
    os.makedirs(d + "/out", exist_ok=True)
    try:
        run_bidirectional(c, a, pod, d)
    finally:
        for m in (d + "/in", d + "/out"):
            while mounted(m):
                sh("umount " + m)


def run_bidirectional(c, a, pod, d):
    mnt = pb.Mount(container_path="/bidir", host_path=d, propagation=pb.PROPAGATION_BIDIRECTIONAL)
    # mount(2) in the container: the runtime default profile denies it, so
    # the pod asks for none, as a Kubernetes user must where AppArmor is on
    pod.create("prop", ["sleep", "100000"], caps=["SYS_ADMIN"], mounts=[mnt], apparmor="unconfined")
    pod.wait("prop", pb.CONTAINER_RUNNING)
    r = pod.exec("prop", ["sh", "-c", "mkdir -p /bidir/in && mount -t tmpfs -o size=1m tmpfs /bidir/in && "
                          "echo from-container >/bidir/in/f && grep ' /bidir ' /proc/self/mountinfo | grep -o shared:"])
    out("mount in the container", "exit=%d stdout=%r stderr=%r" % (r.exit_code, r.stdout.decode(), r.stderr.decode()))
    out("container's mount on the host", mounted(d + "/in"))
    try:
        out("host reads the container's file", read(d + "/in/f"))
    except OSError as e:
        out("host reads the container's file", e.strerror)
    sh("mount -t tmpfs -o size=1m tmpfs %s/out && echo from-host >%s/out/g" % (d, d))
    r = pod.exec("prop", ["sh", "-c", "grep -c ' /bidir/out ' /proc/self/mountinfo; cat /bidir/out/g"])
    out("host's mount in the container", "exit=%d stdout=%r" % (r.exit_code, r.stdout.decode()))


@scenario
def missing_host_path(c, a, pod):
    """A mount whose host path does not exist: made as a directory (0755)."""
    d = os.path.join(a.dir, "made", "data")
    pod.create("mk", ["sh", "-c", "echo in >/m/f"], mounts=[pb.Mount(container_path="/m", host_path=d)])
    pod.wait("mk", pb.CONTAINER_EXITED)
    out("host path made", "%s %o" % (os.path.isdir(d), os.stat(d).st_mode & 0o7777) if os.path.exists(d) else "no")
    out("the container wrote into it", read(d + "/f").strip() if os.path.exists(d + "/f") else "no")


def sleeps(pod, name):
    ps = pod.exec(name, ["ps", "-o", "args"]).stdout.decode().splitlines()
    return sorted(ln.strip() for ln in ps if ln.strip().startswith("sleep"))


def shared_pid(c, a, pod):
    """shareProcessNamespace: the pod's containers see each other's
    processes, under a pause process as pid 1; one that asks for its own
    (CONTAINER) sees its own alone; the pod's removal leaves no process in
    the namespace."""
    for n, secs in (("one", "100001"), ("two", "100002")):
        pod.create(n, ["sleep", secs])
    pod.create("own", ["sleep", "100003"], ns=KUBELET_NS)
    for n in ("one", "two", "own"):
        pod.wait(n, pb.CONTAINER_RUNNING)
    pod.pidns = pid_ns_of(pod.pid("one"))
    out("one sees", sleeps(pod, "one"))
    out("two sees", sleeps(pod, "two"))
    out("own sees", sleeps(pod, "own"))
    out("two is in one's PID namespace", pid_ns_of(pod.pid("two")) == pod.pidns)
    # (NULs turned to spaces inside: corrald's Exec output is text)
    init = pod.exec("one", ["sh", "-c", "tr '\\0' ' ' </proc/1/cmdline"]).stdout.decode()
    out("pid 1 is a pause process", "pause" in init or "catatonit -P" in init)


shared_pid = scenario(shared_pid, SHARED_PID_NS)


def host_pid_ipc(c, a, pod):
    """hostPID and hostIPC: the host's namespaces, and its /dev/shm."""
    shm = "/dev/shm/corral-cri-%d" % os.getpid()
    with open(shm, "w") as f:
        f.write("from-host")
    try:
        pod.create("h", ["sleep", "100000"])
        pod.wait("h", pb.CONTAINER_RUNNING)
        for kind in ("pid", "ipc"):
            r = pod.exec("h", ["readlink", "/proc/self/ns/" + kind])
            out("the host's %s namespace" % kind, r.stdout.decode().strip() == os.readlink("/proc/self/ns/" + kind))
        r = pod.exec("h", ["cat", shm])
        out("the host's /dev/shm", "exit=%d %s" % (r.exit_code, r.stdout.decode()))
        out("sees this client", pod.exec("h", ["test", "-d", "/proc/%d" % os.getpid()]).exit_code == 0)
    finally:
        os.unlink(shm)


host_pid_ipc = scenario(host_pid_ipc, HOST_PID_IPC_NS)


def streams(c, a, pod):
    """kubectl exec through the runtime's streaming server: the URL that Exec
    answers, upgraded to SPDY/3.1 (spdy_client.py, as client-go speaks it)."""
    pod.create("s", ["sleep", "100000"])
    pod.wait("s", pb.CONTAINER_RUNNING)
    cid = pod.ctrs["s"]
    try:
        url = c.Exec(container_id=cid, cmd=["sh", "-c", "echo out; echo err >&2; exit 3"], stdout=True, stderr=True).url
    except grpc.RpcError as e:
        out("exec url", e.code().name)
        return
    r = spdy_client.stream_exec(url)
    out("exec protocol", r["protocol"])
    out("exec", "stdout=%r stderr=%r exit=%s" % (r["stdout"], r["stderr"], r["exit"]))
    # stdin piped through, and closed as kubectl closes it
    url = c.Exec(container_id=cid, cmd=["sh", "-c", "cat; echo done"], stdin=True, stdout=True, stderr=True).url
    r = spdy_client.stream_exec(url, stdin=b"hello\n")
    out("exec stdin", "stdout=%r exit=%s" % (r["stdout"], r["exit"]))
    # a terminal, sized by the resize stream (the size comes apart from the
    # command's start: it looks until it has it; till then, 0x0, stty says it has none)
    poll = 'for i in $(seq 100); do s=$(stty size 2>/dev/null); [ "$s" = "33 111" ] && break; sleep 0.05; done; echo "$s"; exit 4'
    url = c.Exec(container_id=cid, cmd=["sh", "-c", poll], tty=True, stdout=True).url
    r = spdy_client.stream_exec(url, tty=True, size=(33, 111), stderr=False)
    out("exec tty", "stdout=%r exit=%s" % (r["stdout"].strip(), r["exit"]))
    # a URL is used once
    try:
        spdy_client.stream_exec(url, tty=True, stderr=False)
        out("a URL used twice", "served")
    except ConnectionError:
        out("a URL used twice", "refused")


streams = scenario(streams)


def websocket(c, a, pod):
    """exec over a WebSocket, as the API server's translator and client-go's
    WebSocket executor ask: v4 (its Status), v5 (stdin closed by its close
    message), base64.channel.k8s.io (text), a terminal sized"""
    pod.create("s", ["sleep", "100000"])
    pod.wait("s", pb.CONTAINER_RUNNING)
    cid = pod.ctrs["s"]

    def url(cmd, **kw):
        return c.Exec(container_id=cid, cmd=cmd, stdout=True, **kw).url
    r = ws_client.stream_exec_ws(url(["sh", "-c", "echo out; echo err >&2; exit 3"], stderr=True))
    out("ws v4", "first=%r stdout=%r stderr=%r exit=%s" % (r["first"], r["stdout"], r["stderr"], r["exit"]))
    r = ws_client.stream_exec_ws(url(["sh", "-c", "echo b64; exit 2"], stderr=True), "base64.channel.k8s.io")
    out("ws base64", "protocol=%s stdout=%r status=%r" % (r["protocol"], r["stdout"], r["status"][:40]))
    r = ws_client.stream_exec_ws(url(["sh", "-c", "echo b64; echo e >&2; exit 6"], stderr=True), "v4.base64.channel.k8s.io")
    out("ws v4 base64", "protocol=%s stdout=%r stderr=%r exit=%s" % (r["protocol"], r["stdout"], r["stderr"], r["exit"]))
    poll = 'for i in $(seq 100); do s=$(stty size 2>/dev/null); [ "$s" = "21 77" ] && break; sleep 0.05; done; echo "$s"'
    r = ws_client.stream_exec_ws(url(["sh", "-c", poll], tty=True), tty=True, size=(21, 77))
    out("ws tty", "stdout=%r exit=%s" % (r["stdout"].strip(), r["exit"]))
    # v5 (Kubernetes 1.30) is newer than containerd 1.6's server, which refuses it
    try:
        r = ws_client.stream_exec_ws(url(["sh", "-c", "cat; echo done"], stdin=True, stderr=True), "v5.channel.k8s.io",
                                     stdin=b"hello\n")
        out("ws v5 stdin", "protocol=%s stdout=%r exit=%s" % (r["protocol"], r["stdout"], r["exit"]))
    except ConnectionError as e:
        out("ws v5 stdin", e)


websocket = scenario(websocket)


def attach(c, a, pod):
    """kubectl attach: the container's own stdio, its stdin open (stdin:
    true), through the URL Attach answers; the end is Success, whatever
    the container's exit code, as kubelet's server has it."""
    # containerd's attach (under either handler) may join the container's
    # stdout to the client after its stdin already went in, and lose what
    # came of it: the client knocks (ping) until the container answers
    # (pong), as a person types until the prompt shows; the container pauses
    # before its exit; stdin ends once the answers show (containerd stops
    # copying to the attach once its stdin ends, and may lose what comes)
    pod.create("a", ["sh", "-c", "echo ready; while read x && [ \"$x\" = ping ]; do echo pong; done; "
                                 "echo got:$x; echo bye >&2; sleep 1; exit 5"], stdin=True)
    pod.wait("a", pb.CONTAINER_RUNNING)
    pod.log("a", want="ready")
    url = c.Attach(container_id=pod.ctrs["a"], stdin=True, stdout=True, stderr=True).url
    r = spdy_client.stream_exec(url, stdin=b"hello\n", knock=(b"ping\n", b"pong"), end_after={"stdout": b"got:hello", "stderr": b"bye"})
    out("attach", "stdout=%r stderr=%r status=%s" % (r["stdout"], r["stderr"], json.loads(r["status"] or "{}").get("status")))
    st = pod.wait("a", pb.CONTAINER_EXITED)
    out("attached container", "exit %d" % st.exit_code)
    out("its log", " ".join(ln for ln in pod.log("a") if ln != "pong"))


attach = scenario(attach)


def forward(c, a, pod):
    """kubectl port-forward: an HTTP server on the pod's loopback alone,
    reached through the pod's network namespace; a port nobody listens on
    (its error stream); two connections on one stream, and a second
    port-forward at once."""
    web = "mkdir -p /tmp/www && echo hello-from-pod >/tmp/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /tmp/www"
    pod.create("web", ["sh", "-c", web])
    pod.wait("web", pb.CONTAINER_RUNNING)
    get = b"GET /index.html HTTP/1.0\r\n\r\n"
    # httpd listens once it has started: poll as kubectl's user would
    for _ in range(100):
        url = c.PortForward(pod_sandbox_id=pod.id, port=[8080]).url
        r = spdy_client.port_forward(url, [(8080, get)])[0]
        if r["data"]:
            break
        time.sleep(0.1)

    def said(r):
        head = r["data"].split(b"\r\n", 1)[0].decode(errors="replace")
        return "%s %s%s" % (head, r["data"].rsplit(b"\r\n\r\n", 1)[-1].decode(errors="replace").strip(),
                            "" if r["ended"] else " (not ended)")
    out("forward", said(r))
    url = c.PortForward(pod_sandbox_id=pod.id, port=[8080, 8081]).url
    r = spdy_client.port_forward(url, [(8081, b"")])[0]
    out("forward to a closed port", "data=%r error=%s ended=%s" % (r["data"], bool(r["error"]), r["ended"]))
    # two on one connection, and another connection beside it
    urls = [c.PortForward(pod_sandbox_id=pod.id, port=[8080]).url for _ in range(2)]
    res = {}
    th = threading.Thread(target=lambda: res.update(other=spdy_client.port_forward(urls[1], [(8080, get)])))
    th.start()
    both = spdy_client.port_forward(urls[0], [(8080, get), (8080, get)])
    th.join(60)
    out("forward twice on one connection", " | ".join(said(r) for r in both))
    out("forward beside it", said(res["other"][0]) if "other" in res else "none")


forward = scenario(forward)


def cleanup(c, a):
    for p in c.ListPodSandbox().items:
        c.StopPodSandbox(pod_sandbox_id=p.id)
        c.RemovePodSandbox(pod_sandbox_id=p.id)


def bench(c, a):
    """n times: a pod and one container started, waited for, removed."""
    t0 = time.time()
    for i in range(a.n):
        cfg = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name="b%d" % i, uid="b%d" % i, namespace="bench"),
            linux=pb.LinuxPodSandboxConfig(cgroup_parent=a.cgparent))
        pid = c.RunPodSandbox(config=cfg, runtime_handler=a.handler).pod_sandbox_id
        cc = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="c"), image=pb.ImageSpec(image=a.image),
                                command=["true"])
        cid = c.CreateContainer(pod_sandbox_id=pid, config=cc, sandbox_config=cfg).container_id
        c.StartContainer(container_id=cid)
        while c.ContainerStatus(container_id=cid).status.state != pb.CONTAINER_EXITED:
            time.sleep(0.01)
        c.RemoveContainer(container_id=cid)
        c.StopPodSandbox(pod_sandbox_id=pid)
        c.RemovePodSandbox(pod_sandbox_id=pid)
    print("%.3f" % ((time.time() - t0) / a.n))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what")
    ap.add_argument("--sock", required=True)
    ap.add_argument("--handler", default="runc")
    ap.add_argument("--image", default="")
    ap.add_argument("--cgparent", default="")
    ap.add_argument("--dir", default="")
    ap.add_argument("-n", type=int, default=20)
    a = ap.parse_args()
    # a scenario that timeout(1) ends says on stderr where it was
    faulthandler.register(signal.SIGTERM, chain=True)
    # the parent's cgroup: a path, or (SystemdCgroup) a top-level slice's name
    a.cgpath = "/" + a.cgparent if a.cgparent.endswith(".slice") else a.cgparent
    c = CRI(a.sock)
    fns = {f.__name__: f for f in (localhost, exits, stats, bidirectional, missing_host_path, shared_pid, host_pid_ipc,
                                   streams, websocket, attach, forward, cleanup, bench)}
    if a.what == "version":
        v = c.Version(version="v1")
        out("runtime", "%s %s %s" % (v.runtime_name, v.runtime_version, v.runtime_api_version))
        st = c.Status()
        out("conditions", " ".join("%s=%s" % (x.type, x.status) for x in st.status.conditions))
        return
    if a.what == "image":
        im = c.call("ImageStatus", pb.ImageStatusRequest(image=pb.ImageSpec(image=a.image)), svc="ImageService")
        out("image", " ".join(im.image.repo_tags) or "missing")
        return
    fns[a.what](c, a)


if __name__ == "__main__":
    main()
