package playback.api.service;

import java.time.Instant;

/**
 * The status JSON of a recording (contract: "Recording status"), with {@code live_stream_url} (while it
 * downloads, a signed stream URL that plays the bytes received so far), {@code paused} (its business's
 * downloads are paused by an operator) and {@code next_attempt_at} (when a retry is scheduled).
 */
public record RecordingStatusView(String callSid, String status, Long retryAfter, int failCount, String error,
                                  Long sizeBytes, String contentType, Progress progress, String streamUrl,
                                  String liveStreamUrl, boolean paused, Instant nextAttemptAt) {

    public record Progress(long bytes, Long total) {
    }
}
