package playback.queue;

import playback.model.Lane;
import playback.tracing.TraceContext;

import java.util.Optional;

/**
 * Every Redis name the services share, keys and the pub/sub channel alike, all under {@link #PREFIX}.
 * Redis holds nothing that cannot be rebuilt from PostgreSQL, so a name may change without a migration.
 */
public final class RedisKeys {

    /** The namespace of every key and channel of the service. */
    public static final String PREFIX = "playback:";

    /**
     * Stream of runnable download jobs (field {@link #JOB_FIELD}, and {@link #TRACE_FIELD} when the
     * enqueuing request was traced), read by the worker consumer group.
     */
    public static final String JOB_STREAM = PREFIX + "jobs";
    /** Stream of runnable background (prefetch) jobs: same fields and group, read after the interactive one. */
    public static final String BACKGROUND_JOB_STREAM = PREFIX + "jobs:background";
    public static final String JOB_FIELD = "job";
    public static final String TRACE_FIELD = TraceContext.TRACEPARENT;
    public static final String CONSUMER_GROUP = "download-workers";
    /** Sorted set of jobs waiting for their time (score: due time in Redis milliseconds). */
    public static final String DELAYED_JOBS = PREFIX + "jobs:delayed";

    /** Held by the worker replica whose evictor runs (value: that run's token; expires on its own). */
    public static final String EVICTOR_LOCK = PREFIX + "evictor:lock";

    private static final String REBUILT = PREFIX + "rebuilt:";
    private static final String DEDUP = PREFIX + "dedup:";
    private static final String SLOTS = PREFIX + "slots:";
    private static final String EVENTS = PREFIX + "events:";

    /** SCAN MATCH pattern of every recording's dedup key. */
    public static final String ALL_DEDUP_PATTERN = DEDUP + "*";
    /** SCAN MATCH pattern of every business's slot leases. */
    public static final String ALL_SLOTS_PATTERN = SLOTS + "*";

    private RedisKeys() {
    }

    /** The stream a lane's runnable jobs wait on. */
    public static String jobStream(Lane lane) {
        return lane == Lane.BACKGROUND ? BACKGROUND_JOB_STREAM : JOB_STREAM;
    }

    /**
     * Set (with an expiry) while a business's background lane is held back: its provider account answered
     * 429, and prefetches wait so that Plays keep the account's capacity.
     */
    public static String backgroundHold(long businessId) {
        return PREFIX + "hold:background:" + businessId;
    }

    /**
     * Taken (SET NX, expiring) by the one worker that puts the queue back from PostgreSQL after the Redis
     * primary changed; named after the new primary's replication id.
     */
    public static String rebuilt(String replicationId) {
        return REBUILT + replicationId;
    }

    /** Dedup key of one recording; its value is the id of the run that owns it. */
    public static String dedup(long businessId, String callSid) {
        return DEDUP + businessId + ":" + callSid;
    }

    /** Slot leases of one business: member = holder (run id, and the stream and entry id of its delivery), score = lease expiry (Redis time, ms). */
    public static String slots(long businessId) {
        return SLOTS + businessId;
    }

    /** The business whose slot leases a key holds, when it is such a key. */
    public static Optional<Long> slotsBusiness(String key) {
        if (!key.startsWith(SLOTS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(key.substring(SLOTS.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Pub/sub channel of recording events for the services using one Redis database. Pub/sub ignores
     * SELECT (every client of a server hears every channel), so the database is part of the name.
     */
    public static String eventsChannel(String database) {
        return EVENTS + database;
    }
}
