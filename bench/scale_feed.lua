-- wrk script for bench/scale.sh's feed rows: GET FEED_PATH with a bearer
-- token per request from FEED_TOKENS (a file, one token a line). The
-- threads share the file out (thread k takes lines k, k+T, k+2T, ...).
-- FEED_ONCE=1: every request is a different viewer (cold pages); a thread
-- that runs out of viewers says so in the summary and the run is void.
-- Otherwise each thread cycles over its share (warm pages).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  local n = tonumber(os.getenv("FEED_THREADS"))
  tokens = {}
  local i = 0
  for line in io.lines(os.getenv("FEED_TOKENS")) do
    if line ~= "" then
      if i % n == tid - 1 then table.insert(tokens, line) end
      i = i + 1
    end
  end
  once = os.getenv("FEED_ONCE") == "1"
  path = os.getenv("FEED_PATH")
  seq = 0
  failed = 0
  exhausted = 0
end

function request()
  seq = seq + 1
  if seq > #tokens then
    if once then exhausted = 1 end
    seq = 1
  end
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. tokens[seq] })
end

function response(status, headers, body)
  if status < 200 or status > 299 then failed = failed + 1 end
end

function done(summary, latency, requests)
  local bad, out = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("failed") or 0)
    out = out + (t:get("exhausted") or 0)
  end
  io.write(string.format('{"requests":%d,"failed":%d,"exhausted":%d,"p50":%.2f,"p90":%.2f,'
    .. '"p99":%.2f,"max":%.2f,"wall_ms":%d}\n', summary.requests, bad, out,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.duration / 1000))
end
