#!/usr/bin/env python3
"""notify_listen.py - the systemd side of sd_notify(3) for tests/cli/units.sh.

usage: notify_listen.py [--connect unix:PATH|inet:HOST:PORT]... -- CMD...

Binds a unix datagram socket, runs CMD with NOTIFY_SOCKET naming it and
prints every assignment received, one a line ("READY=1", "STATUS=..."),
until READY=1 and a STATUS= have both come (10 s at most). The moment
READY=1 arrives it connects to each --connect address and prints
"connect ADDR ok" or "connect ADDR failed: WHY". Then it sends CMD
SIGTERM, waits for it and prints "exit N". Exit status 0.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def try_connect(addr):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr[5:]
    else:
        host, port = addr[5:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    s.settimeout(2)
    try:
        s.connect(target)
        return "ok"
    except OSError as e:
        return "failed: %s" % e.strerror
    finally:
        s.close()


def main():
    args = sys.argv[1:]
    connects = []
    while args and args[0] != "--":
        if args[0] == "--connect":
            connects.append(args[1])
            args = args[2:]
        else:
            sys.exit("usage: notify_listen.py [--connect ADDR]... -- CMD...")
    cmd = args[1:]
    d = tempfile.mkdtemp()
    path = os.path.join(d, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    child = subprocess.Popen(cmd, env=env)
    ready = status = False
    deadline = time.monotonic() + 10
    while not (ready and status) and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            break
        for line in data.splitlines():
            print(line, flush=True)
            if line == "READY=1":
                ready = True
                for a in connects:
                    print("connect %s %s" % (a, try_connect(a)), flush=True)
            if line.startswith("STATUS="):
                status = True
    child.send_signal(signal.SIGTERM)
    print("exit %d" % child.wait(), flush=True)
    sock.close()
    os.unlink(path)
    os.rmdir(d)


main()
