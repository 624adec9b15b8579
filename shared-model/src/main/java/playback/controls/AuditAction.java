package playback.controls;

import playback.model.WireConverter;

import java.util.Locale;

/** What an operator did, as {@code ops_audit.action} and the audit JSON name it. */
public enum AuditAction implements WireConverter.Wire {
    PAUSE, RESUME, SET_LIMIT, RETRY_NOW, SET_PREFETCH;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AuditAction fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
