package playback.api.service;

/** A request names a recording it may not have: no such call, no completed recording, or a stream URL that does not fit. */
public class RecordingRefused extends RuntimeException {

    public enum Reason {
        /** The caller's business has no such call. */
        NO_SUCH_CALL,
        /** The call has no completed recording. */
        NO_RECORDING,
        /** A signed stream URL that is invalid, expired, or of another recording. */
        INVALID_STREAM_TOKEN
    }

    private final Reason reason;

    public RecordingRefused(Reason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
