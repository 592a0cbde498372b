#!/usr/bin/env python3
"""Functional probes: does the daemon answer like itself?

Network probes run as `nsenter --net=/proc/PID/ns/net python3 probes.py KIND ARGS...`, so they
talk to the container's loopback only and need nothing installed inside the container. They
print one line and exit 0 (works) or 1 (does not).

  http PORT [PATH [STATUS]]       GET http://127.0.0.1:PORT/PATH, expect STATUS (default 200)
  tcp PORT                        a TCP connection is accepted
  tcp-banner PORT TEXT            the greeting starts with TEXT
  tcp-chat PORT SEND EXPECT       after sending SEND, the reply contains EXPECT
  dns PORT [NAME [RCODE]]         a UDP query for NAME/A gets an answer with RCODE (NOERROR)
  unix PATH                       a stream connection to the socket PATH is accepted

TEXT, SEND and EXPECT take C escapes (\\r \\n \\x01 \\s for a space).
"""

import http.client
import os
import socket
import struct
import sys

# A daemon may accept connections well before it answers (tomcat deploys its web
# applications for 10 s and more on a loaded machine): a slow answer is not a broken one.
TIMEOUT = 20.0
RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}


class ProbeFailed(Exception):
    pass


def unescape(text):
    return text.replace("\\s", " ").encode("latin-1").decode("unicode_escape").encode("latin-1")


def connect(port):
    # Loopback over IPv4 first (what every default config listens on), then IPv6.
    errors = []
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        try:
            sock.connect((addr, port))
            return sock
        except OSError as err:
            sock.close()
            errors.append(f"{addr}: {err.strerror or err}")
    raise ProbeFailed(f"connect port {port}: " + "; ".join(errors))


def read_some(sock, want=None, limit=65536):
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            if want is None or want in data:
                break
    except socket.timeout:
        pass
    return data


def show(data):
    return data[:80].decode("latin-1").encode("unicode_escape").decode("ascii")


def probe_http(port, path="/", status="200"):
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=TIMEOUT)
    try:
        conn.request("GET", path if path.startswith("/") else "/" + path, headers={"Host": "localhost"})
        got = conn.getresponse().status
    except (OSError, http.client.HTTPException) as err:
        raise ProbeFailed(f"GET :{port}{path}: {err}") from None
    finally:
        conn.close()
    if str(got) != status:
        raise ProbeFailed(f"GET :{port}{path}: status {got}, want {status}")
    return f"GET :{port}{path} -> {got}"


def probe_tcp(port):
    connect(int(port)).close()
    return f"port {port} accepts"


def probe_tcp_banner(port, text):
    want = unescape(text)
    with connect(int(port)) as sock:
        data = read_some(sock, want)
    if not data.startswith(want):
        raise ProbeFailed(f"port {port} greeting {show(data)!r}, want {text!r}")
    return f"port {port} says {show(data)!r}"


def probe_tcp_chat(port, send, expect):
    want = unescape(expect)
    with connect(int(port)) as sock:
        sock.sendall(unescape(send))
        data = read_some(sock, want)
    if want not in data:
        raise ProbeFailed(f"port {port} replied {show(data)!r}, want {expect!r}")
    return f"port {port} replied {show(data)!r}"


def probe_dns(port, name="localhost", rcode="NOERROR"):
    qid = os.getpid() & 0xFFFF
    qname = b"".join(bytes([len(label)]) + label.encode() for label in name.strip(".").split(".")) + b"\0"
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        try:
            sock.sendto(query, ("127.0.0.1", int(port)))
            reply = sock.recv(4096)
        except OSError as err:
            raise ProbeFailed(f"dns :{port} {name}: {err.strerror or err}") from None
    if len(reply) < 12:
        raise ProbeFailed(f"dns :{port}: short reply")
    rid, flags, _, ancount = struct.unpack(">HHHH", reply[:8])
    got = {v: k for k, v in RCODES.items()}.get(flags & 0xF, str(flags & 0xF))
    if rid != qid or not flags & 0x8000:
        raise ProbeFailed(f"dns :{port}: reply is not an answer to the query")
    if got != rcode:
        raise ProbeFailed(f"dns :{port} {name}: {got}, want {rcode}")
    return f"dns :{port} {name} -> {got}, {ancount} answer(s)"


def probe_unix(path):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(TIMEOUT)
        try:
            sock.connect(path)
        except OSError as err:
            raise ProbeFailed(f"connect {path}: {err.strerror or err}") from None
    return "socket accepts"


PROBES = {
    "http": (probe_http, 1, 3),
    "tcp": (probe_tcp, 1, 1),
    "tcp-banner": (probe_tcp_banner, 2, 2),
    "tcp-chat": (probe_tcp_chat, 3, 3),
    "dns": (probe_dns, 1, 3),
    "unix": (probe_unix, 1, 1),
}


def check_args(kind, args):
    """Returns an error message for a malformed probe, None when it is well-formed."""
    if kind not in PROBES:
        return f"unknown probe {kind!r}"
    _, least, most = PROBES[kind]
    if not least <= len(args) <= most:
        return f"probe {kind} takes {least}..{most} arguments, got {len(args)}"
    if kind != "unix" and not args[0].isdigit():
        return f"probe {kind}: port {args[0]!r} is not a number"
    return None


def main(argv):
    if len(argv) < 1 or check_args(argv[0], argv[1:]):
        print(check_args(argv[0], argv[1:]) if argv else __doc__, file=sys.stderr)
        return 2
    kind = argv[0]
    func = PROBES[kind][0]
    try:
        print("ok: " + func(*argv[1:]))
        return 0
    except ProbeFailed as err:
        print(f"FAIL: {err}")
        return 1
    except (OSError, ValueError) as err:  # e.g. a reset in the middle of a reply
        print(f"FAIL: {kind} {' '.join(argv[1:])}: {err}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
