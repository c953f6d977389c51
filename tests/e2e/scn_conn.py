"""scn_conn.py - connection limits and bidirectional connectors on real
Postfix (issue 15, parts 3 and 4).

A small organization (7 servers): src1 (group Src) sends over
  - Src-Dst (max_connections = 2) to sinkA, sinkB (group Dst),
  - Src-Free (no limit) to sinkC, sinkD (group Free),
  - Src-Miss (max_connections = 1) to sinkM (group Miss), whose
    transport is left out of master.cf on purpose,
  - Src-Back (bidirectional = yes, max_connections = 3) to back1
    (group Back), which sends back over Src-Back~reverse.
The sink servers' smtp_port is a counting SMTP sink run here (threads in
this process, in the namespace): it counts concurrent sessions from the
target side (those that said EHLO/HELO: the agents' probes only wait for
the greeting), keeps the peak per pool (Dst, Free, Miss) and the
recipients of each message accepted, and waits 250 ms before its answer
to the final "." so that deliveries overlap. Rotation is every 10 ms:
the limited connector's mail goes out under many next-hop strings.

The master.cf entries are the ones `lsactl postfix-setup --dry-run -t`
prints for this topology (lsa-Src-Miss taken out).

Checks: 60 messages injected in parallel over Src-Dst arrive, peak <= 2;
the same over Src-Free arrive with a peak above 2 (so the first check can
fail); mail over Src-Miss waits deferred (not bounced, not delivered),
the agent logs the missing transport and lsactl check warns, and it
leaves once the entry is added (postfix reload, postqueue -f); mail
crosses Src-Back both ways, each direction under its own transport, and
an override of the reverse at back1 reaches src1 as a record of its own
while the forward direction keeps working.
"""

import os
import re
import shutil
import socket
import subprocess
import threading
import time

import e2e

SCENARIO = "conn"

NET = "127.0.40."
PORTS = {"sinkA": 2525, "sinkB": 2526, "sinkC": 2527, "sinkD": 2528,
         "sinkM": 2529}
POOL = {2525: "Dst", 2526: "Dst", 2527: "Free", 2528: "Free", 2529: "Miss"}
DELAY = 0.25

TOPOLOGY = """[organization]
name = Conn
version = 1

[group Src]
[group Back]
[group Dst]
[group Free]
[group Miss]

[server src1]
group = Src
address = %(net)s11
mailboxes = src.conn.test

[server back1]
group = Back
address = %(net)s21
mailboxes = back.conn.test

[server sinkA]
group = Dst
address = %(net)s31
smtp_port = 2525
mailboxes = dst.conn.test

[server sinkB]
group = Dst
address = %(net)s32
smtp_port = 2526
mailboxes = dst.conn.test

[server sinkC]
group = Free
address = %(net)s41
smtp_port = 2527
mailboxes = free.conn.test

[server sinkD]
group = Free
address = %(net)s42
smtp_port = 2528
mailboxes = free.conn.test

[server sinkM]
group = Miss
address = %(net)s51
smtp_port = 2529
mailboxes = miss.conn.test

[connector Src-Dst]
from = Src
to = Dst
max_connections = 2

[connector Src-Free]
from = Src
to = Free

[connector Src-Miss]
from = Src
to = Miss
max_connections = 1

[connector Src-Back]
from = Src
to = Back
bidirectional = yes
max_connections = 3
""" % {"net": NET}


class Sink:
    """a counting SMTP sink on several ports (threads)"""

    def __init__(self, ports):
        self.lock = threading.Lock()
        self.cur = {}           # pool -> sessions now (after EHLO)
        self.peak = {}          # pool -> the most at once
        self.sessions = {}      # pool -> sessions that said EHLO
        self.got = {}           # pool -> recipients accepted
        self.stop = False
        self.socks = []
        for p in ports:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", p))
            s.listen(128)
            self.socks.append(s)
            threading.Thread(target=self.accept, args=(s, POOL[p]),
                             daemon=True).start()

    def close(self):
        self.stop = True
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass

    def accept(self, ls, pool):
        while not self.stop:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(c, pool),
                             daemon=True).start()

    def count(self, pool, d):
        with self.lock:
            n = self.cur.get(pool, 0) + d
            self.cur[pool] = n
            if d > 0:
                self.sessions[pool] = self.sessions.get(pool, 0) + 1
                self.peak[pool] = max(self.peak.get(pool, 0), n)

    def session(self, c, pool):
        f = c.makefile("rb")
        greeted = False
        rcpts = []
        try:
            c.sendall(b"220 sink ESMTP\r\n")
            for line in f:
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                    if not greeted:
                        greeted = True
                        self.count(pool, 1)
                    c.sendall(b"250 sink\r\n")
                elif cmd.startswith(b"MAIL"):
                    rcpts = []
                    c.sendall(b"250 2.1.0 ok\r\n")
                elif cmd.startswith(b"RCPT"):
                    m = re.search(rb"<([^>]*)>", line)
                    rcpts.append((m.group(1) if m else b"").decode().lower())
                    c.sendall(b"250 2.1.5 ok\r\n")
                elif cmd == b"DATA":
                    c.sendall(b"354 go\r\n")
                    for dl in f:
                        if dl in (b".\r\n", b".\n"):
                            break
                    time.sleep(DELAY)
                    with self.lock:
                        self.got.setdefault(pool, []).extend(rcpts)
                    c.sendall(b"250 2.0.0 queued\r\n")
                elif cmd == b"QUIT":
                    # the session ends here, before the client has the
                    # reply (the limited transports wait for it: their
                    # next session cannot start before this count drops)
                    if greeted:     # (the agents' probes say no EHLO)
                        self.count(pool, -1)
                        greeted = False
                    c.sendall(b"221 bye\r\n")
                    break
                else:           # RSET, NOOP and the rest
                    c.sendall(b"250 ok\r\n")
        except OSError:
            pass
        finally:
            if greeted:
                self.count(pool, -1)
            try:
                c.close()
            except OSError:
                pass


def setup_entries(base, topo):
    """the master.cf entries lsactl postfix-setup makes for topo"""
    pf = os.path.join(base, "setup-pf")
    os.makedirs(pf, exist_ok=True)
    shutil.copy("/etc/postfix/master.cf.proto",
                os.path.join(pf, "master.cf"))
    open(os.path.join(pf, "main.cf"), "w").close()
    conf = os.path.join(base, "setup.conf")
    open(conf, "w").close()
    r = e2e.sh([os.path.join(e2e.BIN, "lsactl"), "postfix-setup",
                "--dry-run", "-C", pf, "-c", conf, "-t", topo])
    return re.findall(r"-Me '(lsa-[^']*)'", r.stdout)


def send(org, server, dom, n, parts=3):
    """n messages into server in parts parallel SMTP sessions"""
    loads = [e2e.Load(org, server, [dom], n // parts,
                      sender="e2e@src.conn.test") for _ in range(parts)]
    for ld in loads:
        ld.start()
    acc = []
    for ld in loads:
        ld.finish(60)
        acc += ld.accepted
    return acc


def run(ns, base, ck):
    e2e.log("== conn: max_connections and bidirectional connectors")
    base = os.path.join(base, "conn")
    os.makedirs(base, exist_ok=True)
    topo = os.path.join(base, "conn.conf")
    with open(topo, "w") as f:
        f.write(TOPOLOGY)
    entries = setup_entries(base, topo)
    e2e.log("postfix-setup entries: %s" % entries)
    ck.ok(sorted(e.split("/")[0] for e in entries) ==
          ["lsa-Src-Back", "lsa-Src-Back-reverse", "lsa-Src-Dst",
           "lsa-Src-Miss"] and
          all(" smtp -o smtp_connection_cache_on_demand=no -o "
              "smtp_connection_cache_destinations= -o "
              "smtp_skip_quit_response=no" in e for e in entries),
          "conn: postfix-setup makes one transport per limited connector, "
          "both directions, without connection caching, waiting for "
          "QUIT's reply", entries)
    miss_entry = [e for e in entries if e.startswith("lsa-Src-Miss/")]
    master = [e for e in entries if not e.startswith("lsa-Src-Miss/")]
    sink = Sink(sorted(PORTS.values()))
    org = e2e.Org(topo, base=os.path.join(base, "org"), netns=ns,
                  policyd_extra={"rotation_interval": "10ms"},
                  master_extra=master)
    os.makedirs(org.base, exist_ok=True)
    try:
        org.up(60)
        src = org.servers["src1"]
        ans = src.lookup("x@dst.conn.test")
        e2e.log("src1: x@dst.conn.test -> %s" % ans)
        ck.ok(ans is not None and ans.startswith("OK lsa-Src-Dst:"),
              "conn: lsa-policyd answers the limited connector's transport",
              ans)

        # -- the limit holds: 60 in parallel over Src-Dst, then Src-Free
        t = time.monotonic()
        acc = send(org, "src1", "dst.conn.test", 60)
        ok = e2e.wait_for(lambda: set(r.lower() for r in acc) <=
                          set(sink.got.get("Dst", [])), 90, 0.3)
        dt = time.monotonic() - t
        pk = sink.peak.get("Dst", 0)
        print("# conn.limited.peak_sessions %d (max_connections 2; %d "
              "sessions, %d messages in %.1fs)" % (
                  pk, sink.sessions.get("Dst", 0), len(acc), dt), flush=True)
        ck.ok(len(acc) == 60 and ok and 1 <= pk <= 2,
              "conn: max_connections = 2: every message delivered, at most "
              "2 sessions at once from src1", "peak %d, delivered %d of %d"
              % (pk, len(set(sink.got.get("Dst", [])) &
                         set(r.lower() for r in acc)), len(acc)))
        t = time.monotonic()
        acc = send(org, "src1", "free.conn.test", 60)
        ok = e2e.wait_for(lambda: set(r.lower() for r in acc) <=
                          set(sink.got.get("Free", [])), 90, 0.3)
        dt = time.monotonic() - t
        pk = sink.peak.get("Free", 0)
        print("# conn.unlimited.peak_sessions %d (no limit; %d sessions, "
              "%d messages in %.1fs)" % (pk, sink.sessions.get("Free", 0),
                                         len(acc), dt), flush=True)
        ck.ok(len(acc) == 60 and ok and pk > 2,
              "conn: without the limit the same load opens more than 2 "
              "sessions at once", "peak %d" % pk)

        # -- a limited connector whose transport master.cf lacks
        miss = send(org, "src1", "miss.conn.test", 5, parts=1)
        time.sleep(6)
        q = [m for m in src.queue()
             if any(r["address"].lower() in {x.lower() for x in miss}
                    for r in m.get("recipients", []))]
        reasons = sorted({r.get("delay_reason", "") for m in q
                          for r in m.get("recipients", [])})
        print("# conn.missing_transport: %d of %d queued at src1, reason %s"
              % (len(q), len(miss), reasons[:2]), flush=True)
        bounced = org.bounced() & {x.lower() for x in miss}
        ck.ok(len(miss) == 5 and len(q) == 5 and not bounced and
              not sink.got.get("Miss") and
              all(m.get("queue_name") in ("deferred", "active", "incoming")
                  for m in q),
              "conn: transport missing from master.cf: the mail waits in "
              "the queue, nothing bounces", "%d queued, bounced %s, %s" %
              (len(q), bounced, reasons))
        alog = open(src.agent_log, errors="replace").read()
        chk = e2e.sh([os.path.join(e2e.BIN, "lsactl"), "check", "-c",
                      src.conf], check=False)
        ck.ok("transport missing server=src1 connector=Src-Miss "
              "transport=lsa-Src-Miss" in alog and
              "warning: connector Src-Miss (max_connections = 1): Postfix "
              "transport lsa-Src-Miss is not in" in chk.stdout and
              "Src-Dst" not in chk.stdout,
              "conn: the agent logs it and lsactl check warns",
              chk.stdout + chk.stderr)
        e2e.sh(["postconf", "-c", src.pfdir, "-M"] + miss_entry)
        src.postfix("reload")
        time.sleep(1)
        e2e.sh(["postqueue", "-c", src.pfdir, "-f"], check=False)
        ok = e2e.wait_for(lambda: {x.lower() for x in miss} <=
                          set(sink.got.get("Miss", [])), 30, 0.3)
        ck.ok(ok, "conn: once master.cf has the transport, the waiting "
              "mail leaves", org.where(miss))

        # -- both ways over one stanza
        back = org.servers["back1"]
        a1, a2 = src.lookup("x@back.conn.test"), back.lookup("x@src.conn.test")
        e2e.log("src1: x@back.conn.test -> %s; back1: x@src.conn.test -> %s"
                % (a1, a2))
        there = send(org, "src1", "back.conn.test", 6, parts=2)
        back_ = send(org, "back1", "src.conn.test", 6, parts=2)
        ok = org.wait_delivered(there + back_, 30)
        paths = org.paths(there + back_)
        e2e.log("both ways: %s" % paths)
        ck.ok(ok and a1 is not None and a2 is not None and
              a1.startswith("OK lsa-Src-Back:[%s21]" % NET) and
              a2.startswith("OK lsa-Src-Back-reverse:[%s11]" % NET) and
              paths.get("src1 -> back1") == 6 and
              paths.get("back1 -> src1") == 6,
              "conn: a bidirectional connector carries mail both ways, "
              "each direction under its own transport",
              "%s %s %s" % (a1, a2, paths))
        r = back.lsactl("connector", "down", "Src-Back~reverse")
        key_r = "connector:Src-Back~reverse:back1"
        got = e2e.wait_for(lambda: org.lst_state("src1", key_r) == "down",
                           10, 0.2)
        fwd = org.lst_state("src1", "connector:Src-Back:src1")
        a1 = src.lookup("x@back.conn.test")
        # back1's policyd reads the new snapshot within its
        # snapshot_check_interval of the agent writing it
        e2e.wait_for(lambda: (back.lookup("x@src.conn.test") or "")
                     .startswith("OK lsahold:"), 5, 0.1)
        a2 = back.lookup("x@src.conn.test")
        e2e.log("reverse down at back1: src1 holds %s=%s, forward %s; "
                "src1 -> %s; back1 -> %s" % (key_r, got, fwd, a1, a2))
        ck.ok(r.returncode == 0 and got and fwd in ("up", "none") and
              a1 is not None and a1.startswith("OK lsa-Src-Back:") and
              a2 is not None and a2.startswith("OK lsahold:"),
              "conn: each direction has its own link state (the reverse "
              "down, the forward still used)", "%s %s %s %s" % (
                  r.stdout + r.stderr, fwd, a1, a2))
        back.lsactl("connector", "auto", "Src-Back~reverse")
    finally:
        org.down()
        sink.close()
