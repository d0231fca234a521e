-- wrk script: PUT fixed-size objects over and over onto NKEYS keys /BUCKET/PREFIX<i>
-- (path-style, unsigned), so a versioned bucket piles up versions of each key.
-- wrk -t2 -c16 -d5s -s objects_overwrite.lua http://127.0.0.1:PORT -- BUCKET NKEYS PREFIX [SIZE]
-- Prints one "RESULT {json}" line, like the shared s3-put.lua.
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  bucket = args[1]
  nkeys = tonumber(args[2])
  prefix = args[3]
  local size = tonumber(args[4] or "4096")
  math.randomseed(4321 + tid)
  local t = {}
  for i = 1, size do t[i] = string.char(math.random(0, 255)) end
  body = table.concat(t)
  idx = (tid * 7919) % nkeys
end

function request()
  idx = (idx + 1) % nkeys
  return wrk.format("PUT", "/" .. bucket .. "/" .. prefix .. idx,
    { ["Content-Type"] = "application/octet-stream" }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local ok = summary.requests - e.status
  io.write(string.format(
    'RESULT {"op":"put","requests":%d,"ok":%d,"duration_s":%.3f,"rps_ok":%.1f,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d}\n',
    summary.requests, ok, secs, ok / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status))
end
