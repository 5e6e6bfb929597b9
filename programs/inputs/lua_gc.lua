-- A GC-heavy Lua script for the lua5.4 program (programs/lua.toml).
-- Builds and drops tables, closures and strings, keeping a sliding window of
-- them alive, under the collector mode given first ("incremental" or
-- "generational"). Lua's heap comes from the C library's realloc/free (the
-- allocator under test). The printed result depends on the work only.
-- Usage: lua5.4 lua_gc.lua MODE ROUNDS SEED
local mode, rounds, seed = arg[1], tonumber(arg[2]), tonumber(arg[3])
assert(mode == "incremental" or mode == "generational", "mode: incremental | generational")
collectgarbage(mode)

-- A small deterministic generator (the same on every build of Lua).
local state = seed % 2147483647
if state == 0 then state = 1 end
local function rand(n)
  state = (state * 48271) % 2147483647
  return state % n
end

local function make(depth)
  local t = { id = rand(1000000), name = "n" .. rand(100000) }
  if depth > 0 then
    for i = 1, 1 + rand(3) do t[i] = make(depth - 1) end
  end
  t.f = function() return t.id end
  return t
end

local function sum(t)
  local s = t.f() + #t.name
  for i = 1, #t do s = (s + sum(t[i])) % 4294967296 end
  return s
end

local window, digest = {}, 0
for r = 1, rounds do
  local t = make(5)
  window[r % 64] = t
  local parts = {}
  for i = 1, 50 do parts[i] = string.rep(string.char(97 + rand(26)), 1 + rand(40)) end
  digest = (digest * 31 + sum(t) + #table.concat(parts)) % 4294967296
end
print(string.format("rounds %d digest %08x", rounds, digest))
