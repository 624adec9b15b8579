package playback.queue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import playback.redis.LuaScript;

import java.time.Duration;
import java.util.List;

/** What the download queue and the slots hold now, read from Redis for operators. */
@ApplicationScoped
public class QueueFigures {

    private static final LuaScript QUEUE = LuaScript.load("queueFigures-2.lua");
    private static final LuaScript LIVE_SLOTS = LuaScript.load("liveSlots-1.lua");

    private final RedisDataSource redis;

    public QueueFigures(RedisDataSource redis) {
        this.redis = redis;
    }

    /**
     * Jobs on the stream not handed to a worker yet, jobs waiting for their time, jobs handed out and not
     * acknowledged, and how long the oldest waiting one has waited (zero when none waits).
     */
    public record Queue(long waiting, long delayed, long pending, Duration oldestWaiting) {
    }

    public Queue queue() {
        Response figures = QUEUE.run(redis, List.of(RedisKeys.JOB_STREAM, RedisKeys.DELAYED_JOBS),
                List.of(RedisKeys.CONSUMER_GROUP));
        return new Queue(figures.get(0).toLong(), figures.get(1).toLong(), figures.get(2).toLong(),
                Duration.ofMillis(figures.get(3).toLong()));
    }

    /** Downloads of the business holding a slot now (live leases). */
    public long inFlight(long businessId) {
        return LIVE_SLOTS.run(redis, List.of(RedisKeys.slots(businessId)), List.of()).toLong();
    }
}
