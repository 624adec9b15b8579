package playback.model;

import java.util.Locale;

/**
 * State of one download attempt ({@code recording_runs.status}). Queued and running are "active";
 * superseded is an attempt whose recording the provider replaced by a new one before it finished.
 */
public enum RunStatus implements WireConverter.Wire {
    QUEUED, RUNNING, SUCCEEDED, FAILED, SUPERSEDED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Queued or running: the partial unique index allows one such run per recording. */
    public boolean isActive() {
        return this == QUEUED || this == RUNNING;
    }

    /** Succeeded, failed or superseded: nothing more happens to this attempt. */
    public boolean isFinished() {
        return !isActive();
    }
}
