package playback.model;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;

/** Retry timing shared by the api (cooldown, 503 window) and the worker (automatic retries). */
@ConfigMapping(prefix = "playback.retry")
public interface RetryConfig {

    /** Waits after consecutive failures; see {@link BackoffPolicy}. */
    @WithDefault("5s,10s,30s,90s")
    List<Duration> backoff();

    /** After an enqueue, further explicit requests answer 202 without touching Redis for this long. */
    @WithDefault("60s")
    Duration cooldown();

    default BackoffPolicy policy() {
        return new BackoffPolicy(backoff());
    }
}
