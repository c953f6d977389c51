#!/usr/bin/env python3
"""client.py - raw socketmap and policy clients for tests/cli/policyd.sh.

ADDR is "unix:/PATH" or "inet:HOST:PORT" (as in the [policyd] settings).
Every wait is bounded (--timeout, default 10 s); nothing here retries.

  lookup ADDR KEY...
      One socketmap connection, one "transport KEY" lookup per KEY, in
      turn: prints each reply payload on a line ("OK smtp:...",
      "NOTFOUND ", "TEMP ...").

  send ADDR (--sockmap | --policy) [--replies N] [--split] [--eof]
       [--pieces N] [--other REQUEST]
      Sends the bytes on stdin (in one write, or with --split one policy
      request at a time, each after the previous reply, or with --pieces
      in N writes of about equal size 20 ms apart), then reads:
        "reply: PAYLOAD" per socketmap reply, "reply: LINE" per policy
        reply (each must be exactly "action=...\\n\\n", else
        "badreply: REPR");
        then, after N replies in all (default 0; with --split the ones
        read between requests count), how the connection stands:
        "closed" (EOF), "reset" (ECONNRESET/EPIPE) or "open" (nothing
        more within 0.3 s when N > 0, within --timeout when N is 0).
      --eof shuts the write side after sending. --other REQUEST opens a
      second connection before anything is sent and makes REQUEST (a
      socketmap key, or one policy request with "\\n" escapes) on it at
      the end: "other: REPLY", showing that other sessions go on.

  held ADDR KEY CMD...
      Looks KEY up, runs CMD, looks KEY up again on the same connection:
      "before: REPLY", "after: REPLY" ("cmd failed" if CMD exits non-zero,
      "EOF" if the connection was dropped).

  rotation ADDR INTERVAL_MS DURATION_MS KEY...
      Looks every KEY up on one connection every 20 ms for DURATION_MS.
      A sample counts when the clock (CLOCK_REALTIME, as the daemon's)
      showed the same interval before and after it. Prints one line per
      interval and key, in time order: "R N KEY REPLY" (R the rotation
      number the daemon computes, modulo 2^32; N the samples), or
      "R N KEY inconsistent" when the samples of one interval differ.

  fresh ADDR INTERVAL_MS DURATION_MS KEY...
      As rotation, but each lookup is of a new address: "+N" is added
      to KEY's local part (N counting lookups); lines still name KEY.

  many ADDR N KEY
      N socketmap connections open at once, then one lookup on each, all
      sent before any reply is read: "connections N", then
      "reply: COUNT REPLY" per distinct reply ("EOF" for a connection
      the daemon closed, before or after the request was sent).

  idle ADDR KEY MIN_MS
      One lookup ("reply: REPLY"), then silence until the daemon closes
      the connection: "closed" when it did after MIN_MS or more from the
      reply, "closed early" before, "open" when it did not within
      --timeout.

  flood ADDR N KEY
      N lookups of KEY sent on one connection without reading a reply
      (as long as the daemon takes them), then the replies are read to
      the end: "sent all" or "sent some" (the daemon closed first), then
      how the connection ended ("closed", "reset", "open").

  hold ADDR N MS
      N connections open at once (each connected before the next), held
      MS milliseconds without a byte sent, then closed: "connections N".

  slowloris ADDR N MS KEY [--policy]
      For MS milliseconds, N tricklers each send a socketmap lookup of
      KEY (--policy: a policy RCPT request for recipient KEY), all but
      its last byte, a byte every 0.25 s (the first at once), and connect again
      0.25 s after the daemon closed them; meanwhile a normal client
      looks KEY up on a new connection every 0.1 s (each waits 2 s at
      most for its reply). Prints "normal A/T" (answers of tries; an
      answer is a reply, whatever it says), "trickler answers X" and
      "trickler closed C" (times the daemon closed one).

  halfclose ADDR N KEY [--noread MS]
      N lookups of KEY on one connection, written while reading the
      replies (about 600 KB of them left unread all along: more than the
      socket buffers hold, so some wait in the daemon), then
      shutdown(SHUT_WR) after the last (then MS milliseconds of not
      reading), then the replies are read to the end: "replies R of N", then how the connection ended ("closed",
      "reset", "open").

  rcpts ADDR PID SESSIONS N LEN DOMAIN
      SESSIONS policy connections, each with one message (instance) of
      N RCPT requests, recipients of LEN-byte local parts at DOMAIN (no
      END-OF-MESSAGE), all replies read with the sessions kept open:
      "replies R of SESSIONS*N" (R counting action=DUNNO), "rss_kb
      BEFORE AFTER" (VmRSS of process PID before the first request and
      after the last reply).
"""
import argparse
import codecs
import errno
import os
import selectors
import socket
import subprocess
import sys
import threading
import time

TIMEOUT = 10.0


def connect(addr):
    """a connected blocking socket with the global timeout"""
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr[5:]
    elif addr.startswith("inet:"):
        host, port = addr[5:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        target = (host, int(port))
    else:
        sys.exit("client.py: bad address %r" % addr)
    # a unix socket whose backlog is full refuses a non-blocking connect
    # with EAGAIN (TCP waits): retry until the daemon accepts
    s.settimeout(TIMEOUT)
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            s.connect(target)
            return s
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def netstring(payload):
    return b"%d:%s," % (len(payload), payload)


class Reader:
    """buffered reads; .eof is "closed", "reset" or None"""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = None

    def fill(self, timeout):
        """read once; False on timeout or end"""
        if self.eof:
            return False
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            self.eof = "reset"
            return False
        if not data:
            self.eof = "closed"
            return False
        self.buf += data
        return True

    def netstring(self, deadline):
        """one whole netstring payload, or None (end or timeout)"""
        while True:
            colon = self.buf.find(b":")
            if colon > 0 and self.buf[:colon].isdigit():
                n = int(self.buf[:colon])
                if len(self.buf) >= colon + n + 2:
                    payload = self.buf[colon + 1:colon + 1 + n]
                    if self.buf[colon + 1 + n:colon + 2 + n] != b",":
                        raise ValueError("reply without ','")
                    self.buf = self.buf[colon + 2 + n:]
                    return payload
            elif colon == 0 or (colon > 0 and not self.buf[:colon].isdigit()):
                raise ValueError("bad reply framing %r" % self.buf[:40])
            left = deadline - time.monotonic()
            if left <= 0 or not self.fill(left):
                return None

    def policy_reply(self, deadline):
        """one reply block up to the empty line, or None"""
        while True:
            end = self.buf.find(b"\n\n")
            if end >= 0:
                block = self.buf[:end + 2]
                self.buf = self.buf[end + 2:]
                return block
            left = deadline - time.monotonic()
            if left <= 0 or not self.fill(left):
                return None


def text(b):
    """bytes for printing: UTF-8, anything else escaped"""
    return b.decode("utf-8", "backslashreplace")


def show_policy(block):
    lines = block.split(b"\n")
    if (len(lines) == 3 and lines[0].startswith(b"action=") and
            lines[1] == b"" and lines[2] == b""):
        return "reply: " + text(lines[0])
    return "badreply: %r" % block


def state(r, wait):
    """how the connection stands after the replies"""
    if r.buf:
        return "extra: %r" % r.buf
    deadline = time.monotonic() + wait
    while r.eof is None:
        left = deadline - time.monotonic()
        if left <= 0 or not r.fill(left):
            break
        if r.buf:
            return "extra: %r" % r.buf
    return r.eof or "open"


def lookup_one(s, r, key):
    s.sendall(netstring(b"transport " + key))
    p = r.netstring(time.monotonic() + TIMEOUT)
    return "EOF" if p is None else text(p)


def cmd_lookup(a):
    s = connect(a.addr)
    r = Reader(s)
    for key in a.keys:
        print(lookup_one(s, r, os.fsencode(key)))
    s.close()


def policy_requests(data):
    """split stdin into requests, each up to and with its empty line"""
    reqs = []
    while data:
        end = data.find(b"\n\n")
        if end < 0:
            reqs.append(data)
            break
        reqs.append(data[:end + 2])
        data = data[end + 2:]
    return reqs


def cmd_send(a):
    data = sys.stdin.buffer.read()
    other = None
    if a.other is not None:
        other = connect(a.addr)
    s = connect(a.addr)
    r = Reader(s)
    out = []
    if a.split:
        chunks = policy_requests(data)
    elif a.pieces > 1:
        step = max(1, -(-len(data) // a.pieces))
        chunks = [data[i:i + step] for i in range(0, len(data), step)]
    else:
        chunks = [data]
    got = 0
    for i, chunk in enumerate(chunks):
        try:
            s.sendall(chunk)
        except (ConnectionResetError, BrokenPipeError):
            r.eof = "reset"
            break
        if a.split and i < len(chunks) - 1:
            block = r.policy_reply(time.monotonic() + TIMEOUT)
            if block is None:
                break
            out.append(show_policy(block))
            got += 1
        elif a.pieces > 1:
            time.sleep(0.02)
    if a.eof and r.eof is None:
        s.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + TIMEOUT
    while got < a.replies:
        if a.sockmap:
            p = r.netstring(deadline)
            if p is None:
                break
            out.append("reply: " + text(p))
        else:
            block = r.policy_reply(deadline)
            if block is None:
                break
            out.append(show_policy(block))
        got += 1
    out.append(state(r, 0.3 if a.replies > 0 else TIMEOUT))
    s.close()
    if other is not None:
        ro = Reader(other)
        req = codecs.escape_decode(a.other.encode())[0]
        if a.sockmap:
            out.append("other: " + lookup_one(other, ro, req))
        else:
            other.sendall(req)
            block = ro.policy_reply(time.monotonic() + TIMEOUT)
            out.append("other: " + ("EOF" if block is None else
                                    show_policy(block)))
        other.close()
    print("\n".join(out))


def cmd_held(a):
    s = connect(a.addr)
    r = Reader(s)
    key = os.fsencode(a.key)
    print("before: " + lookup_one(s, r, key))
    sys.stdout.flush()
    if subprocess.run(a.cmd, timeout=TIMEOUT).returncode != 0:
        print("cmd failed")
    print("after: " + lookup_one(s, r, key))
    s.close()


def now_ms():
    return time.clock_gettime_ns(time.CLOCK_REALTIME) // 1000000


def cmd_rotation(a):
    s = connect(a.addr)
    r = Reader(s)
    keys = [os.fsencode(k) for k in a.keys]
    seen = {}				# (interval, key) -> [replies]
    order = []
    n = 0
    end = time.monotonic() + a.duration / 1000.0
    while time.monotonic() < end:
        for key in keys:
            n += 1
            ask = key
            if a.fresh:
                at = key.rindex(b"@")
                ask = key[:at] + b"+%d" % n + key[at:]
            before = now_ms() // a.interval
            reply = lookup_one(s, r, ask)
            after = now_ms() // a.interval
            if before != after:
                continue
            if (before, key) not in seen:
                seen[(before, key)] = []
                order.append((before, key))
            seen[(before, key)].append(reply)
        time.sleep(0.02)
    for iv, key in order:
        replies = seen[(iv, key)]
        what = replies[0] if len(set(replies)) == 1 else "inconsistent"
        print("%d %d %s %s" % (iv % 2**32, len(replies), text(key), what))
    s.close()


def cmd_many(a):
    sel = selectors.DefaultSelector()
    socks = [connect(a.addr) for _ in range(a.n)]
    print("connections %d" % len(socks))
    req = netstring(b"transport " + os.fsencode(a.key))
    replies = {}
    for s in list(socks):
        try:
            s.sendall(req)
        except (BrokenPipeError, ConnectionResetError):
            # closed by the daemon before the request (max_clients)
            replies["EOF"] = replies.get("EOF", 0) + 1
            socks.remove(s)
            s.close()
    readers = {}
    for s in socks:
        s.setblocking(False)
        readers[s] = Reader(s)
        sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + TIMEOUT * 3
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            s = key.fileobj
            rd = readers[s]
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                data = b""
            rd.buf += data
            p = rd.netstring(0) if data else None
            if p is not None or not data:
                what = "EOF" if p is None else text(p)
                replies[what] = replies.get(what, 0) + 1
                sel.unregister(s)
    for s in list(sel.get_map().values()):
        replies["no reply"] = replies.get("no reply", 0) + 1
    for what, count in sorted(replies.items()):
        print("reply: %d %s" % (count, what))
    for s in socks:
        s.close()


def cmd_idle(a):
    s = connect(a.addr)
    r = Reader(s)
    print("reply: " + lookup_one(s, r, os.fsencode(a.key)))
    start = time.monotonic()
    what = state(r, TIMEOUT)
    if what == "closed" and time.monotonic() - start < a.min_ms / 1000.0:
        what = "closed early"
    print(what)
    s.close()


def cmd_flood(a):
    s = connect(a.addr)
    r = Reader(s)
    req = netstring(b"transport " + os.fsencode(a.key))
    try:
        s.sendall(req * a.n)
        print("sent all")
    except (ConnectionResetError, BrokenPipeError):
        print("sent some")
    deadline = time.monotonic() + TIMEOUT
    while r.eof is None and time.monotonic() < deadline:
        r.fill(deadline - time.monotonic())
        r.buf = b""
    print(r.eof or "open")
    s.close()


def cmd_hold(a):
    socks = [connect(a.addr) for _ in range(a.n)]
    print("connections %d" % len(socks))
    sys.stdout.flush()
    time.sleep(a.ms / 1000.0)
    for s in socks:
        s.close()


def cmd_slowloris(a):
    if a.policy:
        req = (b"request=smtpd_access_policy\nprotocol_state=RCPT\n"
               b"recipient=%s\n\n" % os.fsencode(a.key))
    else:
        req = netstring(b"transport " + os.fsencode(a.key))
    end = time.monotonic() + a.ms / 1000.0
    normal = [0, 0]

    def ask():
        while time.monotonic() < end:
            normal[1] += 1
            try:
                s = connect(a.addr)
                r = Reader(s)
                s.sendall(req)
                wait = time.monotonic() + 2.0
                if (r.policy_reply(wait) if a.policy else
                        r.netstring(wait)) is not None:
                    normal[0] += 1
                s.close()
            except OSError:
                pass
            time.sleep(0.1)

    th = threading.Thread(target=ask)
    th.start()
    tricklers = [[None, 0, 0.0] for _ in range(a.n)]	# sock, sent, due
    answers = closed = 0
    while time.monotonic() < end:
        now = time.monotonic()
        for t in tricklers:
            if t[2] > now:
                continue
            if t[0] is None:
                try:
                    t[0] = connect(a.addr)
                except OSError:
                    t[2] = now + 0.25
                    continue
                t[0].setblocking(False)
                t[1] = 0
            gone = False
            try:
                if t[1] < len(req) - 1:		# never the last byte
                    t[0].send(req[t[1]:t[1] + 1])
                    t[1] += 1
                data = t[0].recv(65536)
                if data:
                    answers += 1
                else:
                    gone = True
            except BlockingIOError:
                pass
            except OSError:
                gone = True
            if gone:
                closed += 1
                t[0].close()
                t[0] = None
            t[2] = now + 0.25
        time.sleep(0.02)
    th.join()
    for t in tricklers:
        if t[0] is not None:
            t[0].close()
    print("normal %d/%d" % (normal[0], normal[1]))
    print("trickler answers %d" % answers)
    print("trickler closed %d" % closed)


def cmd_halfclose(a):
    s = connect(a.addr)
    r = Reader(s)
    req = netstring(b"transport " + os.fsencode(a.key))
    # the first reply's length: about 600 KB of replies are left unread
    # all along (more than the socket buffers hold, less than the 1 MB
    # the daemon keeps for a client), so some wait in the daemon at EOF
    s.sendall(req)
    first = r.netstring(time.monotonic() + TIMEOUT)
    if first is None:
        print("replies 0 of %d" % a.n)
        print(r.eof or "open")
        return
    window = 600000 // len(netstring(first))
    s.setblocking(False)
    data = req * (a.n - 1)
    buf = r.buf
    replies = 1
    eof = None
    shut = False
    deadline = time.monotonic() + TIMEOUT
    while eof is None and time.monotonic() < deadline:
        sent = a.n - len(data) // len(req)
        if data and sent - replies < window:
            try:
                data = data[s.send(data[:16384]):]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                eof = "reset"
                break
            if not data and not shut:
                s.shutdown(socket.SHUT_WR)
                shut = True
                time.sleep(a.noread / 1000.0)
            if sent - replies < window:
                continue
        try:
            got = s.recv(65536)
        except BlockingIOError:
            time.sleep(0.001)
            continue
        except OSError:
            eof = "reset"
            break
        if not got:
            eof = "closed"
            break
        buf += got
        # replies are netstrings: count the ones whole
        at = 0
        while True:
            colon = buf.find(b":", at)
            if colon < 0 or len(buf) < colon + int(buf[at:colon]) + 2:
                break
            at = colon + int(buf[at:colon]) + 2
            replies += 1
        buf = buf[at:]
    print("replies %d of %d" % (replies, a.n))
    print(eof or "open")
    s.close()


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def cmd_rcpts(a):
    before = rss_kb(a.pid)
    socks = [connect(a.addr) for _ in range(a.sessions)]
    ok = 0
    for i, s in enumerate(socks):
        reqs = b"".join(
            b"request=smtpd_access_policy\nprotocol_state=RCPT\n"
            b"instance=%d.1\nrecipient=%s%d@%s\nsize=0\n\n" %
            (i, b"r" * a.len, k, os.fsencode(a.domain))
            for k in range(a.n))
        s.sendall(reqs)
        r = Reader(s)
        for _ in range(a.n):
            block = r.policy_reply(time.monotonic() + TIMEOUT)
            if block is None:
                break
            ok += block == b"action=DUNNO\n\n"
    after = rss_kb(a.pid)
    print("replies %d of %d" % (ok, a.sessions * a.n))
    print("rss_kb %d %d" % (before, after))
    for s in socks:
        s.close()


def main():
    global TIMEOUT
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=TIMEOUT)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("lookup")
    p.add_argument("addr")
    p.add_argument("keys", nargs="+")
    p.set_defaults(fn=cmd_lookup)
    p = sub.add_parser("send")
    p.add_argument("addr")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--sockmap", action="store_true")
    g.add_argument("--policy", action="store_true")
    p.add_argument("--replies", type=int, default=0)
    p.add_argument("--split", action="store_true")
    p.add_argument("--eof", action="store_true")
    p.add_argument("--pieces", type=int, default=1)
    p.add_argument("--other")
    p.set_defaults(fn=cmd_send)
    # the other commands take positional arguments only
    for name, fn, args in (
            ("held", cmd_held, (("key", str), ("cmd", argparse.REMAINDER))),
            ("rotation", cmd_rotation, (("interval", int),
                                        ("duration", int), ("keys", "+"))),
            ("fresh", cmd_rotation, (("interval", int),
                                     ("duration", int), ("keys", "+"))),
            ("many", cmd_many, (("n", int), ("key", str))),
            ("idle", cmd_idle, (("key", str), ("min_ms", int))),
            ("flood", cmd_flood, (("n", int), ("key", str))),
            ("hold", cmd_hold, (("n", int), ("ms", int))),
            ("slowloris", cmd_slowloris, (("n", int), ("ms", int),
                                          ("key", str))),
            ("halfclose", cmd_halfclose, (("n", int), ("key", str))),
            ("rcpts", cmd_rcpts, (("pid", int), ("sessions", int),
                                  ("n", int), ("len", int),
                                  ("domain", str)))):
        p = sub.add_parser(name)
        p.add_argument("addr")
        for arg, kind in args:
            if kind in ("+", argparse.REMAINDER):
                p.add_argument(arg, nargs=kind)
            else:
                p.add_argument(arg, type=kind)
        p.set_defaults(fn=fn, fresh=name == "fresh")
    sub.choices["slowloris"].add_argument("--policy", action="store_true")
    sub.choices["halfclose"].add_argument("--noread", type=int, default=0)
    a = ap.parse_args()
    TIMEOUT = a.timeout
    try:
        a.fn(a)
    except (OSError, ValueError) as e:
        print("error: %s" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
