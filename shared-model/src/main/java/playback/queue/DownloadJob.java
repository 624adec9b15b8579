package playback.queue;

import playback.model.Lane;

/**
 * The message on the download streams: which run to execute, and in which lane it waits. Everything
 * else is read from PostgreSQL. An interactive job is encoded {@code run:business:call} (as before
 * lanes existed), a background one {@code run:business:call:background}.
 */
public record DownloadJob(long runId, long businessId, String callSid, Lane lane) {

    public DownloadJob(long runId, long businessId, String callSid) {
        this(runId, businessId, callSid, Lane.INTERACTIVE);
    }

    public DownloadJob inLane(Lane other) {
        return new DownloadJob(runId, businessId, callSid, other);
    }

    public String encode() {
        return runId + ":" + businessId + ":" + callSid + suffix(lane);
    }

    /** What an encoded job of the lane ends with: nothing for interactive jobs (encoded as before lanes). */
    public static String suffix(Lane lane) {
        return lane == Lane.INTERACTIVE ? "" : ":" + lane.wire();
    }

    public static DownloadJob decode(String value) {
        String[] parts = value.split(":", 4);
        if (parts.length < 3) {
            throw new IllegalArgumentException("malformed download job: " + value);
        }
        try {
            Lane lane = parts.length == 4 ? Lane.fromWire(parts[3]) : Lane.INTERACTIVE;
            return new DownloadJob(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2], lane);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed download job: " + value, e);
        }
    }
}
