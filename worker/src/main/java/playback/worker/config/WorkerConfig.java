package playback.worker.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Typed configuration of the worker; keys under {@code playback.*}. */
@ConfigMapping(prefix = "playback")
public interface WorkerConfig {

    Slots slots();

    Worker worker();

    Provider provider();

    Retention retention();

    Live live();

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

        /**
         * Of those downloads, how many only interactive jobs (a person pressed Play) may use: background
         * (prefetch) jobs take at most concurrency minus this, and at least one, so that a Play never
         * waits for a thread held by prefetches.
         */
        @WithDefault("2")
        int interactiveReserve();

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

    /** Recordings being received, served to the api replicas before they are complete. */
    interface Live {
        /**
         * The base URL at which the api replicas reach this worker's port, announced with each run it
         * receives. Unset: {@code http://<this host's first non-loopback IPv4 address>:<http port>}, which
         * is what containers on one network need.
         */
        Optional<String> advertisedUrl();
    }

    /** Cache retention: which stored recordings the evictor deletes (a Play fetches them again). */
    interface Retention {
        /** A recording not played for this long is evicted. */
        @WithDefault("30d")
        Duration maxIdle();

        /**
         * Total size of the stored recordings; above it the least recently played are evicted until it
         * fits. Unbounded when unset. Sizes such as {@code 500M} or {@code 20G}.
         */
        Optional<MemorySize> budget();

        /** A recording played within this long is never evicted, whatever the budget. */
        @WithDefault("10m")
        Duration protect();

        /** How often the evictor runs (one replica at a time). */
        @WithDefault("1m")
        Duration interval();
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
