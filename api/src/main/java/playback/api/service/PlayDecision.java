package playback.api.service;

import playback.model.CallLog;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** What a Play (a stream or download of a recording) gets, decided without HTTP. */
public sealed interface PlayDecision {

    /**
     * The recording is stored: serve it. {@code read} is the call this request read; empty when the cache
     * answered.
     */
    record Serve(StoredRecording recording, long businessId, String callSid, Optional<CallLog> read)
            implements PlayDecision {
    }

    /** The recording is downloading and its worker serves the bytes so far: relay them from {@code source}. */
    record Relay(URI source) implements PlayDecision {
    }

    /** Not stored, and this Play queued its download now (202). */
    record Enqueued(RecordingStatusView status, Duration retryAfter) implements PlayDecision {
    }

    /** Not stored: queued or downloading already, or missing and not asked for by a person (202). */
    record Waiting(RecordingStatusView status, Duration retryAfter) implements PlayDecision {
    }

    /** The last cycle failed and its backoff window is still open (503). */
    record BackingOff(RecordingStatusView status, Duration retryAfter) implements PlayDecision {
    }

    /** The provider no longer has the recording (410). */
    record Gone(RecordingStatusView status) implements PlayDecision {
    }
}
