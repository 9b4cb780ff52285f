#!/usr/bin/python3
"""CRI calls on one connection, as kubelet keeps one: corral-cri is one
process per connection, so what it remembers between calls (the last CPU
sample behind usage_nano_cores) and what it holds (its connections to
corrald) is seen only this way. Messages from the project's
supervisor/cri/runtime_v1.proto (runtime_v1_pb2 on CRI_PB).

    cri_conn.py --sock S calls METHOD JSON [METHOD JSON | sleep SECONDS]...
        each response as one line of JSON ("error: CODE" for a failure)
    cri_conn.py --sock S events POD
        GetContainerEvents while a container of POD is created, started,
        stopped and removed, then a pod is run, stopped and removed: one
        line for each of their events, in order
    cri_conn.py --sock S churn N
        N streams of GetContainerEvents opened and cancelled; "base" once a
        first call is done and "churned" after, each followed by a wait for
        a line on stdin (the caller counts corrald's connections then)
"""
import argparse
import os
import queue
import sys
import threading
import time

sys.path.insert(0, os.environ.get("CRI_PB", "."))
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
import runtime_v1_pb2 as pb  # noqa: E402

IMAGE = "busybox:latest"


class CRI:
    def __init__(self, sock):
        self.ch = grpc.insecure_channel("unix://" + sock)

    def call(self, method, req, timeout=60):
        resp_t = getattr(pb, method + "Response")
        f = self.ch.unary_unary("/runtime.v1.RuntimeService/" + method, request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=resp_t.FromString)
        return f(req, timeout=timeout)

    def events(self):
        f = self.ch.unary_stream("/runtime.v1.RuntimeService/GetContainerEvents",
                                 request_serializer=lambda m: m.SerializeToString(),
                                 response_deserializer=pb.ContainerEventResponse.FromString)
        return f(pb.GetEventsRequest())

    def __getattr__(self, method):
        return lambda **kw: self.call(method, getattr(pb, method + "Request")(**kw))


def calls(cri, args):
    while args:
        if args[0] == "sleep":
            time.sleep(float(args[1]))
        else:
            req = json_format.Parse(args[1], getattr(pb, args[0] + "Request")())
            try:
                m = cri.call(args[0], req)
                print(json_format.MessageToJson(m, indent=None), flush=True)
            except grpc.RpcError as e:
                print("error: %s: %s" % (e.code().name, e.details()), flush=True)
        args = args[2:]


def reader(stream, q):
    try:
        for m in stream:
            q.put(m)
    except grpc.RpcError:
        pass
    q.put(None)


def wait_event(q, cid, kind, seconds):
    """the next event of container cid of that kind, within seconds"""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            m = q.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        if m is None:
            return None
        if m.container_id == cid and m.container_event_type == kind:
            return m
    return None


def create(cri, pod, name, cmd):
    cfg = pb.ContainerConfig(metadata=pb.ContainerMetadata(name=name), image=pb.ImageSpec(image=IMAGE), command=cmd)
    return cri.CreateContainer(pod_sandbox_id=pod, config=cfg).container_id


def events(cri, pod):
    q = queue.Queue()
    stream = cri.events()
    threading.Thread(target=reader, args=(stream, q), daemon=True).start()
    # the stream is there once an event comes through it: probes are made
    # until one does (the first may come before corrald has the subscription)
    for _ in range(20):
        probe = create(cri, pod, "probe", ["true"])
        seen = wait_event(q, probe, pb.CONTAINER_CREATED_EVENT, 1)
        cri.RemoveContainer(container_id=probe)
        if seen:
            wait_event(q, probe, pb.CONTAINER_DELETED_EVENT, 5)
            break
    else:
        print("no event came through the stream", flush=True)
        return 1
    cid = create(cri, pod, "watched", ["sleep", "100"])
    steps = [(pb.CONTAINER_CREATED_EVENT, None),
             (pb.CONTAINER_STARTED_EVENT, lambda: cri.StartContainer(container_id=cid)),
             (pb.CONTAINER_STOPPED_EVENT, lambda: cri.StopContainer(container_id=cid, timeout=0)),
             (pb.CONTAINER_DELETED_EVENT, lambda: cri.RemoveContainer(container_id=cid))]
    for kind, step in steps:
        if step:
            step()
        m = wait_event(q, cid, kind, 10)
        if not m:
            print("%s: none" % pb.ContainerEventType.Name(kind), flush=True)
            continue
        mine = [s for s in m.containers_statuses if s.id == cid]
        print("%s %s pod=%s %s %s/%s created_at=%s statuses=%d mine=%s" % (
            pb.ContainerEventType.Name(m.container_event_type), "ours" if m.container_id == cid else m.container_id,
            "ours" if m.pod_sandbox_status.id == pod else m.pod_sandbox_status.id,
            pb.PodSandboxState.Name(m.pod_sandbox_status.state), m.pod_sandbox_status.metadata.namespace,
            m.pod_sandbox_status.metadata.name, abs(m.created_at - time.time_ns()) < 60 * 10**9,
            len(m.containers_statuses), pb.ContainerState.Name(mine[0].state) if mine else "-"), flush=True)
    # a pod's own: its id in container_id, as containerd's
    cfg = pb.PodSandboxConfig(metadata=pb.PodSandboxMetadata(name="evpod", uid="evpod-uid", namespace="n"))
    pid = cri.RunPodSandbox(config=cfg).pod_sandbox_id
    steps = [(pb.CONTAINER_CREATED_EVENT, None), (pb.CONTAINER_STARTED_EVENT, None),
             (pb.CONTAINER_STOPPED_EVENT, lambda: cri.StopPodSandbox(pod_sandbox_id=pid)),
             (pb.CONTAINER_DELETED_EVENT, lambda: cri.RemovePodSandbox(pod_sandbox_id=pid))]
    for kind, step in steps:
        if step:
            step()
        m = wait_event(q, pid, kind, 10 if kind != pb.CONTAINER_DELETED_EVENT else 2)
        print("pod %s: %s" % (pb.ContainerEventType.Name(kind), "none" if not m else "%s %s" % (
            pb.PodSandboxState.Name(m.pod_sandbox_status.state), m.pod_sandbox_status.metadata.name)), flush=True)
    stream.cancel()
    return 0


def churn(cri, n):
    cri.Version()
    print("base", flush=True)
    sys.stdin.readline()
    for _ in range(n):
        stream = cri.events()
        time.sleep(0.1)
        stream.cancel()
    cri.Version()
    print("churned", flush=True)
    sys.stdin.readline()
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("what", choices=["calls", "events", "churn"])
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    cri = CRI(a.sock)
    if a.what == "calls":
        return calls(cri, a.args)
    if a.what == "events":
        return events(cri, a.args[0])
    return churn(cri, int(a.args[0]))


if __name__ == "__main__":
    sys.exit(main())
