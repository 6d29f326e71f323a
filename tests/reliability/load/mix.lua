-- Request mix for the load and soak tests (wrk). Each thread walks the list of paths in
-- WRK_PATHS from its own offset. With WRK_LIMIT set, a thread stops after that many
-- responses and drops a file in WRK_DONE; the test then sends wrk SIGINT, which makes it
-- print its summary, so a run ends after a fixed number of requests, not a fixed time.
local paths = {}
local limit = tonumber(os.getenv("WRK_LIMIT") or "0")
local count = 0
local answered = 0
local offset = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  local file = io.open(os.getenv("WRK_PATHS"), "r")
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
  offset = id * 7919
end

function request()
  count = count + 1
  return wrk.format("GET", paths[((count + offset) % #paths) + 1])
end

function response(status, headers, body)
  answered = answered + 1
  if limit > 0 and answered == limit then
    local done = io.open(os.getenv("WRK_DONE") .. "/thread-" .. id, "w")
    done:write(answered)
    done:close()
    wrk.thread:stop()
  end
end
