-- wrk script: POST /v1/cases with pre-generated bodies (bench/stack/cases.py), each with the bearer
-- token of its own court, a unique Idempotency-Key and a unique external_ref "<tag>-<thread>-<n>",
-- which later tells which scenario filed a case. Configured through the environment:
--   BENCH_BODIES  the bodies file      BENCH_RESULT  where done() writes its JSON summary
--   BENCH_TAG     the scenario tag     BENCH_KEY_PREFIX  random per run, so keys never repeat
--   BENCH_RATE    cases/s over all connections; 0 or absent: as fast as the connections go
--   BENCH_THREADS wrk's -t, to split the rate between threads

local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tag = os.getenv("BENCH_TAG") or "bench"
  key_prefix = os.getenv("BENCH_KEY_PREFIX") or "k"
  local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
  auth, heads, tails, courts = {}, {}, {}, {}
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    local kind, court, rest = line:match("^(%a)\t(%d+)\t(.*)$")
    if kind == "T" then
      auth[court] = "Bearer " .. rest
    elseif kind == "B" then
      -- Split once around the placeholder, so a request costs a concatenation, not a gsub.
      local first, last = rest:find("@REF@", 1, true)
      heads[#heads + 1] = rest:sub(1, first - 1)
      tails[#tails + 1] = rest:sub(last + 1)
      courts[#courts + 1] = court
    end
  end
  count = #heads
  cursor = (id - 1) * math.floor(count / thread_count)  -- threads start apart in the bodies
  sent = 0
  statuses = {}
  refused = {}  -- a few answers other than 201, to say why in the report
  interval_ms = rate > 0 and 1000 * thread_count / rate or 0
  next_slot = 0
end

function request()
  sent = sent + 1
  local i = (cursor + sent) % count + 1
  local ref = string.format("%s-%d-%07d", tag, id, sent)
  local headers = {
    ["Authorization"] = auth[courts[i]],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key_prefix .. "-" .. ref,
  }
  return wrk.format("POST", "/v1/cases", headers, heads[i] .. ref .. tails[i])
end

if rate > 0 then
  -- wrk has no rate option. delay() runs before each request of any connection of the thread; each
  -- call takes the thread's next time slot, so the thread sends at rate/threads whatever the
  -- latency is, as long as a connection is free. A slot missed because all were busy is dropped,
  -- not made up in a burst; the achieved rate is reported beside the target.
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec *tp);
  ]]
  local now_ts = ffi.new("bench_timespec")
  local CLOCK_MONOTONIC = 1

  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
    return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
  end

  function delay()
    local now = now_ms()
    if next_slot < now then next_slot = now end
    local wait = next_slot - now
    next_slot = next_slot + interval_ms
    return math.floor(wait)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 201 and #refused < 5 then
    refused[#refused + 1] = status .. " " .. (body or ""):sub(1, 400):gsub("[\r\n\t]", " ")
  end
end

-- How many of the `total` answers took at most limit_us. wrk's Lua API gives percentiles, not
-- the histogram, so binary-search the rank r: percentile(100 * (r - 0.5) / total) is exactly the
-- latency of the r-th fastest answer in wrk's own rank arithmetic.
local function answered_within(latency, total, limit_us)
  if total == 0 or latency.max <= limit_us then return total end
  local lo, hi = 0, total
  while hi - lo > 1 do
    local mid = math.floor((lo + hi) / 2)
    local value = latency:percentile(100 * (mid - 0.5) / total)
    if value ~= 0 and value <= limit_us then lo = mid else hi = mid end
  end
  return lo
end

function done(summary, latency, requests)
  local merged, samples = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      merged[status] = (merged[status] or 0) + n
    end
    for _, line in ipairs(thread:get("refused") or {}) do samples[#samples + 1] = line end
  end
  local refused_out = assert(io.open(os.getenv("BENCH_RESULT") .. ".refused", "w"))
  refused_out:write(table.concat(samples, "\n"))
  refused_out:close()
  local over_2s = summary.requests - answered_within(latency, summary.requests, 2000000)
  local parts = {}
  for status, n in pairs(merged) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
  local e = summary.errors
  local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, "over_2s": %d}\n',
    summary.requests, summary.duration, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, over_2s))
  out:close()
end
