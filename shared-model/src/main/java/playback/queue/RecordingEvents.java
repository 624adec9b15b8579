package playback.queue;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Tells every api replica that a recording reached an end state (ready or failed), so that long-polls
 * answer at once. Best effort: a lost event only makes a long-poll wait until its own timeout.
 */
@ApplicationScoped
public class RecordingEvents {

    /** Pub/sub channel; messages are {@link Event#encode()}. */
    public static final String CHANNEL = "recording-events";

    private final RedisDataSource redis;

    public RecordingEvents(RedisDataSource redis) {
        this.redis = redis;
    }

    /** A recording of a business reached the given status. */
    public record Event(long businessId, String callSid, String status) {

        public String encode() {
            return businessId + ":" + callSid + ":" + status;
        }

        /** The key waiters register under. */
        public String recording() {
            return key(businessId, callSid);
        }

        public static String key(long businessId, String callSid) {
            return businessId + ":" + callSid;
        }

        public static Event decode(String message) {
            String[] parts = message.split(":", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("malformed recording event: " + message);
            }
            return new Event(Long.parseLong(parts[0]), parts[1], parts[2]);
        }
    }

    public void publish(Event event) {
        try {
            redis.execute("PUBLISH", CHANNEL, event.encode());
        } catch (RuntimeException e) {
            Log.debugf("could not publish %s: %s", event.encode(), e.getMessage());
        }
    }
}
