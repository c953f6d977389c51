"""scn_tls.py - encrypted and authenticated hops on real Postfix (issue 15,
part 2): connector keys tls and auth served through lsa-policyd's
tls_policy and sasl_passwd socketmap tables.

A small organization of four groups, one server each (ta1, tb1, tc1,
td1), group connectors from A to each with the default tls (verify), an
outside connector from ta1 for outside.test to a smart host (`relay`, a
Postfix instance of its own in the namespace, outside the organization)
with `auth = relay` and `tls = encrypt`. Every server's smtpd offers TLS
with its certificate from the organization's test CA, but tc1's is from
another CA (made here with openssl) though it names tc1, and td1's is
our CA's but names tb1 (td1's smtpd shows tb1's). The smart host
takes mail only after AUTH (cyrus sasldb, saslpasswd2; AUTH only inside
TLS).

  a. ta1 -> tb1: delivered, "Verified TLS connection established" in
     ta1's maillog (policy "secure match=tb1 tafile=CA");
  b. ta1 -> tc1 (certificate of another CA): not delivered, deferred at
     ta1 (still in its queue, never bounced), the failed verification
     logged;
  b2. ta1 -> td1 (our CA, another server's name): the same;
  c. without AUTH the smart host refuses; ta1's mail to outside.test
     arrives there with AUTH (sasl_username in the smart host's log);
  d. the password is in no log of the organization nor in `lsactl show`.
"""

import os
import smtplib
import subprocess
import time

import e2e

SCENARIO = "tls"

PW = "Rel4y-s3cret-e2e"
ADDR = {"ta1": "127.0.31.1", "tb1": "127.0.31.2", "tc1": "127.0.31.3",
        "td1": "127.0.31.4", "relay": "127.0.31.9"}

TOPOLOGY = """[organization]
name = TlsOrg
version = 1
domains = tls-a.test, tls-b.test, tls-c.test, tls-d.test

[group A]
[group B]
[group C]
[group D]

[server ta1]
group = A
address = %(ta1)s
mailboxes = tls-a.test

[server tb1]
group = B
address = %(tb1)s
mailboxes = tls-b.test

[server tc1]
group = C
address = %(tc1)s
mailboxes = tls-c.test

[server td1]
group = D
address = %(td1)s
mailboxes = tls-d.test

[connector AB]
from = A
to = B

[connector AC]
from = A
to = C

[connector BA]
from = B
to = A

[connector CA]
from = C
to = A

[connector AD]
from = A
to = D

[connector DA]
from = D
to = A

[connector Out]
sources = ta1
address_spaces = outside.test
smart_hosts = [%(relay)s]:25
auth = relay
tls = encrypt
""" % ADDR


def foreign_cert(d, name):
    """a CA of its own and a certificate for name from it (CN and
    subjectAltName DNS name, as the organization's are)"""
    os.makedirs(d, exist_ok=True)
    e2e.sh(["openssl", "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", d + "/ca.key",
            "-subj", "/CN=another CA", "-days", "2", "-out", d + "/ca.pem"])
    e2e.sh(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "%s/%s.key" % (d, name), "-subj", "/CN=" + name, "-out",
            d + "/req.csr"])
    with open(d + "/ext", "w") as f:
        f.write("subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n" % name)
    e2e.sh(["openssl", "x509", "-req", "-in", d + "/req.csr", "-CA",
            d + "/ca.pem", "-CAkey", d + "/ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", d + "/ext", "-out",
            "%s/%s.pem" % (d, name)])


def sasl_setup(d, db):
    """cyrus SASL for the smart host's smtpd: sasldb db with relayuser,
    its smtpd.conf in d (Debian's Postfix reads CONFIG_DIR/sasl/, whatever
    cyrus_sasl_config_path says)"""
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "smtpd.conf"), "w") as f:
        f.write("pwcheck_method: auxprop\nauxprop_plugin: sasldb\n"
                "mech_list: PLAIN LOGIN\nsasldb_path: %s\n" % db)
    subprocess.run(["saslpasswd2", "-p", "-c", "-f", db, "-u",
                    "outside.test", "relayuser"], input=PW, text=True,
                   check=True, timeout=30)
    pw = __import__("pwd").getpwnam("postfix")
    os.chown(db, pw.pw_uid, pw.pw_gid)
    os.chmod(db, 0o600)


def main_cf(org, foreign, sasl):
    """main.cf additions, a function of the Server"""
    def extra(s):
        ca = org.ca
        if s.name == "tc1":
            chain = "%s/tc1.key, %s/tc1.pem" % (foreign, foreign)
        elif s.name == "td1":	# our CA's, but it names tb1
            chain = "%s/tb1.key, %s/tb1.pem" % (ca, ca)
        else:
            chain = "%s/%s.key, %s/%s.pem" % (ca, s.name, ca, s.name)
        m = "inet:%s:10691" % s.addr
        cf = {
            "smtpd_tls_security_level": "may",
            "smtpd_tls_chain_files": chain,
            "smtpd_tls_loglevel": "1",
            "smtp_tls_loglevel": "1",
            # what lsactl postfix-setup adds
            "smtp_tls_policy_maps": "socketmap:%s:tls_policy" % m,
            "smtp_sasl_password_maps": "socketmap:%s:sasl_passwd" % m,
            "smtp_sasl_auth_enable": "yes",
            "smtp_sasl_tls_security_options": "noanonymous",
        }
        if s.name == "relay":
            # outside the organization: no lsa, AUTH demanded
            cf.update({
                "transport_maps": "",
                "smtp_tls_policy_maps": "",
                "smtp_sasl_password_maps": "",
                "smtp_sasl_auth_enable": "no",
                "defer_transports": "",
                "smtpd_end_of_data_restrictions": "",
                "smtpd_relay_restrictions":
                    "permit_sasl_authenticated, reject",
                "smtpd_recipient_restrictions":
                    "permit_sasl_authenticated, reject",
                "smtpd_sasl_auth_enable": "yes",
                "smtpd_sasl_type": "cyrus",
                "smtpd_sasl_path": "smtpd",
                "cyrus_sasl_config_path": sasl,
                "smtpd_sasl_local_domain": "outside.test",
                "smtpd_sasl_security_options": "noanonymous",
                "smtpd_tls_auth_only": "yes",
            })
        return cf
    return extra


def send(server, rcpt, tag):
    with smtplib.SMTP(server.addr, 25, timeout=30) as c:
        c.ehlo("e2e-client")
        c.sendmail("e2e@tls-a.test", [rcpt],
                   "From: <e2e@tls-a.test>\r\nTo: <%s>\r\nSubject: %s\r\n"
                   "Message-ID: <%s@e2e.test>\r\n\r\nhello\r\n" %
                   (rcpt, tag, tag))


def maildir_has(server, tag):
    for root, _, files in os.walk(server.maildir):
        for fn in files:
            with open(os.path.join(root, fn), "rb") as f:
                if ("Subject: %s" % tag).encode() in f.read(65536):
                    return True
    return False


def log_lines(path, pattern):
    import re
    rx = re.compile(pattern)
    try:
        with open(path, errors="replace") as f:
            return [l for l in f if rx.search(l)]
    except FileNotFoundError:
        return []


def run(ns, base, ck):
    e2e.log("== tls: encrypted and authenticated hops")
    root = os.path.join(base, "tls")
    os.makedirs(root, exist_ok=True)
    topo = os.path.join(root, "topology.conf")
    with open(topo, "w") as f:
        f.write(TOPOLOGY)
    creds = os.path.join(root, "credentials")
    fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, ("# the smart host's account\nrelay = relayuser:%s\n" %
                  PW).encode())
    os.close(fd)
    foreign = os.path.join(root, "foreign")
    foreign_cert(foreign, "tc1")
    org = e2e.Org(topo, base=os.path.join(root, "org"), netns=ns,
                  extra_certs=["relay"],
                  policyd_extra={"credentials": creds})
    os.makedirs(org.base, exist_ok=True)
    relay = e2e.Server(org, "relay", {"group": "", "address": ADDR["relay"],
                                      "mailboxes": ["outside.test"]})
    sasl = os.path.join(relay.pfdir, "sasl")
    org.postfix_extra = main_cf(org, foreign, sasl)
    try:
        org.up(60)
        ns.add_addr(relay.addr)
        relay.postfix_setup()
        sasl_setup(sasl, os.path.join(root, "sasldb2"))
        relay.postfix_start()
        if not e2e.wait_for(relay.smtp_ready, 20):
            raise RuntimeError("the smart host does not greet")
        ta1 = org.servers["ta1"]

        # a. a good certificate: verified, delivered
        send(ta1, "a@tls-b.test", "tls-good")
        ok = e2e.wait_for(lambda: maildir_has(org.servers["tb1"],
                                              "tls-good"), 30)
        ver = log_lines(ta1.maillog, r"Verified TLS connection established "
                        r"to %s\[" % ADDR["tb1"])
        ck.ok(ok and ver, "tls: a. ta1 -> tb1 delivered over a verified "
              "TLS connection (our CA, named tb1)",
              ver[-1].strip() if ver else "no Verified line")

        # b. a certificate of another CA: refused, waits, logged
        send(ta1, "c@tls-c.test", "tls-foreign")

        def deferred():
            return log_lines(ta1.maillog, r"to=<c@tls-c\.test>.*"
                             r"status=deferred")
        e2e.wait_for(deferred, 30)
        d = deferred()
        why = log_lines(ta1.maillog, r"%s.*(certificate|verif)" %
                        ADDR["tc1"].replace(".", r"\."))
        queued = [m for m in ta1.queue()
                  if any(r.get("address") == "c@tls-c.test"
                         for r in m.get("recipients", []))]
        bounced = log_lines(ta1.maillog, r"to=<c@tls-c\.test>.*"
                            r"status=bounced")
        ck.ok(d and why and queued and not bounced and
              not maildir_has(org.servers["tc1"], "tls-foreign"),
              "tls: b. tc1's certificate from another CA: refused, the "
              "mail deferred in ta1's queue, not bounced, logged",
              (d[-1].strip() if d else "no deferral") + " | " +
              (why[-1].strip() if why else "no log of the certificate"))

        # b2. our CA's certificate naming another server: refused too
        send(ta1, "d@tls-d.test", "tls-misnamed")

        def deferred_d():
            return log_lines(ta1.maillog, r"to=<d@tls-d\.test>.*"
                             r"status=deferred \(Server certificate not")
        e2e.wait_for(deferred_d, 30)
        d = deferred_d()
        ck.ok(d and not maildir_has(org.servers["td1"], "tls-misnamed"),
              "tls: b2. td1 shows our CA's certificate for tb1: refused, "
              "the mail deferred", d[-1].strip() if d else "no deferral")

        # c. SASL to a smart host that demands it
        refused = False
        try:
            with smtplib.SMTP(relay.addr, 25, timeout=10) as c:
                c.ehlo("stranger")
                c.starttls()
                c.ehlo("stranger")
                c.sendmail("x@tls-a.test", ["direct@outside.test"],
                           "Subject: no auth\r\n\r\nhi\r\n")
        except smtplib.SMTPRecipientsRefused:
            refused = True
        ck.ok(refused, "tls: c. the smart host refuses mail without AUTH")
        send(ta1, "z@outside.test", "tls-sasl")
        ok = e2e.wait_for(lambda: maildir_has(relay, "tls-sasl"), 30)
        auth = log_lines(relay.maillog, r"sasl_method=PLAIN, "
                         r"sasl_username=relayuser")
        tls_out = log_lines(ta1.maillog, r"TLS connection established "
                            r"to %s\[" % ADDR["relay"])
        ck.ok(ok and auth and tls_out, "tls: c. ta1's mail reaches the "
              "smart host with AUTH inside TLS",
              (auth[-1].strip() if auth else "no AUTH") + " | " +
              (tls_out[-1].strip() if tls_out else "no TLS"))

        # d. the password is nowhere to be read
        leaks = []
        for s in list(org.servers.values()) + [relay]:
            for p in (s.maillog, s.agent_log, s.policyd_log):
                if os.path.exists(p):
                    with open(p, errors="replace") as f:
                        if PW in f.read():
                            leaks.append(p)
        shown = ""
        for what in (["show", "topology", "-t", ta1.topo],
                     ["show", "settings"]):
            r = e2e.sh([os.path.join(e2e.BIN, "lsactl")] + what +
                       ["-c", ta1.conf], check=False)
            shown += r.stdout
            if PW in r.stdout or PW in r.stderr:
                leaks.append("lsactl " + " ".join(what[:2]))
        ck.ok(not leaks and "auth = relay" in shown,
              "tls: d. the password in no log and not in lsactl show",
              ", ".join(leaks))
    finally:
        relay.postfix_stop()
        org.down()
