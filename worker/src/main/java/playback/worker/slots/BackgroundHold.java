package playback.worker.slots;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import playback.queue.RedisKeys;

import java.time.Duration;
import java.util.Optional;

/**
 * Holds back a business's background lane after its provider account answered 429: prefetches wait
 * (they are put back in the delayed set), Plays go on, so that the account's rate goes to people first.
 * A Redis key with an expiry, shared by every worker.
 */
@ApplicationScoped
public class BackgroundHold {

    private final RedisDataSource redis;

    public BackgroundHold(RedisDataSource redis) {
        this.redis = redis;
    }

    /** Holds the business's background lane for at least {@code duration} (a longer hold is kept). */
    public void hold(long businessId, Duration duration) {
        long millis = Math.max(1, duration.toMillis());
        if (remaining(businessId).map(Duration::toMillis).orElse(0L) < millis) {
            redis.execute("SET", RedisKeys.backgroundHold(businessId), "429", "PX", Long.toString(millis));
        }
    }

    /** How long the business's background lane is still held, when it is. */
    public Optional<Duration> remaining(long businessId) {
        Response pttl = redis.execute("PTTL", RedisKeys.backgroundHold(businessId));
        long millis = pttl == null ? -2 : pttl.toLong();
        return millis > 0 ? Optional.of(Duration.ofMillis(millis)) : Optional.empty();
    }
}
