-- wrk script for bench_log_post.py: each wrk thread owns one connection (-t N -c N) and is one
-- bench patient, with that patient's token, posting the same 10-entry log bench_log_post.log_body
-- builds (eight severities, a yes/no, a temperature), one of the last 28 days in turn.
--
-- The tokens come from a file named by LOG_POST_TOKENS: its first line is the dates, separated by
-- spaces; each further line is one patient's token. Without LOG_POST_TOKENS the script sends
-- plain GETs (for /healthz). done() prints one line of JSON: requests, errors, statuses, p50, p95.

local SEVERITIES = {
  "bone_pain", "back_pain", "abdominal_pain", "itching",
  "fatigue", "nausea", "appetite_loss", "neuropathy",
}

local threads = {}
local counter = 0

function setup(thread)
  thread:set("client", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Globals, not locals: setup() sets "client" in each thread's state with thread:set, and done()
-- reads each thread's "statuses" back with thread:get.
statuses = {}
local token, dates, sent

function init(args)
  sent = 0
  local path = os.getenv("LOG_POST_TOKENS")
  if not path then
    return
  end
  local file = assert(io.open(path, "r"))
  dates = {}
  for date in file:read("*l"):gmatch("%S+") do
    table.insert(dates, date)
  end
  local tokens = {}
  for line in file:lines() do
    if #line > 0 then
      table.insert(tokens, line)
    end
  end
  file:close()
  token = tokens[(client % #tokens) + 1]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Token " .. token
end

local function body(n)
  local entries = {}
  for i, code in ipairs(SEVERITIES) do
    entries[i] = string.format('{"symptom": "%s", "severity": %d}', code, (client + n + i - 1) % 8)
  end
  table.insert(entries, '{"symptom": "fracture", "present": false}')
  table.insert(entries, string.format('{"symptom": "fever", "value": %.1f}', 36.5 + (n % 10) / 10))
  return string.format(
    '{"date": "%s", "entries": [%s], "notes": "Bench log."}',
    dates[(n % #dates) + 1],
    table.concat(entries, ", ")
  )
end

function request()
  if not token then
    return wrk.format()
  end
  local n = sent
  sent = sent + 1
  return wrk.format(nil, nil, nil, body(n))
end

function response(status, headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    -- each thread's own statuses, read back from its Lua state
    local mine = thread:get("statuses")
    for status, n in pairs(mine) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}, "statuses": {%s}, "p50_ms": %.2f, "p95_ms": %.2f, '
      .. '"p99_ms": %.2f, "mean_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, table.concat(parts, ", "),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000
  ))
end
