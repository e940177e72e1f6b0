#!/usr/bin/env python3
"""An "external" web site for the tests, as the seed's aliyun.com answers.

usage: fake-external-site.py ADDRESS CERT_PEM KEY_PEM

HTTP on ADDRESS:80 and HTTPS on ADDRESS:443 both answer every request with
  301 Moved Permanently, Location: https://aliyun.com/, a 239-byte text/html body
and print one line per request on stdout: "<scheme> <method> <path> <host>", so a test can see
whether a request arrived over TLS.
"""
import http.server
import ssl
import sys
import threading

BODY = (
    b"<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
    b"<center><h1>301 Moved Permanently</h1></center>\r\n<hr/>Powered by Tengine"
    b"<hr><center>tengine</center>\r\n</body>\r\n</html>\r\n"
)
BODY = BODY + b" " * (239 - len(BODY))
assert len(BODY) == 239


def handler(scheme):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "Tengine"
        sys_version = ""

        def version_string(self):
            return "Tengine"

        def answer(self, with_body):
            print(f"{scheme} {self.command} {self.path} {self.headers.get('Host')}", flush=True)
            self.send_response(301)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(BODY)))
            self.send_header("Location", "https://aliyun.com/")
            self.end_headers()
            if with_body:
                self.wfile.write(BODY)

        def do_GET(self):
            self.answer(True)

        def do_HEAD(self):
            self.answer(False)

        def log_message(self, *args):
            pass

    return Handler


def serve(server):
    server.serve_forever()


def main():
    address, cert, key = sys.argv[1], sys.argv[2], sys.argv[3]
    plain = http.server.ThreadingHTTPServer((address, 80), handler("http"))
    secure = http.server.ThreadingHTTPServer((address, 443), handler("https"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    threading.Thread(target=serve, args=(plain,), daemon=True).start()
    print("ready", flush=True)
    serve(secure)


if __name__ == "__main__":
    main()
