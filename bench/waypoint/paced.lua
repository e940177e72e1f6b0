-- Paces each wrk connection: before each request it waits a random 0 to 2 * PACE_MS milliseconds
-- (PACE_MS on average, so that the connections do not fire in step), which offers about
-- connections * 1000 / (PACE_MS + latency) requests per second. wrk times a request from when it
-- is sent, so the pause is not counted as latency.
local pause = tonumber(os.getenv("PACE_MS") or "2")

function setup(thread)
  math.randomseed(os.time())
end

function delay()
  return math.random(0, 2 * pause)
end
