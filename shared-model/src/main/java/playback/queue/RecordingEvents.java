package playback.queue;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import playback.model.DownloadStatus;
import playback.tracing.TraceContext;

import java.net.URI;

/**
 * Tells every api replica that a recording reached an end state (ready or failed), so that long-polls
 * answer at once, or that it changed otherwise, so that caches forget it. Best effort: a lost event
 * only makes a long-poll wait until its own timeout, or a cache entry live until its short TTL.
 */
@ApplicationScoped
public class RecordingEvents {

    /** Status of an event that means: everything may have changed (dev reset). */
    public static final String RESET = "reset";
    /** Status of an event that means: the recording's data changed (a webhook), not its download. */
    public static final String CHANGED = "changed";

    private final RedisDataSource redis;
    private final String channel;

    public RecordingEvents(RedisDataSource redis,
                           @ConfigProperty(name = "quarkus.redis.hosts") String redisHosts) {
        this.redis = redis;
        this.channel = channelFor(redisHosts);
    }

    /**
     * The channel of the Redis database the services use (redis://host:port/3 -> ...:3), so that
     * environments sharing one server (dev, tests, benchmarks) do not hear each other. Messages are
     * {@link Event#encode()}.
     */
    static String channelFor(String redisHosts) {
        String first = redisHosts.split(",")[0].trim();
        String path = URI.create(first).getPath();
        String database = path == null || path.length() <= 1 ? "0" : path.substring(1);
        return RedisKeys.eventsChannel(database);
    }

    public String channel() {
        return channel;
    }

    /**
     * A recording of a business reached the given status. {@code traceparent} is the trace context of the
     * download that settled it (tracing on), which a long-poll answered by the event links to; absent
     * in events of processes that do not trace.
     */
    public record Event(long businessId, String callSid, String status, String traceparent) {

        public Event(long businessId, String callSid, String status) {
            this(businessId, callSid, status, null);
        }

        public String encode() {
            String event = businessId + ":" + callSid + ":" + status;
            return traceparent == null ? event : event + ":" + traceparent;
        }

        /** Ready or failed: what long-polls wait for. */
        public boolean settled() {
            return status.equals(DownloadStatus.READY.wire()) || status.equals(DownloadStatus.FAILED.wire());
        }

        /** The key waiters register under. */
        public String recording() {
            return key(businessId, callSid);
        }

        public static String key(long businessId, String callSid) {
            return businessId + ":" + callSid;
        }

        public static Event decode(String message) {
            String[] parts = message.split(":", 4);
            if (parts.length < 3) {
                throw new IllegalArgumentException("malformed recording event: " + message);
            }
            return new Event(Long.parseLong(parts[0]), parts[1], parts[2], parts.length == 4 ? parts[3] : null);
        }
    }

    /** Publishes the event with the current trace context, when there is one. */
    public void publish(Event event) {
        try {
            redis.execute("PUBLISH", channel, new Event(event.businessId(), event.callSid(), event.status(),
                    TraceContext.current().orElse(null)).encode());
        } catch (RuntimeException e) {
            Log.debugf("could not publish %s: %s", event.encode(), e.getMessage());
        }
    }
}
