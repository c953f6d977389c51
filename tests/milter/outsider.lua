-- outsider.lua - trace headers from a client outside the topology are
-- deleted (a forged A, B would make A, B, A, a loop) and the message
-- goes on with this hop's trace only
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn("192.0.2.7")
t.send(c, "OUT1", "<x@example.com>", {"<y@a.tiny.test>"},
    {{"X-LSA-Trace", "group=B; server=b1; lst=3/0123456789ab; t=2"},
     {"Subject", "forged"},
     {"x-lsa-trace", "group=A; server=a2; lst=3/0123456789ab; t=1"}},
    "hello\r\n")
t.accepted(c, "outsider")
if not mt.eom_check(c, MT_HDRDELETE, "X-LSA-Trace") then
	error("the outsider's trace headers were not deleted")
end
mt.disconnect(c)
