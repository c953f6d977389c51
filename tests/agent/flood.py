#!/usr/bin/env python3
"""flood.py - hostile unauthenticated clients of lsa-agent's port 691.

  flood.py --port PORT [--host H] --from FIRST[-LAST] --conns N
           [--seconds S] [--retry-ms MS] idle|noop

Holds N connections to the agent, spread round robin over the source
addresses FIRST..LAST (IPv4, the last byte counts up: 127.0.0.2-9), and
opens a connection again MS ms (default 100) after the agent ended it or
refused to connect:
  idle   never sends; reads and drops what comes (it only sees the end)
  noop   sends "NOOP" lines as fast as the socket takes them and never
         reads a byte, with a small receive buffer (the agent's replies
         pile up in the agent if it lets them)
Prints "ready" once every connection was opened (or tried) once, then
runs for S seconds (default: until SIGTERM) and prints
"opened N ended N" (connections made, connections the agent ended).
Standard library only.
"""
import argparse
import errno
import ipaddress
import selectors
import signal
import socket
import sys
import time

NOOPS = b"NOOP\r\n" * 1024


def addresses(spec):
    """The source addresses of FIRST[-LAST]."""
    first, _, last = spec.partition("-")
    a = ipaddress.IPv4Address(first)
    if not last:
        return [str(a)]
    if "." not in last:
        last = ".".join(first.split(".")[:3] + [last])
    b = ipaddress.IPv4Address(last)
    return [str(ipaddress.IPv4Address(i)) for i in range(int(a), int(b) + 1)]


class Flood:
    def __init__(self, opt):
        self.opt = opt
        self.sel = selectors.DefaultSelector()
        self.srcs = addresses(opt.source)
        self.opened = 0
        self.ended = 0
        self.later = []		# (when, slot) to open again
        self.stop = False

    def open(self, slot):
        """Slot's connection, non-blocking; errors wait for a retry."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if self.opt.mode == "noop":
            # what is not read stays with the agent, not in our kernel
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            s.bind((self.srcs[slot % len(self.srcs)], 0))
            rc = s.connect_ex((self.opt.host, self.opt.port))
        except OSError:
            s.close()
            self.retry(slot)
            return
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            self.retry(slot)
            return
        self.opened += 1
        ev = selectors.EVENT_READ
        if self.opt.mode == "noop":
            ev = selectors.EVENT_WRITE
        self.sel.register(s, ev, slot)

    def retry(self, slot):
        self.later.append((time.monotonic() + self.opt.retry_ms / 1000.0,
                           slot))

    def end(self, s, slot):
        self.sel.unregister(s)
        s.close()
        self.ended += 1
        self.retry(slot)

    def event(self, key, mask):
        s, slot = key.fileobj, key.data
        try:
            if mask & selectors.EVENT_READ:
                if not s.recv(65536):
                    self.end(s, slot)
            elif mask & selectors.EVENT_WRITE:
                s.send(NOOPS)
        except BlockingIOError:
            pass
        except OSError:
            self.end(s, slot)

    def run(self):
        for slot in range(self.opt.conns):
            self.open(slot)
        print("ready", flush=True)
        end = None
        if self.opt.seconds:
            end = time.monotonic() + self.opt.seconds
        while not self.stop and (end is None or time.monotonic() < end):
            for key, mask in self.sel.select(0.05):
                self.event(key, mask)
            now = time.monotonic()
            due = [x for x in self.later if x[0] <= now]
            self.later = [x for x in self.later if x[0] > now]
            for _, slot in due:
                self.open(slot)
        print("opened %d ended %d" % (self.opened, self.ended), flush=True)


def main():
    ap = argparse.ArgumentParser(description="hostile lsa-agent clients")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--from", dest="source", required=True)
    ap.add_argument("--conns", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--retry-ms", type=int, default=100)
    ap.add_argument("mode", choices=("idle", "noop"))
    opt = ap.parse_args()
    f = Flood(opt)

    def stop(signum, frame):
        f.stop = True
    signal.signal(signal.SIGTERM, stop)
    f.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
