-- wrk script: PUT /user-keys for the users in a "user<TAB>token" file, with a 32-byte key.
-- Args: USERS_FILE THREADS. Requests are formatted once, in init() (see tokens.lua).
local counter = 0
local requests = {}
local next_index = 0
local body = '{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}'

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end

function init(args)
  local threads = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n % threads == thread_id then
      local headers = { ["Authorization"] = "Bearer " .. line:match("\t(.+)$"), ["Content-Type"] = "application/json" }
      requests[#requests + 1] = wrk.format("PUT", "/user-keys", headers, body)
    end
    n = n + 1
  end
end

function request()
  next_index = next_index + 1
  if next_index > #requests then next_index = 1 end
  return requests[next_index]
end
