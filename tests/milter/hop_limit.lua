-- hop_limit.lua - hop_limit = 4 in the test settings: X1, X2, X3 then
-- here (A) is 4 groups and passes; X1..X4 then A is 5: 554 5.4.6
-- (hop_limit_action = bounce)
local t = dofile(os.getenv("MT_LIB"))
local function trace(n)
	local h = {}
	for i = n, 1, -1 do
		h[#h + 1] = {"X-LSA-Trace", "group=X" .. i .. "; server=x; t=1"}
	end
	return h
end
local c = t.conn("127.0.11.1")
t.send(c, "HOP1", "<x@a.tiny.test>", {"<y@a.tiny.test>"}, trace(3), "hi\r\n")
t.accepted(c, "4 groups")
mt.disconnect(c)
c = t.conn("127.0.11.1")
t.send(c, "HOP2", "<x@a.tiny.test>", {"<y@a.tiny.test>"}, trace(4), "hi\r\n")
t.refused(c, "5 groups", SMFIR_REJECT, "554", "5.4.6",
    "too many hops: 5 routing groups, the limit is 4 (trace X1,X2,X3,X4,A)")
mt.disconnect(c)
