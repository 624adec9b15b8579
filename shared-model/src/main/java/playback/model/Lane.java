package playback.model;

import java.util.Locale;

/**
 * Which queue a download waits in ({@code recording_runs.lane}): a person pressed Play, or the
 * business's prefetch policy fetches a recording ahead of time. Workers take interactive work first,
 * and background work never holds a business's last slot.
 */
public enum Lane implements WireConverter.Wire {
    INTERACTIVE, BACKGROUND;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Lane fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
