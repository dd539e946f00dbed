-- wrk script: GET /user-keys, each request with the next bearer token from a file.
-- Args: TOKEN_FILE THREADS. Lines may be "token" or "user<TAB>token". Each wrk thread takes
-- every THREADS-th line, so no two threads send the same token.
-- Requests are formatted once, in init(): formatting one per request in Lua costs wrk about as
-- much CPU as the server spends answering, and on a shared machine that CPU is taken from the
-- server under test.
local counter = 0
local requests = {}
local next_index = 0

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n % threads == thread_id then
      local token = line:match("\t(.+)$") or line
      requests[#requests + 1] = wrk.format("GET", "/user-keys", { ["Authorization"] = "Bearer " .. token })
    end
    n = n + 1
  end
end

function request()
  next_index = next_index + 1
  if next_index > #requests then next_index = 1 end
  return requests[next_index]
end
