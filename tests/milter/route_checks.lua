-- route_checks.lua - lsa-policyd's checks at end of message, with its
-- texts (milter.sh passes the engine's reasons from lsactl route):
-- local mail over A-B's max_size 1M to b.tiny.test: 552 5.3.4; a sender
-- connector A-C refuses: 550 5.7.1; no route to an owned domain:
-- 550 5.4.4 (one bad recipient refuses the whole message); the same
-- sender to a route without rules passes
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn(nil)
t.send(c, "SIZE1", "<x@a.tiny.test>", {"<y@b.tiny.test>"},
    {{"Subject", "big"}}, string.rep("0123456789abcdef\r\n", 60000))
-- 14 bytes of header, the empty line, 1,080,000 of body: 1,080,016
t.refused(c, "over 1M", SMFIR_REPLYCODE, "552", "5.3.4",
    os.getenv("REASON_SIZE"))
mt.disconnect(c)
c = t.conn("127.0.11.1")
t.send(c, "SENDER1", "<bad@spam.tiny.test>", {"<y@c.tiny.test>"},
    {{"Subject", "spam"}}, "hi\r\n")
t.refused(c, "sender", SMFIR_REPLYCODE, "550", "5.7.1",
    os.getenv("REASON_SENDER"))
mt.disconnect(c)
c = t.conn(nil)
t.send(c, "NOROUTE1", "<x@a.tiny.test>",
    {"<y@b.tiny.test>", "<y@nowhere.tiny.test>"},
    {{"Subject", "nowhere"}}, "hi\r\n")
t.refused(c, "no route", SMFIR_REPLYCODE, "550", "5.4.4",
    os.getenv("REASON_NOROUTE"))
mt.disconnect(c)
c = t.conn(nil)
t.send(c, "SENDER2", "<bad@spam.tiny.test>", {"<y@b.tiny.test>"},
    {{"Subject", "fine"}}, "hi\r\n")
t.accepted(c, "sender on a route without rules")
mt.disconnect(c)
