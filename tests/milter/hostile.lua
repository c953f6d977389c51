-- hostile.lua - garbage macros and addresses, 10,000 headers, 10,000
-- forged trace headers from an outsider; each message gets an answer
-- and the filter goes on serving
local t = dofile(os.getenv("MT_LIB"))
mt.set_timeout(60)
local c = t.conn("192.0.2.1", "\1\2 not an address " ..
    string.rep("z", 900))
t.send(c, string.rep("Q", 900), "no brackets <<<", {"<", "", ">", "@@@"},
    {{"X-LSA-Trace", ""}, {"X-LSA-Trace", "group="},
     {"X-LSA-Trace", "group=" .. string.rep("g", 200)},
     {"X-Priority", ""}, {"Content-Type", ""}, {"Importance", "\1"}},
    "hi\r\n")
local r = mt.getreply(c)
if r ~= SMFIR_CONTINUE and r ~= SMFIR_REPLYCODE and r ~= SMFIR_TEMPFAIL then
	error("garbage: reply " .. tostring(r))
end
mt.disconnect(c)
local h = {}
for i = 1, 10000 do
	h[i] = {"X-Filler-" .. i, "value " .. i}
end
c = t.conn("127.0.11.1")
t.send(c, "MANY1", "<x@a.tiny.test>", {"<y@a.tiny.test>"}, h, "hi\r\n")
t.accepted(c, "10,000 headers")
mt.disconnect(c)
for i = 1, 10000 do
	h[i] = {"X-LSA-Trace", "group=B; server=b1; t=" .. i}
end
c = t.conn("192.0.2.9")
t.send(c, "MANY2", "<x@example.com>", {"<y@a.tiny.test>"}, h, "hi\r\n")
t.accepted(c, "10,000 forged trace headers")
if not mt.eom_check(c, MT_HDRDELETE, "X-LSA-Trace") then
	error("forged trace headers kept")
end
mt.disconnect(c)
