-- wrk reporter: median, p95, p99 latency and throughput on one line.
-- With a file of paths after `--` (one per line), each thread cycles through them
-- from its own starting point, so the server never sees one URL over and over.
local threads = 0
setup = function(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local paths, at = nil, 0
init = function(args)
  if args[1] then
    paths = {}
    for line in io.lines(args[1]) do
      if line ~= "" then paths[#paths + 1] = line end
    end
    at = ((id or 0) * 7919) % #paths
  end
end

request = function()
  if not paths then return wrk.request() end
  at = at % #paths + 1
  return wrk.format("GET", paths[at])
end

done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  %.1f req/s  errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
