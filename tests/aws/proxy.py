"""A small HTTP proxy on 127.0.0.1 in front of the moto server: it records every request (service, region,
operation) and answers chosen ones with an AWS error, as a real account does for a narrow identity
(AccessDenied) or under load (throttling)."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EC2_ERROR = ('<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{message}'
             '</Message></Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>')
QUERY_ERROR = ('<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>'
               '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>')


@dataclass
class Fault:
    status: int  # 0: close the connection without answering
    code: str
    message: str
    times: int = -1  # how many matching requests get it; -1: all


@dataclass
class Proxy:
    upstream: str
    faults: dict = field(default_factory=dict)  # (operation, region or "*") -> Fault
    requests: list = field(default_factory=list)  # (service, region, operation, answered with)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> str:
        proxy = self
        target = urllib.parse.urlparse(self.upstream)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self._forward()

            def do_GET(self):
                self._forward()

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                scope = self.headers.get("Authorization", "").split("Credential=")[-1].split("/")
                service, region = (scope[3], scope[2]) if len(scope) > 3 else ("?", "?")
                operation = (self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
                             or (self.path.rsplit("/operation/", 1)[-1] if "/operation/" in self.path else "")
                             or (urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action") or ["?"])[0])
                fault = proxy._fault(operation, region)
                with proxy.lock:
                    proxy.requests.append((service, region, operation, fault.code if fault else "forwarded"))
                if fault is not None and fault.status == 0:  # an endpoint that does not answer
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault is not None:
                    template = EC2_ERROR if service == "ec2" else QUERY_ERROR
                    data = template.format(code=fault.code, message=fault.message).encode()
                    self.send_response(fault.status)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                for k, v in response.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _fault(self, operation: str, region: str) -> Fault | None:
        with self.lock:
            for key in ((operation, region), (operation, "*")):
                fault = self.faults.get(key)
                if fault is not None and fault.times != 0:
                    fault.times -= 1 if fault.times > 0 else 0
                    return fault
        return None

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, operation: str, region: str | None = None) -> int:
        return sum(1 for _, r, op, _ in self.requests if op == operation and (region is None or r == region))
