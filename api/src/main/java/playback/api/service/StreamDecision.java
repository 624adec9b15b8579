package playback.api.service;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** What the stream endpoint answers, decided without HTTP. */
public sealed interface StreamDecision {

    /** The recording is stored: serve it. */
    record Serve(StoredRecording recording) implements StreamDecision {
    }

    /**
     * Not ready: queued, downloading, or missing (202); {@code liveSource} is where the worker receiving
     * it serves the bytes so far, when one does.
     */
    record Pending(RecordingStatusView status, Duration retryAfter, Optional<URI> liveSource) implements StreamDecision {
    }

    /** The last cycle failed and its backoff window is still open (503). */
    record BackingOff(RecordingStatusView status, Duration retryAfter) implements StreamDecision {
    }

    /** The provider no longer has the recording (410). */
    record Gone(RecordingStatusView status) implements StreamDecision {
    }
}
