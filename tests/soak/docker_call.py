#!/usr/bin/python3
"""One Docker Engine API call over a unix socket, as whoever runs it (the
soak runs it as each member): prints the body, then the status code on a
line of its own.

    docker_call.py SOCKET METHOD PATH [JSON_BODY]
"""
import http.client
import socket
import sys


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("d", timeout=30)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(30)
        self.sock.connect(self.path)


def main():
    sock, method, path = sys.argv[1:4]
    body = sys.argv[4] if len(sys.argv) > 4 else None
    c = UnixConnection(sock)
    c.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    r = c.getresponse()
    sys.stdout.write(r.read().decode(errors="replace") + "\n%d" % r.status)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        print("docker_call: %s" % e, file=sys.stderr)
        sys.exit(1)
