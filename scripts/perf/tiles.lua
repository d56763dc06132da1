-- wrk script: cycle through a fixed list of tile paths.
-- usage: wrk -t2 -c32 -d20s --latency -s tools/tiles.lua http://127.0.0.1:8090 -- LIST PREFIX [SUFFIX] [gzip]
--   LIST: file with z/x/y lines; PREFIX e.g. /maps/datong/ ; SUFFIX default .pbf
-- Each thread starts at a different offset. done() prints one machine-readable line.
-- Copied from the perf tools of issue 17 (../shared/tools/perf/tools/tiles.lua); skygrid's
-- addition: WRK_TOKEN in the environment is sent as "Authorization: Bearer TOKEN".
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local list, prefix, suffix = args[1], args[2] or "/maps/datong/", args[3] or ".pbf"
  paths = {}
  for line in io.lines(list) do
    if #line > 0 then paths[#paths + 1] = prefix .. line .. suffix end
  end
  assert(#paths > 0, "empty tile list: " .. tostring(list))
  idx = (tid * 7919) % #paths
  if args[4] == "gzip" then wrk.headers["Accept-Encoding"] = "gzip" end
  local token = os.getenv("WRK_TOKEN")
  if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
  non200 = 0
end

function request()
  idx = idx + 1
  if idx > #paths then idx = 1 end
  return wrk.format("GET", paths[idx])
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local non = 0
  for _, t in ipairs(threads) do non = non + (t:get("non200") or 0) end
  io.write(string.format(
    "WRKJSON {\"requests\":%d,\"duration_s\":%.3f,\"rps\":%.1f,\"bytes\":%d,\"errors_connect\":%d,\"errors_read\":%d,\"errors_status\":%d,\"errors_timeout\":%d,\"non200\":%d,\"lat_mean_ms\":%.2f,\"lat_p50_ms\":%.2f,\"lat_p90_ms\":%.2f,\"lat_p99_ms\":%.2f,\"lat_max_ms\":%.2f}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.status, summary.errors.timeout, non,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
