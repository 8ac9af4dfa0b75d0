/**
 * The Lua scripts of the Redis throttle store, one per operation (reserve, confirm, pause, snapshot, seed,
 * heartbeat), each with its SHA-1 for `EVALSHA`. They apply the sliding-log rules of `throttleLog.ts` atomically
 * inside Redis, reading the time from Redis `TIME`; `throttleRedisStore.ts` calls them.
 */
import { createHash } from "node:crypto"

// The same rules as `throttleLog.ts`, in Lua. Windows arrive as ARGV pairs `limit, millis`.
const prelude = `
local function nowMillis()
  local time = redis.call("TIME")
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function readWindows(from)
  local windows = {}
  for index = from, #ARGV, 2 do
    windows[#windows + 1] = { tonumber(ARGV[index]), tonumber(ARGV[index + 1]) }
  end
  return windows
end
local function longestOf(windows)
  local longest = 0
  for _, window in ipairs(windows) do
    if window[2] > longest then longest = window[2] end
  end
  return longest
end
local function earliestSlot(logKey, windows, cost, notBefore)
  local slot = notBefore
  local size = redis.call("ZCARD", logKey)
  if size == 0 then return slot end
  local last = tonumber(redis.call("ZRANGE", logKey, -1, -1, "WITHSCORES")[2])
  if last > slot then slot = last end
  for _, window in ipairs(windows) do
    local allowed = window[1] - cost
    if allowed < 0 then allowed = 0 end
    if size > allowed then
      local entry = redis.call("ZRANGE", logKey, -(allowed + 1), -(allowed + 1), "WITHSCORES")
      local candidate = tonumber(entry[2]) + window[2]
      if candidate > slot then slot = candidate end
    end
  end
  return slot
end
-- Replica leases: a sorted set of replica ids scored by the Redis time their lease ends. A replica refreshes its
-- lease with every reserve and on a heartbeat, never beyond the bound it sends (its own clock's "now + lease", so a
-- command delivered late cannot keep alive a replica that has already moved to its local share).
local function refreshLease(leaseKey, id, now, ttl, notAfter)
  local ends = now + ttl
  if notAfter < ends then ends = notAfter end
  local current = tonumber(redis.call("ZSCORE", leaseKey, id) or "0")
  if ends > current then redis.call("ZADD", leaseKey, ends, id) end
  redis.call("PEXPIRE", leaseKey, ttl * 4)
end
-- Replicas without a live lease may be running on their local share (floor(limit / replicas) of every window): the
-- shared limit is lowered by those shares while they are absent, so that together nobody exceeds the vendor's limit.
local function absentReplicas(leaseKey, id, replicas, now)
  if replicas <= 1 then return 0 end
  local present = redis.call("ZCOUNT", leaseKey, "(" .. now, "+inf")
  -- The caller reaches Redis, so it is present whether or not its lease is live.
  if tonumber(redis.call("ZSCORE", leaseKey, id) or "0") <= now then present = present + 1 end
  local absent = replicas - present
  if absent < 0 then absent = 0 end
  return absent
end
local function lowered(windows, replicas, absent)
  if absent == 0 then return windows end
  local result = {}
  for index, window in ipairs(windows) do
    local share = math.max(1, math.floor(window[1] / replicas))
    result[index] = { math.max(1, window[1] - absent * share), window[2] }
  end
  return result
end
-- Drops the waiting reservations of replicas whose lease has lapsed (members are "<replica id>/<reservation>#<i>"):
-- their callers cannot confirm them without Redis and reserve again on their local share, so they would only hold
-- slots nobody uses. The lapsed leases are forgotten once handled. Returns the lapsed replicas (a set of ids) and the
-- earliest time one of them lapsed (now when none is left: another key's script already handled them).
local function dropLapsed(logKey, leaseKey, now)
  local lapsed = {}
  local since = now
  local ended = redis.call("ZRANGEBYSCORE", leaseKey, "-inf", now, "WITHSCORES")
  for index = 1, #ended, 2 do
    lapsed[ended[index]] = true
    local endsAt = tonumber(ended[index + 1])
    if endsAt < since then since = endsAt end
  end
  redis.call("ZREMRANGEBYSCORE", leaseKey, "-inf", now)
  for _, member in ipairs(redis.call("ZRANGEBYSCORE", logKey, "(" .. now, "+inf")) do
    local owner = string.match(member, "^([^/]*)/")
    if owner ~= nil and lapsed[owner] then redis.call("ZREM", logKey, member) end
  end
  return lapsed, since
end
-- Moves every reservation later than "from", in queue order, to the earliest slot at or after notBefore under windows,
-- except the members of the replicas in "keep" (a set of ids, may be nil). Returns the last slot given, or nil when
-- there was nothing to move.
local function reslotFuture(logKey, windows, from, notBefore, keep)
  local lastSlot = nil
  local future = redis.call("ZRANGEBYSCORE", logKey, "(" .. from, "+inf", "WITHSCORES")
  if #future == 0 then return nil end
  local groups = {}
  local order = {}
  for index = 1, #future, 2 do
    local member = future[index]
    local owner = string.match(member, "^([^/]*)/")
    if keep == nil or owner == nil or not keep[owner] then
      redis.call("ZREM", logKey, member)
      local reservation = string.match(member, "^(.*)#%d+$") or member
      if groups[reservation] == nil then
        groups[reservation] = {}
        order[#order + 1] = reservation
      end
      local group = groups[reservation]
      group[#group + 1] = member
    end
  end
  for _, reservation in ipairs(order) do
    local members = groups[reservation]
    local slot = earliestSlot(logKey, windows, #members, notBefore)
    for _, member in ipairs(members) do
      redis.call("ZADD", logKey, slot, member)
    end
    lastSlot = slot
  end
  return lastSlot
end
-- When more replicas are absent than this key last saw, the reservations it gave after the first of them lapsed were
-- placed while their shares still counted as free (a caller waiting for a slot does not run the reserve script until
-- the slot comes, and several may share one slot): they move under the lowered limits, before anyone is admitted on
-- them. Entries of the lapsed replicas up to now stay (they may have been admitted); their later ones are dropped.
-- Nothing later than the lapse can have been admitted by a present replica: its reserve or confirm would have run this
-- first. Updates the key's marker; returns the windows in force.
local function applyAbsent(logKey, leaseKey, markerKey, id, replicas, now, configured, longest)
  local absent = absentReplicas(leaseKey, id, replicas, now)
  local windows = lowered(configured, replicas, absent)
  local previous = tonumber(redis.call("GET", markerKey) or "0")
  if absent > previous then
    local lapsed, since = dropLapsed(logKey, leaseKey, now)
    reslotFuture(logKey, windows, since, now, lapsed)
  end
  if absent ~= previous then
    if absent == 0 then redis.call("DEL", markerKey) else redis.call("SET", markerKey, absent, "PX", longest) end
  end
  return windows
end
`

// KEYS: log, cooldown, leases, absent marker, measured delay. ARGV: reservation, cost, max delay (-1 = none), replica
// id, replicas, lease millis, lease bound (Redis time), measured delay (already in the windows), then windows.
// Every window is widened to the largest admission-to-send delay any process reported within the longest window.
// Returns {1, delay, now} when reserved, {0, delay, now} when the slot is beyond the max delay (nothing written).
// When more replicas are absent than last time, the reservations already waiting are moved under the lowered limits
// first: they were placed while the absent replicas' shares were still counted as free.
const reserveSource = `${prelude}
local now = nowMillis()
local cost = tonumber(ARGV[2])
local maxDelay = tonumber(ARGV[3])
local replicas = tonumber(ARGV[5])
local configured = readWindows(9)
local measured = tonumber(ARGV[8])
local widest = tonumber(redis.call("GET", KEYS[5]) or "0")
if measured >= widest and measured > 0 then
  redis.call("SET", KEYS[5], measured, "PX", longestOf(configured))
  widest = measured
end
if widest > measured then
  for _, window in ipairs(configured) do window[2] = window[2] + widest - measured end
end
local longest = longestOf(configured)
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - longest)
refreshLease(KEYS[3], ARGV[4], now, tonumber(ARGV[6]), tonumber(ARGV[7]))
local windows = applyAbsent(KEYS[1], KEYS[3], KEYS[4], ARGV[4], replicas, now, configured, longest)
local notBefore = now
local cooldown = tonumber(redis.call("GET", KEYS[2]) or "0")
if cooldown > notBefore then notBefore = cooldown end
local slot = earliestSlot(KEYS[1], windows, cost, notBefore)
local delay = slot - now
if maxDelay >= 0 and delay > maxDelay then return { 0, delay, now } end
for index = 0, cost - 1 do
  redis.call("ZADD", KEYS[1], slot, ARGV[1] .. "#" .. index)
end
redis.call("PEXPIRE", KEYS[1], delay + longest)
return { 1, delay, now }
`

// KEYS: leases. ARGV: replica id, lease millis, lease bound (Redis time). Returns {now, absent}.
const heartbeatSource = `${prelude}
local now = nowMillis()
refreshLease(KEYS[1], ARGV[1], now, tonumber(ARGV[2]), tonumber(ARGV[3]))
return { now, 0 }
`

// KEYS: log, leases, absent marker, measured delay. ARGV: first member of the reservation, replica id, replicas,
// measured delay, then windows (none: no lowering). Returns -1 when missing, else the delay still to wait.
// A waiting caller confirms at its slot without reserving: the replicas absent since it reserved are applied first,
// so a slot given at the full limit is not used on top of a lapsed replica's local share.
const confirmSource = `${prelude}
local now = nowMillis()
local replicas = tonumber(ARGV[3])
if replicas > 1 and #ARGV >= 6 then
  local configured = readWindows(5)
  local measured = tonumber(ARGV[4])
  local widest = tonumber(redis.call("GET", KEYS[4]) or "0")
  if widest > measured then
    for _, window in ipairs(configured) do window[2] = window[2] + widest - measured end
  end
  applyAbsent(KEYS[1], KEYS[2], KEYS[3], ARGV[2], replicas, now, configured, longestOf(configured))
end
local score = redis.call("ZSCORE", KEYS[1], ARGV[1])
if not score then return -1 end
local delay = tonumber(score) - now
if delay < 0 then delay = 0 end
return delay
`

// KEYS: log, cooldown. ARGV: duration, then windows. Returns {until, extended (1/0)}.
// Moves every future reservation, in queue order, to the earliest slot at or after the end of the cooldown.
const pauseSource = `${prelude}
local now = nowMillis()
local duration = tonumber(ARGV[1])
local untilTime = now + duration
local existing = tonumber(redis.call("GET", KEYS[2]) or "0")
if existing >= untilTime then return { existing, 0 } end
redis.call("SET", KEYS[2], untilTime, "PX", duration)
local windows = readWindows(2)
local longest = longestOf(windows)
local lastSlot = reslotFuture(KEYS[1], windows, now, untilTime, nil)
if lastSlot ~= nil then redis.call("PEXPIRE", KEYS[1], lastSlot - now + longest) end
return { untilTime, 1 }
`

// KEYS: log, cooldown, leases. ARGV: replica id, replicas, then window lengths.
// Returns {now, cooldown until, reserved, absent replicas, then used and oldest per window}.
const snapshotSource = `${prelude}
local now = nowMillis()
local cooldown = tonumber(redis.call("GET", KEYS[2]) or "0")
local result = { now, cooldown, redis.call("ZCOUNT", KEYS[1], "(" .. now, "+inf") }
result[4] = absentReplicas(KEYS[3], ARGV[1], tonumber(ARGV[2]), now)
for index = 3, #ARGV do
  local horizon = "(" .. (now - tonumber(ARGV[index]))
  local oldest = redis.call("ZRANGEBYSCORE", KEYS[1], horizon, "+inf", "WITHSCORES", "LIMIT", 0, 1)
  result[#result + 1] = redis.call("ZCOUNT", KEYS[1], horizon, "+inf")
  result[#result + 1] = oldest[2] and tonumber(oldest[2]) or 0
end
return result
`

// KEYS: log. ARGV: time to live, then pairs `offset from now, member`. Adds entries that are not there yet.
const seedSource = `${prelude}
local now = nowMillis()
for index = 2, #ARGV, 2 do
  redis.call("ZADD", KEYS[1], "NX", now + tonumber(ARGV[index]), ARGV[index + 1])
end
local ttl = tonumber(ARGV[1])
if redis.call("PTTL", KEYS[1]) < ttl then redis.call("PEXPIRE", KEYS[1], ttl) end
return 1
`

/** A Lua script and its SHA-1, the name `EVALSHA` runs it by once Redis has it cached. */
export interface Script {
  readonly source: string
  readonly sha: string
}

const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") })

/** The scripts of the Redis store, by operation. */
export const scripts = {
  reserve: script(reserveSource),
  confirm: script(confirmSource),
  pause: script(pauseSource),
  snapshot: script(snapshotSource),
  seed: script(seedSource),
  heartbeat: script(heartbeatSource)
}
