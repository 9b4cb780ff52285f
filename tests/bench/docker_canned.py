#!/usr/bin/env python3
"""A Docker API server that answers from memory: the floor of any server
under the docker CLI's figures. It answers /_ping as dockerd does and
/containers/json with the body it was given (what corrald answered), and
404 to anything else.
    docker_canned.py SOCKET CONTAINERS_JSON_FILE"""
import http.server
import os
import socketserver
import sys

sock, body_file = sys.argv[1], sys.argv[2]
with open(body_file, "rb") as f:
    LIST = f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"

    def log_message(self, *args):
        pass

    def answer(self, body, with_body=True):
        if self.path.endswith("/_ping"):
            status, ctype, body = 200, "text/plain; charset=utf-8", b"OK"
        elif self.path.split("?")[0].endswith("/containers/json"):
            status, ctype, body = 200, "application/json", LIST
        else:
            status, ctype, body = 404, "application/json", b'{"message":"page not found"}\n'
        self.send_response(status)
        self.send_header("Api-Version", "1.41")
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self.answer(None)

    def do_HEAD(self):
        self.answer(None, with_body=False)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(sock):
    os.unlink(sock)
Server(sock, Handler).serve_forever()
