"""scn_sched.py - connector schedules on real Postfix (README "Schedules").

Four groups of one server each. A reaches B only by A-B; it reaches C by
the cheap A-C (cost 1) or over D (A-D, D-C: 5 + 5). A-B and A-C share a
schedule: open for two hours from a minute E, closed before.

Schedules are minute-grained. Rather than wait for a real minute, the
organization's lsa-agents and lsa-policyds run under libfaketime with one
offset for all (FAKETIME="+N", the monotonic clock left alone): their
wall clock reaches E about LEAD seconds after they start. Postfix keeps
the real clock; it reads no schedule.

  (a) before E, mail from a1 to b.test is accepted and waits at a1, held
      (lsa-policyd's hold transport, "deferred transport"), not bounced;
      when A-B opens it leaves within seconds (lsa-agent's edge timer
      makes a reroute pass that retries it);
  (b) before E, mail to c.test goes over D (a1 -> d1 -> c1) while A-C is
      closed; after E, lsa-policyd's answers (cached ones too) change at
      the edge and new mail takes A-C (a1 -> c1).
"""

import math
import os
import time

import e2e

SCENARIO = "sched"
LEAD = 25           # seconds from the first daemon's start to the edge
WAIT = 20           # seconds for mail that should move


def topology(edge):
    """the topology text, with A-B and A-C open from edge (UTC) on"""
    tm = time.gmtime(edge)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[tm.tm_wday]
    end = time.gmtime(edge + 7200)
    sched = "%s %02d:%02d-%02d:%02d" % (day, tm.tm_hour, tm.tm_min,
                                        end.tm_hour, end.tm_min)
    servers = "".join(
        "[server %s1]\ngroup = %s\naddress = 127.0.77.%d\n"
        "mailboxes = %s.test\n" % (g.lower(), g, i + 1, g.lower())
        for i, g in enumerate("ABCD"))
    conns = [("A-B", "A", "B", 1, sched), ("B-A", "B", "A", 1, None),
             ("A-C", "A", "C", 1, sched), ("C-A", "C", "A", 1, None),
             ("A-D", "A", "D", 5, None), ("D-A", "D", "A", 5, None),
             ("D-C", "D", "C", 5, None), ("C-D", "C", "D", 5, None)]
    text = ("[organization]\nname = Sched\nversion = 1\ntimezone = UTC\n"
            "[group A]\n[group B]\n[group C]\n[group D]\n" + servers)
    for name, f, t, cost, s in conns:
        text += "[connector %s]\nfrom = %s\nto = %s\ncost = %d\n" % (
            name, f, t, cost)
        if s:
            text += "schedule = %s\n" % s
    return text, sched


def held_at(srv, rcpts):
    """the recipients of rcpts deferred at srv by the hold transport"""
    out = set()
    for m in srv.queue():
        for r in m.get("recipients", []):
            a = r["address"].lower()
            if a in rcpts and "deferred transport" in r.get("delay_reason",
                                                             ""):
                out.add(a)
    return out


def run(ns, base, ck):
    e2e.log("== sched: connector schedules (libfaketime)")
    lib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
    if not os.path.exists(lib):
        ck.ok(False, "sched: libfaketime is installed",
              "packaging/install-deps.sh check installs faketime")
        return
    # the edge, in the daemons' (fake) time: a whole minute
    edge = int(math.ceil((time.time() + 120) / 60.0) * 60)
    text, sched = topology(edge)
    topo = os.path.join(base, "sched.conf")
    with open(topo, "w") as f:
        f.write(text)
    clock = {}

    def env(server):
        # one offset for every daemon, fixed at the first start: the
        # daemons' clock reaches the edge LEAD seconds after it
        if "off" not in clock:
            clock["off"] = int(round(edge - LEAD - time.time()))
        # ASan (make check SANITIZE=1) wants its runtime first in the
        # library list and aborts at start when LD_PRELOAD puts
        # libfaketime there: tell it that is meant
        asan = os.environ.get("ASAN_OPTIONS", "")
        asan = (asan + ":" if asan else "") + "verify_asan_link_order=0"
        return {"LD_PRELOAD": lib, "FAKETIME": "%+d" % clock["off"],
                "FAKETIME_DONT_FAKE_MONOTONIC": "1", "ASAN_OPTIONS": asan}

    org = e2e.Org(topo, base=os.path.join(base, "sched"), netns=ns,
                  daemon_env=env)
    os.makedirs(org.base, exist_ok=True)
    try:
        org.up(60)
        real_edge = edge - clock["off"]     # the edge on our clock
        left = real_edge - time.time()
        e2e.log("schedule %s (UTC): A-B and A-C open in %.1fs" % (sched,
                                                                  left))
        ck.ok(left > 8, "sched: the organization is up before the edge",
              "%.1fs left" % left)
        a1 = org.servers["a1"]
        # before the edge: b.test held at a1, c.test over D
        load = e2e.Load(org, "a1", ["b.test", "c.test"], 3, tag="before")
        load.start()
        load.finish(30)
        b_rcpts = {r.lower() for r in load.accepted if r.endswith("b.test")}
        c_rcpts = {r.lower() for r in load.accepted if r.endswith("c.test")}
        ck.ok(len(b_rcpts) == 3 and len(c_rcpts) == 3 and not load.refused,
              "sched: a1 accepts mail for the closed and the open way",
              "accepted %d refused %s" % (len(load.accepted), load.refused))
        org.wait_delivered(c_rcpts, WAIT)
        dl = org.deliveries()
        paths = [hops for r in c_rcpts for _, hops in dl.get(r, [])]
        ck.ok(len(paths) == 3 and all(p == ["a1", "d1", "c1"]
                                      for p in paths),
              "sched: (b) A-C closed: mail to C goes over D", paths)
        held = e2e.wait_for(lambda: held_at(a1, b_rcpts) == b_rcpts,
                            max(1, real_edge - time.time() - 1), 0.3)
        dl = org.deliveries()
        before = time.time()
        ck.ok(held and len(b_rcpts) == 3 and before < real_edge and
              not any(r in dl for r in b_rcpts) and
              not (org.bounced() & b_rcpts),
              "sched: (a) A-B closed: mail to B waits at a1, held, "
              "not bounced", "held %s, %.1fs before the edge" % (
                  sorted(held_at(a1, b_rcpts)), real_edge - before))
        # the window opens: the held mail leaves at once
        time.sleep(max(0, real_edge - time.time()))
        t_open = time.monotonic()
        done = org.wait_delivered(b_rcpts, WAIT)
        took = time.monotonic() - t_open
        dl = org.deliveries()
        paths = [hops for r in b_rcpts for _, hops in dl.get(r, [])]
        e2e.log("held mail delivered %.1fs after A-B opened" % took)
        ck.ok(done and len(paths) == 3 and
              all(p == ["a1", "b1"] for p in paths) and took < 10,
              "sched: (a) A-B opens: the held mail leaves within seconds",
              "%.1fs, paths %s" % (took, paths))
        try:
            with open(a1.agent_log) as f:
                opened = "schedule server=a1 connector=A-B state=open" in \
                    f.read()
        except OSError:
            opened = False
        ck.ok(opened, "sched: a1's agent logs A-B opening")
        # after the edge: c.test takes the cheap A-C
        load = e2e.Load(org, "a1", ["c.test"], 3, tag="after")
        load.start()
        load.finish(30)
        after = {r.lower() for r in load.accepted}
        org.wait_delivered(after, WAIT)
        dl = org.deliveries()
        paths = [hops for r in after for _, hops in dl.get(r, [])]
        ck.ok(len(paths) == 3 and all(p == ["a1", "c1"] for p in paths),
              "sched: (b) A-C open: mail to C takes it, not D", paths)
    finally:
        org.down()
