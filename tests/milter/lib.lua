-- lib.lua - what the milter test scripts share (loaded with dofile).
--
-- Environment (tests/cli/milter.sh sets it): MILTER_SOCK the filter's
-- socket. Every check that fails raises an error: miltertest exits
-- non-zero and milter.sh prints "not ok".
local M = {}

-- M.check(err, what): a miltertest call returned an error string
function M.check(err, what)
	if err ~= nil then
		error(what .. ": " .. tostring(err))
	end
end

-- M.conn(client[, macro]): a connection from client (an address), or
-- local mail (nil: no client address, as Postfix's non_smtpd_milters);
-- macro: the {client_addr} macro when it differs from client
function M.conn(client, macro)
	local c = mt.connect(os.getenv("MILTER_SOCK"), 50, 0.1)
	if c == nil then
		error("cannot connect to " .. tostring(os.getenv("MILTER_SOCK")))
	end
	if client ~= nil then
		M.check(mt.macro(c, SMFIC_CONNECT, "{client_addr}",
		    macro or client),
		    "macro")
		M.check(mt.conninfo(c, "client.test", client), "conninfo")
	else
		M.check(mt.conninfo(c, "localhost", "unspec"), "conninfo")
	end
	return c
end

-- M.send(c, qid, from, rcpts, headers, body): one message up to the end
-- of message; headers a list of {name, value}; returns the reply
function M.send(c, qid, from, rcpts, headers, body)
	M.check(mt.macro(c, SMFIC_MAIL, "i", qid), "macro i")
	M.check(mt.mailfrom(c, from), "mailfrom")
	for _, r in ipairs(rcpts) do
		M.check(mt.rcptto(c, r), "rcptto " .. r)
	end
	for _, h in ipairs(headers) do
		M.check(mt.header(c, h[1], h[2]), "header " .. h[1])
	end
	if not mt.test_option(c, SMFIP_NOEOH) then
		M.check(mt.eoh(c), "eoh")
	end
	-- in chunks under libmilter's 64 KiB packets, as Postfix sends
	local off = 1
	while body ~= nil and off <= #body do
		M.check(mt.bodystring(c, string.sub(body, off, off + 59999)),
		    "body")
		off = off + 60000
	end
	M.check(mt.eom(c), "eom")
	return mt.getreply(c)
end

-- M.accepted(c, what): the message went on with a new trace header on
-- top: group A, server a1, lst=7/<12 hex digits>, a time
function M.accepted(c, what)
	local r = mt.getreply(c)
	if r ~= SMFIR_CONTINUE and r ~= SMFIR_ACCEPT then
		error(what .. ": reply " .. tostring(r) .. ", want continue")
	end
	if not mt.eom_check(c, MT_HDRINSERT, "X-LSA-Trace") then
		error(what .. ": no X-LSA-Trace inserted")
	end
	local v = mt.getheader(c, "X-LSA-Trace", 0)
	if v == nil or not string.match(v,
	    "^group=A; server=a1; lst=7/%x%x%x%x%x%x%x%x%x%x%x%x; t=%d+$") then
		error(what .. ": trace header " .. tostring(v))
	end
end

-- M.refused(c, what, reply, code, status[, text]): the message was
-- refused with this reply (text: exactly, when given)
function M.refused(c, what, reply, code, status, text)
	local r = mt.getreply(c)
	if r ~= SMFIR_REPLYCODE and r ~= reply then
		error(what .. ": reply " .. tostring(r))
	end
	local ok
	if text ~= nil then
		ok = mt.eom_check(c, MT_SMTPREPLY, code, status, text)
	else
		ok = mt.eom_check(c, MT_SMTPREPLY, code, status)
	end
	if not ok then
		error(what .. ": not refused with " .. code .. " " .. status ..
		    " " .. tostring(text))
	end
	if mt.eom_check(c, MT_HDRINSERT, "X-LSA-Trace") then
		error(what .. ": a refused message got a trace header")
	end
end

return M
