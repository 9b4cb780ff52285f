#!/usr/bin/python3
"""corral's seeded soak (tests/soak/run.sh starts it): random operations
from root and two members of the access group at once, through corralctl,
while a nemesis kills corrald and containers' monitors at moments the seed
chooses; after every fault, and at the end, the invariants:

  serves       corrald answers again after every fault, with no manual step
  accounted    every running container corrald lists has its monitor, and
               every monitor and container directory belongs to one it lists
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
import signal
import statistics
import subprocess
import sys
import threading
import time

MEMBERS = (4242, 4243)
ROOT = 0


class Violation(Exception):
    pass


class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.pid = None
        self.owned = {ROOT: set(), MEMBERS[0]: set(), MEMBERS[1]: set()}  # ids each made
        self.gone = set()  # ids removed (or whose removal may have happened)
        self.faults = {}
        self.recovery = {}
        self.violations = []
        self.ops = 0
        self.checks = 0
        self.serial = 0
        self.done = {}  # kind -> [tried, succeeded]

    # ---- corrald
    def start(self):
        log = open(os.path.join(self.a.dir, "corrald.log"), "a")
        p = subprocess.Popen(self.a.corrald, stdout=log, stderr=log, start_new_session=True)
        with open(os.path.join(self.a.dir, ".daemons"), "a") as f:
            f.write("%d\n" % p.pid)
        self.proc = p
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            if self.ctl(ROOT, "ping", timeout=2).returncode == 0:
                # the pid of corrald itself (the wrapper execs it)
                self.pid = p.pid
                return time.monotonic() - t0
            if p.poll() is not None:
                raise Violation("serves: corrald exited at its start (%d); see corrald.log" % p.returncode)
            time.sleep(0.02)
        raise Violation("serves: corrald did not answer in 30 s after a restart")

    def ctl(self, uid, *args, timeout=30):
        cmd = [self.a.corralctl, "--socket", self.a.sock, "--timeout", str(timeout)] + list(args)
        if uid != ROOT and not getattr(self, "member_as_root", False):
            cmd = ["setpriv", "--reuid", str(uid), "--regid", "12345", "--groups", str(self.a.gid)] + cmd
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10)
        except subprocess.TimeoutExpired as e:
            return subprocess.CompletedProcess(cmd, 124, e.stdout or "", "timed out")

    # ---- operations
    def pick_own(self, uid):
        """one of the caller's containers, as corrald lists them to it now"""
        r = self.ctl(uid, "--json", "ps", "-a")
        try:
            ids = sorted(c["id"] for c in json.loads(r.stdout or "[]"))
        except ValueError:
            ids = []
        return self.rng.choice(ids) if ids else None

    def op(self):
        uid = self.rng.choice((ROOT,) + MEMBERS)
        kind = self.rng.choices(
            ["run", "run_rm", "stop", "kill", "start", "rm_f", "rm", "exec", "logs", "volume", "session",
             "prune", "peek"],
            weights=[10, 4, 4, 2, 3, 4, 2, 5, 3, 2, 2, 1, 3])[0]
        self.ops += 1
        self.serial += 1
        name = "soak-%d-%d" % (self.a.seed, self.serial)
        target = self.pick_own(uid)
        if kind == "run":
            r = self.ctl(uid, "run", "-d", "--name", name, self.a.image, "sleep", "100000")
            if r.returncode == 0 and r.stdout.strip():
                self.owned[uid].add(r.stdout.strip())
            elif r.returncode == 0:
                pass
            return kind, uid, r
        if kind == "run_rm":
            return kind, uid, self.ctl(uid, "run", "--rm", self.a.image, "true")
        if kind == "peek":
            return kind, uid, self.peek(uid)
        if kind == "volume":
            v = "soakvol-%d" % self.serial
            r = self.ctl(uid, "volume", "create", v)
            self.ctl(uid, "volume", "rm", v)
            return kind, uid, r
        if kind == "session":
            s = "soaks-%d" % self.serial
            r = self.ctl(uid, "session", "create", s)
            self.ctl(uid, "session", "rm", s)
            return kind, uid, r
        if kind == "prune":
            return kind, uid, self.ctl(uid, "container", "prune")
        if not target:
            return kind, uid, None
        if kind in ("rm_f", "rm"):
            self.gone.add(target)  # whatever comes of it, it may be gone
            return kind, uid, self.ctl(uid, "rm", *(["-f"] if kind == "rm_f" else []), target)
        args = {"stop": ["stop", "-t", "1", target], "kill": ["kill", target], "start": ["start", target],
                "exec": ["exec", target, "echo", "soak"], "logs": ["logs", target]}[kind]
        r = self.ctl(uid, *args)
        if kind == "exec" and r.returncode == 0 and r.stdout.strip() != "soak":
            self.violate("exec", "exec in %s printed %r, not soak" % (target, r.stdout))
        return kind, uid, r

    def record(self, kind, uid, r):
        if r is None:  # nothing of the caller's to do it to
            return
        n = self.done.setdefault(kind, [0, 0])
        n[0] += 1
        if r is not None and r.returncode == 0:
            n[1] += 1
        if r is not None and self.a.verbose:
            print("op %d %s as %d: %s %s" % (self.ops, kind, uid, r.returncode, " ".join(r.args[-3:]) if r.args else ""),
                  (r.stderr or r.stdout).strip()[:160], flush=True)

    def peek(self, uid):
        """a member reaches none of another's containers"""
        others = set()
        for o in self.owned:
            if o != uid:
                others |= self.owned[o]
        others -= self.gone
        if not others:
            return None
        other = self.rng.choice(sorted(others))
        r = self.ctl(uid, "inspect", other)
        if uid != ROOT and r.returncode == 0:
            self.violate("members", "uid %d inspected %s, another's container" % (uid, other))
        return r

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

    def fault(self):
        kind = self.rng.choices(["kill_corrald", "kill_corrald_in_op", "kill_monitor"], weights=[3, 4, 3])[0]
        if self.a.verbose:
            print("fault %s" % kind, flush=True)
        self.faults[kind] = self.faults.get(kind, 0) + 1
        if kind == "kill_monitor":
            mons = self.monitors()
            if mons:
                victim = self.rng.choice(sorted(mons))
                try:
                    os.kill(mons[victim], signal.SIGKILL)
                except OSError:
                    pass
            return kind, 0.0
        if kind == "kill_corrald_in_op":
            # corrald killed while an operation of the seed's is in flight
            delay = self.rng.uniform(0.0, 0.2)
            t = threading.Thread(target=self.op)
            t.start()
            time.sleep(delay)
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()
        if kind == "kill_corrald_in_op":
            t.join(60)
        took = self.start()
        self.recovery.setdefault(kind, []).append(took)
        return kind, took

    # ---- invariants
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
                if c.get("state", c.get("status")) == "running" and not any(m.startswith(cid) or cid.startswith(m) for m in mons):
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
            if not problems or time.monotonic() > end:
                break
            time.sleep(0.2)
        for p in problems:
            self.violate("accounted", "%s (after %s)" % (p, when))
        # parses
        for cid in ids:
            for f in ("record.json", "config.json", "exit.json"):
                path = os.path.join(self.a.state, "containers", cid, f)
                try:
                    with open(path) as fh:
                        json.load(fh)
                except FileNotFoundError:
                    pass
                except (OSError, ValueError) as e:
                    self.violate("parses", "%s of %s: %s (after %s)" % (f, cid[:12], e, when))
        # members: each lists its own alone
        for uid in MEMBERS:
            mine = {c["id"] for c in self.listed(uid)}
            for cid in mine - self.owned[uid]:
                if any(cid in self.owned[o] for o in self.owned if o != uid):
                    self.violate("members", "uid %d lists %s, another's (after %s)" % (uid, cid[:12], when))
        self.check_store(when)
        # bounded
        rss, fds = self.usage()
        if fds > 256 + 4 * len(ids):
            self.violate("bounded", "corrald holds %d fds with %d containers (after %s)" % (fds, len(ids), when))
        if rss > 128 * 1024:
            self.violate("bounded", "corrald's RSS is %d kB (after %s)" % (rss, when))

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

    # ---- planted bugs: the soak's own test (tests/soak/selftest.sh); each
    # must make it fail with a message that names it
    def plant(self):
        kind = self.a.plant
        if kind == "orphan-mount":
            d = os.path.join(self.a.state, "containers", "f" * 64, "rootfs")
            os.makedirs(d, exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "planted", d], check=True)
            self.planted = d
        elif kind == "bad-blob":
            blobs = os.path.join(self.a.state, "images", "blobs", "sha256")
            victim = sorted(os.listdir(blobs))[0]
            with open(os.path.join(blobs, victim), "ab") as f:
                f.write(b"planted")
        elif kind == "member-read":
            # a member's listing that shows another's: its calls made as root
            self.member_as_root = True
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
        for c in getattr(self, "held", []):
            c.close()

    # ---- the run
    def run(self):
        print("soak: seed %d, %d operations, %d faults" % (self.a.seed, self.a.ops, self.a.faults), flush=True)
        self.start()
        rss0, _ = self.usage()
        # where the faults fall, chosen up front: the same for a seed
        at = sorted(self.rng.sample(range(1, self.a.ops), min(self.a.faults, self.a.ops - 1)))
        t0 = time.monotonic()
        nf = 0
        for i in range(1, self.a.ops + 1):
            self.record(*self.op())
            while nf < len(at) and at[nf] == i:
                kind, took = self.fault()
                nf += 1
                self.check("%s at operation %d" % (kind, i))
            if i % 50 == 0:
                el = time.monotonic() - t0
                print("soak: %d/%d operations, %d faults, %d violations, %.0f s" % (i, self.a.ops, nf, len(self.violations), el),
                      flush=True)
        if self.a.plant:
            self.plant()
        try:
            self.check("the end")
        finally:
            if self.a.plant:
                self.unplant()
        el = time.monotonic() - t0
        rss1, _ = self.usage()
        print("soak: seed %d: %d operations and %d faults in %.0f s (%.0f and %.1f a minute), %d checks, %d violations"
              % (self.a.seed, self.ops, nf, el, self.ops / el * 60, nf / el * 60, self.checks, len(self.violations)))
        print("soak: operations by kind (tried/succeeded): %s"
              % ", ".join("%s %d/%d" % (k, v[0], v[1]) for k, v in sorted(self.done.items())))
        print("soak: faults by kind: %s" % ", ".join("%s %d" % kv for kv in sorted(self.faults.items())))
        for k, v in sorted(self.recovery.items()):
            print("soak: corrald served again after %s in %.3f s median, %.3f s worst (%d)"
                  % (k, statistics.median(v), max(v), len(v)))
        print("soak: corrald's RSS %d kB at the start, %d kB at the end" % (rss0, rss1))
        return 1 if self.violations else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ops", type=int, default=200)
    ap.add_argument("--faults", type=int, default=10)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--sock", required=True)
    ap.add_argument("--corralctl", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--gid", type=int, required=True)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--plant", choices=["orphan-mount", "bad-blob", "member-read", "leaked-fd"],
                    help="a bug planted before the last check, which must find it")
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
