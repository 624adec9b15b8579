package playback.simulator;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How the simulated provider behaves for one recording. Every field is optional in the JSON; an
 * unscripted recording behaves like {@link #DEFAULTS}: a prompt, complete, full-speed download.
 *
 * @param latencyMs       sleep before the API answers
 * @param bytesPerSecond  storage throughput; null = as fast as possible
 * @param failFirst       the first N API fetches answer {@code failStatus}
 * @param failStatus      status of those failures (400-599, default 500)
 * @param missing         the API answers 404 always
 * @param empty           storage answers 200 with no body
 * @param notAudio        storage answers 200 with an XML error document instead of audio
 * @param truncate        storage announces the full length but closes the connection halfway
 * @param sizeBytes       exact body size; overrides the duration-based size
 * @param durationSeconds audio duration; null = the simulator's default duration
 * @param retryAfter      Retry-After seconds sent with a scripted 429
 */
public record Script(
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("bytes_per_second") Long bytesPerSecond,
        @JsonProperty("fail_first") int failFirst,
        @JsonProperty("fail_status") Integer failStatus,
        @JsonProperty("missing") boolean missing,
        @JsonProperty("empty") boolean empty,
        @JsonProperty("not_audio") boolean notAudio,
        @JsonProperty("truncate") boolean truncate,
        @JsonProperty("size_bytes") Long sizeBytes,
        @JsonProperty("duration_seconds") Integer durationSeconds,
        @JsonProperty("retry_after") Integer retryAfter) {

    public static final Script DEFAULTS = new Script(0, null, 0, null, false, false, false, false, null, null, null);

    /** Fills in defaults and rejects values that cannot be simulated (Jackson turns this into a 400). */
    public Script {
        if (failStatus == null) {
            failStatus = 500;
        }
        require(latencyMs >= 0, "latency_ms must be >= 0");
        require(bytesPerSecond == null || bytesPerSecond > 0, "bytes_per_second must be > 0 or null");
        require(failFirst >= 0, "fail_first must be >= 0");
        require(failStatus >= 400 && failStatus <= 599, "fail_status must be 400-599");
        require(sizeBytes == null || sizeBytes >= 0, "size_bytes must be >= 0 or null");
        require(durationSeconds == null || durationSeconds >= 0, "duration_seconds must be >= 0 or null");
        require(retryAfter == null || retryAfter >= 0, "retry_after must be >= 0 or null");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
