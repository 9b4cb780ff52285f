"""A raw attach on corral-docker's socket, as the docker CLI hijacks it:
the POST, its 101, and the connection after (what came past the head)."""
import socket


def attach(sock_path, container, query="stream=1&stdin=1&stdout=1&stderr=1", timeout=10):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    s.sendall(b"POST /v1.41/containers/%s/attach?%s HTTP/1.1\r\n"
              b"Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" % (container.encode(), query.encode()))
    s.settimeout(timeout)
    got = b""
    while b"\r\n\r\n" not in got:
        more = s.recv(4096)
        if not more:
            raise ConnectionError("closed before its answer: %r" % got)
        got += more
    head, rest = got.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 101 "), head
    return s, rest
