package playback.worker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Typed configuration of the worker; keys under {@code playback.*}. */
@ConfigMapping(prefix = "playback")
public interface WorkerConfig {

    Slots slots();

    Worker worker();

    Provider provider();

    /** The limit itself, shared with the api, is {@link playback.controls.SlotsConfig}. */
    interface Slots {
        /** A slot (and the run it belongs to) expires this long after its last renewal. */
        @WithDefault("30s")
        Duration lease();

        /** Base wait before a job that found no free slot is tried again (jittered 0.5x to 1.5x). */
        @WithDefault("1s")
        Duration retryDelay();
    }

    interface Worker {
        /** Downloads this process runs at once. */
        @WithDefault("8")
        int concurrency();

        /** How often runs past their lease and orphaned queued runs are swept. */
        @WithDefault("5s")
        Duration sweepInterval();

        /** A queued run not seen on the Redis queue for this long is pushed again. */
        @WithDefault("2m")
        Duration orphanAfter();

        /** On shutdown, how long running downloads may finish before they are handed back. */
        @WithDefault("10s")
        Duration shutdownGrace();

        /** How long a paused business's job waits before it is looked at again (jittered 0.5x to 1.5x). */
        @WithDefault("2s")
        Duration pausedRecheck();
    }

    interface Provider {
        /** Twilio-compatible API root, e.g. https://api.twilio.com. */
        String baseUrl();

        /** Basic-auth user of the provider API (the main account SID). */
        String accountSid();

        /** Basic-auth password of the provider API. Never logged. */
        String authToken();

        /** Format fetched: mp3 or wav. */
        @WithDefault("mp3")
        String format();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Longest wait for response headers, and longest stall while reading the body. */
        @WithDefault("30s")
        Duration readTimeout();

        /** Wait before re-checking a 404 (Twilio answers 404 briefly after a recording completes). */
        @WithDefault("2s")
        Duration notFoundRecheck();

        @WithDefault("5")
        int maxRedirects();

        /**
         * A 429 holds the account's background lane (prefetches) at least this long, or for the
         * Retry-After when longer: Plays keep the account's rate.
         */
        @WithDefault("60s")
        Duration rateLimitBackgroundHold();
    }
}
