#!/usr/bin/python3
"""One of the soak's CRI operations, as whoever runs it (root or a member),
through corrald's CRI socket, as the kubelet makes them:

    cri_op.py SOCKET IMAGE pod NAME   a pod with one container, started, an
                                      ExecSync in it; prints the pod's id
    cri_op.py SOCKET IMAGE rm         stops and removes the caller's oldest pod

CRI_PB names the directory of the generated runtime_v1_pb2. Exit 1 with the
error on stderr when a call fails.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "cri"))
import grpc  # noqa: E402
import cri_client  # noqa: E402
from cri_client import pb  # noqa: E402


def pod(c, image, name):
    cfg = pb.PodSandboxConfig(metadata=pb.PodSandboxMetadata(name=name, uid=name + "-uid", namespace="soak"),
                              hostname=name,
                              linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
                                  namespace_options=cri_client.KUBELET_NS)))
    pid = c.RunPodSandbox(config=cfg).pod_sandbox_id
    ctr = pb.ContainerConfig(metadata=pb.ContainerMetadata(name="main"), image=pb.ImageSpec(image=image),
                             command=["sleep", "100000"])
    cid = c.CreateContainer(pod_sandbox_id=pid, config=ctr, sandbox_config=cfg).container_id
    c.StartContainer(container_id=cid)
    r = c.ExecSync(container_id=cid, cmd=["echo", "soak"], timeout=30)
    if r.stdout != b"soak\n":
        raise SystemExit("cri_op: ExecSync in %s printed %r" % (cid, r.stdout))
    print(pid)


def rm(c):
    pods = sorted(c.ListPodSandbox().items, key=lambda p: p.created_at)
    if pods:
        c.StopPodSandbox(pod_sandbox_id=pods[0].id)
        c.RemovePodSandbox(pod_sandbox_id=pods[0].id)
        print(pods[0].id)


def main():
    sock, image, what = sys.argv[1:4]
    c = cri_client.CRI(sock)
    try:
        if what == "pod":
            pod(c, image, sys.argv[4])
        else:
            rm(c)
    except grpc.RpcError as e:
        print("cri_op: %s" % cri_client.rpc_error(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
