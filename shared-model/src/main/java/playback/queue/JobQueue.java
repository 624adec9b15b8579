package playback.queue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import playback.redis.LuaScript;
import playback.tracing.TraceContext;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The download queue and its dedup keys, as both services use them. */
@ApplicationScoped
public class JobQueue {

    private static final LuaScript SCHEDULE_JOB = LuaScript.load("scheduleJob-1.lua");
    private static final LuaScript DELETE_IF_EQUALS = LuaScript.load("deleteIfEquals-1.lua");

    private final RedisDataSource redis;

    public JobQueue(RedisDataSource redis) {
        this.redis = redis;
    }

    /**
     * Makes the job runnable now, on its lane's stream. The entry also carries the current trace context (field
     * {@link RedisKeys#TRACE_FIELD}) when tracing is on, so that the worker's download joins the trace of
     * the request that enqueued it; entries without it are read as before.
     */
    public void enqueue(DownloadJob job) {
        Optional<String> traceparent = TraceContext.current();
        if (traceparent.isPresent()) {
            redis.execute("XADD", RedisKeys.jobStream(job.lane()), "*", RedisKeys.JOB_FIELD, job.encode(),
                    RedisKeys.TRACE_FIELD, traceparent.get());
        } else {
            redis.execute("XADD", RedisKeys.jobStream(job.lane()), "*", RedisKeys.JOB_FIELD, job.encode());
        }
    }

    /** Makes the job runnable after the delay (Redis clock). */
    public void schedule(DownloadJob job, Duration delay) {
        SCHEDULE_JOB.run(redis, List.of(RedisKeys.DELAYED_JOBS),
                List.of(job.encode(), Long.toString(Math.max(0, delay.toMillis()))));
    }

    /** SET NX EX: true when this run now owns the recording's dedup key. */
    public boolean claimDedupKey(long businessId, String callSid, long runId, Duration ttl) {
        Response reply = redis.execute("SET", RedisKeys.dedup(businessId, callSid), Long.toString(runId),
                "NX", "EX", Long.toString(ttl.toSeconds()));
        return reply != null;
    }

    /** The run id held by the dedup key and its remaining time to live, when the key exists. */
    public Optional<DedupKey> dedupKey(long businessId, String callSid) {
        String key = RedisKeys.dedup(businessId, callSid);
        Response value = redis.execute("GET", key);
        if (value == null) {
            return Optional.empty();
        }
        Response pttl = redis.execute("PTTL", key);
        return Optional.of(new DedupKey(Long.parseLong(value.toString()), Duration.ofMillis(pttl.toLong())));
    }

    /** Drops the dedup key if the given run still owns it. */
    public void releaseDedupKey(long businessId, String callSid, long runId) {
        DELETE_IF_EQUALS.run(redis, List.of(RedisKeys.dedup(businessId, callSid)), List.of(Long.toString(runId)));
    }

    public record DedupKey(long runId, Duration timeToLive) {
    }
}
