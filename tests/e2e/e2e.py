#!/usr/bin/env python3
"""e2e.py - end-to-end harness: a whole organization of real Postfix
instances, lsa-agents and lsa-policyds in one network namespace.

Library (importable; make demo and make bench may reuse it):

  Netns(name)            a network namespace made here; the driver process
                         itself enters it (setns), so every child (Postfix,
                         agents, policyds, nft, the SMTP clients) runs there
  Topology(path)         the servers, groups and connectors of a topology file
  Org(topology, base)    one Postfix + lsa-agent + lsa-policyd per server:
                         org.up() brings the organization up (config dirs,
                         test CA, addresses on lo, start, wait until every
                         adjacency is full and every policyd answers),
                         org.down() tears everything down
  org.cut(a, b, how)     nftables rules on the output hook dropping or
                         rejecting everything between two servers' addresses
                         (both ways); org.restore(handle) deletes them
  Load(org, server, ...) paced SMTP load in a thread, bounded in count and time
  org.deliveries()       every message in every maildir: recipient, path
                         (from the Received headers), final server
  org.queue(server)      postqueue -c DIR -j of one instance
  org.account(sent)      sent / delivered / bounced / duplicated / missing

Scenarios (run as a program): the seed-002 organization, then seed 004's,
then each tests/e2e/scn_*.py module: SCENARIO names it for --only, and
run(ns, base, ck) makes its own Org under base (with postfix_extra,
master_extra, policyd_extra as it needs) and takes it down again.
Each check prints "ok NAME" or "not ok NAME"; figures are "# " lines.
Exit status 1 when any check failed. Run as root from anywhere:

    python3 tests/e2e/e2e.py [--only N,N,...] [--keep]

Environment: BUILD (default build), E2E_VERBOSE=1 for more output.
"""

import configparser
import ctypes
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BUILD = os.path.abspath(os.path.join(REPO, os.environ.get("BUILD", "build")))
BIN = os.path.join(BUILD, "bin")
# how soon mail waiting in London must leave after the cut (scenario 1):
# well under Postfix's own 30 s retry; the daemons built with ASan and
# UBSan (make check SANITIZE=1 builds them in build/san) are slower, and
# 10 s was missed there by 32 ms
DRAIN_S = 15 if os.path.basename(BUILD) == "san" else 10
VERBOSE = os.environ.get("E2E_VERBOSE", "") not in ("", "0")
CLONE_NEWNET = 0x40000000

T0 = time.monotonic()


def log(msg):
    print("# [%6.1fs] %s" % (time.monotonic() - T0, msg), flush=True)


def vlog(msg):
    if VERBOSE:
        log(msg)


def sh(cmd, check=True, timeout=60, **kw):
    """run cmd (a list), return its CompletedProcess (text)"""
    vlog("$ " + " ".join(cmd))
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s%s" % (" ".join(cmd), r.returncode,
                                                   r.stdout, r.stderr))
    return r


def wait_for(pred, timeout, interval=0.1):
    """poll pred() until true or timeout; return the last value"""
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= end:
            return v
        time.sleep(interval)


# ------------------------------------------------------------ namespace
class Netns:
    """A network namespace; enter() moves this process into it."""

    def __init__(self, name):
        self.name = name
        self.entered = False
        sh(["ip", "netns", "add", name])
        self.made = True

    def enter(self):
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                e = ctypes.get_errno()
                raise OSError(e, "setns: " + os.strerror(e))
        finally:
            os.close(fd)
        self.entered = True
        sh(["ip", "link", "set", "lo", "up"])
        # a new namespace has 10: postlogd deadlocks whole instances
        sh(["sysctl", "-q", "-w", "net.unix.max_dgram_qlen=1024"])
        sh(["nft", "add", "table", "inet", "e2e"])
        sh(["nft", "add chain inet e2e output "
            "{ type filter hook output priority 0 ; policy accept ; }"])

    def add_addr(self, addr):
        sh(["ip", "addr", "add", addr + "/32", "dev", "lo"])

    def delete(self):
        if self.made:
            sh(["ip", "netns", "del", self.name], check=False)
            self.made = False


# ------------------------------------------------------------- topology
class Topology:
    """What the harness needs of a topology file."""

    def __init__(self, path):
        self.path = path
        with open(path) as f:
            self.text = f.read()
        cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"),
                                       comment_prefixes=(";", "#"),
                                       interpolation=None, strict=False)
        cp.optionxform = str
        cp.read_string(self.text)
        self.org = dict(cp["organization"])
        self.servers = {}       # name -> dict(group, address, mailboxes)
        self.groups = {}        # name -> dict(master, backups, servers)
        self.connectors = {}
        order = []
        for sec in cp.sections():
            kind, _, name = sec.partition(" ")
            d = dict(cp[sec])
            if kind == "server":
                d["mailboxes"] = [m.strip() for m in
                                  d.get("mailboxes", "").replace("\n", ",")
                                  .split(",") if m.strip()]
                self.servers[name] = d
                order.append(name)
            elif kind == "group":
                self.groups[name] = d
            elif kind == "connector":
                self.connectors[name] = d
        for g, d in self.groups.items():
            d["servers"] = [s for s in order if self.servers[s]["group"] == g]
            d.setdefault("master", d["servers"][0] if d["servers"] else "")
        self.order = order

    def server_of_domain(self, domain):
        for s in self.order:
            if domain in self.servers[s]["mailboxes"]:
                return s
        return None


def topology_with(text, version, edits):
    """a copy of topology text with its version set and edits applied:
    edits is a list of (section, key, value) (value None: remove the key;
    a new section is appended when missing)"""
    text = re.sub(r"(?m)^version\s*=\s*\d+", "version = %d" % version, text)
    for sec, key, val in edits:
        hdr = "[%s]" % sec
        lines = text.split("\n")
        try:
            i = next(k for k, l in enumerate(lines) if l.strip() == hdr)
        except StopIteration:
            lines += ["", hdr]
            i = len(lines) - 1
        j = i + 1
        while j < len(lines) and not lines[j].startswith("["):
            j += 1
        body = lines[i + 1:j]
        body = [l for l in body
                if not re.match(r"\s*%s\s*=" % re.escape(key), l)]
        while body and body[-1].strip() == "":
            body.pop()
        if val is not None:
            body.append("%s = %s" % (key, val))
        lines[i + 1:j] = body + [""]
        text = "\n".join(lines)
    return text


# ---------------------------------------------------------- the servers
class Server:
    def __init__(self, org, name, info):
        self.org = org
        self.name = name
        self.group = info["group"]
        self.addr = info["address"]
        self.mailboxes = info["mailboxes"]
        self.dir = os.path.join(org.base, name)
        self.pfdir = os.path.join(self.dir, "postfix")
        self.spool = os.path.join(self.dir, "spool")
        self.maildir = os.path.join(self.dir, "mail")
        self.maillog = os.path.join(self.dir, "maillog")
        self.conf = os.path.join(self.dir, "lsa.conf")
        self.topo = os.path.join(self.dir, "topology.conf")
        self.state = os.path.join(self.dir, "state")
        self.sock = os.path.join(self.dir, "agent.sock")
        self.agent_log = os.path.join(self.dir, "agent.log")
        self.policyd_log = os.path.join(self.dir, "policyd.log")
        self.agent = None
        self.policyd = None
        self.postfix_up = False

    # -------------------------------------------------------- Postfix
    def postfix_setup(self):
        for d in (self.pfdir, self.spool, os.path.join(self.dir, "data"),
                  self.state):
            os.makedirs(d, exist_ok=True)
        os.makedirs(self.maildir, exist_ok=True)
        os.chown(self.maildir, 65534, 65534)
        pw = __import__("pwd").getpwnam("postfix")
        os.chown(os.path.join(self.dir, "data"), pw.pw_uid, pw.pw_gid)
        shutil.copy("/etc/postfix/master.cf.proto",
                    os.path.join(self.pfdir, "master.cf"))
        open(os.path.join(self.pfdir, "main.cf"), "w").close()
        a = self.addr
        pol = ("check_policy_service { inet:%s:10692, timeout=5s, "
               "{ default_action = DUNNO } }" % a)
        exact = [m for m in self.mailboxes if not m.startswith("*")]
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": self.spool,
            "data_directory": os.path.join(self.dir, "data"),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": self.name,
            "mydomain": "e2e.test",
            "myorigin": "$myhostname",
            "inet_interfaces": a,
            "inet_protocols": "ipv4",
            "mydestination": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "relay_domains": "",
            "mynetworks": "127.0.0.0/8",
            "transport_maps": "socketmap:inet:%s:10691:transport" % a,
            "smtpd_recipient_restrictions":
                pol + ", permit_mynetworks, reject_unauth_destination",
            "smtpd_end_of_data_restrictions": pol,
            "defer_transports": "lsahold",
            "smtp_bind_address": a,
            "smtpd_peername_lookup": "no",
            "smtp_dns_support_level": "disabled",
            "smtp_connect_timeout": "2s",
            "smtp_helo_timeout": "5s",
            # a cached session cut before its next transaction (the
            # nftables reject drops it silently) fails in seconds; the
            # wait after the message's "." keeps Postfix's default: a
            # short one there duplicates mail the next hop has taken (a
            # cut loses its 250; 30s made 2 duplicates in scenario 1)
            "smtp_mail_timeout": "5s",
            "smtp_rcpt_timeout": "5s",
            "smtp_data_init_timeout": "5s",
            "smtp_quit_timeout": "5s",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": "/var, /dev/stdout, " + self.org.base,
            "virtual_mailbox_domains": ", ".join(exact),
            "virtual_mailbox_base": self.maildir,
            "virtual_mailbox_maps": "static:inbox/",
            "virtual_uid_maps": "static:65534",
            "virtual_gid_maps": "static:65534",
            "virtual_minimum_uid": "100",
            # Postfix's own retries are slow on purpose: mail that moves
            # within seconds was moved by the agent (rerouting now)
            "queue_run_delay": "30s",
            "minimal_backoff_time": "30s",
            "maximal_backoff_time": "60s",
            "delay_warning_time": "0",
            "in_flow_delay": "0",
            "biff": "no",
            "smtputf8_enable": "no",
            "append_dot_mydomain": "no",
            "smtpd_tls_security_level": "none",
            "smtp_tls_security_level": "none",
            "default_process_limit": "20",
            "smtpd_client_connection_count_limit": "0",
            "smtpd_client_connection_rate_limit": "0",
            "smtpd_banner": "$myhostname ESMTP",
        }
        extra = self.org.postfix_extra
        settings.update(extra(self) if callable(extra) else extra)
        sh(["postconf", "-c", self.pfdir, "-e"] +
           ["%s=%s" % kv for kv in settings.items()])
        # master.cf: no chroot; the lsahold service (held mail)
        mc = os.path.join(self.pfdir, "master.cf")
        out = []
        with open(mc) as f:
            for line in f:
                fl = line.split()
                if (line[:1] not in ("#", " ", "\t", "\n") and len(fl) >= 8
                        and fl[4] in ("y", "-")):
                    fl[4] = "n"
                    line = "%-9s %-5s %-7s %-7s %-7s %-7s %-7s %s\n" % (
                        fl[0], fl[1], fl[2], fl[3], fl[4], fl[5], fl[6],
                        " ".join(fl[7:]))
                out.append(line)
        with open(mc, "w") as f:
            f.writelines(out)
        sh(["postconf", "-c", self.pfdir, "-M",
            "lsahold/unix=lsahold unix - - n - - smtp"])
        for entry in self.org.master_extra:
            sh(["postconf", "-c", self.pfdir, "-M", entry])

    def postfix(self, *args, check=True):
        return sh(["postfix", "-c", self.pfdir] + list(args), check=check,
                  timeout=60)

    def postfix_start(self):
        self.postfix("start")
        self.postfix_up = True

    def postfix_stop(self):
        if self.postfix_up:
            self.postfix("stop", check=False)
            self.postfix_up = False

    def smtp_ready(self):
        try:
            with socket.create_connection((self.addr, 25), timeout=1) as c:
                return c.recv(100).startswith(b"220")
        except OSError:
            return False

    def queue(self):
        """postqueue -j: a list of dicts (every message in the queue)"""
        r = sh(["postqueue", "-c", self.pfdir, "-j"], check=False)
        q = []
        for line in r.stdout.splitlines():
            try:
                q.append(json.loads(line))
            except ValueError:
                pass
        return q

    # ------------------------------------------------- agent, policyd
    def write_conf(self, timers):
        ca = self.org.ca
        lines = ["[agent]",
                 "server = " + self.name,
                 "topology = " + self.topo,
                 "state_dir = " + self.state,
                 "listen = %s:691" % self.addr,
                 "tls_ca = %s/ca.pem" % ca,
                 "tls_cert = %s/%s.pem" % (ca, self.name),
                 "tls_key = %s/%s.key" % (ca, self.name),
                 "control_socket = " + self.sock,
                 "postfix_config_dir = " + self.pfdir]
        lines += ["%s = %s" % kv for kv in timers.items()]
        lines += ["",
                  "[policyd]",
                  "socketmap_listen = inet:%s:10691" % self.addr,
                  "policy_listen = inet:%s:10692" % self.addr,
                  "snapshot = " + os.path.join(self.state, "lst.snapshot"),
                  "snapshot_check_interval = 100ms",
                  ""]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines))

    def env(self):
        """the daemons' environment: ours, and the Org's daemon_env"""
        extra = self.org.daemon_env
        if not extra:
            return None
        env = dict(os.environ)
        env.update(extra(self) if callable(extra) else extra)
        return env

    def agent_start(self):
        f = open(self.agent_log, "a")
        self.agent = subprocess.Popen(
            [os.path.join(BIN, "lsa-agent"), "-d", "-c", self.conf],
            stdout=f, stderr=f, stdin=subprocess.DEVNULL, env=self.env())
        f.close()

    def agent_kill(self, sig=signal.SIGTERM):
        if self.agent and self.agent.poll() is None:
            self.agent.send_signal(sig)
            try:
                self.agent.wait(10)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait()
        self.agent = None

    def policyd_start(self):
        f = open(self.policyd_log, "a")
        self.policyd = subprocess.Popen(
            [os.path.join(BIN, "lsa-policyd"), "-d", "-c", self.conf],
            stdout=f, stderr=f, stdin=subprocess.DEVNULL, env=self.env())
        f.close()

    def policyd_kill(self):
        if self.policyd and self.policyd.poll() is None:
            self.policyd.terminate()
            try:
                self.policyd.wait(10)
            except subprocess.TimeoutExpired:
                self.policyd.kill()
                self.policyd.wait()
        self.policyd = None

    def status(self):
        """lsactl status --json of this server's agent (None: no answer)"""
        r = sh([os.path.join(BIN, "lsactl"), "status", "--json", "-c",
                self.conf, "-S", self.sock], check=False, timeout=10)
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def lst(self):
        r = sh([os.path.join(BIN, "lsactl"), "show", "lst", "--json", "-c",
                self.conf, "-S", self.sock], check=False, timeout=10)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def lsactl(self, *args):
        return sh([os.path.join(BIN, "lsactl")] + list(args) +
                  ["-c", self.conf, "-S", self.sock], check=False, timeout=10)

    def lookup(self, key):
        """one socketmap transport lookup, as Postfix asks it"""
        q = ("transport " + key).encode()
        try:
            with socket.create_connection((self.addr, 10691), timeout=2) as c:
                c.sendall(b"%d:%s," % (len(q), q))
                buf = b""
                while not buf.endswith(b","):
                    d = c.recv(4096)
                    if not d:
                        break
                    buf += d
            return buf.split(b":", 1)[1][:-1].decode()
        except (OSError, IndexError):
            return None


# ------------------------------------------------------------ messages
RECV_BY = re.compile(r"\bby\s+(\S+)\s+\(Postfix\)")


def parse_message(path):
    """(recipient, [servers in order], message-id) of one delivered file"""
    with open(path, "rb") as f:
        raw = f.read(65536)
    head = raw.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    head = re.sub(r"\n[ \t]+", " ", head)
    rcpt, mid, hops = None, None, []
    for line in head.split("\n"):
        name, _, val = line.partition(":")
        n = name.lower()
        if n == "delivered-to" and rcpt is None:
            rcpt = val.strip().lower()
        elif n == "received":
            m = RECV_BY.search(val)
            if m:
                hops.append(m.group(1))
        elif n == "message-id" and mid is None:
            mid = val.strip()
    hops.reverse()
    return rcpt, hops, mid


class Load(threading.Thread):
    """Paced SMTP load into one server: count messages at rate per second
    (0: as fast as it goes), bounded by deadline seconds; each message has
    a unique recipient TAG-N@DOMAIN (several domains: one message, one
    recipient each, or all at once with together=True)."""

    def __init__(self, org, server, domains, count, rate=0, tag=None,
                 deadline=120, sender="e2e@dublin.contoso.test",
                 together=False, size=0):
        super().__init__(daemon=True)
        self.org, self.server = org, org.servers[server]
        self.domains = domains if isinstance(domains, list) else [domains]
        self.count, self.rate, self.deadline = count, rate, deadline
        self.tag = tag or org.new_tag()
        self.sender, self.together, self.size = sender, together, size
        self.accepted = []      # recipients accepted
        self.refused = []       # (recipient, code, text)
        self.errors = 0
        self.stop_now = False
        self.done_at = None

    def rcpts(self, i):
        rs = ["%s-%d@%s" % (self.tag, i, d) for d in self.domains]
        if self.together:
            return [rs]
        return [[r] for r in rs]

    def run(self):
        start = time.monotonic()
        end = start + self.deadline
        i = 0
        conn = None
        body_pad = "x" * max(0, self.size)
        while i < self.count and not self.stop_now and \
                time.monotonic() < end:
            if self.rate:
                due = start + i / self.rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
            for rl in self.rcpts(i):
                msg = ("From: <%s>\r\nTo: %s\r\nSubject: e2e %s %d\r\n"
                       "Message-ID: <%s-%d@e2e.test>\r\n\r\nhello %s\r\n" %
                       (self.sender, ", ".join(rl), self.tag, i, self.tag,
                        i, body_pad))
                try:
                    if conn is None:
                        conn = smtplib.SMTP(self.server.addr, 25, timeout=30)
                        conn.ehlo("e2e-client")
                    refused = conn.sendmail(self.sender, rl, msg)
                    for r in rl:
                        if r in refused:
                            self.refused.append((r,) + tuple(refused[r]))
                        else:
                            self.accepted.append(r)
                except smtplib.SMTPRecipientsRefused as e:
                    for r, (c, t) in e.recipients.items():
                        self.refused.append((r, c, t))
                except smtplib.SMTPResponseException as e:
                    for r in rl:
                        self.refused.append((r, e.smtp_code, e.smtp_error))
                    try:
                        conn.rset()
                    except Exception:
                        conn = None
                except (OSError, smtplib.SMTPException):
                    self.errors += 1
                    conn = None
                    time.sleep(0.2)
                    continue
            i += 1
        if conn is not None:
            try:
                conn.quit()
            except Exception:
                pass
        self.done_at = time.monotonic()

    def finish(self, timeout=None):
        self.join(timeout)
        return self


# ---------------------------------------------------------- organization
DEFAULT_TIMERS = {
    "glitch_retry_interval": "1s",
    "glitch_retries": "2",
    "probe_interval": "1s",
    "down_retry_interval": "1s",
    "probe_timeout": "2s",   # a loaded 2-core machine greets slowly
    "reroute_interval": "200ms",
    "reconnect_interval": "100ms",
    "reconnect_max": "1s",
    "dead_interval": "3s",
    "master_dead_interval": "4s",
    "peer_idle_timeout": "6s",
    # the same links are cut again and again: damping must forget fast
    "damping_half_life": "1s",
}


class Org:
    """One organization in one namespace; see the module's header."""

    def __init__(self, topology, base=None, netns=None, timers=None,
                 extra_certs=(), policyd_extra=None, postfix_extra=None,
                 master_extra=(), daemon_env=None):
        """postfix_extra: main.cf settings for every server, a dict or a
        function of the Server giving one; master_extra: postconf -M
        entries ("name/type=line") for every server; daemon_env: more
        environment for every lsa-agent and lsa-policyd (e.g. libfaketime),
        a dict or a function of the Server giving one"""
        self.topology = Topology(topology)
        self.base = base or tempfile.mkdtemp(prefix="lsa-e2e.")
        os.makedirs(self.base, exist_ok=True)
        os.chmod(self.base, 0o755)
        self.netns = netns
        self.timers = dict(DEFAULT_TIMERS)
        self.timers.update(timers or {})
        self.ca = os.path.join(self.base, "ca")
        self.extra_certs = list(extra_certs)
        self.policyd_extra = policyd_extra or {}
        self.postfix_extra = postfix_extra or {}
        self.master_extra = list(master_extra)
        self.daemon_env = daemon_env
        self.servers = {n: Server(self, n, i)
                        for n, i in self.topology.servers.items()}
        self.cuts = {}
        self.restoring = []     # mail that flowed while a link came back
        self.tagn = 0
        self.seen = {}          # maildir file -> parsed

    def new_tag(self):
        self.tagn += 1
        return "t%d" % self.tagn

    # ---------------------------------------------------------- up, down
    def up(self, timeout=60):
        t = time.monotonic()
        sh(["sh", os.path.join(REPO, "tests/agent/mkca.sh"), self.ca] +
           list(self.servers) + self.extra_certs)
        for s in self.servers.values():
            self.netns.add_addr(s.addr)
            s.postfix_setup()
            shutil.copy(self.topology.path, s.topo)
            s.write_conf(self.timers)
            if self.policyd_extra:
                with open(s.conf) as f:
                    text = f.read()
                text += "".join("%s = %s\n" % kv
                                for kv in self.policyd_extra.items())
                with open(s.conf, "w") as f:
                    f.write(text)
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(4) as ex:
            list(ex.map(lambda s: s.postfix_start(), self.servers.values()))
        for s in self.servers.values():
            s.agent_start()
            s.policyd_start()
        ok = wait_for(lambda: all(s.smtp_ready()
                                  for s in self.servers.values()), timeout)
        if not ok:
            raise RuntimeError("not every Postfix greets: " + ", ".join(
                s.name for s in self.servers.values() if not s.smtp_ready()))
        if not self.wait_converged(timeout):
            raise RuntimeError("agents not in sync: " + self.sync_report())
        log("organization %s up: %d servers in %.1fs" % (
            self.topology.org.get("name"), len(self.servers),
            time.monotonic() - t))

    def down(self):
        for h in list(self.cuts):
            self.restore(h)
        for s in self.servers.values():
            s.policyd_kill()
            s.agent_kill()
        for s in self.servers.values():
            try:
                s.postfix_stop()
            except Exception as e:
                log("postfix stop %s: %s" % (s.name, e))

    def all_full(self):
        for s in self.servers.values():
            st = s.status()
            if st is None or any(p["state"] != "full" for p in st["peers"]):
                return False
        return True

    def digests(self):
        d = {}
        for s in self.servers.values():
            st = s.status()
            d[s.name] = st["digest"] if st else None
        return d

    def converged(self):
        if not self.all_full():
            return False
        d = self.digests()
        if None in d.values() or len(set(d.values())) != 1:
            return False
        return all(s.lookup("probe@" + (s.mailboxes or ["x.test"])[0])
                   not in (None,) and
                   not (s.lookup("x@e2e.test") or "").startswith("TEMP")
                   for s in self.servers.values())

    def wait_converged(self, timeout):
        return wait_for(self.converged, timeout, 0.3)

    def sync_report(self):
        out = []
        for s in self.servers.values():
            st = s.status()
            if st is None:
                out.append("%s: no answer" % s.name)
                continue
            bad = ["%s=%s" % (p["name"], p["state"]) for p in st["peers"]
                   if p["state"] != "full"]
            out.append("%s: %s %s" % (s.name, st["digest"][:8],
                                      " ".join(bad)))
        return "; ".join(out)

    # -------------------------------------------------------------- cuts
    def cut(self, a, b, how="reject"):
        """cut every packet between servers a and b (both ways)"""
        A, B = self.servers[a].addr, self.servers[b].addr
        # reject: an ICMP port unreachable (connect fails at once); a TCP
        # reset would itself match the rule of the other direction
        verdict = ("reject with icmp type port-unreachable"
                   if how == "reject" else "drop")
        handles = []
        for x, y in ((A, B), (B, A)):
            rule = "ip saddr %s ip daddr %s meta l4proto tcp %s" % (
                x, y, verdict)
            r = sh(["nft", "-e", "-a", "add", "rule", "inet", "e2e",
                    "output"] + rule.split())
            m = re.search(r"# handle (\d+)", r.stdout)
            handles.append(m.group(1))
        h = "%s-%s" % (a, b)
        self.cuts[h] = handles
        vlog("cut %s %s (%s)" % (a, b, how))
        return h

    def cut_many(self, pairs, how="reject"):
        return [self.cut(a, b, how) for a, b in pairs]

    def restore(self, h):
        for n in self.cuts.pop(h, []):
            sh(["nft", "delete", "rule", "inet", "e2e", "output", "handle",
                n], check=False)

    def restore_all(self):
        for h in list(self.cuts):
            self.restore(h)

    # ---------------------------------------------------------- counting
    def deliveries(self):
        """{recipient: [(final server, path), ...]} of every maildir"""
        for s in self.servers.values():
            d = os.path.join(s.maildir, "inbox", "new")
            try:
                files = os.listdir(d)
            except FileNotFoundError:
                continue
            for fn in files:
                p = os.path.join(d, fn)
                if p not in self.seen:
                    try:
                        r, hops, mid = parse_message(p)
                    except OSError:
                        continue
                    self.seen[p] = (r, s.name, hops, mid)
        out = {}
        for r, srv, hops, mid in self.seen.values():
            out.setdefault(r, []).append((srv, hops))
        return out

    def bounced(self):
        """recipients logged status=bounced in any maillog"""
        b = set()
        rx = re.compile(r"to=<([^>]*)>.*status=bounced")
        for s in self.servers.values():
            try:
                with open(s.maillog, errors="replace") as f:
                    for line in f:
                        m = rx.search(line)
                        if m:
                            b.add(m.group(1).lower())
            except FileNotFoundError:
                pass
        return b

    def queued(self, rcpts=None):
        """{server: number of messages queued} (for rcpts: only those)"""
        out = {}
        for s in self.servers.values():
            n = 0
            for m in s.queue():
                rs = {r["address"].lower() for r in m.get("recipients", [])}
                if rcpts is None or rs & rcpts:
                    n += 1
            out[s.name] = n
        return out

    def account(self, sent, expect_bounce=(), backtracks_of=()):
        """figures over the recipients sent: sent, delivered, bounced,
        duplicated, loops (a path through a server twice), missing;
        for the recipients in backtracks_of (mail still on its way when a
        link came back) a path through a server twice is a backtrack:
        re-decided after the recovery (the cheaper path again, a source
        whose link came back first), reported, not failed: the property
        test proves one moment's routing has no cycle"""
        sent = {r.lower() for r in sent}
        bt_ok = {r.lower() for r in backtracks_of}
        dl = self.deliveries()
        bounced = self.bounced() & sent
        got = {r for r in sent if r in dl}
        dup = sum(len(dl[r]) - 1 for r in got)
        loops, bts = [], []
        for r in got:
            for _, hops in dl[r]:
                if len(set(hops)) == len(hops):
                    continue
                if r in bt_ok:
                    bts.append((r, hops))
                else:
                    loops.append((r, hops))
        return {"sent": len(sent), "delivered": len(got),
                "bounced": len(bounced), "duplicated": dup,
                "loops": len(loops), "loop_paths": loops[:3],
                "backtracks": len(bts), "backtrack_paths": bts[:3],
                "missing": len(sent - got - bounced),
                "unexpected_bounces": len(bounced - set(expect_bounce))}

    def where(self, rcpts, limit=6):
        """where undelivered recipients are: queue lines, for a report"""
        dl = self.deliveries()
        want = {r.lower() for r in rcpts} - set(dl) - self.bounced()
        out = []
        for s in self.servers.values():
            for m in s.queue():
                for r in m.get("recipients", []):
                    if r["address"].lower() in want:
                        out.append("%s %s %s %s: %s" % (
                            s.name, m.get("queue_name"), m.get("queue_id"),
                            r["address"], r.get("delay_reason", "")[:90]))
        n = len(out)
        return "%d undelivered, %d queued%s" % (
            len(want), n, "".join("\n" + l for l in out[:limit]))

    def wait_delivered(self, sent, timeout, expect_bounce=()):
        sent = {r.lower() for r in sent}
        eb = set(expect_bounce)

        def done():
            dl = self.deliveries()
            return all(r in dl for r in sent - eb) and \
                (not eb or eb <= self.bounced())
        return wait_for(done, timeout, 0.3)

    def paths(self, rcpts):
        """{path string: count} of the recipients' deliveries"""
        dl = self.deliveries()
        c = {}
        for r in rcpts:
            for _, hops in dl.get(r.lower(), []):
                k = " -> ".join(hops)
                c[k] = c.get(k, 0) + 1
        return c

    def wait_queues_empty(self, timeout):
        return wait_for(lambda: sum(self.queued().values()) == 0, timeout,
                        0.5)

    def lst_state(self, server, key):
        l = self.servers[server].lst()
        if not l:
            return None
        for r in l["records"]:
            if r["key"] == key:
                return r.get("state", r.get("version"))
        return "none"

    def maillog_lines(self, server, pattern):
        rx = re.compile(pattern)
        try:
            with open(self.servers[server].maillog, errors="replace") as f:
                return [l for l in f if rx.search(l)]
        except FileNotFoundError:
            return []


# ------------------------------------------------------------ the checks
class Checks:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def ok(self, cond, name, detail=""):
        if cond:
            self.passed += 1
            print("ok %s" % name, flush=True)
        else:
            self.failed += 1
            print("not ok %s" % name, flush=True)
            if detail:
                for line in str(detail).splitlines()[:20]:
                    print("#   " + line, flush=True)
        return cond


def fmt(a):
    return ("sent %(sent)d delivered %(delivered)d bounced %(bounced)d "
            "duplicated %(duplicated)d loops %(loops)d missing %(missing)d"
            % a)


# ------------------------------------------------------------ scenarios
BOS = "boston.contoso.test"
SF = "sanfrancisco.contoso.test"
LON = ["lon-bh1", "lon-bh2"]
NY = ["ny-bh1", "ny-bh2"]
CPH = ["cph-bh1", "cph-bh2"]
DIRECT = re.compile(r"^dub-bh1 -> lon-bh\d -> ny-bh\d -> bos-bh1$")


def pairs(xs, ys):
    return [(x, y) for x in xs for y in ys]


def show_paths(org, rcpts, title):
    for p, n in sorted(org.paths(rcpts).items(), key=lambda kv: -kv[1]):
        log("  %s path %s: %d" % (title, p, n))


def via(org, rcpts, rx):
    """how many deliveries of rcpts went along a path matching rx"""
    return sum(n for p, n in org.paths(rcpts).items() if re.search(rx, p))


def link_state(org, at, conn, sources):
    """the states of connector conn from sources in at's LST"""
    return [org.lst_state(at, "connector:%s:%s" % (conn, s)) for s in sources]


def wait_link(org, conn, sources, state, timeout, at=("dub-bh1",)):
    """until every server of at holds conn from sources in state
    ("up" also accepts no record); the time it took, or None"""
    t = time.monotonic()

    def good():
        for a in at:
            for st in link_state(org, a, conn, sources):
                if state == "up" and st in ("up", "none"):
                    continue
                if st != state:
                    return False
        return True
    if wait_for(good, timeout, 0.1):
        return time.monotonic() - t
    return None


class Deferred:
    """samples the deferred messages of some servers after a change:
    the peak count and when the last of them left"""

    def __init__(self, org, servers, rcpts_of=None):
        self.org, self.servers = org, servers
        self.first = {}
        self.gone = {}
        self.peak = 0

    def sample(self):
        now = time.monotonic()
        cur = set()
        for s in self.servers:
            for m in self.org.servers[s].queue():
                if m.get("queue_name") == "deferred":
                    cur.add(m["queue_id"])
        for q in cur:
            self.first.setdefault(q, now)
        for q in self.first:
            if q not in cur and q not in self.gone:
                self.gone[q] = now
        self.peak = max(self.peak, len(cur))
        return cur

    def watch(self, seconds, t0):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            cur = self.sample()
            if not cur and self.first and time.monotonic() - t0 > 2:
                break
            time.sleep(0.2)
        last = max(self.gone.values()) if self.gone else None
        left = [q for q in self.first if q not in self.gone]
        return (last - t0 if last else None), left


def scenario1(org, ck, ledger):
    log("== 1: Dublin -> London -> New York -> Boston; London-NewYork cut")
    l0 = Load(org, "dub-bh1", BOS, 20, rate=40)
    l0.start()
    l0.finish()
    org.wait_delivered(l0.accepted, 20)
    ledger += l0.accepted
    show_paths(org, l0.accepted, "before")
    ck.ok(len(l0.accepted) == 20 and
          via(org, l0.accepted, DIRECT.pattern) == 20,
          "1: before the cut every message goes Dublin-London-NewYork-"
          "Boston", org.paths(l0.accepted))

    load = Load(org, "dub-bh1", BOS, 500, rate=50, deadline=40)
    load.start()
    time.sleep(3)
    t_cut = time.monotonic()
    cuts = org.cut_many(pairs(LON, NY), "reject")
    log("cut London-NewYork (lon-bh1, lon-bh2 x ny-bh1, ny-bh2), reject")
    # the link monitor must see it: its probes leave from the server's
    # own address (probe_source), or a cut by address does not touch them
    dq = Deferred(org, LON)
    det = None
    end = t_cut + 20
    while time.monotonic() < end:
        cur = dq.sample()
        el = time.monotonic() - t_cut
        if det is None and link_state(org, "dub-bh1", "London-NewYork",
                                      LON) == ["down", "down"]:
            det = el
        if det is not None and not cur and el > 3:
            break
        time.sleep(0.2)
    drain = (max(dq.gone.values()) - t_cut) if dq.gone else None
    left = [q for q in dq.first if q not in dq.gone]
    log("London-NewYork down from both sources in Dublin's LST %s s after "
        "the cut" % ("%.1f" % det if det is not None else "never (20)"))
    log("London's deferred mail after the cut: peak %d, the last left "
        "%s s after the cut, %d still there" % (
            dq.peak, "%.1f" % drain if drain is not None else "-",
            len(left)))
    ck.ok(det is not None, "1: the cut is detected: London-NewYork down in "
          "the LST (link probes leave from the server's own address)",
          "lon-bh1's agent log: %s" % "".join(org.maillog_lines(
              "lon-bh1", "x^")) + "".join(
              l for l in open(org.servers["lon-bh1"].agent_log)
              if " link " in l or "link server" in l)[-800:])
    load.finish(60)
    org.wait_delivered(load.accepted, 45)
    ledger += load.accepted
    a = org.account(load.accepted)
    log("during the cut: " + fmt(a) + " (refused at SMTP %d, errors %d)" %
        (len(load.refused), load.errors))
    show_paths(org, load.accepted, "during")
    n_cph = via(org, load.accepted, r"cph-bh")
    # what is not delivered yet must wait in a queue (scenario 8 checks it
    # arrives): a message that a cut caught inside an SMTP session, or in
    # qmgr's active queue for a destination found dead, waits out
    # Postfix's own timers
    want = {r.lower() for r in load.accepted}
    queued = {r["address"].lower() for sv in org.servers.values()
              for m in sv.queue() for r in m.get("recipients", [])} & want
    a = org.account(load.accepted)      # after the queues: none slips
    lost = want - set(org.deliveries()) - org.bounced() - queued
    waiting = len(queued)
    log("during the cut: %d still queued after 45 s" % waiting)
    ck.ok(a["bounced"] == 0 and not lost and
          a["duplicated"] == 0 and not load.refused,
          "1: cut under load: nothing bounces, nothing lost (delivered, "
          "or still queued: %d)" % waiting,
          fmt(a) + "\n" + org.where(load.accepted))
    ck.ok(a["loops"] == 0, "1: no message crosses a server twice",
          a["loop_paths"])
    ck.ok(n_cph > 0, "1: mail goes via Copenhagen during the cut (%d)" %
          n_cph)
    ck.ok(not left and drain is not None and drain < DRAIN_S,
          "1: mail waiting in London left within %d s of the cut "
          "(Postfix's own retry is 30 s)" % DRAIN_S,
          "peak %d, left %s, %d still queued" % (dq.peak, drain, len(left)))

    t_r = time.monotonic()
    for h in cuts:
        org.restore(h)
    up = wait_link(org, "London-NewYork", LON, "up", 20)
    log("restored: London-NewYork up in Dublin's LST after %s s" %
        ("%.1f" % up if up is not None else "-"))
    time.sleep(0.5)
    l2 = Load(org, "dub-bh1", BOS, 30, rate=30)
    l2.start()
    l2.finish()
    # up to 75 s, as scenario 2: mail that reaches a London server whose
    # qmgr still holds the New York destination dead from the cut waits
    # for its unthrottle (minimal_backoff_time, 30 s here) when no
    # rerouting pass kicked qmgr since
    org.wait_delivered(l2.accepted, 75)
    ledger += l2.accepted
    show_paths(org, l2.accepted, "restored")
    ck.ok(up is not None and len(l2.accepted) == 30 and
          via(org, l2.accepted, DIRECT.pattern) == 30,
          "1: restored: back on the direct path (%.1fs)" %
          (time.monotonic() - t_r), "%s\n%s" % (org.paths(l2.accepted),
                                                org.where(l2.accepted)))
    ok = org.wait_converged(20)
    d = org.digests()
    log("LST digests: %s" % " ".join(sorted({str(v)[:12]
                                           for v in d.values()})))
    ck.ok(ok and len(set(d.values())) == 1,
          "1: every agent's LST digest is the same", d)


def scenario2(org, ck, ledger):
    log("== 2: the loop case: two London sources for London-NewYork")
    phases = []

    def phase(name, cut_pairs, n=200, how="reject"):
        load = Load(org, "dub-bh1", BOS, n, rate=50, deadline=30)
        load.start()
        time.sleep(1.5)
        hs = org.cut_many(cut_pairs, how) if cut_pairs else []
        load.finish(40)
        return name, load, hs

    # lon-bh1's link only, cut while mail flows
    name, load, hs1 = phase("lon-bh1 cut", pairs(["lon-bh1"], NY))
    phases.append((name, load))
    # then both sources
    name, load, hs2 = phase("both cut", pairs(["lon-bh2"], NY))
    phases.append((name, load))
    # restored while mail flows
    load = Load(org, "dub-bh1", BOS, 200, rate=50, deadline=30)
    load.start()
    time.sleep(1.5)
    for h in hs1 + hs2:
        org.restore(h)
    load.finish(40)
    phases.append(("restored", load))
    for name, load in phases:
        # a message refused as a loop (450 4.4.6) after the last recheck
        # of a change waits for Postfix's own retry (at most
        # maximal_backoff_time, 60 s here): nothing is lost, it is late
        org.wait_delivered(load.accepted, 75)
        ledger += load.accepted
        # every phase's mail may still be in Copenhagen at the restore
        restoring = load.accepted
        org.restoring += list(restoring)
        # as in scenario 1: what a cut caught in a session, or in a
        # qmgr's active queue for a destination found dead, waits out
        # Postfix's own timers; queued is waiting, not lost (scenario 8
        # checks that it arrives)
        want = {r.lower() for r in load.accepted}
        queued = {r["address"].lower() for sv in org.servers.values()
                  for m in sv.queue() for r in m.get("recipients", [])} & want
        a = org.account(load.accepted, backtracks_of=restoring)
        lost = want - set(org.deliveries()) - org.bounced() - queued
        if restoring:
            log("%s: %d message(s) on their way when the link came back "
                "crossed a server twice (re-decided after the recovery): %s"
                % (name, a["backtracks"], a["backtrack_paths"]))
        log("%s: %s" % (name, fmt(a)))
        show_paths(org, load.accepted, name)
        ck.ok(a["bounced"] == 0 and not lost and
              a["duplicated"] == 0 and not load.refused,
              "2: %s: 0 bounces, nothing lost (delivered, or still "
              "queued: %d)" % (name, len(queued)),
              fmt(a) + "\n" + org.where(load.accepted))
        ck.ok(a["loops"] == 0,
              "2: %s: no message crosses a server twice" % name,
              a["loop_paths"])
    wait_link(org, "London-NewYork", LON, "up", 20)


def scenario3(org, ck, ledger):
    log("== 3: queue at the point of failure: every path to New York cut")
    cuts = org.cut_many(pairs(LON, NY) + pairs(CPH, NY), "drop")
    t = time.monotonic()
    d1 = wait_link(org, "London-NewYork", LON, "down", 20,
                   at=("dub-bh1", "lon-bh1", "lon-bh2"))
    d2 = wait_link(org, "Copenhagen-NewYork", CPH, "down", 20,
                   at=("dub-bh1", "lon-bh1", "lon-bh2"))
    log("both links down everywhere after %.1fs (drop)" %
        (time.monotonic() - t))
    if not ck.ok(d1 is not None and d2 is not None,
                 "3: London-NewYork and Copenhagen-NewYork marked down"):
        for h in cuts:
            org.restore(h)
        return
    load = Load(org, "dub-bh1", BOS, 100, rate=50, deadline=20)
    load.start()
    load.finish(30)
    ledger += load.accepted
    rset = {r.lower() for r in load.accepted}

    def held():
        q = org.queued(rset)
        return sum(q[s] for s in LON) == len(rset)
    wait_for(held, 15, 0.3)
    q = org.queued(rset)
    waiting = {s: n for s, n in q.items() if n}
    log("accepted %d, refused %d; queued: %s" % (
        len(load.accepted), len(load.refused), waiting))
    ck.ok(len(load.accepted) == 100 and not load.refused,
          "3: Dublin's mail for Boston accepted (%d)" % len(load.accepted),
          load.refused[:3])
    ck.ok(sum(q[s] for s in LON) == len(rset) and q["dub-bh1"] == 0,
          "3: it waits in London (%d), nothing in Dublin (%d)" % (
              sum(q[s] for s in LON), q["dub-bh1"]), waiting)
    reasons = set()
    for s in LON:
        for m in org.servers[s].queue():
            for r in m.get("recipients", []):
                if r["address"].lower() in rset:
                    reasons.add(r.get("delay_reason", "")[:60])
    log("London's delay reasons: %s" % sorted(reasons)[:3])
    # the backup link comes back
    t_r = time.monotonic()
    for h in cuts[4:]:
        org.restore(h)
    ok = org.wait_delivered(load.accepted, 40)
    dt = time.monotonic() - t_r
    a = org.account(load.accepted)
    log("Copenhagen-NewYork restored: all delivered after %.1fs; %s" %
        (dt, fmt(a)))
    show_paths(org, load.accepted, "held")
    ck.ok(ok and dt < 20, "3: delivered within %.1fs (< 20 s; Postfix alone: 30 s here, 300 s by default) of the backup link's "
          "return" % dt, fmt(a))
    ck.ok(a["bounced"] == 0 and a["duplicated"] == 0 and a["loops"] == 0,
          "3: no bounce, no duplicate, no loop",
          fmt(a) + "\n" + org.where(load.accepted))
    for h in cuts[:4]:
        org.restore(h)
    wait_link(org, "London-NewYork", LON, "up", 20)
    wait_link(org, "Copenhagen-NewYork", CPH, "up", 20)


def maillog_receipts(org, mid):
    """{server: times it received the message} from cleanup's lines"""
    out = {}
    for s in org.servers:
        n = len(org.maillog_lines(s, r"cleanup\[\d+\]: \w+: message-id=<%s>"
                                  % re.escape(mid)))
        if n:
            out[s] = n
    return out


def smtp_transactions(org, server, qids):
    """SMTP deliveries (queue id, relay) logged by server's smtp for qids"""
    tx = set()
    for l in org.maillog_lines(server, r"postfix/(smtp|lsahold)\[\d+\]: "
                               r"\w+: to=<"):
        m = re.search(r": (\w+): to=<[^>]*>, relay=([^,]*),", l)
        if m and m.group(1) in qids and "status=sent" in l:
            tx.add((m.group(1), m.group(2)))
    return tx


def scenario5(org, ck, ledger):
    log("== 5: delayed fan-out: Boston and San Francisco in one message")
    tag = org.new_tag()
    mid = "%s-fanout@e2e.test" % tag
    rcpts = ["x-%s@%s" % (tag, BOS), "y-%s@%s" % (tag, SF)]
    msg = ("From: <e2e@dublin.contoso.test>\r\nTo: %s\r\nSubject: fan-out"
           "\r\nMessage-ID: <%s>\r\n\r\nhello\r\n" % (", ".join(rcpts), mid))
    with smtplib.SMTP(org.servers["dub-bh1"].addr, 25, timeout=30) as c:
        c.sendmail("e2e@dublin.contoso.test", rcpts, msg)
    ok = org.wait_delivered(rcpts, 20)
    ledger += rcpts
    show_paths(org, rcpts, "fan-out")
    rec = maillog_receipts(org, mid)
    qids = {}
    for s in rec:
        for l in org.maillog_lines(s, r"message-id=<%s>" % re.escape(mid)):
            m = re.search(r": (\w+): message-id=", l)
            qids.setdefault(s, set()).add(m.group(1))
    tx = {s: len(smtp_transactions(org, s, qids[s])) for s in qids}
    log("received (cleanup) per server: %s" % rec)
    log("SMTP transactions out per server: %s" % tx)
    hops = [s for s in rec if s.startswith(("lon", "ny"))]
    lon = [s for s in rec if s.startswith("lon")]
    nys = [s for s in rec if s.startswith("ny")]
    ck.ok(ok and rec.get("dub-bh1") == 1 and len(lon) == 1 and
          len(nys) == 1 and rec[lon[0]] == 1 and rec[nys[0]] == 1,
          "5: the message crosses Dublin, London and New York once each",
          rec)
    ck.ok(ok and tx.get("dub-bh1") == 1 and lon and tx.get(lon[0]) == 1 and
          nys and tx.get(nys[0]) == 2 and hops,
          "5: one SMTP transaction a hop until New York, two there", tx)


def scenario6(org, ck, ledger):
    log("== 6: size: London-NewYork max_size = 20k (topology version 2)")
    rgm = org.servers["lon-rgm"]
    with open(rgm.topo) as f:
        text = f.read()
    v = int(re.search(r"(?m)^version\s*=\s*(\d+)", text).group(1)) + 1
    with open(rgm.topo, "w") as f:
        f.write(topology_with(text, v, [("connector London-NewYork",
                                          "max_size", "20k")]))
    r = rgm.lsactl("reload")
    ok = wait_for(lambda: all((s.status() or {}).get("topology_version") == v
                              for s in org.servers.values()), 15, 0.2)
    time.sleep(0.5)     # policyd's snapshot check
    ck.ok(r.returncode == 0 and ok,
          "6: topology version %d flooded from lon-rgm to all" % v,
          r.stdout + r.stderr)
    tag = org.new_tag()
    big = "x" * 30000
    dub = org.servers["dub-bh1"].addr
    # SIZE= declared (smtplib declares it): refused at RCPT
    r1 = "big1-%s@%s" % (tag, BOS)
    code1 = None
    try:
        with smtplib.SMTP(dub, 25, timeout=30) as c:
            c.sendmail("e2e@dublin.contoso.test", [r1],
                       "Subject: big\r\n\r\n" + big)
        code1 = "accepted"
    except smtplib.SMTPRecipientsRefused as e:
        code1 = "%d %s" % (e.recipients[r1][0],
                           e.recipients[r1][1].decode()[:60])
    log("SIZE=30000 declared: %s" % code1)
    ck.ok(code1 is not None and code1.startswith("552 5.3.4"),
          "6: SIZE= over the limit: 552 5.3.4 at RCPT", code1)
    # undeclared (swaks sends no SIZE=): refused at end of data
    r2 = "big2-%s@%s" % (tag, BOS)
    sw = sh(["swaks", "--server", dub, "--port", "25", "--from",
             "e2e@dublin.contoso.test", "--to", r2, "--body", big,
             "--hide-all"], check=False)
    sw2 = sh(["swaks", "--server", dub, "--port", "25", "--from",
              "e2e@dublin.contoso.test", "--to", r2, "--body", big],
             check=False)
    m = re.search(r"<\*\*\s+(5\d\d[ -]\S+.*)", sw2.stdout)
    got = m.group(1) if m else "(none) exit %d" % sw2.returncode
    stage = "DATA" if re.search(r"(?s)-> \.\s*\n.*<\*\* +552", sw2.stdout) \
        else "?"
    log("undeclared, 30 kB (swaks): %s at %s" % (got, stage))
    ck.ok(got.startswith("552 5.3.4") and stage == "DATA",
          "6: undeclared over the limit: 552 5.3.4 at end of data",
          sw2.stdout[-600:])
    del sw
    # a small one still goes
    r3 = "small-%s@%s" % (tag, BOS)
    with smtplib.SMTP(dub, 25, timeout=30) as c:
        c.sendmail("e2e@dublin.contoso.test", [r3], "Subject: s\r\n\r\nhi")
    ledger.append(r3)
    ck.ok(org.wait_delivered([r3], 20), "6: a small message still goes")


def scenario7(org, ck, ledger):
    log("== 7: agents: kill -9 under load; masters stopped")
    lb1 = org.servers["lon-bh1"]
    load = Load(org, "dub-bh1", [BOS, "london.contoso.test"], 150, rate=40,
                deadline=30)
    load.start()
    time.sleep(1.5)
    lb1.agent_kill(signal.SIGKILL)
    log("lon-bh1's agent killed -9")
    time.sleep(0.5)
    ans = lb1.lookup("x@" + BOS)
    log("lon-bh1's policyd without its agent answers: %s" % ans)
    time.sleep(1.5)
    lb1.agent_start()
    t = time.monotonic()
    ok = org.wait_converged(20)
    log("lon-bh1's agent restarted; organization in sync after %.1fs" %
        (time.monotonic() - t))
    load.finish(40)
    org.wait_delivered(load.accepted, 40)
    ledger += load.accepted
    a = org.account(load.accepted)
    log("agent killed: " + fmt(a))
    ck.ok(ans is not None and ans.startswith("OK"),
          "7: a policyd whose agent died keeps answering", ans)
    ck.ok(ok, "7: the restarted agent is back in sync", org.sync_report())
    ck.ok(a["bounced"] == 0 and a["missing"] == 0 and a["duplicated"] == 0
          and a["loops"] == 0 and not load.refused,
          "7: agent killed under load: nothing lost, bounced or looped",
          fmt(a) + "\n" + org.where(load.accepted))

    # London's master stopped: lon-bh2 (its backup) takes over
    rgm, bh2 = org.servers["lon-rgm"], org.servers["lon-bh2"]
    v0 = (bh2.status() or {}).get("topology_version")
    load = Load(org, "dub-bh1", [BOS, "london.contoso.test"], 150, rate=30,
                deadline=30)
    load.start()
    time.sleep(1)
    t = time.monotonic()
    rgm.agent_kill(signal.SIGTERM)
    took = wait_for(lambda: (bh2.status() or {}).get("role") == "master",
                    20, 0.2)
    dt = time.monotonic() - t
    st = bh2.status() or {}
    log("lon-rgm's agent stopped: lon-bh2 role %s after %.1fs "
        "(master_dead_interval %s), topology v%s -> v%s" % (
            st.get("role"), dt, org.timers["master_dead_interval"], v0,
            st.get("topology_version")))
    ck.ok(took and st.get("topology_version", 0) > (v0 or 0),
          "7: master stopped: its backup lon-bh2 takes over (%.1fs)" % dt,
          st)
    rgm.agent_start()
    ok = org.wait_converged(20)
    st = rgm.status() or {}
    log("lon-rgm back: role %s, master %s" % (st.get("role"),
                                              st.get("master")))
    ck.ok(ok and st.get("master") == "lon-bh2",
          "7: the old master returns and follows lon-bh2", st)
    load.finish(40)
    org.wait_delivered(load.accepted, 40)
    ledger += load.accepted
    a = org.account(load.accepted)
    log("master failover: " + fmt(a))
    ck.ok(a["bounced"] == 0 and a["missing"] == 0 and a["duplicated"] == 0
          and a["loops"] == 0 and not load.refused,
          "7: master failover under load: nothing lost",
          fmt(a) + "\n" + org.where(load.accepted))

    # New York's master (ny-bh1, no backup) stopped: members keep routing
    nyb1, nyb2 = org.servers["ny-bh1"], org.servers["ny-bh2"]
    load = Load(org, "dub-bh1", [BOS, SF], 150, rate=30, deadline=30)
    load.start()
    time.sleep(1)
    nyb1.agent_kill(signal.SIGTERM)
    time.sleep(org_seconds(org.timers["master_dead_interval"]) + 2)
    st = nyb2.status() or {}
    log("ny-bh1's agent stopped (no backup): ny-bh2 role %s, master %s" %
        (st.get("role"), st.get("master")))
    ck.ok(st.get("role") == "member" and st.get("master") == "ny-bh1",
          "7: no backup: New York's member keeps its master and routes", st)
    nyb1.agent_start()
    ok = org.wait_converged(20)
    load.finish(40)
    org.wait_delivered(load.accepted, 40)
    ledger += load.accepted
    a = org.account(load.accepted)
    log("master without backup stopped: " + fmt(a))
    ck.ok(ok and a["bounced"] == 0 and a["missing"] == 0 and
          a["duplicated"] == 0 and a["loops"] == 0 and not load.refused,
          "7: master without backup stopped under load: nothing lost",
          fmt(a) + "\n" + org.where(load.accepted))


def org_seconds(t):
    m = re.match(r"(\d+)(ms|s|m)$", t)
    n = int(m.group(1))
    return {"ms": n / 1000, "s": n, "m": n * 60}[m.group(2)]


def scenario8(org, ck, ledger):
    log("== 8: nothing lost over scenarios 1, 2, 3, 5, 6, 7")
    if len(ledger) < 2000:
        load = Load(org, "dub-bh1", [BOS, SF, "paris.contoso.test"],
                    (2000 - len(ledger) + 2) // 3, rate=0, deadline=40)
        load.start()
        load.finish(60)
        ledger += load.accepted
    org.wait_delivered(ledger, 60)
    org.wait_queues_empty(20)
    a = org.account(ledger, backtracks_of=org.restoring)
    log("backtracks after a link came back (reported, not loops): %d" %
        a["backtracks"])
    q = {s: n for s, n in org.queued().items() if n}
    log("all: " + fmt(a) + "; still queued: %s" % q)
    ck.ok(a["sent"] >= 2000 and a["missing"] == 0 and a["bounced"] == 0 and
          a["duplicated"] == 0,
          "8: %d messages: sent = delivered + expected bounces (0), "
          "0 duplicates" % a["sent"], fmt(a) + "\n" + org.where(ledger))
    ck.ok(a["loops"] == 0, "8: no message crossed a server twice",
          a["loop_paths"])


def rr_round(org, dom, n, wait):
    """n messages from A to dom: the load, deliveries per final server,
    the account"""
    load = Load(org, "A", dom, n, rate=30, deadline=30,
                sender="e2e@site1.fabrikam.test")
    load.start()
    load.finish(40)
    org.wait_delivered(load.accepted, wait)
    dl = org.deliveries()
    per = {}
    for r in load.accepted:
        for srv, _ in dl.get(r.lower(), []):
            per[srv] = per.get(srv, 0) + 1
    return load, per, org.account(load.accepted)


def scenario4(ns, base, ck):
    log("== 4: seed 004: round robin over HT1, HT2, HT3")
    src = os.path.join(REPO, "tests/topologies/seed004.conf")
    with open(src) as f:
        text = f.read()
    text = topology_with(text, 5, [
        ("server HT2", "mailboxes", "site4.fabrikam.test"),
        ("server HT3", "mailboxes", "site4.fabrikam.test")])
    topo = os.path.join(base, "seed004-rr.conf")
    with open(topo, "w") as f:
        f.write(text)
    org = Org(topo, base=os.path.join(base, "seed004"), netns=ns,
              policyd_extra={"rotation_interval": "10ms"})
    os.makedirs(org.base, exist_ok=True)
    try:
        org.up(60)
        dom = "site4.fabrikam.test"
        load, per, a = rr_round(org, dom, 300, 30)
        log("300 to %s: %s; per target %s" % (dom, fmt(a), per))
        show_paths(org, load.accepted, "rr")
        ck.ok(len(load.accepted) == 300 and
              all(85 <= per.get(h, 0) <= 115 for h in ("HT1", "HT2", "HT3")),
              "4: each of HT1, HT2, HT3 gets 100 +- 15", per)
        ht2 = org.servers["HT2"]
        ht2.postfix_stop()
        log("HT2's Postfix stopped")
        load, per, a = rr_round(org, dom, 150, 40)
        log("HT2 stopped, 150 more: %s; per target %s" % (fmt(a), per))
        ck.ok(a["delivered"] == 150 and a["bounced"] == 0 and
              not per.get("HT2") and a["duplicated"] == 0,
              "4: HT2 stopped: HT1 and HT3 take its share, no bounce",
              "%s %s" % (fmt(a), per))
    finally:
        org.down()


# ------------------------------------------------------ more scenarios
def scenario_modules():
    """tests/e2e/scn_*.py, in name order: each has SCENARIO (the name
    --only takes) and run(ns, base, ck), which makes its own Org under
    base and takes it down again"""
    import importlib
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    # "import e2e" in a scenario module is this module, not a second copy
    sys.modules.setdefault("e2e", sys.modules[__name__])
    mods = []
    for f in sorted(os.listdir(here)):
        if f.startswith("scn_") and f.endswith(".py"):
            mods.append(importlib.import_module(f[:-3]))
    return mods


# ---------------------------------------------------------------- main
def main():
    import argparse
    ap = argparse.ArgumentParser()
    mods = scenario_modules()
    ap.add_argument("--only", default=",".join(
        ["1", "3", "2", "5", "6", "7", "8", "4"] +
        [m.SCENARIO for m in mods]))
    ap.add_argument("--keep", action="store_true",
                    help="keep the temporary directory")
    args = ap.parse_args()
    only = args.only.split(",")
    if os.geteuid() != 0:
        print("ok e2e # SKIP not root")
        return 0
    for prog in ("postfix", "postconf", "postqueue", "nft", "swaks"):
        if not shutil.which(prog):
            print("not ok e2e: %s is missing (packaging/install-deps.sh "
                  "check)" % prog)
            return 1
    name = "lsae2e-%d" % os.getpid()
    try:
        ns = Netns(name)
    except (RuntimeError, OSError) as e:
        print("ok e2e # SKIP no network namespace can be made: %s" %
              str(e).strip().splitlines()[-1])
        return 0
    base = tempfile.mkdtemp(prefix="lsa-e2e.")
    os.chmod(base, 0o755)
    ck = Checks()
    org = None

    def on_signal(sig, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        ns.enter()
        log("namespace %s, directory %s" % (name, base))
        if set(only) & {"1", "2", "3", "5", "6", "7", "8"}:
            org = Org(os.path.join(REPO, "tests/topologies/seed002.conf"),
                      base=os.path.join(base, "seed002"), netns=ns)
            os.makedirs(org.base, exist_ok=True)
            org.up(60)
            ck.ok(True, "seed 002: 13 Postfix instances, agents and policyds "
                  "up, every adjacency full, one LST digest")
            ledger = []
            for n, fn in (("1", scenario1), ("3", scenario3),
                          ("2", scenario2), ("5", scenario5),
                          ("6", scenario6), ("7", scenario7),
                          ("8", scenario8)):
                if n not in only:
                    continue
                t = time.monotonic()
                try:
                    fn(org, ck, ledger)
                except Exception as e:
                    import traceback
                    ck.ok(False, "scenario %s ran to its end" % n,
                          traceback.format_exc())
                    org.restore_all()
                log("scenario %s: %.1fs" % (n, time.monotonic() - t))
            org.down()
            org = None
        if "4" in only:
            t = time.monotonic()
            try:
                scenario4(ns, base, ck)
            except Exception:
                import traceback
                ck.ok(False, "scenario 4 ran to its end",
                      traceback.format_exc())
            log("scenario 4: %.1fs" % (time.monotonic() - t))
        for m in mods:
            if m.SCENARIO not in only:
                continue
            t = time.monotonic()
            try:
                m.run(ns, base, ck)
            except Exception:
                import traceback
                ck.ok(False, "scenario %s ran to its end" % m.SCENARIO,
                      traceback.format_exc())
            log("scenario %s: %.1fs" % (m.SCENARIO, time.monotonic() - t))
    except KeyboardInterrupt:
        print("not ok e2e: interrupted")
        ck.failed += 1
    except Exception:
        import traceback
        ck.ok(False, "e2e harness", traceback.format_exc())
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if org is not None:
            org.down()
        ns.delete()
        if args.keep or os.environ.get("E2E_KEEP"):
            log("kept %s" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)
    log("e2e: %d passed, %d failed, %.0fs" % (ck.passed, ck.failed,
                                              time.monotonic() - T0))
    return 1 if ck.failed else 0


if __name__ == "__main__":
    sys.exit(main())
