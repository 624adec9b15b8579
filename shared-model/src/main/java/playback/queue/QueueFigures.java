package playback.queue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.Lane;
import playback.redis.LuaScript;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the download queue and the slots hold now, read from Redis for operators and metrics. */
@ApplicationScoped
public class QueueFigures {

    private static final LuaScript QUEUE = LuaScript.load("queueFigures-2.lua");
    private static final LuaScript LIVE_SLOTS = LuaScript.load("liveSlots-1.lua");
    private static final int SCAN_BATCH = 500;

    private final RedisDataSource redis;

    public QueueFigures(RedisDataSource redis) {
        this.redis = redis;
    }

    /**
     * Jobs on the streams not handed to a worker yet, jobs waiting for their time, jobs handed out and not
     * acknowledged, and how long the oldest waiting one has waited (zero when none waits); the waiting
     * and pending ones also per lane.
     */
    public record Queue(long waiting, long delayed, long pending, Duration oldestWaiting, Map<Lane, LaneFigures> lanes) {
    }

    /** One lane's stream: waiting and pending jobs, and the oldest waiting one's age. */
    public record LaneFigures(long waiting, long pending, Duration oldestWaiting) {
    }

    public Queue queue() {
        Map<Lane, LaneFigures> lanes = new EnumMap<>(Lane.class);
        long delayed = 0;
        for (Lane lane : Lane.values()) {
            Response figures = QUEUE.run(redis, List.of(RedisKeys.jobStream(lane), RedisKeys.DELAYED_JOBS),
                    List.of(RedisKeys.CONSUMER_GROUP));
            lanes.put(lane, new LaneFigures(figures.get(0).toLong(), figures.get(2).toLong(),
                    Duration.ofMillis(figures.get(3).toLong())));
            delayed = figures.get(1).toLong();
        }
        return new Queue(lanes.values().stream().mapToLong(LaneFigures::waiting).sum(), delayed,
                lanes.values().stream().mapToLong(LaneFigures::pending).sum(),
                lanes.values().stream().map(LaneFigures::oldestWaiting).max(Duration::compareTo).orElse(Duration.ZERO),
                lanes);
    }

    /** Downloads of the business holding a slot now (live leases). */
    public long inFlight(long businessId) {
        return LIVE_SLOTS.run(redis, List.of(RedisKeys.slots(businessId)), List.of()).toLong();
    }

    /** Live slot leases of every business holding any; a business holding none is absent. */
    public Map<Long, Long> inFlightByBusiness() {
        Map<Long, Long> inFlight = new HashMap<>();
        for (String key : redis.key().scan(new KeyScanArgs().match(RedisKeys.ALL_SLOTS_PATTERN).count(SCAN_BATCH))
                .toIterable()) {
            RedisKeys.slotsBusiness(key).ifPresent(business -> {
                long live = inFlight(business);
                if (live > 0) {
                    inFlight.put(business, live);
                }
            });
        }
        return inFlight;
    }
}
