#!/usr/bin/env python3
"""Opens N keep-alive connections to a proxy, sends one request on each, reads the answer, and
holds them idle until stdin closes or the time limit passes. Prints how many are open."""
import selectors, socket, sys, time

host, port, count, vhost, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5])
request = f"GET / HTTP/1.1\r\nHost: {vhost}\r\n\r\n".encode()
socks, answered = [], 0
deadline = time.time() + 120  # bounded: never more than two minutes to open them all
sel = selectors.DefaultSelector()
for i in range(count):
    if time.time() > deadline:
        break
    s = socket.create_connection((host, port))
    s.sendall(request)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    socks.append(s)
    if i % 500 == 499:  # read answers in batches so buffers do not pile up
        for key, _ in sel.select(timeout=5):
            try:
                if key.fileobj.recv(65536):
                    answered += 1
            except BlockingIOError:
                pass
end = time.time() + 10
while answered < len(socks) and time.time() < end:
    for key, _ in sel.select(timeout=1):
        try:
            if key.fileobj.recv(65536):
                answered += 1
        except BlockingIOError:
            pass
print(f"{len(socks)} connections open, {answered} answered", flush=True)
time.sleep(hold)
for s in socks:
    s.close()
