package playback.model;

import java.util.Locale;

/** State of one download attempt ({@code recording_runs.status}). Queued and running are "active". */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
