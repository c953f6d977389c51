-- class.lua - the message class is computed and logged (milter.sh reads
-- the log): Importance: high, X-Priority: 5, a DSN (multipart/report),
-- the null sender
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn(nil)
t.send(c, "CLASSHIGH", "<x@a.tiny.test>", {"<y@a.tiny.test>"},
    {{"X-Priority", "3"}, {"Importance", "High"}}, "hi\r\n")
t.accepted(c, "high")
t.send(c, "CLASSLOW", "<x@a.tiny.test>", {"<y@a.tiny.test>"},
    {{"X-Priority", "5 (Lowest)"}}, "hi\r\n")
t.accepted(c, "low")
t.send(c, "CLASSDSN", "<x@a.tiny.test>", {"<y@a.tiny.test>"},
    {{"Content-Type", "multipart/report; report-type=delivery-status"}},
    "hi\r\n")
t.accepted(c, "report")
t.send(c, "CLASSNULL", "<>", {"<y@a.tiny.test>"}, {{"Subject", "x"}}, "hi\r\n")
t.accepted(c, "null sender")
mt.disconnect(c)
