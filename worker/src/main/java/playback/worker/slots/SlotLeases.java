package playback.worker.slots;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import playback.queue.RedisKeys;
import playback.redis.LuaScript;
import playback.worker.config.WorkerConfig;

import java.util.List;

/**
 * Per-business download slots as expiring leases (a Redis sorted set scored by the Redis clock): the
 * component doing the work holds the slot, renews it while it works, and releases it in finally; if
 * it dies, the lease runs out and the slot frees itself.
 */
@ApplicationScoped
public class SlotLeases {

    private static final LuaScript ACQUIRE = LuaScript.load("acquireSlot-1.lua");
    private static final LuaScript RENEW = LuaScript.load("renewSlot-1.lua");

    private final RedisDataSource redis;
    private final WorkerConfig.Slots config;

    public SlotLeases(RedisDataSource redis, WorkerConfig config) {
        this.redis = redis;
        this.config = config.slots();
    }

    public boolean acquire(long businessId, long runId) {
        return ACQUIRE.run(redis, List.of(RedisKeys.slots(businessId)), List.of(Long.toString(runId),
                Integer.toString(config.perBusiness()), Long.toString(config.lease().toMillis()))).toInteger() == 1;
    }

    /** False when the lease was lost: the holder must stop working. */
    public boolean renew(long businessId, long runId) {
        return RENEW.run(redis, List.of(RedisKeys.slots(businessId)),
                List.of(Long.toString(runId), Long.toString(config.lease().toMillis()))).toInteger() == 1;
    }

    public void release(long businessId, long runId) {
        redis.execute("ZREM", RedisKeys.slots(businessId), Long.toString(runId));
    }
}
