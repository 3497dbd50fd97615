-- wrk reporter: median, p95, p99 latency and throughput on one line.
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  %.1f req/s  errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
