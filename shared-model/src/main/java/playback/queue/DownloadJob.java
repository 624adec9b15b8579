package playback.queue;

/** The message on the download stream: which run to execute. Everything else is read from PostgreSQL. */
public record DownloadJob(long runId, long businessId, String callSid) {

    public String encode() {
        return runId + ":" + businessId + ":" + callSid;
    }

    public static DownloadJob decode(String value) {
        String[] parts = value.split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("malformed download job: " + value);
        }
        return new DownloadJob(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2]);
    }
}
