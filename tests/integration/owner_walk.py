#!/usr/bin/python3
# owner_walk.py SOCK TARGET.json: call every method of io.corral.Supervisor,
# as this process's uid (a member of the access group), against objects
# that are not its own, and check that none of them is reached or shown.
#
# The methods come from corrald's own interface description (GetInterface-
# Description), so a method added later and missing from CASES fails the
# walk: a new method cannot be forgotten.
#
# TARGET.json names the objects: ctr (id), ctrname, img (a name), imgid,
# secret, session, statekey, job, workload, volume, exec (an exec instance
# of ctr, never started), and "root": true when they are
# root's (root's images are shared read-only with members: reading them is
# allowed, changing them is not). "tar" is an archive this uid may read.
# Prints one line per method; exits 1 on any breach.
import atexit, json, os, re, socket, sys, tempfile, time

SOCK, TARGET = sys.argv[1], json.load(open(sys.argv[2]))
IFACE = "io.corral.Supervisor"
ROOT = TARGET.get("root", False)


def call(method, params=None, more=False, upgrade=False, window=0.0, iface=IFACE):
    """The replies of one call (a list of dicts), reading until the last one,
    or for window seconds of a stream that goes on."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(SOCK)
    msg = {"method": iface + "." + method}
    if params is not None:
        msg["parameters"] = params
    if more:
        msg["more"] = True
    if upgrade:
        msg["upgrade"] = True
    s.sendall(json.dumps(msg).encode() + b"\0")
    replies, buf = [], b""
    end = time.time() + (window or 10)
    try:
        while time.time() < end:
            s.settimeout(max(0.05, end - time.time()))
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            if not d:
                break
            buf += d
            while b"\0" in buf:
                one, _, buf = buf.partition(b"\0")
                r = json.loads(one)
                replies.append(r)
                if "error" in r or not r.get("continues") or upgrade:
                    return replies
    finally:
        s.close()
    return replies


def methods(iface):
    r = call("GetInterfaceDescription", {"interface": iface}, iface="org.varlink.service")
    text = r[0]["parameters"]["description"]
    return re.findall(r"^method\s+(\w+)\s*\(", text, re.M)


T = TARGET
ctr_refs = [T["ctr"], T["ctrname"], T["ctr"][:12]]
secrets_of_t = [T["ctr"], T["ctrname"], T["secret"], T["session"], T["job"], T["workload"], T["statevalue"],
                T["volume"], T["exec"]]
if not ROOT:
    secrets_of_t += [T["img"], T["imgid"]]

# what each method is given, and what it must do against T's objects:
#   denied  every call fails (NoSuch*, PermissionDenied, ...), naming none of T's objects it was not given
#   hides   it answers, and T's objects are not in the answer
#   open    it answers anything (the host's, not T's)
#   taken   a create under T's name: it makes the caller's own, or says the name is taken; T's is unchanged
#   reads   T is root's: reading a shared image is allowed; else denied
#   verify  as reads, where an answer about the image (not signed) is an error too
#   own     a prune: T's objects survive (the shell checks after the walk)
# ImageSave writes to a file of the caller's own
SAVE_FD, SAVE_TO = tempfile.mkstemp(prefix="corral-walk-save-")
os.close(SAVE_FD)
atexit.register(os.unlink, SAVE_TO)
CTR = lambda m, **kw: [("denied", m, dict(id=r, **kw)) for r in ctr_refs]
SPEC = {"image": T["img"], "command": ["true"]}
MANIFEST = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: c\n    image: %s\n" % (
    T["workload"], T["img"])
CASES = {
    "Ping": [("open", "Ping", None)],
    "GetInfo": [("hides", "GetInfo", None)],
    "Metrics": [("hides", "Metrics", None)],
    "Health": [("open", "Health", None)],
    "PolicyShow": [("open", "PolicyShow", None)],
    "ImageImport": [("taken", "ImageImport", {"path": "oci-archive:" + T["tar"], "name": T["img"]})],
    "ImageList": [("hides", "ImageList", {})],
    "ImageInspect": [("reads", "ImageInspect", {"image": T["img"]}), ("reads", "ImageInspect", {"image": T["imgid"]})],
    "ImageHistory": [("reads", "ImageHistory", {"image": T["img"]}), ("reads", "ImageHistory", {"image": T["imgid"]})],
    # a name of the caller's own for T's image (root's shared one only), or T's name for the caller's
    "ImageTag": [("reads", "ImageTag", {"image": T["imgid"], "names": ["walk-tag:1"]}),
                 ("taken", "ImageTag", {"image": T["img"], "names": [T["img"]]})],
    "ImageLoad": [("taken", "ImageLoad", {"path": T["tar"]})],
    "ImageSave": [("reads", "ImageSave", {"image": T["img"], "path": SAVE_TO}),
                  ("reads", "ImageSave", {"image": T["imgid"], "path": SAVE_TO, "format": "oci-archive"})],
    # no registry is reached: T's name is short (no registry-search), the others refused before a pull
    "ImagePull": [("denied", "ImagePull", {"reference": T["img"]}),
                  ("denied", "ImagePull", {"reference": T["imgid"]}),
                  # by digest, from a registry that has nothing: the store's copy is not the caller's
                  ("denied", "ImagePull", {"reference": "127.0.0.1:9/walk@" + T["imgid"]}),
                  ("denied", "ImagePull", {"reference": "127.0.0.1:9/" + T["img"].split(":")[0] + "@" + T["imgid"]})],
    # refused before a registry is reached: T's image is not the caller's, or (root's) the destination names no registry
    "ImagePush": [("denied", "ImagePush", {"image": T["img"], "destination": "walk:1"}),
                  ("denied", "ImagePush", {"image": T["imgid"], "destination": "walk:1"})],
    "Login": [("denied", "Login", {"registry": "walk_registry", "username": "u", "password": "p"})],
    "Logout": [("denied", "Logout", {"registry": "walk.invalid"})],
    "ImageRemove": [("denied", "ImageRemove", {"image": T["img"], "force": True}),
                    ("denied", "ImageRemove", {"image": T["imgid"], "force": True})],
    "ImageSign": [("denied", "ImageSign", {"image": T["img"], "signature": "AAAA"})],
    "ImageVerify": [("verify", "ImageVerify", {"image": T["img"]})],
    "ImagePrune": [("own", "ImagePrune", {"all": True})],
    "ContainerPrune": [("own", "ContainerPrune", {})],
    "SystemPrune": [("own", "SystemPrune", {"all": True})],
    "SecretCreate": [("taken", "SecretCreate", {"name": T["secret"], "data": "d2Fsaw=="})],
    "SecretList": [("hides", "SecretList", None)],
    "SecretRemove": [("denied", "SecretRemove", {"name": T["secret"], "force": True})],
    "NetworkCreate": [("denied", "NetworkCreate", {"name": "walknet"})],
    "NetworkList": [("open", "NetworkList", None)],
    "NetworkInspect": [("open", "NetworkInspect", {"name": "none"})],
    "NetworkRemove": [("denied", "NetworkRemove", {"name": "corral"})],
    # T's container: not the caller's, so NoSuchContainer before the network is looked at
    "NetworkConnect": CTR("NetworkConnect", network="corral", aliases=["walk-alias"]),
    "NetworkDisconnect": CTR("NetworkDisconnect", network="corral", force=True),
    "SessionCreate": [("taken", "SessionCreate", {"name": T["session"], "share": "uts"})],
    "SessionList": [("hides", "SessionList", None)],
    "SessionInspect": [("denied", "SessionInspect", {"name": T["session"]})],
    "SessionRemove": [("denied", "SessionRemove", {"name": T["session"], "force": True})],
    "SessionStop": [("denied", "SessionStop", {"name": T["session"]})],
    "SessionStateGet": [("denied", "SessionStateGet", {"name": T["session"], "key": T["statekey"]})],
    "SessionStateSet": [("denied", "SessionStateSet",
                         {"name": T["session"], "key": T["statekey"], "value": "\"walk\""})],
    "SessionStateRemove": [("denied", "SessionStateRemove", {"name": T["session"], "key": T["statekey"]})],
    "SessionStateList": [("denied", "SessionStateList", {"name": T["session"]})],
    "WorkloadApply": [("taken", "WorkloadApply", {"text": MANIFEST, "dryRun": True})],
    "WorkloadList": [("hides", "WorkloadList", None)],
    "WorkloadInspect": [("denied", "WorkloadInspect", {"name": T["workload"]})],
    "WorkloadDelete": [("denied", "WorkloadDelete", {"name": T["workload"]})],
    "CreateContainer": [("denied", "CreateContainer", {"spec": dict(SPEC, session=T["session"], name="walk1")}),
                        ("denied", "CreateContainer", {"spec": dict(SPEC, secrets=[{"name": T["secret"]}], name="walk3")})]
    + ([] if ROOT else [("denied", "CreateContainer", {"spec": dict(SPEC, name="walk2")})]),
    "Start": CTR("Start"),
    "Stop": CTR("Stop", timeout=1),
    "Kill": CTR("Kill", signal="KILL"),
    "Restart": CTR("Restart", timeout=1),
    "Pause": CTR("Pause"),
    "Unpause": CTR("Unpause"),
    "Checkpoint": CTR("Checkpoint", leaveRunning=True),
    "Restore": CTR("Restore"),
    "CheckpointExport": [("denied", "CheckpointExport", {"id": r, "path": SAVE_TO}) for r in ctr_refs],
    # an archive this uid may read, but no checkpoint of corrald's, under T's name
    "CheckpointImport": [("denied", "CheckpointImport", {"path": T["tar"], "name": T["ctrname"]})],
    "Top": CTR("Top"),
    "Port": CTR("Port"),
    "Rename": CTR("Rename", name="walked"),
    "CopyFrom": [("denied", "CopyFrom", {"id": r, "path": "/etc"}) for r in ctr_refs],
    "CopyTo": [("denied", "CopyTo", {"id": r, "path": "/tmp"}) for r in ctr_refs]
    + [("denied", "CopyTo", {"id": r, "path": "/tmp", "owners": True}) for r in ctr_refs],
    "Export": CTR("Export"),
    "Changes": CTR("Changes"),
    "ContainerCommit": CTR("ContainerCommit", name="walk-commit:1", changes=["ENV A=1"]),
    # a config-only image of root's shared one is the caller's own; another member's is not there
    "ImageCommit": [("reads", "ImageCommit", {"image": T["img"], "name": "walk-commit:2"}),
                    ("reads", "ImageCommit", {"image": T["imgid"], "changes": ["CMD [\"true\"]"]})],
    # the caller's own cache only: a key is a miss, whoever's it might be
    "BuildCacheGet": [("hides", "BuildCacheGet", {"key": "sha256:" + "0" * 64})],
    "BuildCachePrune": [("own", "BuildCachePrune", {})],
    # a build is the caller's own (its context never comes here: it ends)
    "Build": [("open", "Build", {"tags": [T["img"]], "dockerfile": "../../etc/passwd"})],
    "Remove": CTR("Remove", force=True),
    "List": [("hides", "List", {"all": True})],
    "Inspect": CTR("Inspect"),
    "Wait": CTR("Wait"),
    "Logs": CTR("Logs"),
    "ReopenLog": CTR("ReopenLog"),
    "Update": [("denied", "Update", {"id": T["ctr"], "resources": {"memory": 8 << 20}})],
    "Events": [("hides", "Events", {"since": "0"})],
    "Stats": CTR("Stats"),
    "Exec": CTR("Exec", command=["true"]),
    "Attach": CTR("Attach"),
    "StreamPrepare": CTR("StreamPrepare", kind="exec", command=["true"]) + CTR("StreamPrepare", kind="attach") +
    [("denied", "StreamPrepare", {"kind": "portforward", "id": T["session"]})],
    "JobSubmit": [] if ROOT else [("jobfails", "JobSubmit", {"job": SPEC})],
    "JobBatch": [] if ROOT else [("jobfails", "JobBatch", {"jobs": [SPEC]})],
    "JobList": [("hides", "JobList", None)],
    "JobInspect": [("denied", "JobInspect", {"id": T["job"]})],
    "JobWait": [("denied", "JobWait", {"id": T["job"]})],
    "JobCancel": [("denied", "JobCancel", {"id": T["job"]})],
    "JobLogs": [("denied", "JobLogs", {"id": T["job"]})],
    "VolumeCreate": [("taken", "VolumeCreate", {"name": T["volume"]})],
    "VolumeList": [("hides", "VolumeList", None)],
    "VolumeInspect": [("denied", "VolumeInspect", {"name": T["volume"]})],
    "VolumeRemove": [("denied", "VolumeRemove", {"name": T["volume"], "force": True})],
    "VolumePrune": [("own", "VolumePrune", None)],
    "ExecCreate": CTR("ExecCreate", command=["true"]),
    "ExecStart": [("denied", "ExecStart", {"execId": T["exec"]}),
                  ("denied", "ExecStart", {"execId": T["exec"], "detach": True})],
    "ExecInspect": [("denied", "ExecInspect", {"execId": T["exec"]})],
    "ExecResize": [("denied", "ExecResize", {"execId": T["exec"], "rows": 10, "cols": 10})],
    "BrokerPublish": [("denied", "BrokerPublish", {"session": T["session"], "topic": "t", "data": 1})],
    "BrokerSubscribe": [("denied", "BrokerSubscribe", {"session": T["session"], "topics": ["*"]})],
    "BrokerRequest": [("denied", "BrokerRequest", {"session": T["session"], "topic": "t", "data": 1, "timeout": 0.5})],
}
# with root's objects, a job of the caller's own on root's shared image is allowed
if ROOT:
    CASES["JobSubmit"] = [("open", "JobSubmit", {"job": dict(SPEC, command=["true"])})]
    CASES["JobBatch"] = [("open", "JobBatch", {"jobs": [SPEC]})]

STREAMS = {"Events", "Logs", "Wait", "JobWait", "BrokerSubscribe", "Stats", "Attach", "Exec"}
UPGRADES = {"CopyFrom", "CopyTo", "Attach", "Export", "Build"}
breaches = []


def own_jobs_out(given):
    """The walk's own jobs name T's image as it was given: not a leak."""
    return given + json.dumps(SPEC)


def leaked(text, given):
    return [s for s in secrets_of_t if s and s not in given and s in text]


def check(kind, method, params):
    given = json.dumps(params) if params else ""
    rs = call(method, params, more=method in STREAMS, upgrade=method in UPGRADES,
              window=2.0 if kind == "hides" and method in STREAMS else 0)
    text = json.dumps(rs)
    err = next((r["error"] for r in rs if "error" in r), None)
    what = "%s(%s)" % (method, given[:80])
    if kind == "denied" or (kind == "reads" and not ROOT):
        if err is None or err.endswith("InternalError"):
            breaches.append("%s: reached: %s" % (what, text[:300]))
        elif leaked(text, given):
            breaches.append("%s: the error names %s" % (what, leaked(text, given)))
    elif kind == "reads":
        if err is not None:
            breaches.append("%s: a member cannot read root's shared image: %s" % (what, text[:300]))
    elif kind == "verify":  # for root's: an answer about the image (not signed, say); else refused
        hidden = err is not None and err.endswith(("NoSuchImage", "PermissionDenied"))
        if hidden == ROOT:
            breaches.append("%s: %s" % (what, text[:300]))
    elif kind == "jobfails":  # refused, or the caller's own job that fails as the caller: no such image
        ids = [] if err else rs[0]["parameters"].get("ids") or [rs[0]["parameters"]["id"]]
        for jid in ids:
            job = {}
            for _ in range(100):
                job = call("JobInspect", {"id": jid})[0].get("parameters", {}).get("job", {})
                if job.get("state") in ("failed", "succeeded", "cancelled"):
                    break
                time.sleep(0.1)
            if job.get("state") != "failed" or job.get("attempts", 0) > 1 or job.get("exitCode") is not None:
                breaches.append("%s: job %s ran: %s" % (what, jid, json.dumps(job)[:300]))
            call("JobCancel", {"id": jid})
    elif kind in ("hides", "open", "own", "taken"):
        if kind == "hides" and leaked(text, own_jobs_out(given)):
            breaches.append("%s: shows %s" % (what, leaked(text, given)))
        if kind == "taken" and err is not None and leaked(text, given):
            breaches.append("%s: the error names %s" % (what, leaked(text, given)))
    print("%-18s %-7s %s" % (method, kind, err or "ok"))


listed = methods(IFACE)
missing = [m for m in listed if m not in CASES]
if missing:
    breaches.append("methods the walk does not cover (add them to CASES): %s" % ", ".join(missing))
# what only reads or is refused first; then creates under T's names (they
# make the caller's own, which later reads would find), then prunes
# (a tag of root's shared image makes the caller hold it too, as an import
# would: after what is refused, which a hold of its own would change)
ORDER = {"taken": 1, "own": 2}
LATE = {"ImageTag": 0.5}
for kind, method, params in sorted((c for m in listed for c in CASES.get(m, [])),
                                   key=lambda c: ORDER.get(c[0], 0) or LATE.get(c[1], 0)):
    check(kind, method, params)
for b in breaches:
    print("BREACH: " + b, file=sys.stderr)
print("walked %d methods, %d breaches" % (len(listed), len(breaches)))
sys.exit(1 if breaches else 0)
