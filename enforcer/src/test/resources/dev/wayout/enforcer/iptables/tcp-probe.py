#!/usr/bin/env python3
"""Tiny TCP probe for the network tests.

serve NAME ADDRESS PORT...  listen on each port; every connection gets "NAME PORT\n", then close.
                            Prints "ready" once every port is bound.
connect HOST PORT           print what the server sent, or "refused", "timeout", "error: ...".
"""
import socket
import sys
import threading


def serve(name, address, ports):
    sockets = []
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, port))
        s.listen(16)
        sockets.append((s, port))
    for s, port in sockets:
        threading.Thread(target=accept, args=(s, name, port), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


def accept(s, name, port):
    while True:
        conn, _ = s.accept()
        try:
            conn.sendall(("%s %d\n" % (name, port)).encode())
        finally:
            conn.close()


def connect(host, port):
    try:
        with socket.create_connection((host, port), timeout=3) as c:
            c.settimeout(3)
            data = b""
            while not data.endswith(b"\n"):
                chunk = c.recv(256)
                if not chunk:
                    break
                data += chunk
            print(data.decode().strip() or "empty")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print("error: %s" % e)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4:]])
    else:
        connect(sys.argv[2], int(sys.argv[3]))
