#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# collector_stub.py - a scripted HTTPS endpoint with client-certificate checks, for agent tests.
"""Answer POST /v1/baselines from a script of status codes, over mutual TLS.

Only clients with a certificate signed by --ca get through the handshake.
Each request is recorded as one line in --record:

    <n> <status answered> <sha256 of the body> <client CN> <user agent>

and its body saved as --bodies/<n>.drift. When the script runs out, the
last code repeats. The ready file is written once the port listens;
SIGTERM stops the server and exits 0.
"""

import argparse
import hashlib
import json
import os
import signal
import ssl
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

BODY_MAX = 64 * 1024 * 1024

ANSWERS = {
    400: "the bundle is not a drift bundle",
    403: "host id does not match the certificate name 'web01'",
    413: "the bundle is larger than upload_max",
    503: "the collector is busy; try again later",
}


class Stub:
    def __init__(self, args):
        self.script = [int(c) for c in args.script.split(",") if c]
        self.record = args.record
        self.bodies = args.bodies
        self.n = 0

    def next_code(self):
        if len(self.script) > 1:
            return self.script.pop(0)
        return self.script[0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    stub = None

    def log_message(self, fmt, *args):
        sys.stderr.write("stub: " + (fmt % args) + "\n")

    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        st = self.stub
        if self.path != "/v1/baselines":
            self.answer(404, {"error": "no such endpoint"})
            return
        length = int(self.headers.get("Content-Length", "-1"))
        if length < 0 or length > BODY_MAX:
            self.answer(411, {"error": "a Content-Length is required"})
            return
        body = self.rfile.read(length)
        cert = self.connection.getpeercert() or {}
        cn = "-"
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    cn = value
        st.n += 1
        code = st.next_code()
        with open(os.path.join(st.bodies, "%d.drift" % st.n), "wb") as f:
            f.write(body)
        with open(st.record, "a") as f:
            f.write("%d %d %s %s %s\n" % (st.n, code, hashlib.sha256(body).hexdigest(),
                                          cn, self.headers.get("User-Agent", "-")))
        if code == 200:
            self.answer(200, {"host": cn, "baseline": "b-%d" % st.n,
                              "status": "stored" if st.n % 2 else "unchanged"})
        else:
            self.answer(code, {"error": ANSWERS.get(code, "refused")})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--script", default="200")
    p.add_argument("--record", required=True)
    p.add_argument("--bodies", required=True)
    p.add_argument("--ready", required=True)
    args = p.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(args.cert, args.key)
    ctx.load_verify_locations(args.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED

    Handler.stub = Stub(args)
    os.makedirs(args.bodies, exist_ok=True)
    open(args.record, "a").close()
    server = HTTPServer(("127.0.0.1", args.port), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)

    tmp = args.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, args.ready)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
