package playback.worker.slots;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.Lane;
import playback.queue.RedisKeys;
import playback.redis.LuaScript;
import playback.worker.config.WorkerConfig;
import playback.worker.queue.JobStream;

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

    /** Background holders' names start with this: the slot script counts them by it. */
    private static final String BACKGROUND_HOLDER = "b:";

    /**
     * The holder of a slot: one delivery of one run, so that a duplicate delivery of the same run can never
     * release the slot of the delivery doing the work. A delivery is named by its stream and entry id:
     * entry ids are unique within a stream only, and a promoted run has an entry in each lane's stream,
     * which may carry the same id. Marked when the run is in the background lane.
     */
    public static String holder(Lane runLane, JobStream.Delivery delivery) {
        String holder = delivery.job().runId() + ":" + delivery.job().lane().wire() + ":" + delivery.entryId();
        return runLane == Lane.BACKGROUND ? BACKGROUND_HOLDER + holder : holder;
    }

    /**
     * Takes a slot for a holder. {@code limit} is the business's slot limit at this moment; background
     * holders may hold at most {@code limit - 1} of them, so a Play never waits for a prefetch.
     */
    public boolean acquire(long businessId, String holder, int limit) {
        return ACQUIRE.run(redis, List.of(RedisKeys.slots(businessId)), List.of(holder, Integer.toString(limit),
                Long.toString(config.lease().toMillis()), Integer.toString(limit - 1), BACKGROUND_HOLDER))
                .toInteger() == 1;
    }

    /**
     * Extends the holder's lease; true when it held it. A lease Redis no longer has (it expired, or a
     * failover lost it) is put back and false is returned: the holder goes on only if PostgreSQL's renewal
     * of its run says the run is still its own.
     */
    public boolean renew(long businessId, String holder) {
        return RENEW.run(redis, List.of(RedisKeys.slots(businessId)),
                List.of(holder, Long.toString(config.lease().toMillis()))).toInteger() == 1;
    }

    public void release(long businessId, String holder) {
        redis.execute("ZREM", RedisKeys.slots(businessId), holder);
    }
}
