"""One token bucket in Redis, shared by every process that names the same key: the vendor request
budget (which queues: a request takes its token now and waits its turn) and the per-caller action
limits (which refuse: an action is taken only when a token is there)."""

from __future__ import annotations

# KEYS[1]: the bucket. ARGV: tokens per second, capacity, '1' to queue (take the token even when
# short and wait for it) or '0' to refuse (take nothing when short). Returns the seconds to wait,
# 0 when a token was there, as a string: Redis truncates Lua numbers to integers.
TAKE_TOKEN_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local queue = ARGV[3] == '1'
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= 1 or queue then
    tokens = tokens - 1
    if tokens < 0 then
        wait = -tokens / rate
    end
else
    wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.9f', tokens), 'updated', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return string.format('%.6f', wait)
"""
QUEUE = "1"
REFUSE = "0"
