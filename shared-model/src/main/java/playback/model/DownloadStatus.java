package playback.model;

import java.util.Locale;

/** Where a call's recording stands, as clients see it ({@code recording_download_status}). */
public enum DownloadStatus implements WireConverter.Wire {
    MISSING, QUEUED, DOWNLOADING, READY, FAILED;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DownloadStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** A download is queued or under way. */
    public boolean inProgress() {
        return this == QUEUED || this == DOWNLOADING;
    }
}
