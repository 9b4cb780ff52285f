#!/usr/bin/python3
"""corral's seeded soak (tests/soak/run.sh starts it): random operations
from root and two members of the access group at once, through corralctl,
while a nemesis kills corrald, containers' monitors, corrald's helpers and
CNI plugins, stops a monitor and fills the disk, at moments the seed
chooses; after every fault, and at the end, the invariants:

  serves       corrald answers again after every fault, with no manual step,
               and while a monitor is stopped
  removes      a forced removal removes, its monitor stopped or not
  accounted    every running container corrald lists has its monitor, and
               every monitor, container directory, mount and cgroup belongs
               to one it lists; no container of the runtime CLI's is left;
               every network namespace pin is a listed container's, with one
               veth each on corrald's side, as each session on a network
               has (no orphan, no ghost); every address lease is an
               attachment's, or waits for a DEL tried again
  parses       every state file of every container parses
  members      a member lists and inspects its own containers alone
  store        every blob's digest is its name; every name and image points
               at blobs that are there
  bounded      corrald's RSS and fd count stay within bounds

A seed replays the same operations and faults in the same order. Prints a
progress line, then a summary: operations and faults per minute, the time
corrald took to serve again after each kind of fault (median, worst), its
RSS at the start and the end. Exit status 1 on any violation, each named.
"""
import argparse
import hashlib
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

MEMBERS = (4242, 4243)
ROOT = 0
# a Deployment: its name, replicas, selector, label, image
WORKLOAD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: %s}
spec:
  replicas: %d
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
      containers:
      - {name: main, image: %s, command: [sleep, "100000"]}
"""


def state_of(c):
    st = c.get("state", c.get("status"))
    return (st.get("status") if isinstance(st, dict) else st) or ""


def started_of(c):
    st = c.get("state")
    return st.get("startedAt", "") if isinstance(st, dict) else ""


class Violation(Exception):
    pass


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)  # the operations, and where faults fall
        self.frng = random.Random(a.seed + 1)  # the faults: kind, victim, moment
        self.pid = None
        self.owned = {ROOT: set(), MEMBERS[0]: set(), MEMBERS[1]: set()}  # ids each made
        self.gone = set()  # ids removed (or whose removal may have happened)
        self.sessions = {ROOT: set(), MEMBERS[0]: set(), MEMBERS[1]: set()}  # broker sessions each has now
        self.faults = {}
        self.cni_kills = 0  # the kill_cni faults that caught a plugin at work
        self.recovery = {}
        self.violations = []
        self.ops = 0
        self.checks = 0
        self.serial = 0
        self.done = {}  # kind -> [tried, succeeded]
        self.last_failure = {}  # kind -> (operation, what it said): for a failed run's summary
        self.lock = threading.Lock()
        self.judged = {}  # invariant -> objects it judged
        files = os.path.join(a.dir, "files")  # what members copy and build from
        os.makedirs(files, exist_ok=True)
        os.chmod(files, 0o1777)
        self.cp_src = os.path.join(files, "cp-in")
        with open(self.cp_src, "w") as f:
            f.write("soak\n" * 1000)
        os.chmod(self.cp_src, 0o644)
        self.ctx = os.path.join(a.dir, "ctx")
        os.makedirs(self.ctx, exist_ok=True)
        with open(os.path.join(self.ctx, "Dockerfile"), "w") as f:
            f.write("FROM %s\nARG N\nRUN echo built $N >/built\nCOPY Dockerfile /\n" % a.image)
        os.chmod(self.ctx, 0o755)
        os.chmod(os.path.join(self.ctx, "Dockerfile"), 0o644)

    # ---- corrald
    def start(self, restart=False):
        """corrald started (or, in a unit, restarted as systemctl restart
        does); how long it took to answer"""
        t0 = time.monotonic()
        if self.a.unit:
            # its log goes to the journal; a start returns once it is ready
            r = subprocess.run(["systemctl", "restart" if restart else "start", self.a.unit],
                               capture_output=True, text=True, timeout=90)
            if r.returncode != 0:
                raise Violation("serves: systemctl %s %s: %s" % ("restart" if restart else "start", self.a.unit,
                                                                  r.stderr.strip()))
            pid = int(subprocess.run(["systemctl", "show", "-P", "MainPID", self.a.unit],
                                     capture_output=True, text=True).stdout.strip() or 0)
            p = None
        else:
            log = open(os.path.join(self.a.dir, "corrald.log"), "a")
            p = subprocess.Popen(self.a.corrald, stdout=log, stderr=log, start_new_session=True)
            pid = p.pid  # corrald itself: the wrapper execs it
        with open(os.path.join(self.a.dir, ".daemons"), "a") as f:
            f.write("%d\n" % pid)
        self.proc = p
        while time.monotonic() - t0 < 30:
            if self.ctl(ROOT, "ping", timeout=2).returncode == 0:
                self.pid = pid
                return time.monotonic() - t0
            if not self.alive(pid):
                raise Violation("serves: corrald exited at its start; see its log")
            time.sleep(0.02)
        raise Violation("serves: corrald did not answer in 30 s after a restart")

    def alive(self, pid):
        if self.proc:
            return self.proc.poll() is None
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False

    def kill(self):
        """corrald killed (SIGKILL), and gone"""
        os.kill(self.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()
        while self.alive(self.pid):
            time.sleep(0.01)

    def ctl_cmd(self, *args, timeout=30):
        return [self.a.corralctl, "--socket", self.a.sock, "--timeout", str(timeout)] + list(args)

    def ctl(self, uid, *args, timeout=30, stdin=None):
        return self.as_uid(uid, self.ctl_cmd(*args, timeout=timeout), timeout + 10, stdin)

    # ---- operations
    OPS = {  # kind: weight
        "run": 10, "run_net": 3, "run_rm": 4, "stop": 4, "kill": 2, "start": 3, "rm_f": 4, "rm": 2, "exec": 5, "logs": 3,
        "cp_in": 2, "cp_out": 2, "volume": 2, "session": 2, "session_net": 2, "prune": 1, "peek": 3, "docker_run": 3,
        "docker_ps": 2, "docker_rm": 2, "image_tag": 2, "image_rm": 2, "image_prune": 1, "build": 1,
        "job": 2, "workload": 2, "network": 1, "runtime_list": 1, "runtime": 2, "pull": 2, "push": 1,
        "run_backoff": 1, "cri_pod": 2, "cri_rm": 1, "attach": 2, "broker": 2, "checkpoint": 1,
    }
    # what a kill of corrald inside an operation aims at: any, a create, a
    # removal, a pull, a prune, a restart policy's backoff
    IN_OP = (None, ("run", "run_net", "docker_run"), ("rm_f", "docker_rm"), ("pull",), ("image_prune", "prune"), ("run_backoff",))

    def plan(self, kinds=None):
        """one operation for each caller, drawn from the seed: they run at once"""
        kinds = [k for k in (kinds or (self.a.op_kinds.split(",") if self.a.op_kinds else self.OPS)) if (self.a.registry or k not in ("pull", "push")) and
                 (self.a.cri_sock or not k.startswith("cri_")) and (self.a.criu or k != "checkpoint")]
        weights = [self.OPS[k] for k in kinds]
        return [(uid, self.rng.choices(kinds, weights)[0], self.rng.randrange(1 << 30)) for uid in (ROOT,) + MEMBERS]

    def step(self, kinds=None):
        """a plan's operations, each in a thread of its own"""
        out = [None] * 3
        threads = []
        for i, (uid, kind, seed) in enumerate(self.plan(kinds)):
            def go(i=i, uid=uid, kind=kind, seed=seed):
                out[i] = self.op(uid, kind, random.Random(seed))
            threads.append(threading.Thread(target=go))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return [o for o in out if o]

    def pick_own(self, uid, rng):
        """one of the caller's containers, as corrald lists them to it now"""
        r = self.ctl(uid, "--json", "ps", "-a")
        try:
            ids = sorted(c["id"] for c in json.loads(r.stdout or "[]"))
        except ValueError:
            ids = []
        return rng.choice(ids) if ids else None

    def docker(self, uid, method, path, body=None):
        """a Docker Engine API call through corral-docker, as uid"""
        cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "docker_call.py"),
               self.a.docker_sock, method, "/v1.41" + path] + ([json.dumps(body)] if body is not None else [])
        return self.as_uid(uid, cmd, 40)

    def uid_cmd(self, uid, cmd):
        if uid != ROOT and not getattr(self, "member_as_root", False):
            cmd = ["setpriv", "--reuid", str(uid), "--regid", "12345", "--groups", str(self.a.gid)] + cmd
        return cmd

    def as_uid(self, uid, cmd, timeout, stdin=None):
        cmd = self.uid_cmd(uid, cmd)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=stdin)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(cmd, 124, e.stdout or "", "timed out")

    def http_ok(self, r):
        """docker_call's result as a CompletedProcess whose code is 0 on a 2xx"""
        body, _, code = (r.stdout or "").rpartition("\n")
        ok = r.returncode == 0 and code.startswith("2")
        return subprocess.CompletedProcess(r.args, 0 if ok else 1, body, r.stderr or ("HTTP " + code + ": " + body[:400]))

    def op(self, uid, kind, rng):
        with self.lock:
            self.ops += 1
            self.serial += 1
            serial = self.serial
        name = "soak-%d-%d" % (self.a.seed, serial)
        r = self.op_free(uid, kind, rng, name, serial)
        if r is not False:
            return kind, uid, r
        target = self.pick_own(uid, rng)
        if not target:
            return kind, uid, None
        return kind, uid, self.op_on(uid, kind, target)

    def op_free(self, uid, kind, rng, name, serial):
        """an operation that needs no container of the caller's; False for one that does"""
        if kind in ("run", "run_net"):
            # run_net: on corrald's default CNI network (a veth, a pinned namespace)
            net = ["--network", "corral"] if kind == "run_net" else []
            r = self.ctl(uid, "run", "-d", "--name", name, *net, self.a.image, "sleep", "100000")
            if r.returncode == 0 and r.stdout.strip():
                self.owned[uid].add(r.stdout.strip())
            return r
        if kind == "run_backoff":
            # fails at once, and its policy starts it again after a backoff
            r = self.ctl(uid, "run", "-d", "--name", name, "--restart", "on-failure:4", self.a.image, "sh", "-c", "exit 3")
            if r.returncode == 0 and r.stdout.strip():
                self.owned[uid].add(r.stdout.strip())
            return r
        if kind == "run_rm":
            return self.ctl(uid, "run", "--rm", self.a.image, "true")
        if kind == "attach":
            return self.attach(uid, name, serial)
        if kind == "checkpoint":
            return self.checkpoint(name) if uid == ROOT else None
        if kind == "broker":
            return self.broker(uid, serial)
        if kind == "peek":
            return self.peek(uid, rng)
        if kind == "volume":
            v = "soakvol-%d" % serial
            r = self.ctl(uid, "volume", "create", v)
            if rng.random() < 0.5:
                self.ctl(uid, "run", "--rm", "-v", v + ":/data", self.a.image, "sh", "-c", "echo soak >/data/f")
            self.ctl(uid, "volume", "rm", v)
            return r
        if kind == "session":
            sn = "soaks-%d" % serial
            r = self.ctl(uid, "session", "create", sn)
            self.sessions[uid].add(sn)
            self.ctl(uid, "session", "state", sn, "k", str(serial))
            self.drop_sessions(uid)
            return r
        if kind == "session_net":
            # a pod's: the caller's earlier sessions go (their DELs), then
            # one on the CNI network (its ADD) stays until its next; the
            # name's dot is in the DEL's record's name
            self.drop_sessions(uid)
            sn = "soak.net-%d" % serial
            r = self.ctl(uid, "session", "create", "--network", "corral", sn)
            self.sessions[uid].add(sn)
            return r
        if kind == "prune":
            return self.ctl(uid, "container", "prune")
        if kind == "docker_run":
            r = self.http_ok(self.docker(uid, "POST", "/containers/create?name=" + name,
                                         {"Image": self.a.image, "Cmd": ["sleep", "100000"]}))
            if r.returncode == 0:
                try:
                    cid = json.loads(r.stdout)["Id"]
                except (ValueError, KeyError):
                    self.violate("docker", "create answered %r" % r.stdout[:160])
                    return r
                self.owned[uid].add(cid)
                r = self.http_ok(self.docker(uid, "POST", "/containers/%s/start" % cid))
            return r
        if kind == "docker_ps":
            r = self.http_ok(self.docker(uid, "GET", "/containers/json?all=1"))
            if r.returncode == 0:
                try:
                    listed = {c["Id"] for c in json.loads(r.stdout)}
                except (ValueError, KeyError, TypeError):
                    self.violate("docker", "containers/json answered %r" % r.stdout[:160])
                    return r
                for cid in listed:
                    if uid != ROOT and any(cid in self.owned[o] for o in self.owned if o != uid):
                        self.violate("members", "uid %d lists %s, another's, through the Docker API" % (uid, cid[:12]))
            return r
        if kind == "image_tag":
            return self.ctl(uid, "image", "tag", self.a.image, "soakimg:%d" % serial)
        if kind == "image_rm":
            r = self.ctl(uid, "--json", "image", "ls")
            try:
                tags = sorted(t for i in json.loads(r.stdout or "[]") for t in (i.get("names") or i.get("RepoTags") or [])
                              if "soakimg" in t)
            except (ValueError, AttributeError, TypeError):
                tags = []
            return self.ctl(uid, "image", "rm", rng.choice(tags)) if tags else None
        if kind == "image_prune":
            return self.ctl(uid, "image", "prune")
        if kind == "build":
            tag = "soakbuilt:%d" % serial
            return self.ctl(uid, "build", "-t", tag, "--build-arg", "N=%d" % serial, self.ctx, timeout=120)
        if kind == "job":
            r = self.ctl(uid, "job", "submit", self.a.image, "sh", "-c", "echo job %d" % serial)
            if r.returncode == 0 and rng.random() < 0.5:
                self.ctl(uid, "job", "wait", r.stdout.strip(), timeout=60)
            return r
        if kind == "workload":
            w = "soakwl%d" % (serial % 3)
            action = rng.choice(["apply", "apply", "delete"])
            if action == "delete":
                return self.ctl(uid, "delete", "workload", w)
            path = os.path.join(self.a.dir, "files", "wl-%d.yaml" % serial)
            with open(path, "w") as f:
                f.write(WORKLOAD % (w, rng.randint(0, 2), w, w, self.a.image))
            return self.ctl(uid, "apply", "-f", path)
        if kind == "network":
            # root's alone: a member's is refused
            n = "soaknet%d" % (serial % 4)
            action = "rm" if rng.random() < 0.5 else "create"
            r = self.ctl(uid, "network", action, n)
            if uid != ROOT and r.returncode == 0:
                self.violate("members", "uid %d could network %s %s" % (uid, action, n))
            return r
        if kind == "pull":
            # pulled again under another name each time: layers already
            # there, a new name to write
            return self.ctl(uid, "pull", "-q", "%s/library/busybox:1" % self.a.registry, timeout=120)
        if kind == "push":
            return self.ctl(uid, "push", self.a.image, "%s/soak/pushed:%d" % (self.a.registry, serial), timeout=120)
        if kind in ("cri_pod", "cri_rm"):
            cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cri_op.py"),
                   self.a.cri_sock, self.a.image] + (["pod", name] if kind == "cri_pod" else ["rm"])
            return self.as_uid(uid, cmd, 120)
        if kind == "runtime":
            return self.runtime(serial) if uid == ROOT else None
        if kind == "runtime_list":
            # the runtime CLI reads what corrald writes, while it writes it
            r = subprocess.run([self.a.corral, "--root", self.a.runtime_root, "list", "--format", "json"],
                               capture_output=True, text=True, timeout=30)
            if r.returncode == 0:
                try:
                    json.loads(r.stdout or "null")
                except ValueError:
                    self.violate("parses", "corral list of corrald's runtime root printed %r" % r.stdout[:160])
            return r if uid == ROOT else None
        return False

    def op_on(self, uid, kind, target):
        """an operation on one of the caller's containers"""
        if kind in ("rm_f", "rm", "docker_rm"):
            self.gone.add(target)  # whatever comes of it, it may be gone
            if kind == "docker_rm":
                return self.http_ok(self.docker(uid, "DELETE", "/containers/%s?force=1" % target))
            return self.ctl(uid, "rm", *(["-f"] if kind == "rm_f" else []), target)
        if kind == "cp_in":
            return self.ctl(uid, "cp", self.cp_src, target + ":/tmp/")
        if kind == "cp_out":
            dst = os.path.join(self.a.dir, "files", "out-%d-%s" % (uid, target[:12]))
            return self.ctl(uid, "cp", target + ":/etc/hostname", dst)
        args = {"stop": ["stop", "-t", "1", target], "kill": ["kill", target], "start": ["start", target],
                "exec": ["exec", target, "echo", "soak"], "logs": ["logs", target]}.get(kind)
        if not args:
            return None
        r = self.ctl(uid, *args)
        if kind == "exec" and r.returncode == 0 and r.stdout.strip() != "soak":
            self.violate("exec", "exec in %s printed %r, not soak" % (target, r.stdout))
        return r

    def attach(self, uid, name, serial):
        """a container that reads a line and answers it: attach gives it the
        line and prints the answer, and ends with it"""
        r = self.ctl(uid, "run", "-d", "-i", "--name", name, self.a.image, "sh", "-c", "read x; echo got $x")
        if r.returncode != 0 or not r.stdout.strip():
            return r
        cid = r.stdout.strip()
        self.owned[uid].add(cid)
        line = "soak%d" % serial
        r = self.ctl(uid, "attach", cid, stdin=line + "\n")
        if r.returncode == 0 and r.stdout.strip() != "got " + line:
            self.violate("attach", "attach to %s printed %r for %r" % (cid[:12], r.stdout[:160], line))
        return r

    def checkpoint(self, name):
        """a container through criu and back: it runs again. Root's, and
        privileged: Debian's criu (3.17) cannot restore no_new_privs, which
        every other container has"""
        r = self.ctl(ROOT, "run", "-d", "--privileged", "--name", name, self.a.image, "sleep", "100000")
        if r.returncode != 0 or not r.stdout.strip():
            return r
        cid = r.stdout.strip()
        self.owned[ROOT].add(cid)
        r = self.ctl(ROOT, "checkpoint", cid, timeout=60)
        if r.returncode == 0:
            r = self.ctl(ROOT, "restore", cid, timeout=60)
            st = self.ctl(ROOT, "inspect", "--format", "{{.State.Status}}", cid).stdout.strip()
            if r.returncode == 0 and st != "running":
                self.violate("checkpoint", "%s is %s after its restore" % (cid[:12], st))
        return r

    def drop_sessions(self, uid):
        """the caller's sessions removed; one a fault kept is tried again at
        its next session or broker operation, not left to its quota"""
        for sn in sorted(self.sessions[uid]):
            r = self.ctl(uid, "session", "rm", sn)
            if r.returncode == 0 or "no such session" in r.stderr or "no session" in r.stderr:
                self.sessions[uid].discard(sn)

    def broker(self, uid, serial):
        """a session's broker: a message published reaches a subscriber
        whole; the session stays until the caller's next, for the others'
        peeks"""
        self.drop_sessions(uid)
        sn = "soakb-%d" % serial
        r = self.ctl(uid, "session", "create", sn)
        if r.returncode != 0:
            return r
        self.sessions[uid].add(sn)
        sub = subprocess.Popen(self.uid_cmd(uid, self.ctl_cmd("--json", "broker", "sub", "-n", "1", sn, "*")),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        data = {"soak": serial}
        delivered = False
        end = time.monotonic() + 10
        while time.monotonic() < end:  # published until the subscription is in place
            r = self.ctl(uid, "--json", "broker", "pub", sn, "soak/%d" % serial, json.dumps(data))
            try:
                n = json.loads(r.stdout)["delivered"] if r.returncode == 0 else -1
            except (ValueError, KeyError, TypeError):
                self.violate("broker", "broker pub on %s printed %r" % (sn, r.stdout[:160]))
                n = -1
            if n != 0:
                delivered = n == 1
                if n > 1:
                    self.violate("broker", "a message on session %s reached %d subscribers of 1" % (sn, n))
                break
            time.sleep(0.02)
        try:
            out, err = sub.communicate(timeout=15 if delivered else 0.5)
        except subprocess.TimeoutExpired:
            sub.kill()
            out, err = sub.communicate()
            if delivered:
                r = subprocess.CompletedProcess(sub.args, 124, out, "broker sub: no message in 15 s")
        if delivered and sub.returncode == 0:
            try:
                got = json.loads(out.splitlines()[0])
                ok = got.get("topic") == "soak/%d" % serial and got.get("data") == data
            except (ValueError, IndexError, AttributeError):
                ok = False
            if not ok:
                self.violate("broker", "a subscriber of session %s got %r for %r" % (sn, out[:160], data))
        return r

    def rt(self, *args, cwd=None):
        """the runtime CLI on the soak's own root, beside corrald's; its
        output to files, which a container it creates holds open (its stdio)"""
        cmd = [self.a.corral, "--root", os.path.join(self.a.dir, "rt")] + list(args)
        out, err = (os.path.join(self.a.dir, "rt." + n) for n in ("out", "err"))
        with open(out, "w") as o, open(err, "w") as e:
            try:
                r = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=o, stderr=e, timeout=30)
            except subprocess.TimeoutExpired:
                r = subprocess.CompletedProcess(cmd, 124)
        with open(out) as o, open(err) as e:
            r.stdout, r.stderr = o.read(), e.read() or ("timed out" if r.returncode == 124 else "")
        return r

    def rt_status(self, cid):
        r = self.rt("state", cid)
        try:
            return json.loads(r.stdout)["status"] if r.returncode == 0 else None
        except (ValueError, KeyError, TypeError):
            self.violate("parses", "corral state %s printed %r" % (cid, r.stdout[:160]))
            return None

    def runtime(self, serial):
        """a container of the runtime CLI's, as runc's users make one:
        create, start, state, kill, delete"""
        cid = "soakrt-%d" % serial
        b = os.path.join(self.a.dir, "rt-bundles", cid)
        os.makedirs(b)
        self.rt("spec", cwd=b)
        with open(os.path.join(b, "config.json")) as f:
            spec = json.load(f)
        spec["root"] = {"path": self.a.rootfs, "readonly": True}
        spec["process"].update(terminal=False, args=["sleep", "100000"])
        spec["linux"]["cgroupsPath"] = "%s/%s" % (self.a.rt_cgroup, cid)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(spec, f)
        try:
            r = self.rt("create", "--bundle", b, cid)
            if r.returncode == 0:
                r = self.rt("start", cid)
            if r.returncode != 0:
                return r
            st = self.rt_status(cid)
            if st != "running":
                self.violate("runtime", "%s is %s after its start" % (cid, st))
            r = self.rt("kill", cid, "KILL")
            end = time.monotonic() + 10
            while r.returncode == 0 and self.rt_status(cid) != "stopped":
                if time.monotonic() > end:
                    self.violate("runtime", "%s is not stopped 10 s after kill KILL" % cid)
                    break
                time.sleep(0.02)
            if r.returncode == 0:
                r = self.rt("delete", cid)
            if r.returncode == 0 and self.rt("state", cid).returncode == 0:
                self.violate("runtime", "%s is still there after its delete" % cid)
            return r
        finally:
            self.rt("delete", "--force", cid)
            subprocess.run(["rm", "-rf", b])

    def record(self, kind, uid, r):
        if r is None:  # nothing of the caller's to do it to
            return
        n = self.done.setdefault(kind, [0, 0])
        n[0] += 1
        n[1] += r.returncode == 0
        if r.returncode != 0:
            said = (r.stderr or r.stdout or "").strip().splitlines()
            self.last_failure[kind] = (self.ops, said[-1][:200] if said else "exit %d" % r.returncode)
        if self.a.verbose:
            print("op %s as %d: %s %s" % (kind, uid, r.returncode, " ".join(r.args[-3:]) if r.args else ""),
                  (r.stderr or r.stdout).strip()[:400], flush=True)

    def peek(self, uid, rng):
        """a member reaches none of another's containers or sessions"""
        theirs = sorted(sn for o in self.sessions if o not in (uid, ROOT) for sn in list(self.sessions[o]))
        if uid != ROOT and theirs and rng.random() < 0.3:
            sn = rng.choice(theirs)
            r = self.ctl(uid, "broker", "pub", sn, "peek", "1")
            if r.returncode == 0:
                self.violate("members", "uid %d published on session %s, another's" % (uid, sn))
            return r
        others = set()
        for o in self.owned:
            if o != uid:
                others |= self.owned[o]
        others -= self.gone
        if not others:
            return None
        other = rng.choice(sorted(others))
        r = self.ctl(uid, "inspect", other)
        if uid != ROOT and r.returncode == 0:
            self.violate("members", "uid %d inspected %s, another's container" % (uid, other))
        return r

    def judge(self, inv, n=1):
        self.judged[inv] = self.judged.get(inv, 0) + n

    def violate(self, inv, msg):
        self.violations.append("%s: %s" % (inv, msg))
        print("VIOLATION %s: %s" % (inv, msg), flush=True)

    # ---- the nemesis
    def monitors(self):
        out = {}
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and os.path.basename(argv[0]).startswith(b"corral-monitor") and self.a.state.encode() in b" ".join(argv):
                for i, x in enumerate(argv):
                    if x == b"--id" and i + 1 < len(argv):
                        out[argv[i + 1].decode()] = int(p)
        return out

    FAULTS = {"kill_corrald": 3, "kill_corrald_in_op": 4, "kill_monitor": 3, "kill_helper": 3, "kill_cni": 2,
              "enospc": 2, "systemctl_restart": 3, "stall_monitor": 2}
    HELPERS = (b"corral-copy", b"corral-images", b"corral-docker", b"corral-build", b"corral-cri")
    HELPER_OPS = ("cp_in", "cp_out", "build", "docker_ps", "docker_run", "image_tag", "image_prune", "pull", "push", "cri_pod")

    def helpers(self):
        """corrald's helpers now running: [(pid, name)]"""
        out = []
        for p in os.listdir("/proc"):
            try:
                with open("/proc/%s/stat" % p, "rb") as f:
                    st = f.read()
            except OSError:
                continue
            comm = st[st.index(b"(") + 1:st.rindex(b")")]
            if comm in self.HELPERS and int(st[st.rindex(b")") + 2:].split()[1]) == self.pid:
                out.append((int(p), comm.decode()))
        return sorted(out)

    # what brings up or tears down a container's network
    CNI_OPS = ("run_net", "stop", "start", "rm_f", "kill", "session_net")

    def cni_plugins(self):
        """CNI plugins corrald (or a child of its) runs now: [pid]"""
        out = []
        for p in os.listdir("/proc"):
            try:
                exe = os.readlink("/proc/%s/exe" % p)
            except OSError:
                continue
            if os.path.dirname(exe) != self.a.cni_dir:
                continue
            pid = int(p)
            for _ in range(4):  # corrald, or its child's child
                try:
                    with open("/proc/%d/stat" % pid, "rb") as f:
                        st = f.read()
                except OSError:
                    break
                pid = int(st[st.rindex(b")") + 2:].split()[1])
                if pid == self.pid:
                    out.append(int(p))
                    break
        return sorted(out)

    def fill(self, path):
        """the filesystem at path full: what is left taken, to the last block"""
        if self.a.verbose:
            st = os.statvfs(os.path.dirname(path))
            print("fill: %d blocks of %d free, %d inodes free" % (st.f_bavail, st.f_blocks, st.f_favail), flush=True)
        with open(path, "ab", buffering=0) as f:
            size = os.statvfs(os.path.dirname(path)).f_bavail * 4096
            while size >= 4096:  # the most that fits, halved until it does
                try:
                    os.posix_fallocate(f.fileno(), os.fstat(f.fileno()).st_size, size)
                except OSError:
                    size //= 2
            for chunk in (4096, 512):
                try:
                    while True:
                        f.write(b"\0" * chunk)
                except OSError:
                    pass
        st = os.statvfs(os.path.dirname(path))
        if st.f_bavail > 16:
            self.violate("soak", "the state's filesystem still has %d blocks free when full" % st.f_bavail)

    def in_flight(self, kinds=None):
        """a step running in a thread: its operations' results are recorded"""
        t = threading.Thread(target=lambda: [self.record(*o) for o in self.step(kinds)])
        t.start()
        return t

    def fault(self):
        """one fault of the nemesis's; its kind, and how long corrald took to
        serve again (0 where it was not killed)"""
        kinds = self.a.fault_kinds.split(",") if self.a.fault_kinds else \
            [k for k in self.FAULTS if self.a.unit or k != "systemctl_restart"]
        kind = self.frng.choices(kinds, [self.FAULTS[k] for k in kinds])[0]
        # drawn whatever the kind: the faults after stay the same for a seed
        pick, delay, also_kill = self.frng.random(), self.frng.uniform(0.0, 0.2), self.frng.random() < 0.5
        aim = self.IN_OP[int(self.frng.random() * len(self.IN_OP))]
        if self.a.verbose:
            print("fault %s" % kind, flush=True)
        self.faults[kind] = self.faults.get(kind, 0) + 1
        if kind == "kill_monitor":
            mons = self.monitors()
            if mons:
                victim = sorted(mons)[int(pick * len(mons))]
                try:
                    os.kill(mons[victim], signal.SIGKILL)
                except OSError:
                    pass
            return kind, 0.0
        if kind == "stall_monitor":
            # a monitor stopped (SIGSTOP, as a hung one) while a step runs:
            # what goes through it fails in 5 s, corrald serves the others,
            # and (half the time) a forced removal of its container removes
            # it, killing the monitor; then it goes on
            mons = self.monitors()
            if not mons:
                return kind, 0.0
            victim = sorted(mons)[int(pick * len(mons))]
            try:
                os.kill(mons[victim], signal.SIGSTOP)
            except OSError:
                return kind, 0.0
            try:
                t = self.in_flight()
                time.sleep(delay)
                self.judge("serves")
                if self.ctl(ROOT, "ping", timeout=15).returncode != 0:
                    self.violate("serves", "corrald did not answer in 15 s with the monitor of %s stopped" % victim)
                if also_kill:
                    self.gone.add(victim)
                    self.judge("removes")
                    r = self.ctl(ROOT, "rm", "-f", victim, timeout=30)
                    if r.returncode != 0 and "no such container" not in r.stderr.lower():
                        self.violate("removes", "rm -f %s, its monitor stopped: %s" % (victim, (r.stderr or "timed out").strip()[:300]))
                t.join(120)
            finally:
                try:
                    os.kill(mons[victim], signal.SIGCONT)
                except OSError:
                    pass
            return kind, 0.0
        if kind in ("kill_helper", "kill_cni"):
            # a helper of corrald's, or a CNI plugin adding or deleting a
            # container's network, killed while it works for a step in
            # flight: caught as soon as one runs
            helper = kind == "kill_helper"
            t = self.in_flight(self.HELPER_OPS if helper else self.CNI_OPS)
            end = time.monotonic() + 3
            # a plugin further down the chain too (a DEL's first is tuning,
            # whose loss leaves nothing): the one after `skip` others
            seen, skip = set(), 0 if helper else int(pick * 4)
            while time.monotonic() < end:
                busy = [p for p, _ in self.helpers()] if helper else self.cni_plugins()
                seen.update(busy)
                if busy and len(seen) > skip:
                    try:
                        os.kill(busy[int(pick * len(busy))], signal.SIGKILL)
                        self.cni_kills += not helper
                    except OSError:
                        pass
                    break
                if helper:  # a helper runs for longer than a plugin: no need to spin
                    time.sleep(0.01)
            t.join(120)
            return kind, 0.0
        if kind == "enospc":
            # the state's filesystem full while a step runs, corrald killed
            # meanwhile or not; then freed
            fill = os.path.join(self.a.state, ".soak-fill")
            self.fill(fill)
            for o in self.step():
                self.record(*o)
            took = 0.0
            if also_kill:
                self.kill()
                took = self.start()
            elif self.ctl(ROOT, "ping").returncode != 0:
                self.violate("serves", "corrald does not answer with its disk full")
            os.unlink(fill)
            if also_kill:
                self.recovery.setdefault(kind, []).append(took)
            return kind, took
        if kind in ("kill_corrald_in_op", "systemctl_restart"):
            # corrald killed, or restarted by systemd (SIGTERM, then a new
            # one), while a step of the seed's is in flight
            if aim and not self.a.registry:
                aim = tuple(k for k in aim if k != "pull") or None
            t = self.in_flight(aim)
            time.sleep(delay)
        if kind == "systemctl_restart":
            took = self.start(restart=True)
        else:
            self.kill()
            took = self.start()
        if kind in ("kill_corrald_in_op", "systemctl_restart"):
            t.join(60)
        self.recovery.setdefault(kind, []).append(took)
        return kind, took

    # ---- invariants
    def network_problems(self, ids):
        """each pinned network namespace is a listed container's, and has
        its one veth on corrald's side, as each session on a network has; no
        veth without a pin or a session"""
        out = []
        pdir = os.path.join(self.a.state, "networks", "netns")
        pins = [d for d in (os.listdir(pdir) if os.path.isdir(pdir) else []) if not d.startswith(".")]
        # a DEL that failed holds its pin (and its veth's remains) until it
        # is tried again, which may outlast the container and this check
        waiting = {w.split(".")[0] for w in self.waiting_dels()}
        pins = [d for d in pins if d not in waiting]
        with open("/proc/self/mountinfo") as f:
            bound = {ln.split()[4] for ln in f}
        for d in pins:
            if d not in ids:
                out.append("network namespace pin %s of no container corrald lists" % d[:12])
            if os.path.join(pdir, d) not in bound:
                out.append("network namespace pin %s is a file with no namespace bound on it" % d[:12])
        if self.a.netns:
            r = subprocess.run(["nsenter", "--net=" + self.a.netns, "ip", "-o", "link", "show", "type", "veth"],
                               capture_output=True, text=True, timeout=30)
            veths = [ln.split(": ")[1].split("@")[0] for ln in r.stdout.splitlines() if ": " in ln]
            for ln in r.stdout.splitlines():
                if ": " in ln and "link-netns" not in ln:
                    out.append("veth %s has its peer here, in no container's namespace" % ln.split(": ")[1].split("@")[0])
            sdir = os.path.join(self.a.state, "sessions")
            attached = {s for s in (os.listdir(sdir) if os.path.isdir(sdir) else [])
                        if os.path.exists(os.path.join(sdir, s, "network.json"))}
            if len(veths) != len(pins) + len(attached):
                out.append("%d veths (%s) for %d pinned network namespaces and %d sessions on a network" %
                           (len(veths), " ".join(veths[:8]), len(pins), len(attached)))
            self.judge("accounted", len(veths))
            out += self.lease_problems(set(pins), {self.cni_id(sdir, s) for s in attached})
        return out

    def waiting_dels(self):
        """the DELs waiting in networks/pending to be tried again: {<id>[.<ifname>]}"""
        pdir = os.path.join(self.a.state, "networks", "pending")
        return {n[:-len(".json")] for n in (os.listdir(pdir) if os.path.isdir(pdir) else []) if n.endswith(".json")}

    @staticmethod
    def cni_id(sdir, name):
        """a session's attachment id, as its session.json keeps it (one of
        before, without it: corral-session-NAME)"""
        try:
            with open(os.path.join(sdir, name, "session.json")) as f:
                return json.load(f).get("cniId") or "corral-session-" + name
        except (OSError, ValueError):
            return "corral-session-" + name

    def lease_problems(self, pins, sessions):
        """each address lease (host-local's files: the id, then the
        interface) is a pinned container's, an attached session's (sessions:
        their ids), or has
        its DEL waiting in networks/pending to be tried again"""
        out = []
        ipam = os.path.join(self.a.state, "networks", "ipam")
        waiting = self.waiting_dels()
        for net in os.listdir(ipam) if os.path.isdir(ipam) else []:
            for ip in os.listdir(os.path.join(ipam, net)):
                if ip == "lock" or ip.startswith("last_reserved_ip"):
                    continue
                try:
                    with open(os.path.join(ipam, net, ip)) as f:
                        lid, _, ifname = f.read().replace("\r", "").partition("\n")
                except OSError:
                    continue  # released meanwhile
                ifname = ifname.strip() or "eth0"
                owned = lid in pins or lid in sessions
                if not owned and lid not in waiting and "%s.%s" % (lid, ifname) not in waiting:
                    out.append("lease %s on %s of %s, which no attachment or waiting DEL accounts for" % (ip, net, lid[:40]))
                self.judge("accounted")
        return out

    CGROUP = re.compile(r"^(?:corral-(?:monitor-)?)?([0-9a-f]{64})(?:\.scope)?$")

    def cgroup_problems(self, ids):
        """each container's cgroup (cgroupfs: <parent>/<id>; systemd: a
        corral-<id>.scope in the slice) is a listed container's"""
        out = []
        names = os.listdir(self.a.cgroup_dir) if os.path.isdir(self.a.cgroup_dir) else []
        cgroups = [m.group(1) for m in map(self.CGROUP.match, names) if m]
        for cid in cgroups:
            if cid not in ids:
                out.append("cgroup %s of no container corrald lists" % cid[:19])
        self.judge("accounted", len(cgroups))
        return out

    def listed(self, uid):
        r = self.ctl(uid, "--json", "ps", "-a")
        if r.returncode != 0:
            raise Violation("serves: ps -a as uid %d failed: %s" % (uid, r.stderr.strip()))
        return json.loads(r.stdout or "[]")

    def check(self, when):
        self.checks += 1
        ctrs = self.listed(ROOT)
        ids = {c["id"]: c for c in ctrs}
        # accounted: a running container has its monitor; each monitor and
        # each container directory is one corrald lists
        end = time.monotonic() + 10  # a removal finishes in the background
        while True:
            problems = []
            mons = self.monitors()
            ids = {c["id"]: c for c in self.listed(ROOT)}
            for cid, c in ids.items():
                if state_of(c) == "running" and not any(m.startswith(cid) or cid.startswith(m) for m in mons):
                    problems.append("container %s is running with no monitor" % cid[:12])
            for m in mons:
                if not any(cid.startswith(m) or m.startswith(cid) for cid in ids):
                    problems.append("monitor of %s (pid %d) for no container corrald lists" % (m[:12], mons[m]))
            cdir = os.path.join(self.a.state, "containers")
            for d in os.listdir(cdir) if os.path.isdir(cdir) else []:
                if len(d) >= 12 and not d.startswith(".") and d not in ids:
                    problems.append("container directory %s for no container corrald lists" % d[:12])
            with open("/proc/self/mountinfo") as f:
                for ln in f:
                    mp = ln.split()[4]
                    if mp.startswith(cdir + "/"):
                        d = mp[len(cdir) + 1:].split("/")[0]
                        if not d.startswith(".") and d not in ids:
                            problems.append("mount %s of no container corrald lists" % mp.replace(self.a.state, "STATE"))
            problems += self.network_problems(ids)
            problems += self.cgroup_problems(ids)
            for c in json.loads(self.rt("list", "--format", "json").stdout or "null") or []:
                problems.append("runtime container %s (%s) of no operation" % (c.get("id"), c.get("status")))
            if not problems or time.monotonic() > end:
                break
            time.sleep(0.2)
        self.judge("accounted", len(ids) + len(mons))
        for p in problems:
            self.violate("accounted", "%s (after %s)" % (p, when))
        # parses
        for cid in ids:
            for f in ("record.json", "config.json", "exit.json"):
                path = os.path.join(self.a.state, "containers", cid, f)
                try:
                    with open(path) as fh:
                        json.load(fh)
                    self.judge("parses")
                except FileNotFoundError:
                    pass
                except (OSError, ValueError) as e:
                    self.violate("parses", "%s of %s: %s (after %s)" % (f, cid[:12], e, when))
        # members: each lists its own alone
        for uid in MEMBERS:
            mine = {c["id"] for c in self.listed(uid)}
            self.judge("members", len(mine))
            for cid in mine - self.owned[uid]:
                if any(cid in self.owned[o] for o in self.owned if o != uid):
                    self.violate("members", "uid %d lists %s, another's (after %s)" % (uid, cid[:12], when))
        self.check_store(when)
        self.check_events(when)
        # bounded
        self.judge("bounded")
        rss, fds = self.usage()
        if fds > 256 + 4 * len(ids):
            self.violate("bounded", "corrald holds %d fds with %d containers (after %s)" % (fds, len(ids), when))
        if rss > 128 * 1024:
            self.violate("bounded", "corrald's RSS is %d kB (after %s)" % (rss, when))

    LIFE = {"create", "start", "restore", "die", "remove"}
    EXPECT = {"running": ("start", "restore"), "paused": ("start", "restore"), "created": ("create",),
              "exited": ("die",), "stopped": ("die",)}

    def check_events(self, when):
        """each container's last lifecycle event matches its state; one gone
        has its remove (judged where two listings around the events agree)"""
        # a container that ran again between the listings (a crash loop's
        # restart) is not judged: its startedAt tells
        before = {c["id"]: (state_of(c), started_of(c)) for c in self.listed(ROOT)}
        r = self.ctl(ROOT, "--json", "events", "--since", "0", "--until", str(int(time.time()) + 1),
                     "--filter", "type=container")
        after = {c["id"]: (state_of(c), started_of(c)) for c in self.listed(ROOT)}
        if r.returncode != 0:
            return self.violate("serves", "events as root failed: %s (after %s)" % (r.stderr.strip(), when))
        last, created = {}, set()
        for ln in r.stdout.splitlines():
            try:
                ev = json.loads(ln)
            except ValueError:
                return self.violate("parses", "an event line %r (after %s)" % (ln[:160], when))
            ev = ev.get("event", ev)
            action, cid = ev.get("action"), ev.get("id") or ev.get("ID")
            if action in self.LIFE:
                last[cid] = action
                if action == "create":
                    created.add(cid)
        for cid in created:  # a create rotated out of the log is not judged
            if cid in before and before.get(cid) == after.get(cid):
                status = before[cid][0]
                want = self.EXPECT.get(status)
                self.judge("events")
                if want and last[cid] not in want:
                    self.violate("events", "%s is %s, its last event %s (after %s)" % (cid[:12], status, last[cid], when))
            elif cid not in before and cid not in after and last[cid] != "remove":
                self.violate("events", "%s is gone, its last event %s (after %s)" % (cid[:12], last[cid], when))

    def check_store(self, when):
        d = os.path.join(self.a.state, "images")
        blobs = os.path.join(d, "blobs", "sha256")
        have = set()
        for name in os.listdir(blobs) if os.path.isdir(blobs) else []:
            if name.startswith("."):
                continue
            h = hashlib.sha256()
            with open(os.path.join(blobs, name), "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            self.judge("store")
            if h.hexdigest() != name:
                self.violate("store", "blob %s holds sha256:%s (after %s)" % (name[:12], h.hexdigest()[:12], when))
            have.add("sha256:" + name)
        try:
            with open(os.path.join(d, "refs.json")) as f:
                refs = json.load(f)
        except FileNotFoundError:
            return
        except (OSError, ValueError) as e:
            return self.violate("parses", "images/refs.json: %s (after %s)" % (e, when))
        for ref, digest in refs.get("refs", {}).items():
            if digest not in refs.get("images", {}):
                self.violate("store", "%s names %s, no image (after %s)" % (ref, digest[:19], when))
        for digest, img in refs.get("images", {}).items():
            for blob in (digest, img.get("config")):
                if blob and blob not in have:
                    self.violate("store", "image %s lacks blob %s (after %s)" % (digest[:19], blob[:19], when))

    def usage(self):
        rss = 0
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for ln in f:
                    if ln.startswith("VmRSS:"):
                        rss = int(ln.split()[1])
            fds = len(os.listdir("/proc/%d/fd" % self.pid))
        except OSError:
            fds = 0
        return rss, fds

    def disk(self):
        """bytes the containers and the store take"""
        total = 0
        for sub in ("containers", "images"):
            for root, dirs, files in os.walk(os.path.join(self.a.state, sub)):
                for f in files:
                    try:
                        total += os.lstat(os.path.join(root, f)).st_blocks * 512
                    except OSError:
                        pass
        return total

    def pruned(self, disk0):
        """everything removed and pruned: the disk back to its baseline"""
        for w in range(3):
            for uid in (ROOT,) + MEMBERS:
                self.ctl(uid, "delete", "workload", "soakwl%d" % w)
        for c in self.listed(ROOT):
            self.ctl(ROOT, "rm", "-f", c["id"])
        r = self.ctl(ROOT, "--json", "image", "ls")
        for i in json.loads(r.stdout or "[]"):
            for n in i.get("names") or []:
                if "soak" in n:
                    self.ctl(ROOT, "image", "rm", n)
        for uid in (ROOT,) + MEMBERS:
            self.drop_sessions(uid)
            self.ctl(uid, "volume", "prune")
            self.ctl(uid, "system", "prune")
        self.checks += 1
        end = time.monotonic() + 20  # the trash empties in the background
        while True:
            now = self.disk()
            if now <= disk0 + (1 << 20) or time.monotonic() > end:
                break
            time.sleep(0.2)
        print("soak: containers and store took %d kB at the start, %d kB after the prune" % (disk0 // 1024, now // 1024))
        if now > disk0 + (1 << 20):
            self.violate("bounded", "after the prune, containers and store take %d kB, %d kB at the start" % (now // 1024, disk0 // 1024))

    # ---- planted bugs: the soak's own test (test_soak.sh); each must make
    # it fail with a message that names it. They are planted one at a time
    # after the end's check, each taken out again before the next.
    def plant(self, kind):
        if kind == "orphan-mount":
            d = os.path.join(self.a.state, "containers", "f" * 64, "rootfs")
            os.makedirs(d, exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "planted", d], check=True)
            self.planted = d
        elif kind == "bad-blob":
            blobs = os.path.join(self.a.state, "images", "blobs", "sha256")
            victim = os.path.join(blobs, sorted(os.listdir(blobs))[0])
            self.planted_blob = (victim, os.path.getsize(victim))
            with open(victim, "ab") as f:
                f.write(b"planted")
        elif kind == "member-read":
            # a member's listing that shows another's: its calls made as root
            self.member_as_root = True
        elif kind == "orphan-cgroup":
            # a container's cgroup that outlived it
            os.makedirs(os.path.join(self.a.cgroup_dir, "e" * 64))
            self.planted_cgroup = os.path.join(self.a.cgroup_dir, "e" * 64)
        elif kind == "orphan-veth":
            # a veth on corrald's side that no pinned namespace accounts for
            subprocess.run(["nsenter", "--net=" + self.a.netns, "ip", "link", "add", "soakplant0", "type", "veth",
                            "peer", "name", "soakplant1"], check=True)
            self.planted_veth = True
        elif kind == "orphan-lease":
            # an address leased by host-local for an id nothing has
            d = os.path.join(self.a.state, "networks", "ipam", "corral")
            os.makedirs(d, exist_ok=True)
            self.planted_lease = os.path.join(d, "10.88.255.250")
            with open(self.planted_lease, "w") as f:
                f.write("soakplant\r\neth0")
        elif kind == "leaked-fd":
            import socket
            self.held = []
            for _ in range(400):
                c = socket.socket(socket.AF_UNIX)
                c.connect(self.a.sock)
                self.held.append(c)

    def unplant(self):
        if getattr(self, "planted", None):
            subprocess.run(["umount", self.planted])
            subprocess.run(["rm", "-rf", os.path.dirname(self.planted)])
        if getattr(self, "planted_cgroup", None):
            os.rmdir(self.planted_cgroup)
        if getattr(self, "planted_lease", None):
            os.unlink(self.planted_lease)
        if getattr(self, "planted_blob", None):
            os.truncate(*self.planted_blob)
        if getattr(self, "planted_veth", False):
            subprocess.run(["nsenter", "--net=" + self.a.netns, "ip", "link", "del", "soakplant0"])
        for c in getattr(self, "held", []):
            c.close()
        self.planted = self.planted_cgroup = self.planted_lease = self.planted_blob = None
        self.planted_veth = self.member_as_root = False
        self.held = []

    # ---- the run
    def run(self):
        print("soak: seed %d, %d operations, %d faults" % (self.a.seed, self.a.ops, self.a.faults), flush=True)
        self.start()
        rss0, _ = self.usage()
        disk0 = self.disk()
        # where the faults fall, chosen up front: the same for a seed
        at = sorted(self.rng.sample(range(1, self.a.ops), min(self.a.faults, self.a.ops - 1)))
        t0 = time.monotonic()
        nf = 0
        shown = 0
        while self.ops < self.a.ops:
            for o in self.step():
                self.record(*o)
            while nf < len(at) and at[nf] <= self.ops:
                kind, took = self.fault()
                nf += 1
                self.check("%s at operation %d" % (kind, self.ops))
            if self.ops // 100 > shown:
                shown = self.ops // 100
                el = time.monotonic() - t0
                print("soak: %d/%d operations, %d faults, %d violations, %.0f s" % (self.ops, self.a.ops, nf, len(self.violations), el),
                      flush=True)
        self.check("the end")
        for kind in self.a.plant:
            print("soak: planted %s" % kind, flush=True)
            self.plant(kind)
            try:
                self.check("planted " + kind)
            finally:
                self.unplant()
        if not self.a.plant:
            self.pruned(disk0)
        el = time.monotonic() - t0
        rss1, _ = self.usage()
        print("soak: seed %d: %d operations and %d faults in %.0f s (%.0f and %.1f a minute), %d checks, %d violations"
              % (self.a.seed, self.ops, nf, el, self.ops / el * 60, nf / el * 60, self.checks, len(self.violations)))
        print("soak: operations by kind (tried/succeeded): %s"
              % ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in sorted(self.done.items())))
        print("soak: faults by kind: %s" % ", ".join("%s %d" % kv for kv in sorted(self.faults.items())))
        if self.faults.get("kill_cni"):
            print("soak: kill_cni caught a plugin at work %d times of %d" % (self.cni_kills, self.faults["kill_cni"]))
        print("soak: invariants checked (objects judged): %s" % ", ".join("%s %d" % kv for kv in sorted(self.judged.items())))
        for k, v in sorted(self.recovery.items()):
            print("soak: corrald served again after %s in %.3f s median, %.3f s worst (%d)"
                  % (k, statistics.median(v), max(v), len(v)))
        print("soak: corrald's RSS %d kB at the start, %d kB at the end" % (rss0, rss1))
        if self.violations:  # what the operations that failed last were told: a replay elsewhere may not fail so
            for k, (op, said) in sorted(self.last_failure.items()):
                print("soak: %s last failed at operation %d: %s" % (k, op, said))
        return 1 if self.violations else 0


PLANTS = ["orphan-mount", "bad-blob", "member-read", "leaked-fd", "orphan-veth", "orphan-cgroup", "orphan-lease"]


def plants(text):
    kinds = text.split(",")
    for k in kinds:
        if k not in PLANTS:
            raise argparse.ArgumentTypeError("%s: no such bug to plant (%s)" % (k, ", ".join(PLANTS)))
    return kinds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ops", type=int, default=200)
    ap.add_argument("--faults", type=int, default=10)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--sock", required=True)
    ap.add_argument("--corralctl", required=True)
    ap.add_argument("--corral", required=True)
    ap.add_argument("--runtime-root", required=True)
    ap.add_argument("--rootfs", required=True, help="the runtime CLI's containers' root filesystem")
    ap.add_argument("--rt-cgroup", required=True, help="where the runtime CLI's containers' cgroups go")
    ap.add_argument("--cgroup-dir", default="", help="the folder of corrald's containers' cgroups")
    ap.add_argument("--docker-sock", required=True)
    ap.add_argument("--cri-sock", default="", help="corrald's CRI socket ('': none)")
    ap.add_argument("--registry", default="", help="HOST:PORT of a registry to pull from and push to ('': none)")
    ap.add_argument("--image", required=True)
    ap.add_argument("--gid", type=int, required=True)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--fault-kinds", default="", help="only these faults (a comma-separated list)")
    ap.add_argument("--op-kinds", default="", help="only these operations (a comma-separated list)")
    ap.add_argument("--criu", action="store_true", help="criu works here: checkpoint and restore too")
    ap.add_argument("--unit", default="", help="corrald's systemd unit: started and restarted through systemctl")
    ap.add_argument("--cni-dir", default="/usr/lib/cni", help="where corrald's CNI plugins are")
    ap.add_argument("--netns", default="", help="corrald's network namespace ('': the soak's own)")
    ap.add_argument("--plant", type=plants, default=[],
                    help="bugs (a comma-separated list of %s) planted after the end's check, one at a time, each of which"
                    " a check must find" % ", ".join(PLANTS))
    ap.add_argument("corrald", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if a.corrald[:1] == ["--"]:
        a.corrald = a.corrald[1:]
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1 << 31)
    s = Soak(a)
    try:
        rc = s.run()
    except Violation as e:
        print("VIOLATION %s" % e, flush=True)
        rc = 1
    if rc:
        print("soak: failed; replay with tests/soak/run.sh --seed %d" % a.seed)
    return rc


if __name__ == "__main__":
    sys.exit(main())
