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
        self.printed = ""       # the last one printed (not a tty)
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

    def progress(self, text, short=None, force=False):
        """text, or short when text does not fit the terminal's width"""
        line = "[%5.1fs] %s" % (time.monotonic() - T0, text)
        if self.tty:
            width = shutil.get_terminal_size((100, 24)).columns - 1
            if len(line) > width and short:
                line = "[%5.1fs] %s" % (time.monotonic() - T0, short)
            line = line[:width]
            sys.stdout.write("\r\033[K" + line)
            self.shown = line
            sys.stdout.flush()
        elif force or (text != self.last and
                       time.monotonic() - self.last_plain >= 3):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
            self.last_plain = time.monotonic()
            self.printed = text
        self.last = text

    def end_progress(self):
        """leave the progress line as it is, on its own line"""
        if self.tty and self.shown:
            sys.stdout.write("\n")
            sys.stdout.flush()
        elif not self.tty and self.last and self.last != self.printed:
            sys.stdout.write("[%5.1fs] %s\n" % (time.monotonic() - T0,
                                                self.last))
            sys.stdout.flush()
            self.printed = self.last
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
                if "cph-bh" in p:
                    c["cph"] += 1
                elif re.search(r"lon-bh\d -> ny-bh\d", p):
                    c["direct"] += 1
                else:
                    c["other"] += 1
        c["queued"], c["deferred"] = queue_files(org)
        c["bounced"] = len(self.bounced & {r.lower() for r in sent})
        c["refused"] = len(self.load.refused) if self.load else 0
        self.counts = c
        return c

    def progress_text(self, c):
        t = ("sent %d | delivered %d | via London-NewYork %d | via "
             "Copenhagen %d" % (c["sent"], c["delivered"], c["direct"],
                                c["cph"]))
        if c["other"]:
            t += " | other %d" % c["other"]
        t += " | queued %d" % c["queued"]
        if c["deferred"]:
            t += " (%d deferred)" % c["deferred"]
        t += " | bounced %d" % c["bounced"]
        if c["refused"]:
            t += " | refused %d" % c["refused"]
        return t

    def progress_short(self, c):
        """for a narrow terminal: LON-NY via London-NewYork, CPH via
        Copenhagen"""
        t = "sent %d | delivered %d | LON-NY %d | CPH %d" % (
            c["sent"], c["delivered"], c["direct"], c["cph"])
        if c["other"]:
            t += " | other %d" % c["other"]
        t += " | queued %d | bounced %d" % (c["queued"], c["bounced"])
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
                         "messages have a new route, retried at once "
                         "(postqueue)" % (server, m.group(5), m.group(3)))
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
        c = self.figures()
        SCREEN.progress(self.progress_text(c), self.progress_short(c))

    def wait(self, pred, timeout, step=0.25):
        end = time.monotonic() + timeout
        while True:
            self.tick()
            v = pred() if pred else None
            if v or time.monotonic() >= end:
                return v
            time.sleep(step)

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
    def phase(self, name, least, most, pred):
        """keep going for at least least seconds, until pred() (at most
        most seconds)"""
        t = time.monotonic()
        self.wait(lambda: time.monotonic() - t >= least and pred(), most)
        SCREEN.end_progress()

    def link_is(self, want):
        st = e2e.link_state(self.org, "lon-bh1", LINK, LON)
        if want == "up":
            return all(x in ("up", "none") for x in st)
        return st == [want] * len(LON)

    def story(self):
        org = self.org
        lb1 = org.servers["lon-bh1"]
        r = self.rate
        SCREEN.head("1. Every link up")
        SCREEN.say("lon-bh1's agent, as lsactl shows it (its peers: TCP "
                   "691 with TLS):")
        SCREEN.output(run(lsactl_args(lb1, "status")))
        self.route("London's route to Boston, from lon-bh1's LST snapshot "
                   "(what its lsa-policyd answers Postfix):")

        SCREEN.head("2. Mail from Dublin to Boston, %d messages a second "
                    "(SMTP into dub-bh1)" % r)
        SCREEN.say("progress: sent (accepted by dub-bh1) | delivered (in "
                   "bos-bh1's maildir), by their Received path | in the "
                   "queues of the 13 Postfix instances | bounced")
        if SCREEN.tty and shutil.get_terminal_size((100, 24)).columns < 100:
            SCREEN.say("(narrow terminal: LON-NY is via London-NewYork, CPH "
                       "via Copenhagen)")
        self.load = e2e.Load(org, "dub-bh1", e2e.BOS, 100000, rate=r,
                             deadline=170, tag="demo")
        self.load.start()
        self.marks["start"] = time.monotonic()
        self.phase("steady", 6, 20, lambda: self.counts["direct"] >= 3 * r)

        SCREEN.head("3. Cut London-NewYork: nftables rejects every TCP "
                    "packet between lon-bh1, lon-bh2 and ny-bh1, ny-bh2")
        SCREEN.say("(SMTP from London to New York fails at once; the "
                   "agents' link monitor probes, retries, marks it down)")
        SCREEN.say("the link monitor's lines below come from the agents' "
                   "logs: tail -f %s/lon-bh1/agent.log (and lon-bh2's)" %
                   rel(org.base))
        self.marks["cut"] = time.monotonic()
        self.cut()
        if self.wait(lambda: self.link_is("down"), 40):
            self.marks["down"] = time.monotonic()
            SCREEN.stamp("%s is down in lon-bh1's LST, from both sources "
                         "(%.1f s after the cut)" % (LINK, self.since("cut")))
        else:
            SCREEN.stamp("%s NOT marked down 40 s after the cut: see %s" %
                         (LINK, lb1.agent_log))
        if self.converge("cut", "down"):
            self.marks["converged"] = time.monotonic()
        self.show_lst("dub-bh1")
        self.route("London's route now: via Copenhagen (its backup link "
                   "Copenhagen-NewYork, cost 100)")
        c0 = dict(self.counts)
        self.phase("via Copenhagen", 10, 25,
                   lambda: self.counts["cph"] - c0["cph"] >= 8 * r)
        SCREEN.stamp("mail flows via Copenhagen: %d messages so far" %
                     self.counts["cph"])

        SCREEN.head("4. London-NewYork comes back: the rules deleted")
        self.marks["restore"] = time.monotonic()
        self.restore()
        if self.wait(lambda: self.link_is("up"), 30):
            self.marks["up"] = time.monotonic()
            SCREEN.stamp("%s is up in lon-bh1's LST, from both sources "
                         "(%.1f s after the restore)" % (
                             LINK, self.since("restore")))
        if self.converge("restore", "up"):
            self.marks["reconverged"] = time.monotonic()
        self.show_lst("dub-bh1")
        self.route("London's route again: the direct link")
        c1 = dict(self.counts)
        self.phase("direct again", 8, 20,
                   lambda: self.counts["direct"] - c1["direct"] >= 5 * r)

        SCREEN.head("5. The load stops; until every message is delivered")
        self.load.stop_now = True
        self.load.finish(10)
        n = len(self.load.accepted)
        self.phase("drain", 0, 60,
                   lambda: self.counts["delivered"] + self.counts["bounced"]
                   >= n and self.counts["queued"] == 0)
        return self.summary(c1)

    def after(self, a, b):
        if a in self.marks and b in self.marks:
            return "%.1f s" % (self.marks[b] - self.marks[a])
        return "never"

    def summary(self, c_restore):
        org = self.org
        sent = [r.lower() for r in self.load.accepted]
        a = org.account(sent)
        c = self.counts
        SCREEN.head("Summary")
        SCREEN.say("Received paths of the %d messages (bos-bh1's maildir):"
                   % len(sent))
        for p, n in sorted(org.paths(sent).items(), key=lambda kv: -kv[1]):
            SCREEN.say("  %5d  %s" % (n, p))
        SCREEN.say("sent %d, delivered %d (via London-NewYork %d, via "
                   "Copenhagen %d%s), bounced %d, duplicated %d, missing "
                   "%d, refused at SMTP %d" % (
                       a["sent"], a["delivered"], c["direct"], c["cph"],
                       ", other %d" % c["other"] if c["other"] else "",
                       a["bounced"], a["duplicated"], a["missing"],
                       len(self.load.refused)))
        if a["loops"]:
            SCREEN.say("%d of them crossed a server twice (the paths "
                       "above with a name twice)" % a["loops"])
        SCREEN.say("cut: down in the LST after %s, every LST the same "
                   "after %s; restored: up after %s, every LST the same "
                   "after %s" % (
                       self.after("cut", "down"),
                       self.after("cut", "converged"),
                       self.after("restore", "up"),
                       self.after("restore", "reconverged")))
        ok = (a["missing"] == 0 and a["bounced"] == 0 and c["cph"] > 0 and
              a["duplicated"] == 0 and c["direct"] > c_restore["direct"]
              and "reconverged" in self.marks)
        SCREEN.say("demo %s in %.0f s" % ("done" if ok else "FAILED",
                                          time.monotonic() - T0))
        return ok


def prepare(org):
    """what org.up() does server by server, done 4 at a time first: the
    Postfix configurations; and a quicker Postfix start (postfix-script's
    check-fatal makes the queue directories, the quick-start file skips
    the slow permission checks, check-warn)"""
    from concurrent.futures import ThreadPoolExecutor

    def quick_start(s):
        if s.postfix("check-fatal", check=False).returncode == 0:
            open(os.path.join(s.spool, "quick-start"), "w").close()
        s.postfix("start")
        s.postfix_up = True
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(lambda s: s.postfix_setup(), org.servers.values()))
    for s in org.servers.values():
        s.postfix_setup = lambda: None
        s.postfix_start = (lambda s: lambda: quick_start(s))(s)


def teardown(org):
    """org.down(), with the 13 Postfix instances stopped 4 at a time"""
    from concurrent.futures import ThreadPoolExecutor
    org.restore_all()
    for s in org.servers.values():
        s.policyd_kill()
        s.agent_kill()

    def stop(s):
        # a start cut short by Ctrl-C may have left its master running
        if os.path.exists(os.path.join(s.spool, "pid", "master.pid")):
            s.postfix_up = True
        try:
            s.postfix_stop()
        except Exception as e:
            SCREEN.say("postfix stop %s: %s" % (s.name, e))
    with ThreadPoolExecutor(4) as ex:
        list(ex.map(stop, org.servers.values()))
    org.down()          # whatever is left


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
        # in memory when there is /dev/shm: 13 Postfix queues and agents
        # fsync a lot, and on a shared disk that is what takes the time
        shm = "/dev/shm"
        base = tempfile.mkdtemp(prefix="lsa-demo.", dir=shm if
                                os.access(shm, os.W_OK) else None)
        os.chmod(base, 0o755)
        SCREEN.head("Bringing up seed 002: 13 Postfix instances, each with "
                    "its lsa-agent and lsa-policyd")
        ns = e2e.Netns(name)
        ns.enter()
        SCREEN.say("network namespace %s (ip netns exec %s ...), "
                   "directory %s" % (name, name, base))
        # probes wait longer for a greeting than e2e.py's (1 s): on a
        # busy machine a slow 220 is not a broken link
        org = e2e.Org(TOPO, base=base, netns=ns,
                      timers={"probe_timeout": "3s"})
        prepare(org)
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
            teardown(org)
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
