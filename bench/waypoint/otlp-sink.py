#!/usr/bin/env python3
"""A local OTLP/HTTP sink for the bench: answers every POST /v1/traces with an empty
ExportTraceServiceResponse (200, no body) and counts the exports and their bytes, printed to
stdout when it is stopped (SIGTERM). It decodes nothing: the bench measures the waypoint's cost of
tracing, not a collector."""
import http.server
import signal
import sys

exports = 0
received = 0


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global exports, received
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        exports += 1
        received += length
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def stop(*_):
    print(f"otlp sink: {exports} exports, {received} bytes", flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
