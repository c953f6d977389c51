-- loop.lua - a trace that left group A and comes back (A, B, then here
-- in A) is a routing loop: 451 4.4.6 (loop_action = defer); hops within
-- one group (A, A) are not
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn("127.0.11.1")
t.send(c, "LOOP1", "<x@a.tiny.test>", {"<y@b.tiny.test>"},
    {{"X-LSA-Trace", "group=B; server=b1; lst=7/0123456789ab; t=2"},
     {"X-LSA-Trace", "group=A; server=a2; lst=7/0123456789ab; t=1"}},
    "hello\r\n")
t.refused(c, "A,B,A", SMFIR_TEMPFAIL, "451", "4.4.6",
    "routing loop: the message already left group A (trace A,B,A)")
mt.disconnect(c)
c = t.conn("127.0.10.2")
t.send(c, "LOOP2", "<x@a.tiny.test>", {"<y@b.tiny.test>"},
    {{"X-LSA-Trace", "group=A; server=a2; lst=7/0123456789ab; t=1"}},
    "hello\r\n")
t.accepted(c, "A,A")
mt.disconnect(c)
