package playback.lifecycle;

import playback.model.Lane;

import java.time.Duration;
import java.util.Optional;

/**
 * What a failed attempt led to, whether its worker reported the failure ({@link DownloadRuns#fail}) or
 * the sweep found the worker gone ({@link RunRecovery#sweep}).
 */
public sealed interface FailOutcome permits FailOutcome.RetryQueued, FailOutcome.RecordingFailed, RunLost {

    /**
     * The next attempt is queued, due after {@code delay}; {@code nextRunId} is empty when an active run
     * already existed (nothing new to schedule).
     */
    record RetryQueued(Optional<Long> nextRunId, Duration delay, Lane lane) implements FailOutcome {
    }

    /** The cycle is over: the recording is failed. */
    record RecordingFailed() implements FailOutcome {
    }
}
