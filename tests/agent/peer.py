#!/usr/bin/env python3
"""peer.py - a scripted peer for lsa-agent's port 691 (standard library).

The wire (lsa-agent/session.c, shared/l2s.h, shared/lsrec.h): a 220
banner, EHLO, STARTTLS, mutual TLS, EHLO NAME again, X-LINK2STATE, then
agent messages (one JSON object each) as base64 chunk lines
"X-LINK2STATE ONE|FIRST|NEXT|LAST CHUNK=<b64>", at most 720 raw bytes a
chunk, lines ending in CRLF.

  peer.py --port PORT [--host H] [--ca CA] [--cert PEM --key KEY]
          [--peer NAME] [--ctl SOCKET] [--timeout S] STEP...

One connection; the steps run in order, each printing at most one line
(the shell test compares them). A step that meets the end of the
connection prints "closed" (EOF or reset) or "tls-failed REASON" (a TLS
alert or handshake failure) and the steps after it are not run, as
after "badreply LINE" or "badline LINE" (the agent sent what the protocol
does not allow there); a step that waits longer than --timeout (default
5 s) prints "timeout".
Exit status 0, 2 for a bad option, 1 for a bad step.

Steps of the ESMTP phase:
  banner            read the greeting: "banner CODE"
  ehlo:NAME         EHLO NAME: "ehlo CODE KEYWORD..." (the lines after
                    the first; CODE of the last line)
  line:TEXT         send TEXT and CRLF, read nothing
  raw:TEXT          send TEXT with \\r and \\n escapes decoded, no line end
  reply             read one reply (multi-line too): "reply CODE TEXT"
                    (the text of its last line)
  cmd:TEXT          line:TEXT then reply
  starttls          STARTTLS, 220, then the TLS handshake with --cert and
                    --key (none: no client certificate), verifying the
                    agent against --ca (and --peer as its name): "tls"
  login:NAME        banner, EHLO, STARTTLS, EHLO NAME, X-LINK2STATE:
                    "link" when in link-state mode, else what stopped it:
                    "refused CODE TEXT", "reply CODE TEXT" (any other
                    reply), "closed" or "tls-failed REASON"

Steps of link-state mode:
  msg:JSON          send the JSON text as one message (chunked as the
                    agent does, so a long one goes FIRST/NEXT.../LAST)
  hello[:DIGEST[:RECORDS[:SERVER]]]
                    send hello; DIGEST "echo" (the default) repeats the
                    digest and record count of the agent's hello (read
                    with "read" or "fast" before), so the agent is in
                    sync at once; "zero" is 64 zeros. RECORDS (empty:
                    as with "echo", else 0), SERVER defaults to the
                    login name
  summary           send an empty summary (we have nothing)
  done              send done
  conn:CONNECTOR:SOURCE:SEQ:DOWN[:ORIGIN]
                    send a connector record (ORIGIN defaults to SOURCE)
  topo:VERSION:SEQ:FILE[:ORIGIN]
                    send a topology record with FILE's text (ORIGIN
                    defaults to the login name)
  cert:SEQ[:FILE[:ORIGIN]]
                    send a certificate record: FILE's PEM (default
                    --cert), ORIGIN defaults to the login name
  Every record is signed with --key (as lsa-agent/sig.c signs: ECDSA
  with SHA-256 over lsrec_canon's bytes, by `openssl dgst`), whatever
  its origin: a record of another origin is a forgery. SEQ may exceed
  2^63-1 (sent as a decimal string then). Before the first record of
  the login name's own origin, its certificate record is sent (seq 1).
  repeat:N:STEP     run STEP N times, printing nothing
  read              read the agent's next message: "got hello RECORDS",
                    "got summary N", "got rec KEY ORIGIN SEQ STATE|vVERSION",
                    "got done"
  sync              the whole database exchange, as an agent does it:
                    read the agent's hello, send hello (zero digest, no
                    records), answer its summary with an empty one, take
                    its records up to done, send done: "synced RECORDS"
  fast              read the agent's hello, answer with its own digest
                    (in sync at once): "in sync"
  wait-rec:KEY      read messages until a record with KEY:
                    "got rec KEY ORIGIN SEQ STATE|vVERSION"
  idle:MS           nothing for MS ms; messages that arrive are read and
                    dropped: "open" if the connection stayed open
  closed            wait for the agent to end the connection, dropping
                    what arrives: "closed", else "open" after --timeout
  quit              send QUIT, then as closed
  sleep:MS          wait MS ms without reading

Other steps:
  peers[:NAME=STATE]
                    ask the agent (--ctl, its control socket) for its
                    status: "peers NAME=STATE..." in name order; with
                    NAME=STATE, ask again every 20 ms until that peer is
                    in that state (at most --timeout)
"""
import argparse
import base64
import json
import os
import socket
import ssl
import subprocess
import sys
import time

CHUNK_RAW = 720
VERB = "X-LINK2STATE"


class Closed(Exception):
    """The connection ended; str() is what the step prints."""


class Timeout(Exception):
    """Nothing came in time."""


def msg_lines(data):
    """The chunk lines of one message (bytes), as l2s_encode makes them."""
    parts = [data[i:i + CHUNK_RAW] for i in range(0, len(data), CHUNK_RAW)]
    if not parts:
        parts = [b""]
    out = []
    for i, part in enumerate(parts):
        if len(parts) == 1:
            word = "ONE"
        elif i == 0:
            word = "FIRST"
        elif i + 1 == len(parts):
            word = "LAST"
        else:
            word = "NEXT"
        out.append("%s %s CHUNK=%s" % (VERB, word,
                                       base64.b64encode(part).decode()))
    return out


def describe(m):
    """One line for an agent message."""
    kind = m.get("m")
    if kind == "hello":
        return "got hello %s" % m.get("records")
    if kind == "summary":
        return "got summary %d" % len(m.get("have", []))
    if kind == "done":
        return "got done"
    if kind == "rec":
        k = m.get("k")
        if k == "topology":
            key, tail = "topology", "v%s" % m.get("v")
        elif k == "cert":
            key, tail = "cert:%s" % m.get("o"), "pem"
        elif k == "connector":
            key = "connector:%s:%s" % (m.get("c"), m.get("s"))
            tail = "down" if m.get("d") else "up"
        else:
            key = "server:%s" % m.get("n")
            tail = "down" if m.get("d") else "up"
        return "got rec %s %s %s %s" % (key, m.get("o"), m.get("q"), tail)
    return "got %r" % m


def canon(rec):
    """The bytes a record's signature covers (shared/lsrec.c,
    lsrec_canon)."""
    k = rec["k"]
    text = rec.get("x", "") if k == "topology" else \
        rec.get("p", "") if k == "cert" else ""
    name = rec.get("c", "") if k == "connector" else \
        rec.get("n", "") if k == "server" else ""
    data = text.encode()
    return ("lsa-rec-1\n%s\n%s\n%d\n%d\n%s\n%s\n%d\n%d\n%d\n" % (
        k, rec["o"], int(rec["q"]), rec["t"], name,
        rec.get("s", "") if k == "connector" else "",
        rec.get("d", 0) if k in ("connector", "server") else 0,
        int(rec.get("v", 0)), len(data))).encode() + data


def sign(rec, key):
    """Base64 of the signature with key (a PEM file) over canon(rec)."""
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key],
                         input=canon(rec), stdout=subprocess.PIPE,
                         check=True).stdout
    return base64.b64encode(out).decode()


def rec_key(m):
    """The LST key of a record message."""
    if m.get("k") == "topology":
        return "topology"
    if m.get("k") == "cert":
        return "cert:%s" % m.get("o")
    if m.get("k") == "connector":
        return "connector:%s:%s" % (m.get("c"), m.get("s"))
    return "server:%s" % m.get("n")


class Peer:
    """One connection to an agent: the ESMTP phase, TLS, link-state mode."""

    def __init__(self, host, port, timeout):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.name = None
        self.agent_hello = None
        self.open_msg = None
        self.cert = self.key = None     # to sign records with
        self.sent_cert = False

    # --- bytes and lines
    @staticmethod
    def _io(fn, *args):
        """fn(*args); the end of the connection raised as Closed"""
        try:
            return fn(*args)
        except socket.timeout:
            raise Timeout()
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            raise Closed("closed")
        except ssl.SSLError as e:
            raise Closed("tls-failed %s" % tls_reason(e))
        except OSError:
            raise Closed("closed")

    def send_raw(self, data):
        self._io(self.sock.sendall, data)

    def send_line(self, text):
        self.send_raw(text.encode() + b"\r\n")

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout()
        self.sock.settimeout(left)
        data = self._io(self.sock.recv, 65536)
        if not data:
            raise Closed("closed")
        self.buf += data

    def read_line(self, deadline=None):
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            self._fill(deadline)
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def read_reply(self):
        """(code, [text of each line])"""
        texts = []
        while True:
            line = self.read_line()
            if len(line) < 3 or not line[:3].isdigit():
                raise Closed("badreply %r" % line)
            texts.append(line[4:])
            if len(line) == 3 or line[3] != "-":
                return int(line[:3]), texts

    # --- the ESMTP phase
    def starttls(self, ca, cert, key, peer_name):
        self.send_line("STARTTLS")
        code, texts = self.read_reply()
        if code != 220:
            return "reply %d %s" % (code, texts[-1])
        if self.buf:
            raise Closed("badreply data after 220")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(ca)
        ctx.check_hostname = peer_name is not None
        if cert:
            ctx.load_cert_chain(cert, key)
        self.sock.settimeout(self.timeout)
        self.sock = self._io(lambda: ctx.wrap_socket(
            self.sock, server_hostname=peer_name))
        return "tls"

    def login(self, name, ca, cert, key, peer_name):
        """The whole way into link-state mode."""
        self.name = name
        self.cert, self.key = cert, key
        code, texts = self.read_reply()
        if code != 220:
            return "reply %d %s" % (code, texts[-1])
        self.send_line("EHLO %s" % name)
        code, texts = self.read_reply()
        if code != 250 or "STARTTLS" not in texts:
            return "reply %d %s" % (code, texts[-1])
        res = self.starttls(ca, cert, key, peer_name)
        if res != "tls":
            return res
        self.send_line("EHLO %s" % name)
        code, texts = self.read_reply()
        if code == 554:
            return "refused 554 %s" % texts[-1]
        if code != 250 or VERB not in texts:
            return "reply %d %s" % (code, texts[-1])
        self.send_line(VERB)
        code, texts = self.read_reply()
        if code != 250:
            return "reply %d %s" % (code, texts[-1])
        return "link"

    # --- link-state mode
    def send_msg(self, obj):
        if isinstance(obj, (dict, list)):
            data = json.dumps(obj, separators=(",", ":")).encode()
        elif isinstance(obj, str):
            data = obj.encode()
        else:
            data = obj
        self.send_raw("".join(l + "\r\n" for l in msg_lines(data)).encode())

    def send_hello(self, digest="echo", records=None, server=None):
        if digest == "echo":
            if self.agent_hello is None:
                raise SystemExit("peer.py: hello:echo before the agent's "
                                 "hello was read")
            digest = self.agent_hello["digest"]
            if records is None:
                records = self.agent_hello["records"]
        elif digest == "zero":
            digest = "0" * 64
        # the topology version in force: the agent's own when its hello
        # was read (an up-to-date peer), else 0 (not said)
        topology = (self.agent_hello or {}).get("topology", 0)
        self.send_msg({"m": "hello", "server": server or self.name,
                       "digest": digest, "records": records or 0,
                       "topology": topology})

    def send_summary(self, have=()):
        self.send_msg({"m": "summary", "have": list(have)})

    def send_done(self):
        self.send_msg({"m": "done"})

    def send_rec(self, **fields):
        rec = {"m": "rec", "t": int(time.time() * 1000)}
        rec.update(fields)
        if rec["o"] == self.name and rec["k"] != "cert" and \
                not self.sent_cert and self.key:
            self.sent_cert = True
            with open(self.cert) as f:
                self.send_rec(k="cert", q=1, p=f.read(), o=self.name)
        if self.key:
            rec["g"] = sign(rec, self.key)
        if rec["q"] > 2**63 - 1:
            rec["q"] = str(rec["q"])
        self.send_msg(rec)

    def read_msg(self, deadline=None):
        """The agent's next message (a dict); NOOP lines are skipped."""
        while True:
            line = self.read_line(deadline)
            if line.upper() == "NOOP":
                continue
            if line.upper() == "QUIT":
                raise Closed("closed")
            words = line.split(" ", 2)
            if len(words) != 3 or words[0] != VERB or \
                    not words[2].startswith("CHUNK="):
                raise Closed("badline %r" % line[:80])
            data = base64.b64decode(words[2][6:], validate=True)
            if words[1] in ("ONE", "FIRST"):
                self.open_msg = b""
            self.open_msg += data
            if words[1] in ("ONE", "LAST"):
                m = json.loads(self.open_msg)
                self.open_msg = None
                if m.get("m") == "hello" and self.agent_hello is None:
                    self.agent_hello = m
                return m

    def read_until(self, want, deadline=None):
        while True:
            m = self.read_msg(deadline)
            if want(m):
                return m

    def sync(self):
        """The database exchange with an empty database."""
        self.read_until(lambda m: m.get("m") == "hello")
        self.send_hello("zero", 0)
        self.read_until(lambda m: m.get("m") == "summary")
        self.send_summary()
        n = 0
        while True:
            m = self.read_msg()
            if m.get("m") == "done":
                break
            if m.get("m") == "rec":
                n += 1
        self.send_done()
        return "synced %d" % n

    def drain(self, seconds):
        """Read and drop until EOF (Closed) or seconds pass (Timeout)."""
        deadline = time.monotonic() + seconds
        while True:
            self.buf = b""
            self._fill(deadline)


def tls_reason(e):
    return (getattr(e, "reason", None) or str(e)).replace(" ", "_")


def ctl_status(path, timeout):
    """The agent's status over its control socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    s.sendall(b"status\n")
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)


def step(p, st, opt):
    """Run one step; its output line or None."""
    verb, _, arg = st.partition(":")
    if verb == "banner":
        return "banner %d" % p.read_reply()[0]
    if verb == "ehlo":
        p.send_line("EHLO %s" % arg)
        code, texts = p.read_reply()
        return " ".join(["ehlo %d" % code] + texts[1:])
    if verb == "line":
        p.send_line(arg)
        return None
    if verb == "raw":
        p.send_raw(arg.encode().decode("unicode_escape").encode("latin-1"))
        return None
    if verb in ("reply", "cmd"):
        if verb == "cmd":
            p.send_line(arg)
        code, texts = p.read_reply()
        return "reply %d %s" % (code, texts[-1])
    if verb == "starttls":
        return p.starttls(opt.ca, opt.cert, opt.key, opt.peer)
    if verb == "login":
        return p.login(arg, opt.ca, opt.cert, opt.key, opt.peer)
    if verb == "msg":
        p.send_msg(arg)
        return None
    if verb == "hello":
        a = arg.split(":") if arg else []
        p.send_hello(a[0] if a else "echo",
                     int(a[1]) if len(a) > 1 and a[1] else None,
                     a[2] if len(a) > 2 else None)
        return None
    if verb == "summary":
        p.send_summary()
        return None
    if verb == "done":
        p.send_done()
        return None
    if verb == "conn":
        a = arg.split(":")
        p.send_rec(k="connector", c=a[0], s=a[1], q=int(a[2]),
                   d=int(a[3]), o=a[4] if len(a) > 4 else a[1])
        return None
    if verb == "cert":
        a = arg.split(":")
        with open(a[1] if len(a) > 1 and a[1] else opt.cert) as f:
            pem = f.read()
        p.send_rec(k="cert", q=int(a[0]), p=pem,
                   o=a[2] if len(a) > 2 else p.name)
        return None
    if verb == "topo":
        a = arg.split(":")
        with open(a[2]) as f:
            text = f.read()
        p.send_rec(k="topology", v=int(a[0]), q=int(a[1]), x=text,
                   o=a[3] if len(a) > 3 else p.name)
        return None
    if verb == "repeat":
        n, _, sub = arg.partition(":")
        for _ in range(int(n)):
            step(p, sub, opt)
        return None
    if verb == "read":
        return describe(p.read_msg())
    if verb == "sync":
        return p.sync()
    if verb == "fast":
        p.read_until(lambda m: m.get("m") == "hello")
        p.send_hello("echo")
        return "in sync"
    if verb == "wait-rec":
        return describe(p.read_until(
            lambda m: m.get("m") == "rec" and rec_key(m) == arg))
    if verb == "idle":
        try:
            p.drain(int(arg) / 1000.0)
        except Timeout:
            return "open"
    if verb in ("closed", "quit"):
        if verb == "quit":
            p.send_line("QUIT")
        try:
            p.drain(opt.timeout)
        except Timeout:
            return "open"
    if verb == "sleep":
        time.sleep(int(arg) / 1000.0)
        return None
    if verb == "peers":
        deadline = time.monotonic() + opt.timeout
        while True:
            st = ctl_status(opt.ctl, opt.timeout)
            got = ["%s=%s" % (x["name"], x["state"])
                   for x in sorted(st["peers"], key=lambda x: x["name"])]
            if not arg or arg in got or time.monotonic() > deadline:
                return " ".join(["peers"] + got)
            time.sleep(0.02)
    raise SystemExit("peer.py: unknown step %r" % st)


def main():
    ap = argparse.ArgumentParser(description="scripted lsa-agent peer")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--peer", help="the agent's name, checked in its "
                    "certificate")
    ap.add_argument("--ctl", help="the agent's control socket")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("steps", nargs="+")
    opt = ap.parse_args()
    try:
        p = Peer(opt.host, opt.port, opt.timeout)
    except OSError as e:
        print("connect failed %s" % os.strerror(e.errno or 0))
        return 0
    for st in opt.steps:
        try:
            out = step(p, st, opt)
        except Closed as e:
            print(e)
            return 0
        except Timeout:
            print("timeout")
            return 0
        if out is not None:
            print(out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
