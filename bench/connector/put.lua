-- wrk script: PUT /user-keys for the users in a "user<TAB>token" file, with a 32-byte key.
-- Args: USERS_FILE THREADS.
local counter = 0
local tokens = {}
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
    if n % threads == thread_id then tokens[#tokens + 1] = "Bearer " .. line:match("\t(.+)$") end
    n = n + 1
  end
end

function request()
  next_index = next_index + 1
  if next_index > #tokens then next_index = 1 end
  return wrk.format("PUT", "/user-keys",
    { ["Authorization"] = tokens[next_index], ["Content-Type"] = "application/json" }, body)
end
