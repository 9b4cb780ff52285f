#!/usr/bin/python3
# nul_walk.py SOCK: call every method of io.corral.Supervisor once for each
# of its string parameters, with that string holding a NUL ("\u0000"), and
# check that each call is refused with InvalidParameter naming that
# parameter: never an answer, another error or a dropped connection. yajl
# reads "t/good\u0000:1" as "t/good"; the refusal comes first, whatever the
# method and whatever else it is given.
#
# The methods and their parameters' types come from corrald's own interface
# description (GetInterfaceDescription), so a method or a field added later
# is walked too: a string anywhere in a method's parameters, in a struct
# (ContainerSpec, JobSpec, ...), an array, a map's key or value, an enum or
# an object. Then: the same on a connection that goes on (the refusal, then
# Ping's answer), a oneway call (no answer, the connection stays), and
# corrald still answers. Prints one line per call; exits 1 on any breach.
import json, re, socket, sys, time

SOCK = sys.argv[1]
IFACE = "io.corral.Supervisor"
NUL = "nul\x00cut"
INVALID = IFACE + ".InvalidParameter"
MAX_DEPTH = 4


def send_recv(msgs, want, timeout=10):
    """Send msgs on one connection; the first want replies (dicts), and
    whether the peer hung up before them."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    s.sendall(b"".join(json.dumps(m).encode() + b"\0" for m in msgs))
    replies, buf, end = [], b"", time.time() + timeout
    try:
        while len(replies) < want and time.time() < end:
            s.settimeout(max(0.05, end - time.time()))
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            if not d:
                return replies, True
            buf += d
            while b"\0" in buf:
                one, _, buf = buf.partition(b"\0")
                replies.append(json.loads(one))
    finally:
        s.close()
    return replies, False


def call(method, params, iface=IFACE):
    """One call's first reply, None when the peer hung up, waiting out a
    rate limit."""
    for _ in range(50):
        rs, hung = send_recv([{"method": iface + "." + method, "parameters": params}], 1)
        if not rs:
            return None
        if rs[0].get("error", "").endswith(".RateLimited"):
            time.sleep(rs[0]["parameters"].get("retryAfter", 0.1) + 0.01)
            continue
        return rs[0]
    return rs[0]


# ---- the interface description: types and methods -------------------------

def split_top(s):
    """s split at its top-level commas."""
    parts, depth, cur = [], 0, ""
    for c in s:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def closing(s, i):
    """The index of the ')' that closes the '(' at s[i]."""
    depth = 0
    for j in range(i, len(s)):
        depth += s[j] == "("
        depth -= s[j] == ")"
        if depth == 0:
            return j
    raise ValueError("unbalanced description")


def fields(body):
    """[(name, type)] of a struct's body; None for an enum's."""
    items = split_top(body)
    if items and all(":" not in i for i in items):
        return None
    return [tuple(x.strip() for x in i.split(":", 1)) for i in items]


def parse(text):
    text = re.sub(r"#[^\n]*", "", text)
    types, methods = {}, {}
    for m in re.finditer(r"\b(type|method)\s+(\w+)\s*\(", text):
        open_at = m.end() - 1
        body = text[open_at + 1:closing(text, open_at)]
        if m.group(1) == "type":
            types[m.group(2)] = fields(body)  # None: an enum
        else:
            methods[m.group(2)] = fields(body) or []
    return types, methods


# ---- each string a method's parameters hold, and where ----------------------

def a_value(t, types, depth):
    """Some JSON value of type t, with no NUL (a map's value beside a key)."""
    t = t.lstrip("?")
    return {"string": "v", "int": 1, "float": 1.0, "bool": True, "object": {}}.get(t, "v")


def variants(t, types, depth):
    """(path suffix, JSON value) for each string in type t, the value
    holding a NUL there and nothing else."""
    t = t.strip().lstrip("?").strip()
    if depth > MAX_DEPTH:
        return
    if t == "string" or (t.startswith("(") and fields(t[1:-1]) is None):
        yield "", NUL  # a string, or an enum (a string on the wire)
    elif t == "object":
        yield ".k", {"k": NUL}
    elif t.startswith("[]"):
        for s, v in variants(t[2:], types, depth + 1):
            yield "[0]" + s, [v]
    elif t.startswith("[string]"):
        for s, v in variants(t[8:], types, depth + 1):
            yield ".k" + s, {"k": v}
        # the key as written in the text is the path: k\u0000
        yield ".k\\u0000", {"k\x00": a_value(t[8:], types, depth)}
    elif t.startswith("("):
        for name, ft in fields(t[1:-1]):
            for s, v in variants(ft, types, depth + 1):
                yield "." + name + s, {name: v}
    elif t in types and types[t] is None:
        yield "", NUL  # a named enum
    elif t in types:
        for name, ft in types[t]:
            for s, v in variants(ft, types, depth + 1):
                yield "." + name + s, {name: v}


def cases(method, params, types):
    for name, t in params:
        for s, v in variants(t, types, 0):
            yield name + s, {name: v}


# ---- the walk -------------------------------------------------------------

breaches = []
desc = call("GetInterfaceDescription", {"interface": IFACE}, iface="org.varlink.service")
types, methods = parse(desc["parameters"]["description"])
if len(methods) < 50:
    breaches.append("only %d methods in the description" % len(methods))
n_calls, n_plain = 0, 0
for method, params in methods.items():
    walked = list(cases(method, params, types))
    if not walked:
        n_plain += 1
        print("%-20s (no string parameter)" % method)
    for path, p in walked:
        n_calls += 1
        r = call(method, p)
        what = "%s(%s)" % (method, json.dumps(p)[:100])
        if r is None:
            breaches.append("%s: the connection was dropped" % what)
            shown = "hung up"
        elif r.get("error") != INVALID or r.get("parameters", {}).get("parameter") != path:
            breaches.append("%s: not refused naming %s: %s" % (what, path, json.dumps(r)[:300]))
            shown = r.get("error", "answered")
        else:
            shown = r["parameters"]["parameter"] + ": " + r["parameters"].get("reason", "")
        print("%-20s %-32s %s" % (method, path, shown))

# a connection that goes on: the refusal, then the next call's answer
rs, hung = send_recv([{"method": IFACE + ".SecretRemove", "parameters": {"name": NUL}},
                      {"method": IFACE + ".Ping"}], 2)
if hung or len(rs) != 2 or rs[0].get("error") != INVALID or "error" in rs[1]:
    breaches.append("a refusal, then Ping, on one connection: %s%s" % (json.dumps(rs)[:300], " (hung up)" if hung else ""))
# oneway: no answer, and the connection stays for the next call
rs, hung = send_recv([{"method": IFACE + ".SecretRemove", "parameters": {"name": NUL}, "oneway": True},
                      {"method": IFACE + ".Ping"}], 2, timeout=2)
if hung or len(rs) != 1 or "error" in rs[0]:
    breaches.append("a oneway refusal, then Ping: %s%s" % (json.dumps(rs)[:300], " (hung up)" if hung else ""))
# with more: one error, which ends the call
rs, hung = send_recv([{"method": IFACE + ".Events", "parameters": {"since": NUL}, "more": True},
                      {"method": IFACE + ".Ping"}], 2)
if hung or len(rs) != 2 or rs[0].get("error") != INVALID or rs[0].get("continues") or "error" in rs[1]:
    breaches.append("a refused stream, then Ping: %s%s" % (json.dumps(rs)[:300], " (hung up)" if hung else ""))

pong = call("Ping", {})
if pong is None or "error" in pong:
    breaches.append("corrald does not answer Ping after the walk: %s" % json.dumps(pong))
for b in breaches:
    print("BREACH: " + b, file=sys.stderr)
print("walked %d methods, %d calls (%d methods with no string), %d breaches"
      % (len(methods), n_calls, n_plain, len(breaches)))
sys.exit(1 if breaches else 0)
