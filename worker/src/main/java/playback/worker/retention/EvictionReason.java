package playback.worker.retention;

/** Why the evictor dropped a stored recording. */
public enum EvictionReason {
    /** Not played for longer than the retention's max idle time. */
    IDLE,
    /** The stored recordings exceeded their budget, and it was the least recently played. */
    BUDGET;

    /** The metric label. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
