package playback.worker.queue;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.Lane;
import playback.queue.DownloadJob;
import playback.queue.RedisKeys;
import playback.redis.LuaScript;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The worker's side of the job streams, one per lane: read as a consumer group (interactive jobs
 * first, background ones only with capacity left over), acknowledge, defer, reclaim. A delivery's
 * stream is its job's lane's.
 */
@ApplicationScoped
public class JobStream {

    private static final LuaScript PROMOTE_DUE = LuaScript.load("promoteDueJobs-3.lua");
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

    /** Creates the consumer groups (and the streams) unless they exist; after FLUSHALL they are made anew. */
    public void ensureGroup() {
        for (Lane lane : Lane.values()) {
            try {
                streams.xgroupCreate(RedisKeys.jobStream(lane), RedisKeys.CONSUMER_GROUP, "0",
                        new XGroupCreateArgs().mkstream());
            } catch (RuntimeException e) {
                if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                    throw e;
                }
            }
        }
    }

    /**
     * Up to {@code count} new jobs: interactive ones first, then background ones for the capacity left, at
     * most {@code backgroundCount}; when neither lane has any, waits up to {@code block} for an interactive one.
     */
    public List<Delivery> read(String consumer, int count, int backgroundCount, Duration block) {
        List<Delivery> interactive = readLane(consumer, Lane.INTERACTIVE, count, null);
        int backgroundRoom = Math.min(backgroundCount, count - interactive.size());
        if (backgroundRoom <= 0 && !interactive.isEmpty()) {
            return interactive;
        }
        List<Delivery> background = backgroundRoom > 0
                ? readLane(consumer, Lane.BACKGROUND, backgroundRoom, null) : List.of();
        if (!interactive.isEmpty() || !background.isEmpty()) {
            List<Delivery> both = new ArrayList<>(interactive);
            both.addAll(background);
            return both;
        }
        return readLane(consumer, Lane.INTERACTIVE, count, block);
    }

    private List<Delivery> readLane(String consumer, Lane lane, int count, Duration block) {
        XReadGroupArgs args = new XReadGroupArgs().count(count);
        if (block != null) {
            args.block(block);
        }
        return deliveries(streams.xreadgroup(RedisKeys.CONSUMER_GROUP, consumer, RedisKeys.jobStream(lane), ">", args));
    }

    /**
     * Takes over entries another consumer has left unacknowledged for longer than minIdle: up to
     * {@code count}, interactive first, of which at most {@code backgroundCount} background ones.
     */
    public List<Delivery> reclaim(String consumer, Duration minIdle, int count, int backgroundCount) {
        List<Delivery> reclaimed = new ArrayList<>(claim(consumer, Lane.INTERACTIVE, minIdle, count));
        int backgroundRoom = Math.min(backgroundCount, count - reclaimed.size());
        if (backgroundRoom > 0) {
            reclaimed.addAll(claim(consumer, Lane.BACKGROUND, minIdle, backgroundRoom));
        }
        return reclaimed;
    }

    private List<Delivery> claim(String consumer, Lane lane, Duration minIdle, int count) {
        return deliveries(streams.xautoclaim(RedisKeys.jobStream(lane), RedisKeys.CONSUMER_GROUP, consumer, minIdle,
                "0-0", count).getMessages());
    }

    /** Resets an entry's idle time so that XAUTOCLAIM leaves a job that is still being worked on alone. */
    public void touch(String consumer, Delivery delivery) {
        redis.execute("XCLAIM", stream(delivery), RedisKeys.CONSUMER_GROUP, consumer, "0", delivery.entryId(), "JUSTID");
    }

    public void ack(Delivery delivery) {
        streams.xack(stream(delivery), RedisKeys.CONSUMER_GROUP, delivery.entryId());
        streams.xdel(stream(delivery), delivery.entryId());
    }

    /** Acknowledges the entry and schedules the job again after the delay, atomically; it keeps its lane. */
    public void defer(Delivery delivery, Duration delay) {
        DEFER.run(redis, List.of(stream(delivery), RedisKeys.DELAYED_JOBS), List.of(RedisKeys.CONSUMER_GROUP,
                delivery.entryId(), delivery.job().encode(), Long.toString(Math.max(0, delay.toMillis()))));
    }

    /** Moves due delayed jobs onto their lane's stream. */
    public int promoteDue(int max) {
        return PROMOTE_DUE.run(redis, List.of(RedisKeys.DELAYED_JOBS, RedisKeys.JOB_STREAM, RedisKeys.BACKGROUND_JOB_STREAM),
                List.of(RedisKeys.JOB_FIELD, Integer.toString(max), DownloadJob.suffix(Lane.BACKGROUND))).toInteger();
    }

    private static String stream(Delivery delivery) {
        return RedisKeys.jobStream(delivery.job().lane());
    }

    private static List<Delivery> deliveries(List<StreamMessage<String, String, String>> messages) {
        return messages.stream()
                .filter(message -> message.payload() != null && message.payload().get(RedisKeys.JOB_FIELD) != null)
                .map(message -> new Delivery(message.id(), DownloadJob.decode(message.payload().get(RedisKeys.JOB_FIELD)),
                        message.payload().get(RedisKeys.TRACE_FIELD)))
                .toList();
    }
}
