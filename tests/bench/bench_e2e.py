#!/usr/bin/env python3
"""bench_e2e.py - end-to-end throughput of the suite against bare Postfix.

One network namespace, the seed-002 organization (13 real Postfix
instances, with lsa-agent and lsa-policyd each: tests/e2e/e2e.py), and
the same bounded smtp-source load (MSGS messages, 10 sessions, unique
recipients) from dub-bh1 to boston.contoso.test, in alternating rounds:

  suite   every Postfix wired as README.md's "Postfix wiring" says
          (transport_maps through lsa-policyd's socketmap, the policy
          service at RCPT and at end of data)
  bare    the same Postfix instances with static routes: a texthash
          transport_maps per server generated from `lsactl route --json`
          answers of the same topology, no policy service, no socketmap

Throughput is messages delivered at Boston per second of wall time (from
the start of smtp-source to the last message's maildir file); medians of
the rounds. Then, with the suite: London-NewYork cut (nftables, reject)
until every server's lsa-policyd answers the new route for
x@boston.contoso.test (as `lsactl route --down London-NewYork` says).
Every message delivered is checked for a path through a server twice.

Prints "bench: NAME VALUE UNIT" lines. Needs root and a network
namespace (a skip line otherwise). Environment: BUILD (default build),
BENCH_E2E_MSGS (1000), BENCH_E2E_ROUNDS (3), BENCH_E2E_SESSIONS (10),
BENCH_E2E_KEEP=1 (keep the directory), BENCH_E2E_MODES (suite,bare; also
static: static routes with the agents and policyds running),
BENCH_E2E_POLICYD (key=value,... added to every [policyd] section),
BENCH_E2E_TIMERS (key=value,... over e2e.py's agent test timers).
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import e2e  # noqa: E402

MSGS = int(os.environ.get("BENCH_E2E_MSGS", "1000"))
ROUNDS = int(os.environ.get("BENCH_E2E_ROUNDS", "3"))
SESSIONS = int(os.environ.get("BENCH_E2E_SESSIONS", "10"))
MODES = os.environ.get("BENCH_E2E_MODES", "suite,bare").split(",")
SRC, DST, DOMAIN = "dub-bh1", "bos-bh1", "boston.contoso.test"
CUT = "London-NewYork"

# README.md, "Postfix wiring": what the suite sets besides the harness's
# own main.cf (transport_maps, the two check_policy_service restrictions,
# defer_transports, smtp_bind_address are set by e2e.py already)
SUITE_EXTRA = {}


CG_ROOT = "/sys/fs/cgroup/cpuacct"


class CpuAcct:
    """CPU time of this process's children (the whole organization) from
    a cpuacct cgroup of their own: on a shared machine the wall time of a
    round is noisy, the CPU spent by our own processes much less so. Sub
    groups for the agents and the policyds (their children too: the
    agents' postqueue runs). None when cgroup v1 cpuacct is missing."""

    def __init__(self):
        self.dir = None
        d = os.path.join(CG_ROOT, "lsa-bench-%d" % os.getpid())
        try:
            os.mkdir(d)
            for sub in ("agent", "policyd"):
                os.mkdir(os.path.join(d, sub))
            self.dir = d
            self.put(".", os.getpid())
        except OSError:
            self.dir = None

    def put(self, sub, pid):
        if self.dir:
            try:
                with open(os.path.join(self.dir, sub, "cgroup.procs"),
                          "w") as f:
                    f.write("%d\n" % pid)
            except OSError:
                pass

    def usage(self):
        """(all, agents, policyds) CPU seconds so far"""
        if not self.dir:
            return None
        out = []
        for sub in ("", "agent", "policyd"):
            with open(os.path.join(self.dir, sub, "cpuacct.usage")) as f:
                out.append(int(f.read()) / 1e9)
        return tuple(out)

    def close(self):
        if not self.dir:
            return
        self.put("..", os.getpid())
        for _ in range(50):
            try:
                for sub in ("agent", "policyd", ""):
                    p = os.path.join(self.dir, sub)
                    if os.path.isdir(p):
                        os.rmdir(p)
                return
            except OSError:
                time.sleep(0.1)


CPU = None


def say(line):
    print(line, flush=True)


def postconf(srv, settings):
    e2e.sh(["postconf", "-c", srv.pfdir, "-e"] +
           ["%s=%s" % kv for kv in settings.items()])


def route_json(topo, frm, rcpt, down=()):
    cmd = [os.path.join(e2e.BIN, "lsactl"), "route", "-t", topo,
           "--from", frm, "--json"]
    for d in down:
        cmd += ["--down", d]
    r = e2e.sh(cmd + [rcpt])
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def static_table(org, srv):
    """a texthash transport table for srv from lsactl route's answers"""
    domains = []
    for s in org.topology.order:
        domains += org.topology.servers[s]["mailboxes"]
    lines = []
    for d in domains:
        key = d[1:] if d.startswith("*.") else d
        ans = route_json(org.topology.path, srv.name, "x@" + key)[0]
        if ans["action"] != "relay":
            continue
        lines.append("%s %s" % ("." + key if d.startswith("*.") else key,
                                ans["transport"]))
    path = os.path.join(srv.dir, "transport.static")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return "texthash:" + path


class Wiring:
    """switches every server between the suite and static routes"""

    def __init__(self, org):
        self.org = org
        keys = ["transport_maps", "smtpd_recipient_restrictions",
                "smtpd_end_of_data_restrictions"] + list(SUITE_EXTRA)
        self.suite, self.bare = {}, {}
        for s in org.servers.values():
            r = e2e.sh(["postconf", "-c", s.pfdir] + keys)
            cur = {}
            for line in r.stdout.splitlines():
                k, _, v = line.partition(" = ")
                cur[k.strip()] = v.strip()
            suite = dict(cur)
            suite.update(SUITE_EXTRA)
            bare = dict(cur)
            bare["transport_maps"] = static_table(org, s)
            bare["smtpd_recipient_restrictions"] = \
                "permit_mynetworks, reject_unauth_destination"
            bare["smtpd_end_of_data_restrictions"] = ""
            self.suite[s.name], self.bare[s.name] = suite, bare
        self.mode = None

    def daemons(self, on):
        """lsa-agent and lsa-policyd of every server started or stopped"""
        srv = self.org.servers.values()
        if not on:
            for s in srv:
                s.policyd_kill()
                s.agent_kill()
            return
        for s in srv:
            if s.agent is None:
                s.agent_start()
            if s.policyd is None:
                s.policyd_start()
            if CPU:
                CPU.put("agent", s.agent.pid)
                CPU.put("policyd", s.policyd.pid)
        if not self.org.wait_converged(60):
            raise RuntimeError("agents not in sync: " +
                               self.org.sync_report())
        time.sleep(3)   # restarted agents: first probes, reroute passes

    def set(self, mode):
        """suite: README's wiring, agents and policyds running; bare:
        static routes, no suite daemon at all; static: static routes with
        the agents and policyds running (their own cost: link probes)"""
        if mode == self.mode:
            return
        from concurrent.futures import ThreadPoolExecutor

        if mode != "bare":
            self.daemons(True)

        def one(s):
            postconf(s, (self.suite if mode == "suite" else
                         self.bare)[s.name])
            # postfix reload, without postfix-script's checks (seconds
            # each on a busy machine): the master re-reads main.cf
            with open(os.path.join(s.spool, "pid", "master.pid")) as f:
                os.kill(int(f.read().split()[0]), signal.SIGHUP)
        with ThreadPoolExecutor(4) as ex:
            list(ex.map(one, self.org.servers.values()))
        time.sleep(1.5)
        if mode == "bare":
            # once no process of the old wiring asks them any more
            self.daemons(False)
        if not e2e.wait_for(lambda: all(s.smtp_ready() for s in
                                        self.org.servers.values()), 20):
            raise RuntimeError("Postfix not greeting after reload")
        self.mode = mode


def inbox(srv):
    return os.path.join(srv.maildir, "inbox", "new")


def files(srv):
    try:
        return set(os.listdir(inbox(srv)))
    except FileNotFoundError:
        return set()


def maillog_marks(org):
    out = {}
    for s in org.servers.values():
        try:
            out[s.name] = os.path.getsize(s.maillog)
        except OSError:
            out[s.name] = 0
    return out


def deferrals(org, marks):
    """status=deferred lines logged since marks, by reason"""
    n = 0
    for s in org.servers.values():
        try:
            with open(s.maillog, "rb") as f:
                f.seek(marks.get(s.name, 0))
                n += sum(1 for l in f if b"status=deferred" in l)
        except OSError:
            pass
    return n


def one_round(org, mode, n, stats):
    src, dst = org.servers[SRC], org.servers[DST]
    before = files(dst)
    c0 = CPU.usage() if CPU else None
    marks = maillog_marks(org)
    t0 = time.time()
    m0 = time.monotonic()
    r = subprocess.run(["smtp-source", "-s", str(SESSIONS), "-m", str(n),
                        "-N", "-l", "1000", "-f", "bench@dublin.contoso.test",
                        "-t", "bench@" + DOMAIN, "-M", "bench.test",
                        "%s:25" % src.addr],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300)
    injected = time.monotonic() - m0
    if r.returncode != 0:
        raise RuntimeError("smtp-source: exit %d: %s" % (r.returncode,
                                                          r.stderr))
    new = set()
    end = time.monotonic() + 180
    while time.monotonic() < end:
        new = files(dst) - before
        if len(new) >= n:
            break
        time.sleep(0.1)
    last = 0.0
    loops = 0
    for fn in new:
        p = os.path.join(inbox(dst), fn)
        try:
            last = max(last, os.stat(p).st_mtime)
            _, hops, _ = e2e.parse_message(p)
        except OSError:
            continue
        if len(set(hops)) != len(hops):
            loops += 1
    wall = last - t0 if last else float("nan")
    rate = len(new) / wall if wall > 0 else 0.0
    stats["loops"] += loops
    stats["missing"] += max(0, n - len(new))
    cpu = ""
    if c0:
        c1 = CPU.usage()
        per = [(b - a) * 1000 / max(1, len(new)) for a, b in zip(c0, c1)]
        stats.setdefault("cpu", {}).setdefault(mode, []).append(per)
        cpu = ", CPU %.1f ms/msg (agents %.1f, policyds %.1f)" % tuple(per)
    dfr = deferrals(org, marks)
    stats.setdefault("deferred", {}).setdefault(mode, []).append(dfr)
    e2e.log("%s: %d/%d delivered at %s in %.2fs: %.1f msg/s "
            "(accepted by %s in %.2fs), loops %d, deferrals %d%s" % (
                mode, len(new), n, DST, wall, rate, SRC, injected, loops,
                dfr, cpu))
    return rate


def same_route(answer, want):
    """a policyd answer against an lsactl route answer: the transport and
    its set of next hops (lists rotate every rotation_interval)"""
    if answer is None or not answer.startswith("OK "):
        return want["action"] in ("local", "default") and \
            answer is not None and answer.startswith("NOTFOUND")
    tr, _, hops = answer[3:].partition(":")
    wt, _, whops = want["transport"].partition(":")
    norm = lambda h: sorted(x.strip() for x in h.split(","))  # noqa: E731
    return tr == wt and norm(hops) == norm(whops)


def cut_to_reroute(org):
    rcpt = "x@" + DOMAIN
    want = {s: route_json(org.topology.path, s, rcpt, [CUT])[0]
            for s in org.servers}
    lon = [s for s in org.topology.groups["London"]["servers"]
           if s != "lon-rgm"]
    ny = org.topology.groups["NewYork"]["servers"]
    time.sleep(1.0)
    t = time.monotonic()
    hs = org.cut_many([(a, b) for a in lon for b in ny], "reject")
    done = {}
    end = t + 30
    while time.monotonic() < end and len(done) < len(want):
        for s, w in want.items():
            ans = org.servers[s].lookup(rcpt)
            if same_route(ans, w):
                done.setdefault(s, time.monotonic() - t)
            else:
                done.pop(s, None)
        time.sleep(0.01)
    took = time.monotonic() - t if len(done) == len(want) else None
    slow = sorted(done.items(), key=lambda kv: -kv[1])[:3]
    e2e.log("cut %s: every policyd answers the new route after %s s "
            "(slowest %s)" % (CUT, "%.3f" % took if took else "-", slow))
    for h in hs:
        org.restore(h)
    e2e.wait_for(lambda: all(same_route(org.servers[s].lookup(rcpt),
                                        route_json(org.topology.path, s,
                                                   rcpt)[0])
                             for s in ("lon-bh1", "lon-bh2")), 20, 0.2)
    return took


def secs(v):
    return e2e.org_seconds(v)


def main():
    if os.geteuid() != 0:
        say("bench: e2e # SKIP not root (needs a network namespace and "
            "real Postfix instances)")
        return 0
    for prog in ("postfix", "postconf", "smtp-source", "nft"):
        if not shutil.which(prog):
            say("bench: e2e # SKIP %s is missing" % prog)
            return 0
    name = "lsabench-%d" % os.getpid()
    try:
        ns = e2e.Netns(name)
    except (RuntimeError, OSError) as e:
        say("bench: e2e # SKIP no network namespace can be made: %s" %
            str(e).strip().splitlines()[-1])
        return 0
    global CPU
    CPU = CpuAcct()
    base = tempfile.mkdtemp(prefix="lsa-bench-e2e.")
    os.chmod(base, 0o755)
    org = None

    def on_signal(sig, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    rc = 0
    try:
        ns.enter()
        extra = dict(kv.split("=", 1) for kv in
                     os.environ.get("BENCH_E2E_POLICYD", "").split(",") if kv)
        timers = dict(kv.split("=", 1) for kv in
                      os.environ.get("BENCH_E2E_TIMERS", "").split(",") if kv)
        org = e2e.Org(os.path.join(REPO, "tests/topologies/seed002.conf"),
                      base=os.path.join(base, "seed002"), netns=ns,
                      policyd_extra=extra, timers=timers)
        org.up(90)
        for s in org.servers.values():
            CPU.put("agent", s.agent.pid)
            CPU.put("policyd", s.policyd.pid)
        wiring = Wiring(org)
        rates = {m: [] for m in MODES}
        stats = {"loops": 0, "missing": 0}
        wiring.set(MODES[0])
        one_round(org, "warm-up " + MODES[0], 100, {"loops": 0,
                                                    "missing": 0})
        for i in range(ROUNDS):
            order = MODES if i % 2 == 0 else list(reversed(MODES))
            for m in order:
                wiring.set(m)
                rates[m].append(one_round(org, m, MSGS, stats))
        med = {m: statistics.median(v) for m, v in rates.items()}
        if "suite" in med:
            say("bench: e2e.msgs_per_s %.1f msgs/s (median of %d rounds "
                "of %d, seed 002, %s to %s)" % (med["suite"], ROUNDS, MSGS,
                                                SRC, DST))
        if "bare" in med:
            say("bench: e2e.bare_msgs_per_s %.1f msgs/s (static texthash "
                "routes, no policy service)" % med["bare"])
        if "suite" in med and "bare" in med and med["bare"] > 0:
            say("bench: e2e.ratio_vs_bare %.2f x (target >= 0.95)" %
                (med["suite"] / med["bare"]))
        if "suite" in MODES:
            wiring.set("suite")
            took = cut_to_reroute(org)
            tm = org.timers
            glitch = secs(tm["glitch_retry_interval"]) * \
                int(tm["glitch_retries"])
            if took is None:
                say("bench: e2e.cut_to_reroute_ms timeout ms")
                rc = 1
            else:
                say("bench: e2e.cut_to_reroute_ms %.0f ms (glitch sequence "
                    "%s x %s, probe_interval %s)" % (
                        took * 1000, tm["glitch_retries"],
                        tm["glitch_retry_interval"], tm["probe_interval"]))
                say("bench: e2e.cut_glitch_ms %.0f ms" % (glitch * 1000))
                say("bench: e2e.cut_after_glitch_ms %.0f ms (target < 500)"
                    % ((took - glitch) * 1000))
        for m, v in sorted(stats.get("cpu", {}).items()):
            if m not in MODES:
                continue
            say("bench: e2e.%scpu_ms_per_msg %.1f ms (CPU of the whole "
                "organization a message, agents %.1f, policyds %.1f)" % (
                    "" if m == "suite" else m + ".",
                    statistics.median(x[0] for x in v),
                    statistics.median(x[1] for x in v),
                    statistics.median(x[2] for x in v)))
        for m, v in sorted(stats.get("deferred", {}).items()):
            if m in MODES:
                say("bench: e2e.%sdeferrals %d deferrals (median a round: "
                    "status=deferred lines in every maillog)" % (
                        "" if m == "suite" else m + ".",
                        statistics.median(v)))
        say("bench: e2e.loops %d messages (must be 0)" % stats["loops"])
        if stats["missing"]:
            say("bench: e2e.missing %d messages" % stats["missing"])
        if stats["loops"] or stats["missing"]:
            rc = 1
    except KeyboardInterrupt:
        say("bench: e2e interrupted")
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if org is not None:
            org.down()
        ns.delete()
        CPU.close()
        if os.environ.get("BENCH_E2E_KEEP"):
            e2e.log("kept %s" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
