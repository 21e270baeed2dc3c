#!/usr/bin/env python3
"""A stand-in for Seqera Platform's `GET /api/service-info`, for the last step of
seqera/README.md (tests/integration/seqera_readme.rs): it answers as Platform documents
(`{"serviceInfo": {..., "allowInstanceCredentials": <bool>}}`), and 401 without the
bearer token in TOWER_ACCESS_TOKEN. No Seqera Platform can be reached from the test
machines; this proves only that the README's command reads the field it should.

Usage: platform.py ALLOW (true|false). Listens on 127.0.0.1 and a free port, prints
`port N`, and serves until stdin closes (the test holds the other end) or it is killed.
"""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALLOW = sys.argv[1] == "true"
TOKEN = os.environ["TOWER_ACCESS_TOKEN"]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.reply(401, {"message": "Unauthorized"})
        elif self.path == "/api/service-info":
            self.reply(200, {"serviceInfo": {"version": "26.1.3",
                                             "allowInstanceCredentials": ALLOW}})
        else:
            self.reply(404, {"message": "Not found"})

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
