#!/usr/bin/env python3
"""Makes a loopback port of the root network namespace reachable on the loopback of another one.

usage: netns-loopback-forward.py NETNS PORT

Started in the root namespace. It enters NETNS only long enough to create its listening socket
on 127.0.0.1:PORT there, goes back, and relays every accepted connection to 127.0.0.1:PORT of the
root namespace (a socket stays in the namespace it was created in). Tests use it so that a
process inside a test namespace can reach the test API server with the same kubeconfig.
"""
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def relay(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    netns, port = sys.argv[1], int(sys.argv[2])
    root = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/var/run/netns/" + netns, os.O_RDONLY)
    setns(target)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    setns(root)
    print("ready", flush=True)
    while True:
        downstream, _ = listener.accept()
        upstream = socket.create_connection(("127.0.0.1", port))
        threading.Thread(target=relay, args=(downstream, upstream), daemon=True).start()
        threading.Thread(target=relay, args=(upstream, downstream), daemon=True).start()


if __name__ == "__main__":
    main()
