#!/usr/bin/python3
"""kubelet's own sequence of CRI calls for one Pod, against a CRI socket,
printing what it saw as "key: value" lines that do not depend on ids or
times, so that a test compares them with what they must be (and the same
script runs against containerd's CRI in the VM tier).

    kubelet_pod.py SCENARIO --sock S --image I --logdir D [--cgparent P]

Scenarios:
  pod       two containers sharing the pod's network (one serves, the other
            reaches it on localhost), an ExecSync probe, the relist, a
            container that exits and is made again (attempt 1), the CRI log
            at kubelet's path, StopPodSandbox, RemovePodSandbox
  errors    the CRI's answers to bad and missing ids and fields
  security  a security context and resources, read back inside
  keep      a pod with a running container; prints its ids (then the test
            restarts corrald)
  check ID  the ids from keep: the pod and its container as they were
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("CRI_PB", "."))
import grpc  # noqa: E402
import runtime_v1_pb2 as pb  # noqa: E402

NS = pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD)
IMAGE_RPCS = {"ListImages", "ImageStatus", "PullImage", "RemoveImage", "ImageFsInfo"}


class CRI:
    def __init__(self, sock):
        self.ch = grpc.insecure_channel("unix://" + sock)

    def __getattr__(self, method):
        svc = "ImageService" if method in IMAGE_RPCS else "RuntimeService"
        req_t, resp_t = getattr(pb, method + "Request"), getattr(pb, method + "Response")
        f = self.ch.unary_unary("/runtime.v1.%s/%s" % (svc, method), request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=resp_t.FromString)
        return lambda _deadline=60, **kw: f(req_t(**kw), timeout=_deadline)


def out(key, value):
    print("%s: %s" % (key, value), flush=True)


def code(fn):
    """the gRPC status of a call: OK, or its code's name"""
    try:
        fn()
        return "OK"
    except grpc.RpcError as e:
        return e.code().name


def pod_config(a, name):
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="corral-test", attempt=0),
        hostname=name, log_directory=os.path.join(a.logdir, name), labels={"app": name, "tier": "test"},
        annotations={"note": "kept whole"},
        linux=pb.LinuxPodSandboxConfig(cgroup_parent=a.cgparent,
                                       security_context=pb.LinuxSandboxSecurityContext(namespace_options=NS)))


def ctr_config(a, name, cmd, attempt=0):
    return pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=name, attempt=attempt), image=pb.ImageSpec(image=a.image),
        command=cmd, log_path="%s_%d.log" % (name, attempt), labels={"io.kubernetes.container.name": name},
        linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(namespace_options=NS)))


def wait_state(c, cid, state, secs=30):
    end = time.time() + secs
    while time.time() < end:
        st = c.ContainerStatus(container_id=cid).status
        if st.state == state:
            return st
        time.sleep(0.05)
    raise TimeoutError("%s did not become %s" % (cid, pb.ContainerState.Name(state)))


def log_lines(path, want, secs=10):
    end = time.time() + secs
    while True:
        lines = []
        try:
            with open(path) as f:
                lines = [ln.split(" ", 3) for ln in f.read().splitlines()]
        except FileNotFoundError:
            pass
        texts = [p[3] for p in lines if len(p) == 4]
        if want in texts or time.time() > end:
            return lines


def scenario_pod(c, a):
    cfg = pod_config(a, "web")
    cfg.dns_config.CopyFrom(pb.DNSConfig(servers=["10.96.0.10"], searches=["corral-test.svc.cluster.local", "svc.cluster.local"],
                                         options=["ndots:5"]))
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    st = c.PodSandboxStatus(pod_sandbox_id=pod).status
    out("pod state", pb.PodSandboxState.Name(st.state))
    out("pod metadata", "%s/%s/%s" % (st.metadata.namespace, st.metadata.name, st.metadata.uid))
    out("pod labels", json.dumps(dict(sorted(st.labels.items()))))
    out("pod annotations", json.dumps(dict(st.annotations)))
    out("pod has an address", bool(st.network.ip))
    out("pod network mode", pb.NamespaceMode.Name(st.linux.namespaces.options.network))
    # the server, then the client that reaches it on localhost
    server = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=ctr_config(
        a, "server", ["sh", "-c", "echo ready; while true; do echo pong | nc -l -p 8080; done"])).container_id
    c.StartContainer(container_id=server)
    wait_state(c, server, pb.CONTAINER_RUNNING)
    logdir = cfg.log_directory
    out("server log", " ".join(p[1] + "/" + p[3] for p in log_lines(os.path.join(logdir, "server_0.log"), "ready")))
    probe = c.ExecSync(container_id=server, cmd=["hostname"], timeout=10)
    out("probe", "%d %s" % (probe.exit_code, probe.stdout.decode().strip()))
    resolv = c.ExecSync(container_id=server, cmd=["cat", "/etc/resolv.conf"], timeout=10)
    out("resolv.conf", resolv.stdout.decode().strip().replace("\n", "; "))
    client = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=ctr_config(
        a, "client", ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do nc 127.0.0.1 8080 </dev/null && exit 0; "
                                  "sleep 0.2; done; exit 7"])).container_id
    c.StartContainer(container_id=client)
    st = wait_state(c, client, pb.CONTAINER_EXITED)
    out("client exit", "%d %s" % (st.exit_code, st.reason))
    out("client log", " ".join(p[3] for p in log_lines(os.path.join(logdir, "client_0.log"), "pong")))
    out("client log path", st.log_path == os.path.join(logdir, "client_0.log"))
    out("client times", st.created_at <= st.started_at <= st.finished_at and st.created_at > 0)
    out("client image", st.image.image == a.image and st.image_ref.startswith("sha256:"))
    # the relist: every pod and container, then the status of what changed
    pods = c.ListPodSandbox().items
    out("relist pods", len([p for p in pods if p.id == pod]))
    ctrs = c.ListContainers(filter=pb.ContainerFilter(pod_sandbox_id=pod)).containers
    out("relist containers", " ".join(sorted("%s=%s" % (x.metadata.name, pb.ContainerState.Name(x.state))
                                             for x in ctrs)))
    running = c.ListContainers(filter=pb.ContainerFilter(
        state=pb.ContainerStateValue(state=pb.CONTAINER_RUNNING))).containers
    out("running", " ".join(sorted(x.metadata.name for x in running if x.pod_sandbox_id == pod)))
    sel = c.ListPodSandbox(filter=pb.PodSandboxFilter(label_selector={"app": "web"})).items
    out("selected pods", len([p for p in sel if p.id == pod]))
    none = c.ListPodSandbox(filter=pb.PodSandboxFilter(label_selector={"app": "nope"})).items
    out("unselected pods", len(none))
    # the exited client made again, as kubelet restarts a container
    c.RemoveContainer(container_id=client)
    again = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=ctr_config(
        a, "client", ["sh", "-c", "nc 127.0.0.1 8080 </dev/null"], attempt=1)).container_id
    c.StartContainer(container_id=again)
    st = wait_state(c, again, pb.CONTAINER_EXITED)
    out("restarted client", "attempt %d exit %d" % (st.metadata.attempt, st.exit_code))
    # kubelet's stop: each container with its grace, then the pod
    c.StopContainer(container_id=server, timeout=2)
    out("server after stop", pb.ContainerState.Name(c.ContainerStatus(container_id=server).status.state))
    c.StopPodSandbox(pod_sandbox_id=pod)
    st = c.PodSandboxStatus(pod_sandbox_id=pod).status
    out("pod after stop", "%s address=%s" % (pb.PodSandboxState.Name(st.state), bool(st.network.ip)))
    out("create in a stopped pod", code(lambda: c.CreateContainer(
        pod_sandbox_id=pod, sandbox_config=cfg, config=ctr_config(a, "late", ["true"]))))
    c.RemovePodSandbox(pod_sandbox_id=pod)
    out("pods left", len([p for p in c.ListPodSandbox().items if p.id == pod]))
    out("containers left", len(c.ListContainers(filter=pb.ContainerFilter(pod_sandbox_id=pod)).containers))
    print("ids: %s %s %s %s" % (pod, server, client, again))


def scenario_errors(c, a):
    out("no metadata", code(lambda: c.RunPodSandbox(config=pb.PodSandboxConfig())))
    out("unknown handler", code(lambda: c.RunPodSandbox(config=pod_config(a, "h"), runtime_handler="kata")))
    missing = "0" * 63
    out("status of a missing pod", code(lambda: c.PodSandboxStatus(pod_sandbox_id=missing)))
    out("a bad pod id", code(lambda: c.PodSandboxStatus(pod_sandbox_id="../x")))
    out("stop a missing pod", code(lambda: c.StopPodSandbox(pod_sandbox_id=missing)))
    out("remove a missing pod", code(lambda: c.RemovePodSandbox(pod_sandbox_id=missing)))
    out("status of a missing container", code(lambda: c.ContainerStatus(container_id="f" * 64)))
    out("stop a missing container", code(lambda: c.StopContainer(container_id="f" * 64, timeout=1)))
    out("remove a missing container", code(lambda: c.RemoveContainer(container_id="f" * 64)))
    out("start a missing container", code(lambda: c.StartContainer(container_id="f" * 64)))
    out("create in a missing pod", code(lambda: c.CreateContainer(
        pod_sandbox_id=missing, config=ctr_config(a, "x", ["true"]))))
    cfg = pod_config(a, "err")
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    out("create without an image", code(lambda: c.CreateContainer(
        pod_sandbox_id=pod, sandbox_config=cfg, config=pb.ContainerConfig(metadata=pb.ContainerMetadata(name="x")))))
    out("create from a missing image", code(lambda: c.CreateContainer(
        pod_sandbox_id=pod, sandbox_config=cfg, config=pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name="x"), image=pb.ImageSpec(image="nosuch.example/none:1")))))
    # a name past corral's 128 bytes is cut where a character ends (the
    # spec corrald gets is UTF-8), and corrald says what is wrong with it
    try:
        c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=ctr_config(a, "\u00e9" * 70, ["true"]))
        out("a long name that is not ASCII", "created")
    except grpc.RpcError as e:
        out("a long name that is not ASCII", "%s %s" % (e.code().name, e.details()))
    # what containerd refuses too: a group with no user to be its member,
    # a seccomp profile that is a bare path (not localhost/)
    for what, sc in (("a group without a user", pb.LinuxContainerSecurityContext(
            run_as_group=pb.Int64Value(value=7))),
            ("a seccomp path without localhost/", pb.LinuxContainerSecurityContext(
                seccomp_profile_path="/etc/passwd"))):
        bad = ctr_config(a, "bad", ["true"])
        bad.linux.security_context.CopyFrom(sc)
        try:
            c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=bad)
            out(what, "created")
        except grpc.RpcError as e:
            out(what, "%s %s" % (e.code().name, e.details()))
    cid = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg,
                            config=ctr_config(a, "slow", ["sleep", "1000"])).container_id
    c.StartContainer(container_id=cid)
    t0 = time.time()
    out("exec past its timeout", code(lambda: c.ExecSync(container_id=cid, cmd=["sleep", "30"], timeout=1)))
    out("exec timeout honoured", time.time() - t0 < 10)
    out("exec of nothing", code(lambda: c.ExecSync(container_id=cid, cmd=[])))
    out("exec of a missing file", c.ExecSync(container_id=cid, cmd=["/nonexistent"], timeout=5).exit_code)
    out("stop, then again", code(lambda: c.StopContainer(container_id=cid, timeout=0)) + " " +
        code(lambda: c.StopContainer(container_id=cid, timeout=0)))
    out("exec in a stopped container", code(lambda: c.ExecSync(container_id=cid, cmd=["true"])))
    c.RemovePodSandbox(pod_sandbox_id=pod)
    out("exec URL of a removed container", code(lambda: c.Exec(container_id=cid, cmd=["true"], stdout=True)))
    out("unimplemented", code(lambda: c.ListMetricDescriptors()))


def scenario_security(c, a):
    """a security context and resources kubelet gives, read back inside"""
    cfg = pod_config(a, "sec")
    cfg.linux.sysctls["net.ipv4.ip_unprivileged_port_start"] = "81"
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    os.makedirs(a.logdir, exist_ok=True)
    profile = os.path.join(a.logdir, "no-mkdir.json")
    with open(profile, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                   "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}, f)
    sc = pb.LinuxContainerSecurityContext(
        namespace_options=NS, run_as_user=pb.Int64Value(value=1000), run_as_group=pb.Int64Value(value=2000),
        supplemental_groups=[3000, 3001], readonly_rootfs=True, no_new_privs=True,
        capabilities=pb.Capability(drop_capabilities=["ALL"], add_capabilities=["NET_BIND_SERVICE"],
                                   add_ambient_capabilities=["NET_BIND_SERVICE"]),
        masked_paths=["/proc/kcore", "/proc/version"], readonly_paths=["/proc/sys"],
        selinux_options=pb.SELinuxOption(level=a.selinux_level),
        seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.Localhost, localhost_ref=profile))
    res = pb.LinuxContainerResources(oom_score_adj=500)
    if a.limits:  # where cgroups have their controllers (the VM tier)
        res.cpu_shares, res.memory_limit_in_bytes = 512, 64 << 20
    cc = ctr_config(a, "sec", ["sleep", "1000"])
    cc.linux.CopyFrom(pb.LinuxContainerConfig(security_context=sc, resources=res))
    cc.devices.append(pb.Device(host_path="/dev/null", container_path="/dev/mynull", permissions="rw"))
    cid = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=cc).container_id
    c.StartContainer(container_id=cid)

    def sh(cmd):
        r = c.ExecSync(container_id=cid, cmd=["sh", "-c", cmd], timeout=10)
        return (r.stdout.decode() + r.stderr.decode()).strip()
    out("id", sh("id -u; id -g; id -G"))
    out("status", sh("grep -E '^(NoNewPrivs|Seccomp|CapEff|CapAmb):' /proc/self/status | tr -s '\t ' ' '"))
    if a.selinux:  # where SELinux is on (the VM tier's SELinux boot); elsewhere ignored, as containerd does
        out("selinux", sh("tr -d '\\0' </proc/self/attr/current; echo; "
                          "grep ' /tmp ' /proc/self/mountinfo | grep -o 'context=\"[^\"]*\"'"))
    out("read-only root", sh("touch /x 2>&1 >/dev/null | grep -o 'Read-only file system'"))
    out("seccomp profile", sh("mkdir /tmp/d 2>&1 | grep -o 'Operation not permitted'"))
    out("masked", sh("cat /proc/version | wc -c"))
    out("sysctl", sh("cat /proc/sys/net/ipv4/ip_unprivileged_port_start"))
    out("oom_score_adj", sh("cat /proc/self/oom_score_adj"))
    out("device", sh("ls -l /dev/mynull | cut -c1; echo x >/dev/mynull && echo written"))
    if a.limits:
        out("limits", sh("cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.weight"))
    upd = pb.LinuxContainerResources(memory_limit_in_bytes=96 << 20, cpu_period=100000, cpu_quota=50000)
    try:
        c.UpdateContainerResources(container_id=cid, linux=upd)
        out("update", sh("cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max"))
    except grpc.RpcError as e:
        out("update", "%s %s" % (e.code().name, "controller" in e.details()))
    cs = c.ContainerStatus(container_id=cid, verbose=True)
    if a.resources:  # ContainerStatus.resources: containerd 1.6 gives none
        lx = cs.status.resources.linux
        out("status resources", "%d %d %d %d %d" % (lx.memory_limit_in_bytes, lx.cpu_period, lx.cpu_quota, lx.cpu_shares,
                                                    lx.oom_score_adj))
    out("status info", "pid" in json.loads(cs.info["info"]))
    # hugepage limits, and cgroup files by name (unified), at create and update
    huge = ctr_config(a, "huge", ["sleep", "1000"])
    huge.linux.CopyFrom(pb.LinuxContainerConfig(
        security_context=pb.LinuxContainerSecurityContext(namespace_options=NS),
        resources=pb.LinuxContainerResources(hugepage_limits=[pb.HugepageLimit(page_size="2MB", limit=4 << 20)],
                                             unified={"memory.high": "50331648"})))
    try:
        hid = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=huge).container_id
        c.StartContainer(container_id=hid)
        cat = ["sh", "-c", "cat /sys/fs/cgroup/hugetlb.2MB.max /sys/fs/cgroup/memory.high | tr '\\n' ' '"]
        out("hugepages and unified", c.ExecSync(container_id=hid, cmd=cat, timeout=10).stdout.decode().strip())
        c.UpdateContainerResources(container_id=hid, linux=pb.LinuxContainerResources(
            unified={"memory.high": "67108864"}, hugepage_limits=[pb.HugepageLimit(page_size="2MB", limit=2 << 20)]))
        out("after update", c.ExecSync(container_id=hid, cmd=cat, timeout=10).stdout.decode().strip())
    except grpc.RpcError as e:
        out("hugepages and unified", "%s %s" % (e.code().name, "controller" in e.details()))
    # an ambient capability the container does not have
    bad = ctr_config(a, "amb", ["true"])
    bad.linux.CopyFrom(pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
        namespace_options=NS, capabilities=pb.Capability(add_ambient_capabilities=["SYS_ADMIN"]))))
    try:
        c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=bad)
        out("ambient SYS_ADMIN", "created")
    except grpc.RpcError as e:
        out("ambient SYS_ADMIN", "%s %s" % (e.code().name, "capAmbient" in e.details()))
    c.RemovePodSandbox(pod_sandbox_id=pod)


def in_pid_ns(ns):
    """the processes in a PID namespace, by the host's /proc"""
    found = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and os.readlink("/proc/%s/ns/pid" % p) == ns:
                found.append(p)
        except OSError:
            pass
    return found


def scenario_namespaces(c, a):
    """shareProcessNamespace, hostPID and hostIPC, as kubelet asks for them"""
    shared = pb.NamespaceOption(network=pb.POD, pid=pb.POD, ipc=pb.POD)
    cfg = pod_config(a, "shared")
    cfg.linux.security_context.namespace_options.CopyFrom(shared)
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    cids = {}
    for n, secs, ns in (("one", "10001", shared), ("two", "10002", shared), ("own", "10003", NS)):
        cc = ctr_config(a, n, ["sleep", secs])
        cc.linux.security_context.namespace_options.CopyFrom(ns)
        cids[n] = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=cc).container_id
        c.StartContainer(container_id=cids[n])

    def sh(n, cmd):
        return c.ExecSync(container_id=cids[n], cmd=["sh", "-c", cmd], timeout=10).stdout.decode().strip()
    for n in cids:
        out(n + " sees", sh(n, "ps -o args | grep ^sleep | sort | tr '\\n' ' '"))
    out("pid 1", sh("one", "tr '\\0' ' ' </proc/1/cmdline").rsplit("/", 1)[-1])
    info = json.loads(c.ContainerStatus(container_id=cids["one"], verbose=True).info["info"])
    ns = os.readlink("/proc/%d/ns/pid" % int(info["pid"]))
    # kubectl debug --target own: another container's PID namespace
    target = ctr_config(a, "debug", ["sleep", "10004"])
    target.linux.security_context.namespace_options.CopyFrom(
        pb.NamespaceOption(network=pb.POD, pid=pb.TARGET, ipc=pb.POD, target_id=cids["own"]))
    cids["debug"] = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=target).container_id
    c.StartContainer(container_id=cids["debug"])
    out("debug sees", sh("debug", "ps -o args | grep ^sleep | sort | tr '\\n' ' '"))
    target.metadata.name = "debug2"
    target.linux.security_context.namespace_options.target_id = "0" * 64
    try:
        c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=target)
        out("TARGET of no container", "created")
    except grpc.RpcError as e:
        out("TARGET of no container", "%s %s" % (e.code().name, "pidNamespace" in e.details()))
    c.StopPodSandbox(pod_sandbox_id=pod)
    c.RemovePodSandbox(pod_sandbox_id=pod)
    end = time.time() + 10
    while in_pid_ns(ns) and time.time() < end:
        time.sleep(0.05)
    out("left in its PID namespace", len(in_pid_ns(ns)))
    host = pb.NamespaceOption(network=pb.POD, pid=pb.NODE, ipc=pb.NODE)
    cfg = pod_config(a, "hostns")
    cfg.linux.security_context.namespace_options.CopyFrom(host)
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    cc = ctr_config(a, "h", ["sleep", "1000"])
    cc.linux.security_context.namespace_options.CopyFrom(host)
    cids = {"h": c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=cc).container_id}
    c.StartContainer(container_id=cids["h"])
    mine = "%s %s" % (os.readlink("/proc/self/ns/pid"), os.readlink("/proc/self/ns/ipc"))
    theirs = sh("h", "echo $(readlink /proc/self/ns/pid) $(readlink /proc/self/ns/ipc)")
    out("host's pid and ipc", theirs == mine or "%s, not %s" % (theirs, mine))
    c.RemovePodSandbox(pod_sandbox_id=pod)
    # hostUsers: false: each container in a user namespace of kubelet's
    # mappings; an idmapped mount shows the host's root as the container's,
    # a plain one as nobody
    feats = c.Status().runtime_handlers[0].features
    out("handler has user namespaces", feats.user_namespaces)
    base = 1 << 20
    m = [pb.IDMapping(host_id=base, container_id=0, length=65536)]
    userns = pb.UserNamespace(mode=pb.POD, uids=m, gids=m)
    ns = pb.NamespaceOption(network=pb.POD, pid=pb.CONTAINER, ipc=pb.POD, userns_options=userns)
    cfg = pod_config(a, "userns")
    cfg.linux.security_context.namespace_options.CopyFrom(ns)
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    d = os.path.join(a.logdir, "userns-vol")
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "f"), "w").close()
    os.chown(os.path.join(d, "f"), 0, 0)
    cc = ctr_config(a, "u", ["sleep", "1000"])
    cc.linux.security_context.namespace_options.CopyFrom(ns)
    cc.mounts.extend([pb.Mount(container_path="/idm", host_path=d, uidMappings=m, gidMappings=m),
                      pb.Mount(container_path="/plain", host_path=d)])
    cids = {"u": c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=cc).container_id}
    c.StartContainer(container_id=cids["u"])
    out("in the user namespace", sh("u", "echo $(id -u) $(stat -c %u /idm/f) $(stat -c %u /plain/f) $(stat -c %u /bin/sh)"))
    info = json.loads(c.ContainerStatus(container_id=cids["u"], verbose=True).info["info"])
    with open("/proc/%d/status" % int(info["pid"])) as f:
        uid = [ln.split()[1] for ln in f if ln.startswith("Uid:")][0]
    out("its uid on the host", int(uid) - base)
    bad = ctr_config(a, "bad", ["true"])
    bad.linux.security_context.namespace_options.CopyFrom(ns)
    other = [pb.IDMapping(host_id=base * 2, container_id=0, length=65536)]
    bad.mounts.extend([pb.Mount(container_path="/x", host_path=d, uidMappings=other, gidMappings=other)])
    try:
        c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg, config=bad)
        out("a mount of other mappings", "created")
    except grpc.RpcError as e:
        out("a mount of other mappings", "%s %s" % (e.code().name, "uidMappings" in e.details()))
    c.RemovePodSandbox(pod_sandbox_id=pod)


def scenario_keep(c, a):
    cfg = pod_config(a, "kept")
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    cid = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg,
                            config=ctr_config(a, "k", ["sleep", "1000"])).container_id
    c.StartContainer(container_id=cid)
    wait_state(c, cid, pb.CONTAINER_RUNNING)
    print("%s %s" % (pod, cid))


def scenario_check(c, a):
    pod, cid = a.ids
    st = c.PodSandboxStatus(pod_sandbox_id=pod).status
    out("pod", "%s %s" % (st.metadata.name, pb.PodSandboxState.Name(st.state)))
    cs = c.ContainerStatus(container_id=cid).status
    out("container", "%s %s" % (cs.metadata.name, pb.ContainerState.Name(cs.state)))
    out("probe", c.ExecSync(container_id=cid, cmd=["hostname"], timeout=10).stdout.decode().strip())
    c.RemovePodSandbox(pod_sandbox_id=pod)
    out("removed", len([p for p in c.ListPodSandbox().items if p.id == pod]) == 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", choices=["pod", "errors", "security", "namespaces", "keep", "check"])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--sock", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--cgparent", default="")
    ap.add_argument("--selinux-level", default="s0:c1,c2")
    ap.add_argument("--selinux", action="store_true", help="SELinux is on: read the labels back")
    ap.add_argument("--status-resources", dest="resources", action="store_true",
                    help="print ContainerStatus.resources (corral's; containerd 1.6 gives none)")
    ap.add_argument("--no-limits", dest="limits", action="store_false",
                    help="no cgroup limits: this host's cgroup v2 has no controllers")
    a = ap.parse_args()
    c = CRI(a.sock)
    try:
        globals()["scenario_" + a.scenario](c, a)
    except grpc.RpcError as e:
        out("error", "%s (%s)" % (e.code().name, e.details()))
        return 1
    except TimeoutError as e:
        out("error", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
