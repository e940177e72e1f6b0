-- Paces each wrk connection: it waits PACE_MS milliseconds before each request, so that the
-- offered rate is about connections * 1000 / (PACE_MS + latency) requests per second. wrk times a
-- request from when it is sent, so the pause is not counted as latency.
local pause = tonumber(os.getenv("PACE_MS") or "2")

function delay()
  return pause
end
