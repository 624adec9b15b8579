package playback.queue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import playback.redis.LuaScript;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the download queue and the business slots hold right now, read from Redis for metrics and operators. */
@ApplicationScoped
public class QueueStats {

    private static final LuaScript QUEUE_DEPTH = LuaScript.load("queueDepth-2.lua");
    private static final int SCAN_BATCH = 500;

    private final RedisDataSource redis;

    public QueueStats(RedisDataSource redis) {
        this.redis = redis;
    }

    /**
     * @param waiting runnable jobs no worker has taken yet
     * @param delayed jobs waiting for their time (a retry's backoff, a busy business's free slot, a pause)
     * @param pending jobs a worker has taken and not finished
     * @param oldestWaiting how long the oldest waiting job has waited, when one waits
     */
    public record Depth(long waiting, long delayed, long pending, Optional<Duration> oldestWaiting) {
    }

    public Depth depth() {
        Response reply = QUEUE_DEPTH.run(redis, List.of(RedisKeys.JOB_STREAM, RedisKeys.DELAYED_JOBS),
                List.of(RedisKeys.CONSUMER_GROUP));
        long oldest = reply.get(3).toLong();
        return new Depth(reply.get(0).toLong(), reply.get(1).toLong(), reply.get(2).toLong(),
                oldest < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(oldest)));
    }

    /** Live slot leases per business (expired leases not counted); businesses holding none are absent. */
    public Map<Long, Integer> slotsInUse() {
        Response time = redis.execute("TIME");
        long now = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
        Map<Long, Integer> inUse = new HashMap<>();
        for (String key : redis.key().scan(new KeyScanArgs().match(RedisKeys.ALL_SLOTS_PATTERN).count(SCAN_BATCH))
                .toIterable()) {
            Optional<Long> business = RedisKeys.slotsBusiness(key);
            if (business.isEmpty()) {
                continue;
            }
            int live = redis.execute("ZCOUNT", key, "(" + now, "+inf").toInteger();
            if (live > 0) {
                inUse.merge(business.get(), live, Integer::sum);
            }
        }
        return inUse;
    }
}
