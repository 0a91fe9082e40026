/**
 * The server side of the Redis state store's write: one Lua script, so that all of an
 * event's entities are written or none, and only if each still has the version the
 * writer read (Redis runs a script with nothing else in between).
 *
 * Each entity is a hash `{ v: version, s: record }` (`v` absent: the entity is not held).
 * KEYS: the entities. ARGV[1]: a deadline in ms since the epoch, by the server's clock
 * (0: none): a write that reaches the server after it (queued in a dead connection, or
 * slow) writes nothing, so a writer that gave up waiting can tell its caller "not
 * written" with certainty once the deadline has passed. Then per entity the version read
 * (0: absent), the time to live in ms, the new record, and the new version.
 *
 * A version is a token the writer draws at random (1 to 2^48), not a counter: a counter
 * starts again at 1 when a key is deleted, expires or is restored from a backup, and a
 * scorer still holding its copy of version 1 would take it for the current one and
 * overwrite what others wrote since (ABA). Equal tokens mean the same write, so the same
 * bytes, with odds of a chance repeat of 2^-48 per pair of writes of one entity.
 *
 * Returns 0 when written (each entity's version is its new token), i > 0 when entity i
 * had another version (nothing written), -1 when the deadline had passed.
 */
export const REDIS_CAS_SCRIPT = `
local n = #KEYS
local deadline = tonumber(ARGV[1])
if deadline > 0 then
  local t = redis.call('TIME')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > deadline then return -1 end
end
for i = 1, n do
  local v = redis.call('HGET', KEYS[i], 'v')
  if (v and tonumber(v) or 0) ~= tonumber(ARGV[1 + i]) then return i end
end
for i = 1, n do
  redis.call('HSET', KEYS[i], 'v', ARGV[1 + 3 * n + i], 's', ARGV[1 + 2 * n + i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1 + n + i])
end
return 0
`;
