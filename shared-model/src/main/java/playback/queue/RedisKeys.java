package playback.queue;

/** Every Redis key the services share. Redis holds nothing that cannot be rebuilt from PostgreSQL. */
public final class RedisKeys {

    /** Stream of runnable download jobs (field {@link #JOB_FIELD}), read by the worker consumer group. */
    public static final String JOB_STREAM = "jobs:download";
    public static final String JOB_FIELD = "job";
    public static final String CONSUMER_GROUP = "download-workers";
    /** Sorted set of jobs waiting for their time (score: due time in Redis milliseconds). */
    public static final String DELAYED_JOBS = "jobs:download:delayed";

    private RedisKeys() {
    }

    /** Dedup key of one recording; its value is the id of the run that owns it. */
    public static String dedup(long businessId, String callSid) {
        return "job:download:" + businessId + ":" + callSid;
    }

    /** Slot leases of one business: member = holder (run id and delivery), score = lease expiry (Redis time, ms). */
    public static String slots(long businessId) {
        return "slots:" + businessId;
    }
}
