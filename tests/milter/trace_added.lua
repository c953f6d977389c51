-- trace_added.lua - a message from a server of the organization (b1) and
-- local mail both get this hop's trace header on top; the trace they
-- carry (B) is kept (nothing deleted)
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn("127.0.11.1")
t.send(c, "TRACE1", "<x@b.tiny.test>", {"<y@a.tiny.test>"},
    {{"X-LSA-Trace", "group=B; server=b1; lst=3/0123456789ab; t=1"},
     {"Subject", "trace"}}, "hello\r\n")
t.accepted(c, "from b1")
if mt.eom_check(c, MT_HDRDELETE) then
	error("a trace header from inside was deleted")
end
mt.disconnect(c)
c = t.conn(nil)
t.send(c, "TRACE2", "<x@a.tiny.test>", {"<y@b.tiny.test>"},
    {{"Subject", "local"}}, "hello\r\n")
t.accepted(c, "local mail")
mt.disconnect(c)
