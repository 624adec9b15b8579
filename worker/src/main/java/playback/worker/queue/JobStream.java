package playback.worker.queue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import jakarta.enterprise.context.ApplicationScoped;
import playback.queue.DownloadJob;
import playback.queue.RedisKeys;
import playback.redis.LuaScript;

import java.time.Duration;
import java.util.List;

/** The worker's side of the job stream: read as a consumer group, acknowledge, defer, reclaim. */
@ApplicationScoped
public class JobStream {

    private static final LuaScript PROMOTE_DUE = LuaScript.load("promoteDueJobs-2.lua");
    private static final LuaScript DEFER = LuaScript.load("deferJob-2.lua");

    private final RedisDataSource redis;
    private final StreamCommands<String, String, String> streams;

    public JobStream(RedisDataSource redis) {
        this.redis = redis;
        this.streams = redis.stream(String.class);
    }

    /**
     * A job as delivered: its stream entry id, the job, and the trace context of the request that
     * enqueued it (null when that request was not traced, or the job came through the delayed set).
     */
    public record Delivery(String entryId, DownloadJob job, String traceparent) {
    }

    /** Creates the consumer group (and the stream) unless it exists; after FLUSHALL it is made anew. */
    public void ensureGroup() {
        try {
            streams.xgroupCreate(RedisKeys.JOB_STREAM, RedisKeys.CONSUMER_GROUP, "0", new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
    }

    public List<Delivery> read(String consumer, int count, Duration block) {
        return deliveries(streams.xreadgroup(RedisKeys.CONSUMER_GROUP, consumer, RedisKeys.JOB_STREAM, ">",
                new XReadGroupArgs().count(count).block(block)));
    }

    /** Takes over entries another consumer has left unacknowledged for longer than minIdle. */
    public List<Delivery> reclaim(String consumer, Duration minIdle, int count) {
        return deliveries(streams.xautoclaim(RedisKeys.JOB_STREAM, RedisKeys.CONSUMER_GROUP, consumer, minIdle, "0-0",
                count).getMessages());
    }

    /** Resets an entry's idle time so that XAUTOCLAIM leaves a job that is still being worked on alone. */
    public void touch(String consumer, String entryId) {
        redis.execute("XCLAIM", RedisKeys.JOB_STREAM, RedisKeys.CONSUMER_GROUP, consumer, "0", entryId, "JUSTID");
    }

    public void ack(String entryId) {
        streams.xack(RedisKeys.JOB_STREAM, RedisKeys.CONSUMER_GROUP, entryId);
        streams.xdel(RedisKeys.JOB_STREAM, entryId);
    }

    /** Acknowledges the entry and schedules the job again after the delay, atomically. */
    public void defer(Delivery delivery, Duration delay) {
        DEFER.run(redis, List.of(RedisKeys.JOB_STREAM, RedisKeys.DELAYED_JOBS), List.of(RedisKeys.CONSUMER_GROUP,
                delivery.entryId(), delivery.job().encode(), Long.toString(Math.max(0, delay.toMillis()))));
    }

    /** Moves due delayed jobs onto the stream. */
    public int promoteDue(int max) {
        return PROMOTE_DUE.run(redis, List.of(RedisKeys.DELAYED_JOBS, RedisKeys.JOB_STREAM),
                List.of(RedisKeys.JOB_FIELD, Integer.toString(max))).toInteger();
    }

    private static List<Delivery> deliveries(List<StreamMessage<String, String, String>> messages) {
        return messages.stream()
                .filter(message -> message.payload() != null && message.payload().get(RedisKeys.JOB_FIELD) != null)
                .map(message -> new Delivery(message.id(), DownloadJob.decode(message.payload().get(RedisKeys.JOB_FIELD)),
                        message.payload().get(RedisKeys.TRACE_FIELD)))
                .toList();
    }
}
