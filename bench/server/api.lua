-- wrk script for the server benchmark (bench/server/run.sh): one method and path, with an optional
-- bearer token and lines that vary the requests.
-- Args: METHOD PATH CONTENT_TYPE TOKEN_FILE LINES_FILE THREADS, "-" for none of the middle four.
--   PATH with "{line}": each line of LINES_FILE fills it (GET /api/ciphers/{line});
--   otherwise each line is a request body (POST /api/ciphers, the token endpoint's forms).
-- Each wrk thread takes every THREADS-th line. Requests are formatted once, in init(): formatting
-- in Lua per request would take CPU from the server on these shared cores (as in bench/connector).
local counter = 0
local requests = {}
local next_index = 0

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end

local function read_first_line(path)
  for line in io.lines(path) do return line end
end

local function format(method, path, headers, line)
  if line == nil then return wrk.format(method, path, headers) end
  if path:find("{line}", 1, true) then return wrk.format(method, (path:gsub("{line}", line)), headers) end
  return wrk.format(method, path, headers, line)
end

function init(args)
  local method, path, content_type, token_file, lines_file = args[1], args[2], args[3], args[4], args[5]
  local threads = tonumber(args[6])
  local headers = {}
  if content_type ~= "-" then headers["Content-Type"] = content_type end
  if token_file ~= "-" then headers["Authorization"] = "Bearer " .. read_first_line(token_file) end
  if lines_file == "-" then
    requests[1] = format(method, path, headers)
    return
  end
  local lines = {}
  for line in io.lines(lines_file) do lines[#lines + 1] = line end
  for n, line in ipairs(lines) do
    -- With fewer lines than threads, every thread sends them all.
    if (n - 1) % threads == thread_id or #lines < threads then
      requests[#requests + 1] = format(method, path, headers, line)
    end
  end
end

function request()
  next_index = next_index + 1
  if next_index > #requests then next_index = 1 end
  return requests[next_index]
end
