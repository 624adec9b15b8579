package playback.model;

import java.util.Locale;

/** Why a download attempt failed: the {@code error} code clients see. */
public enum FailureReason {
    /** The provider answered 404 twice: the recording is gone. Never retried. */
    PROVIDER_NOT_FOUND(true),
    /** The provider answered 429. Retried, honouring its Retry-After. */
    PROVIDER_RATE_LIMITED(false),
    /** The provider answered 5xx or another unexpected status, or could not be reached. */
    PROVIDER_UNAVAILABLE(false),
    /** Connecting or reading timed out. */
    TIMEOUT(false),
    /** A 200 whose body is not playable audio: empty, not audio, shorter than announced. Never stored. */
    INVALID_MEDIA(false),
    /** The worker could not write the recording to its storage (disk full, permissions). Retried. */
    STORAGE_UNAVAILABLE(false),
    /** The worker holding the attempt stopped renewing its lease (crash, kill, partition). */
    WORKER_LOST(false);

    private final boolean terminal;

    FailureReason(boolean terminal) {
        this.terminal = terminal;
    }

    public boolean terminal() {
        return terminal;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
