#!/usr/bin/python3
"""One CRI call, JSON in and JSON out, for the tests that put corral's CRI
beside containerd's: the messages come from the project's
supervisor/cri/runtime_v1.proto (runtime_v1_pb2 on CRI_PB).

    cri_call.py --sock S METHOD [JSON]      print the response as JSON
    cri_call.py --sock S --stream METHOD [JSON] [--count N]
                                            print a server stream's first N

The request's JSON is protobuf's JSON mapping (camelCase names). A failed
call prints "error: CODE: details" on stdout and exits 3, so that the tests
compare codes too. Fields at their defaults are printed, so that a field
one runtime leaves out shows as a difference.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.environ.get("CRI_PB", "."))
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
import runtime_v1_pb2 as pb  # noqa: E402

IMAGE_RPCS = {"ListImages", "ImageStatus", "PullImage", "RemoveImage", "ImageFsInfo"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--stream", action="store_true")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("method")
    ap.add_argument("request", nargs="?", default="{}")
    a = ap.parse_args()
    svc = "ImageService" if a.method in IMAGE_RPCS else "RuntimeService"
    req_t = getattr(pb, a.method + "Request")
    resp_t = getattr(pb, ("ContainerEvent" if a.method == "GetContainerEvents" else a.method) + "Response")
    req = json_format.Parse(a.request, req_t())
    ch = grpc.insecure_channel("unix://" + a.sock)
    path = "/runtime.v1.%s/%s" % (svc, a.method)
    ser, de = (lambda m: m.SerializeToString()), resp_t.FromString
    try:
        if a.stream:
            f = ch.unary_stream(path, request_serializer=ser, response_deserializer=de)
            it = f(req, timeout=a.timeout)
            for i, m in enumerate(it):
                print(json_format.MessageToJson(m, including_default_value_fields=True), flush=True)
                if i + 1 >= a.count:
                    it.cancel()
                    break
        else:
            f = ch.unary_unary(path, request_serializer=ser, response_deserializer=de)
            m = f(req, timeout=a.timeout)
            print(json_format.MessageToJson(m, including_default_value_fields=True))
    except grpc.RpcError as e:
        if a.stream and e.code() == grpc.StatusCode.CANCELLED:
            return 0
        print("error: %s: %s" % (e.code().name, e.details()))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
