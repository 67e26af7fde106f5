-- bench/range.lua: wrk script for bench/http.sh's "range" rows. Every
-- request asks for one random 1 MiB-aligned MiB of the URL's file:
--   Range: bytes=<k * 1 MiB>-<(k + 1) * 1 MiB - 1>,  k in [0, RANGE_BLOCKS)
-- env: RANGE_BLOCKS  number of whole MiB in the file (required)
--      RANGE_SEED    PRNG seed; wrk thread n uses RANGE_SEED + n, so every
--                    target sees the same offset sequence per thread
-- No response() callback on purpose: with one, wrk copies every 1 MiB body
-- into Lua. done() prints the exact byte and request counts instead, from
-- which bench/http.sh checks that every answer was a 206 of exactly 1 MiB
-- (a 200 with the whole file would be far larger).
local MiB = 1048576
local blocks = tonumber(os.getenv("RANGE_BLOCKS") or "")
local seed = tonumber(os.getenv("RANGE_SEED") or "12345")
if not blocks or blocks < 1 then
	error("bench/range.lua: RANGE_BLOCKS must be a positive number")
end

local n = 0
function setup(thread)
	n = n + 1
	thread:set("thread_no", n)
end

local headers
function init(args)
	math.randomseed(seed + thread_no)
	headers = {}
	for k, v in pairs(wrk.headers) do headers[k] = v end
end

function request()
	local off = (math.random(blocks) - 1) * MiB
	headers["Range"] = "bytes=" .. off .. "-" .. (off + MiB - 1)
	return wrk.format("GET", wrk.path, headers)
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("range.lua: requests %d bytes %d status_errors %d\n",
		summary.requests, summary.bytes, e.status))
end
