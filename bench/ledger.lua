-- wrk script for bench/ledger.sh: POST a one-point tip with a fresh
-- Idempotency-Key per request, rotating over the agents' tokens.
-- env: LEDGER_VIDEO (clip id), LEDGER_TOKENS (comma-separated bearer tokens)
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for t in string.gmatch(os.getenv("LEDGER_TOKENS"), "[^,]+") do table.insert(tokens, t) end
  path = "/api/v1/videos/" .. os.getenv("LEDGER_VIDEO") .. "/tips"
  body = '{"gift":"thanks","count":1}'
  seq = 0
  refused = 0
  math.randomseed(os.time() * 1000 + tid)
  run = string.format("%d-%d-%08x", os.time(), tid, math.random(0, 0x7fffffff))
end

function request()
  seq = seq + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. tokens[(seq % #tokens) + 1],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. seq,
  }, body)
end

function response(status, headers, body)
  if status ~= 201 then refused = refused + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("refused") or 0) end
  io.write(string.format("LEDGER requests=%d non201=%d seconds=%.2f p50_ms=%.1f p99_ms=%.1f\n",
    summary.requests, bad, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
