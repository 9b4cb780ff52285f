#!/usr/bin/python3
"""kubelet's relist on one connection kept open, as kubelet keeps it: after
its second list corral-cri answers ListPodSandbox and ListContainers from
its own store, kept current from corrald's events. Each list on the kept
connection is compared with the truth, the same list on a new connection
(a new corral-cri, which asks corrald). Prints "key: value" lines.

    cri_relist.py --sock S --image I --logdir D --corrald PID

  - the client's own changes (RunPodSandbox, CreateContainer, Start, Stop,
    Remove, StopPodSandbox, RemovePodSandbox) are in the very next list;
  - another client's changes, and a container that ends on its own, come
    within 10 s;
  - each filter (id and pod prefixes, state, labels) answers as the truth;
  - with corrald frozen (SIGSTOP), the kept connection still lists.
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.environ.get("CRI_PB", "."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grpc  # noqa: E402
import runtime_v1_pb2 as pb  # noqa: E402
from kubelet_pod import CRI, ctr_config, out, pod_config  # noqa: E402


def pods(c, **f):
    return sorted((p.id, pb.PodSandboxState.Name(p.state), p.metadata.name, p.created_at)
                  for p in c.ListPodSandbox(filter=pb.PodSandboxFilter(**f) if f else None).items)


def ctrs(c, **f):
    return sorted((x.id, x.pod_sandbox_id, pb.ContainerState.Name(x.state), x.metadata.name, x.image_ref, x.created_at)
                  for x in c.ListContainers(filter=pb.ContainerFilter(**f) if f else None).containers)


class Relist:
    def __init__(self, a):
        self.a, self.kept = a, CRI(a.sock)

    def truth(self, what, **f):
        c = CRI(self.a.sock)  # a new connection: a new corral-cri, that asks corrald
        try:
            return what(c, **f)
        finally:
            c.ch.close()

    def same_now(self, key, what=ctrs, **f):
        """the kept connection's next list is the truth"""
        got, want = what(self.kept, **f), self.truth(what, **f)
        out(key, "same" if got == want else "kept %s, truth %s" % (got, want))

    def same_soon(self, key, what=ctrs, secs=10, **f):
        end = time.time() + secs
        while True:
            got, want = what(self.kept, **f), self.truth(what, **f)
            if got == want or time.time() > end:
                out(key, "same" if got == want else "kept %s, truth %s" % (got, want))
                return
            time.sleep(0.1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--corrald", type=int, required=True)
    ap.add_argument("--cgparent", default="")
    a = ap.parse_args()
    r = Relist(a)
    c = r.kept
    cfg = pod_config(a, "relist")
    pod = c.RunPodSandbox(config=cfg).pod_sandbox_id
    r.same_now("pod run, first list", pods)
    r.same_now("pod run, second list (the store fills)", pods)
    r.same_now("pod run, from the store", pods)
    cid = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg,
                            config=ctr_config(a, "sleeper", ["sleep", "1000"])).container_id
    r.same_now("created")
    c.StartContainer(container_id=cid)
    r.same_now("started")
    short = c.CreateContainer(pod_sandbox_id=pod, sandbox_config=cfg,
                              config=ctr_config(a, "short", ["sh", "-c", "sleep 0.5"])).container_id
    c.StartContainer(container_id=short)
    r.same_now("a second started")
    r.same_soon("it ended on its own")
    c.StopContainer(container_id=cid, timeout=0)
    r.same_now("stopped")
    c.RemoveContainer(container_id=short)
    r.same_now("removed")
    # another client's changes: a pod and a container of its own
    other = CRI(a.sock)
    ocfg = pod_config(a, "other")
    opod = other.RunPodSandbox(config=ocfg).pod_sandbox_id
    ocid = other.CreateContainer(pod_sandbox_id=opod, sandbox_config=ocfg,
                                 config=ctr_config(a, "theirs", ["sleep", "1000"])).container_id
    other.StartContainer(container_id=ocid)
    r.same_soon("another client's pod", pods)
    r.same_soon("another client's container")
    # the filters, from the store as from corrald
    running = pb.ContainerStateValue(state=pb.CONTAINER_RUNNING)
    r.same_now("filter: container id prefix", id=ocid[:12])
    r.same_now("filter: pod id", pod_sandbox_id=opod)
    r.same_now("filter: pod id prefix", pod_sandbox_id=pod[:10])
    r.same_now("filter: state", state=running)
    r.same_now("filter: labels", label_selector={"io.kubernetes.container.name": "theirs"})
    r.same_now("filter: labels none", label_selector={"io.kubernetes.container.name": "nobody"})
    r.same_now("filter: pod labels", pods, label_selector={"app": "other"})
    r.same_now("filter: pod state", pods, state=pb.PodSandboxStateValue(state=pb.SANDBOX_READY))
    out("filter: state finds", len(ctrs(c, state=running)))
    # corrald frozen: the kept connection answers from its store alone (a
    # list that finds the store re-reading asks corrald: it is tried again
    # once corrald runs, until one is answered frozen)
    answered = False
    for _ in range(50):
        os.kill(a.corrald, signal.SIGSTOP)
        try:
            c.ListPodSandbox(_deadline=2)
            c.ListContainers(_deadline=2)
            answered = True
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                raise
        finally:
            os.kill(a.corrald, signal.SIGCONT)
        if answered:
            break
        time.sleep(0.1)
    out("lists with corrald frozen", answered)
    other.StopPodSandbox(pod_sandbox_id=opod)
    r.same_soon("another client's pod stopped", pods)
    r.same_soon("and its container")
    other.RemovePodSandbox(pod_sandbox_id=opod)
    r.same_soon("another client's pod removed", pods)
    r.same_soon("and its container gone")
    c.StopPodSandbox(pod_sandbox_id=pod)
    r.same_now("pod stopped", pods)
    r.same_now("its containers after the stop")
    c.RemovePodSandbox(pod_sandbox_id=pod)
    r.same_now("pod removed", pods)
    r.same_now("containers after the removal")
    out("left", "%d pods, %d containers" % (len(pods(c)), len(ctrs(c))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
