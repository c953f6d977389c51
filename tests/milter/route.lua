-- route.lua - the whole-message next hop: a high-priority message to D
-- goes over the cheap A-D link reserved to high priority, which transport
-- lookups (the default class) never answer: X-LSA-Route names it, for
-- milter_header_checks' FILTER; a normal one, or a high one with a
-- recipient elsewhere (the recipients disagree), gets no such header;
-- a system message that no route to D admits is refused 550 5.7.1
local t = dofile(os.getenv("MT_LIB"))
local c = t.conn(nil)
t.send(c, "ROUTEHIGH", "<x@a.tiny.test>", {"<y@d.tiny.test>",
    "<z@d.tiny.test>"}, {{"Importance", "High"}}, "hi\r\n")
t.accepted(c, "high to D")
if not mt.eom_check(c, MT_HDRADD, "X-LSA-Route",
    "smtp:[127.0.13.1]:25") then
	error("high to D: no X-LSA-Route: smtp:[127.0.13.1]:25")
end
t.send(c, "ROUTENORMAL", "<x@a.tiny.test>", {"<y@d.tiny.test>"},
    {{"Subject", "x"}}, "hi\r\n")
t.accepted(c, "normal to D")
if mt.eom_check(c, MT_HDRADD, "X-LSA-Route") then
	error("normal to D: an X-LSA-Route header")
end
t.send(c, "ROUTEMIXED", "<x@a.tiny.test>", {"<y@d.tiny.test>",
    "<y@b.tiny.test>"}, {{"Importance", "High"}}, "hi\r\n")
t.accepted(c, "high to D and B")
if mt.eom_check(c, MT_HDRADD, "X-LSA-Route") then
	error("high to D and B: an X-LSA-Route header")
end
-- a system message (the null sender) to D: its class has no route (B-D
-- takes no system messages, the express link high priority only), so the
-- first connector that refuses it on the route without class rules (the
-- express link, the cheapest) answers (route.h, rule 8)
t.send(c, "ROUTESYS", "<>", {"<y@d.tiny.test>"}, {{"Subject", "x"}},
    "hi\r\n")
t.refused(c, "system to D", SMFIR_REPLYCODE, "550", "5.7.1",
    "connector A-D-express does not accept normal-priority messages")
mt.disconnect(c)
