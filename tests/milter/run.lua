-- run.lua - runs the script MT_SCRIPT, printing the error that stopped
-- it (miltertest itself only exits 1), then failing the same way
local ok, err = pcall(dofile, os.getenv("MT_SCRIPT"))
if not ok then
	print("error: " .. tostring(err))
	error(err)
end
