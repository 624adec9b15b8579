package playback.model;

import java.util.Locale;

/** State of one download attempt ({@code recording_runs.status}). Queued and running are "active". */
public enum RunStatus implements WireConverter.Wire {
    QUEUED, RUNNING, SUCCEEDED, FAILED;

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

    /** Succeeded or failed: nothing more happens to this attempt. */
    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
