#!/usr/bin/env python3
"""demo.py - make demo: the seed-002 story with real Postfix instances.

Every server of tests/topologies/seed002.conf runs as its own Postfix
instance with its own lsa-agent and lsa-policyd, in a network namespace
made for the demo (the e2e.py library). Mail goes from Dublin (dub-bh1) to
Boston at a steady rate; London-NewYork is cut with nftables (both London
sources to both New York targets); the demo shows, as it happens, the link
retrying and going down, the LSTs converging, London's route changing, the
mail going via Copenhagen, then the link coming back and the mail on the
direct path again. Every lsactl command is printed in full before it runs.

Needs root. Run from the repository root with BUILD set (make demo does
both):  python3 tests/e2e/demo.py [--rate N] [--keep]

Everything it made (processes, Postfix instances, the namespace, the
temporary directory) is gone when it ends, on error and on Ctrl-C too.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402

TOPO = os.path.join(e2e.REPO, "tests/topologies/seed002.conf")
RCPT = "x@boston.contoso.test"
LINK = "London-NewYork"
LON, NY = e2e.LON, e2e.NY
DIRECT = e2e.DIRECT
T0 = time.monotonic()


def rel(path):
    """path as a newcomer would type it from the current directory"""
    r = os.path.relpath(path)
    return path if r.startswith("..") else r


LSACTL = rel(os.path.join(e2e.BIN, "lsactl"))


# ---------------------------------------------------------- the screen
class Screen:
    """Story lines, and one progress line: rewritten in place with \\r on
    a terminal, printed as plain lines (every few seconds, when it
    changed) otherwise."""

    def __init__(self):
        self.tty = sys.stdout.isatty()
        self.shown = ""         # the progress line now on the terminal
        self.last = ""          # the last progress text
        self.last_plain = 0.0

    def _clear(self):
        if self.tty and self.shown:
            sys.stdout.write("\r\033[K")

    def _redraw(self):
        if self.tty and self.shown:
            sys.stdout.write(self.shown)

    def say(self, text=""):
        self._clear()
        sys.stdout.write(text + "\n")
        self._redraw()
        sys.stdout.flush()

    def stamp(self, text):
        self.say("[%5.1fs] %s" % (time.monotonic() - T0, text))

    def cmd(self, text):
        self.say("  $ " + text)

    def output(self, text):
        for line in text.rstrip("\n").split("\n"):
            self.say("    " + line)

    def head(self, text):
        self.say()
        self.say("== " + text)

    def progress(self, text, force=False):
        line = "[%5.1fs] %s" % (time.monotonic() - T0, text)
        if self.tty:
            width = shutil.get_terminal_size((100, 24)).columns - 1
            line = line[:width]
            sys.stdout.write("\r\033[K" + line)
            self.shown = line
            sys.stdout.flush()
        elif force or (text != self.last and
                       time.monotonic() - self.last_plain >= 3):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
            self.last_plain = time.monotonic()
        self.last = text

    def end_progress(self):
        if self.tty and self.shown:
            sys.stdout.write("\n")
            sys.stdout.flush()
        self.shown = ""


SCREEN = Screen()


def e2e_log(msg):
    SCREEN.stamp(msg)


e2e.log = e2e_log       # the library's own progress lines, on our screen


# ------------------------------------------------------------- helpers
class Tail:
    """new complete lines of a growing file"""

    def __init__(self, path):
        self.path, self.pos, self.part = path, 0, ""

    def lines(self):
        try:
            with open(self.path, errors="replace") as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except FileNotFoundError:
            return []
        data = self.part + data
        out = data.split("\n")
        self.part = out.pop()
        return out


def queue_files(org):
    """(messages in every queue of the organization, deferred ones):
    the queue files themselves, no postqueue run"""
    total = deferred = 0
    for s in org.servers.values():
        for q in ("maildrop", "incoming", "active", "deferred", "hold"):
            n = sum(len(f) for _, _, f in
                    os.walk(os.path.join(s.spool, q)))
            total += n
            if q == "deferred":
                deferred += n
    return total, deferred


def lsactl_args(server, *args):
    s = server
    return [LSACTL] + list(args) + ["-c", rel(s.conf), "-S", rel(s.sock)]


def run(argv, show=True):
    """print the command in full, run it, return its output"""
    if show:
        SCREEN.cmd(" ".join(argv))
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=30)
    return r.stdout


# ----------------------------------------------------------- the story
class Demo:
    def __init__(self, org, ns, rate):
        self.org, self.ns, self.rate = org, ns, rate
        self.load = None
        self.tails = {}
        for n in org.servers:
            self.tails[n] = Tail(org.servers[n].agent_log)
        self.maillogs = [Tail(s.maillog) for s in org.servers.values()]
        self.bounced = set()
        self.rec_seen = {}      # (key, seq, state) -> servers updated
        self.peers = {}         # (server, peer) -> state
        self.watch_peers = False
        self.marks = {}         # name -> time
        self.counts = {}

    # ---------------------------------------------------- the figures
    def figures(self):
        org = self.org
        sent = list(self.load.accepted) if self.load else []
        dl = org.deliveries()
        for t in self.maillogs:
            for line in t.lines():
                m = re.search(r"to=<([^>]*)>.*status=bounced", line)
                if m:
                    self.bounced.add(m.group(1).lower())
        c = {"sent": len(sent), "delivered": 0, "direct": 0, "cph": 0,
             "other": 0}
        for r in sent:
            for _, hops in dl.get(r.lower(), []):
                c["delivered"] += 1
                p = " -> ".join(hops)
                if DIRECT.match(p):
                    c["direct"] += 1
                elif "cph-bh" in p:
                    c["cph"] += 1
                else:
                    c["other"] += 1
        c["queued"], c["deferred"] = queue_files(org)
        c["bounced"] = len(self.bounced & {r.lower() for r in sent})
        c["refused"] = len(self.load.refused) if self.load else 0
        self.counts = c
        return c

    def progress_text(self, c):
        t = ("sent %d | delivered %d: via London-NewYork %d, via Copenhagen "
             "%d" % (c["sent"], c["delivered"], c["direct"], c["cph"]))
        if c["other"]:
            t += ", other %d" % c["other"]
        t += " | queued %d (deferred %d) | bounced %d" % (
            c["queued"], c["deferred"], c["bounced"])
        if c["refused"]:
            t += " | refused %d" % c["refused"]
        return t

    # ------------------------------------------------------ the events
    def since(self, mark):
        return time.monotonic() - self.marks[mark]

    def events(self):
        for n, tail in self.tails.items():
            for line in tail.lines():
                self.event(n, line)
        if self.watch_peers:
            for n in LON:
                st = self.org.servers[n].status()
                for p in (st or {}).get("peers", []):
                    if p["name"] not in NY:
                        continue
                    k = (n, p["name"])
                    old = self.peers.get(k)
                    if old is not None and old != p["state"]:
                        SCREEN.stamp("%s's adjacency with %s (TCP 691): "
                                     "%s -> %s" % (n, p["name"], old,
                                                   p["state"]))
                    self.peers[k] = p["state"]

    def event(self, server, line):
        line = line.replace("lsa-agent: ", "", 1)
        if "connector=%s " % LINK in line and line.startswith("link "):
            what = re.sub(r"^link server=\S+ connector=\S+ ", "", line)
            SCREEN.stamp("%s agent: %s %s" % (server, LINK, what))
            return
        m = re.match(r"reroute server=\S+ (pass|recheck) listed=(\d+) "
                     r"deferred=(\d+) affected=(\d+) retry=(\d+)", line)
        if m and int(m.group(5)) > 0:
            SCREEN.stamp("%s agent: rerouting now: %s of its %s deferred "
                         "messages have a new route: postqueue -i each" % (
                             server, m.group(5), m.group(3)))
            return
        m = re.match(r"lst update server=(\S+) key=(connector:%s:\S+) "
                     r"origin=(\S+) seq=(\d+) state=(\w+) from=(\S+)" % LINK,
                     line)
        if m:
            k = (m.group(2), m.group(4), m.group(5))
            seen = self.rec_seen.setdefault(k, set())
            seen.add(m.group(1))
            if len(seen) == len(self.org.servers):
                SCREEN.stamp("LST record %s (seq %s, %s) is now in all %d "
                             "agents' tables" % (k[0], k[1], k[2],
                                                 len(seen)))

    def tick(self):
        self.events()
        SCREEN.progress(self.progress_text(self.figures()))

    def wait(self, pred, timeout, step=0.25):
        end = time.monotonic() + timeout
        while True:
            self.tick()
            v = pred() if pred else None
            if v or time.monotonic() >= end:
                return v
            time.sleep(step)

    def pause(self, seconds):
        self.wait(None, seconds)

    # --------------------------------------------------- lsactl views
    def route(self, title):
        s = self.org.servers["lon-bh1"]
        snap = os.path.join(s.state, "lst.snapshot")
        SCREEN.stamp(title)
        out = run([LSACTL, "route", "-s", rel(snap), "--from", "lon-bh1",
                   RCPT])
        SCREEN.output(out)

    def show_lst(self, server):
        s = self.org.servers[server]
        argv = lsactl_args(s, "show", "lst")
        SCREEN.cmd(" ".join(argv) + " | grep -E 'KEY|%s'" % LINK)
        out = run(argv, show=False)
        SCREEN.output("\n".join(l for l in out.splitlines()
                                if "KEY" in l or LINK in l))

    def digests(self):
        d = {}
        for s in self.org.servers.values():
            st = s.status()
            d[s.name] = st["digest"] if st else None
        return d

    def converge(self, mark, want):
        """until every agent holds London-NewYork from both sources in
        state want and all LST digests are equal"""
        org = self.org
        names = list(org.servers)
        dub = org.servers["dub-bh1"]
        SCREEN.stamp("every agent's LST digest, polled until they agree:")
        SCREEN.cmd("for s in %s; do %s status --json -c %s/$s/lsa.conf "
                   "-S %s/$s/agent.sock | grep -o '\"digest\": *\"[^\"]*\"'"
                   "; done" % (" ".join(names), LSACTL, rel(org.base),
                               rel(org.base)))
        last = {}

        def good():
            states = e2e.link_state(org, "dub-bh1", LINK, LON)
            if want == "up":
                ok = all(x in ("up", "none") for x in states)
            else:
                ok = all(x == want for x in states)
            if not ok:
                return False
            d = self.digests()
            last.update(d)
            return None not in d.values() and len(set(d.values())) == 1
        ok = self.wait(good, 30)
        if ok:
            dg = next(iter(last.values()))
            SCREEN.stamp("LSTs converged: all %d agents hold digest %s "
                         "(%.1f s after the %s)" % (
                             len(last), dg[:16], self.since(mark), mark))
        else:
            SCREEN.stamp("LSTs NOT converged after 30 s: %s" %
                         org.sync_report())
        del dub
        return ok

    # ------------------------------------------------------- the cut
    def cut(self):
        """one nftables rule each way: both London sources to both New
        York targets (TCP: SMTP on 25 and the agents on 691)"""
        org = self.org
        lon = ", ".join(org.servers[s].addr for s in LON)
        ny = ", ".join(org.servers[s].addr for s in NY)
        handles = []
        for a, b in ((lon, ny), (ny, lon)):
            rule = ("ip saddr { %s } ip daddr { %s } meta l4proto tcp "
                    "reject with icmp type port-unreachable" % (a, b))
            SCREEN.cmd("ip netns exec %s nft add rule inet e2e output %s" %
                       (self.ns.name, rule))
            r = e2e.sh(["nft", "-e", "-a", "add", "rule", "inet", "e2e",
                        "output", rule])
            handles.append(re.search(r"# handle (\d+)", r.stdout).group(1))
        org.cuts[LINK] = handles        # org.down() deletes them too
        return handles

    def restore(self):
        for h in self.org.cuts.get(LINK, []):
            SCREEN.cmd("ip netns exec %s nft delete rule inet e2e output "
                       "handle %s" % (self.ns.name, h))
        self.org.restore(LINK)

    # ------------------------------------------------------ the whole
    def story(self):
        org = self.org
        lb1 = org.servers["lon-bh1"]
        SCREEN.head("1. Every link up")
        SCREEN.say("lon-bh1's agent, as lsactl shows it (peers on TCP 691 "
                   "with TLS):")
        SCREEN.output(run(lsactl_args(lb1, "status")))
        self.route("London's route to Boston, from lon-bh1's LST snapshot "
                   "(what its lsa-policyd answers Postfix):")

        SCREEN.head("2. Mail from Dublin to Boston, %d messages a second "
                    "(SMTP into dub-bh1)" % self.rate)
        SCREEN.say("progress: sent (accepted by dub-bh1) | delivered in "
                   "bos-bh1's maildir, by the Received path | in the queues "
                   "of all 13 Postfix instances | bounced")
        self.load = e2e.Load(org, "dub-bh1", e2e.BOS, 100000, rate=self.rate,
                             deadline=170, tag="demo")
        self.load.start()
        self.marks["start"] = time.monotonic()
        self.wait(lambda: self.counts.get("direct", 0) >= 3 * self.rate and
                  self.since("start") >= 5, 20)

        SCREEN.end_progress()
        SCREEN.head("3. Cut London-NewYork (nftables: lon-bh1, lon-bh2 <-> "
                    "ny-bh1, ny-bh2)")
        for n in LON:
            for p in (org.servers[n].status() or {}).get("peers", []):
                self.peers[(n, p["name"])] = p["state"]
        SCREEN.say("watching lon-bh1's and lon-bh2's agents: their logs "
                   "and their adjacencies with New York:")
        SCREEN.cmd(" ".join(lsactl_args(lb1, "status", "--json")) +
                   "   # and lon-bh2's, every 0.25 s")
        self.watch_peers = True
        self.marks["cut"] = time.monotonic()
        self.cut()
        ok = self.wait(lambda: e2e.link_state(org, "lon-bh1", LINK, LON) ==
                       ["down", "down"], 30)
        if ok:
            SCREEN.stamp("%s is down in lon-bh1's LST, from both sources "
                         "(%.1f s after the cut)" % (LINK, self.since("cut")))
        self.converge("cut", "down")
        self.show_lst("dub-bh1")
        self.route("London's route now: via Copenhagen (the costly backup "
                   "link Copenhagen-NewYork):")
        c0 = dict(self.counts)
        self.wait(lambda: self.counts["cph"] - c0["cph"] >= 8 * self.rate
                  and self.counts["deferred"] == 0, 25)
        SCREEN.end_progress()
        SCREEN.stamp("mail flows via Copenhagen: %d messages so far" %
                     self.counts["cph"])

        SCREEN.head("4. London-NewYork is back")
        self.marks["restore"] = time.monotonic()
        self.restore()
        ok = self.wait(lambda: all(x in ("up", "none") for x in
                                   e2e.link_state(org, "lon-bh1", LINK,
                                                  LON)), 30)
        if ok:
            SCREEN.stamp("%s is up in lon-bh1's LST, from both sources "
                         "(%.1f s after the restore)" % (
                             LINK, self.since("restore")))
        self.converge("restore", "up")
        self.show_lst("dub-bh1")
        self.route("London's route again: the direct link")
        c1 = dict(self.counts)
        self.wait(lambda: self.counts["direct"] - c1["direct"] >=
                  5 * self.rate, 20)
        self.watch_peers = False

        SCREEN.end_progress()
        SCREEN.head("5. The load stops; until every message is delivered")
        self.load.stop_now = True
        self.load.finish(10)
        sent = [r.lower() for r in self.load.accepted]
        self.wait(lambda: self.counts["delivered"] + self.counts["bounced"]
                  >= len(sent) and self.counts["queued"] == 0, 60)
        SCREEN.end_progress()
        return self.summary(c1)

    def summary(self, c_restore):
        org = self.org
        sent = [r.lower() for r in self.load.accepted]
        a = org.account(sent)
        SCREEN.head("Summary")
        SCREEN.say("Received paths of the %d messages (bos-bh1's maildir):"
                   % len(sent))
        for p, n in sorted(org.paths(sent).items(), key=lambda kv: -kv[1]):
            SCREEN.say("  %5d  %s" % (n, p))
        c = self.counts
        SCREEN.say("sent %d, delivered %d (via London-NewYork %d, via "
                   "Copenhagen %d), bounced %d, duplicated %d, missing %d, "
                   "refused at SMTP %d" % (
                       a["sent"], a["delivered"], c["direct"], c["cph"],
                       a["bounced"], a["duplicated"], a["missing"],
                       len(self.load.refused)))
        ok = (a["missing"] == 0 and a["bounced"] == 0 and c["cph"] > 0 and
              a["duplicated"] == 0 and
              c["direct"] > c_restore["direct"])
        SCREEN.say("demo %s in %.0f s" % ("done" if ok else "FAILED",
                                          time.monotonic() - T0))
        return ok


# ------------------------------------------------------------ prologue
def prologue():
    SCREEN.head("0. What the routing engine predicts, offline (the "
                "topology file alone)")
    topo = rel(TOPO)
    SCREEN.output(run([LSACTL, "check", "-t", topo]))
    SCREEN.output(run([LSACTL, "route", "-t", topo, "--from", "dub-bh1",
                       "--down", LINK, RCPT]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=20,
                    help="messages a second from Dublin (default 20)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory (logs, maildirs)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("make demo: needs root (it makes a network namespace and "
              "runs 13 Postfix instances): run it as root, e.g. "
              "sudo make demo", file=sys.stderr)
        return 1
    for prog in ("postfix", "postconf", "postqueue", "nft", "ip"):
        if not shutil.which(prog):
            print("make demo: %s is missing (packaging/install-deps.sh "
                  "check)" % prog, file=sys.stderr)
            return 1
    if not os.access(os.path.join(e2e.BIN, "lsactl"), os.X_OK):
        print("make demo: %s/lsactl is missing: build first (make)" %
              e2e.BIN, file=sys.stderr)
        return 1

    def on_signal(sig, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    ns = org = demo = base = name = None
    rc = 1
    try:
        prologue()
        name = "lsademo-%d" % os.getpid()
        base = tempfile.mkdtemp(prefix="lsa-demo.")
        os.chmod(base, 0o755)
        SCREEN.head("Bringing up seed 002: 13 Postfix instances, each with "
                    "its lsa-agent and lsa-policyd")
        ns = e2e.Netns(name)
        ns.enter()
        SCREEN.say("network namespace %s (ip netns exec %s ...), "
                   "directory %s" % (name, name, base))
        org = e2e.Org(TOPO, base=base, netns=ns)
        org.up(90)
        demo = Demo(org, ns, args.rate)
        rc = 0 if demo.story() else 1
    except KeyboardInterrupt:
        SCREEN.end_progress()
        SCREEN.say("\ninterrupted: tearing everything down")
        rc = 130
    except Exception:
        SCREEN.end_progress()
        SCREEN.say("demo failed:\n" + traceback.format_exc())
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if demo and demo.load:
            demo.load.stop_now = True
            demo.load.join(5)
        t = time.monotonic()
        if org is not None:
            org.down()
        if ns is not None:
            ns.delete()
        elif name and os.path.exists("/run/netns/" + name):
            e2e.sh(["ip", "netns", "del", name], check=False)
        if base and args.keep:
            SCREEN.say("kept %s" % base)
        elif base:
            shutil.rmtree(base, ignore_errors=True)
        if org is not None or ns is not None:
            SCREEN.say("torn down (Postfix instances, agents, policyds, "
                       "namespace%s) in %.1f s" % (
                           "" if args.keep else ", directory",
                           time.monotonic() - t))
    return rc


if __name__ == "__main__":
    sys.exit(main())
