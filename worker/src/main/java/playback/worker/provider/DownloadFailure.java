package playback.worker.provider;

import playback.model.FailureReason;

import java.time.Duration;

/** A failed fetch, classified: the reason decides between a retry with backoff and the end. */
public class DownloadFailure extends Exception {

    private final FailureReason reason;
    private final Integer httpStatus;
    private final Duration retryAfter;

    public DownloadFailure(FailureReason reason, Integer httpStatus, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public FailureReason reason() {
        return reason;
    }

    public Integer httpStatus() {
        return httpStatus;
    }

    /** The provider's Retry-After, when it sent one. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
