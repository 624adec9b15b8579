package playback.model;

import java.time.Instant;

/**
 * The instants a call may carry: years 1 to 9999, the range of an ISO-8601 or RFC 2822 date with a
 * four-digit year, well inside what PostgreSQL's timestamptz stores. Anything outside is refused before
 * it reaches the database.
 */
public final class CallTime {

    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private CallTime() {
    }

    public static boolean isStorable(Instant instant) {
        return instant != null && !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }
}
