-- nosnap.lua - with no snapshot loaded every message tempfails (451
-- 4.3.0): it waits at the client, never accepted and lost
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn("127.0.11.1")
t.send(c, "NOSNAP1", "<x@a.tiny.test>", {"<y@a.tiny.test>"},
    {{"Subject", "x"}}, "hi\r\n")
t.refused(c, "no snapshot", SMFIR_TEMPFAIL, "451", "4.3.0",
    "no LST snapshot loaded")
mt.disconnect(c)
