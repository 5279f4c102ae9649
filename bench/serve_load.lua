-- wrk script for bench/serve_load.sh: POSTs one-sentence /v1/translate
-- requests, cycling through the lines of $SERVE_INPUTS (default: a built-in
-- list of words, the demo G2P model's kind of input), each thread starting at
-- a different line. At the end prints one JSON line with the figures.
local inputs = {}
local path = os.getenv("SERVE_INPUTS")
if path and path ~= "" then
  for line in io.lines(path) do
    if line:match("%S") then inputs[#inputs + 1] = line end
  end
else
  for w in ("hello world serve batch token model beam search attention decoder encoder " ..
            "language phoneme spelling letters sequence request latency throughput"):gmatch("%S+") do
    inputs[#inputs + 1] = w
  end
end
local beam = tonumber(os.getenv("SERVE_BEAM") or "1")
local counter = 0
local threads = {}

local function escape(s)
  return s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end)
end

function setup(thread)
  thread:set("offset", #threads * 7)
  threads[#threads + 1] = thread
end

function request()
  counter = counter + 1
  local text = inputs[(counter + offset) % #inputs + 1]
  local body = string.format('{"inputs": ["%s"], "beam": %d}', escape(text), beam)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "requests_per_s": %.2f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    e.connect, e.read, e.write, e.status, e.timeout))
end
