package playback.api.service;

/** The status JSON of a recording (contract: "Recording status"). */
public record RecordingStatusView(String callSid, String status, Long retryAfter, int failCount, String error,
                                  Long sizeBytes, String contentType, Progress progress, String streamUrl) {

    public record Progress(long bytes, Long total) {
    }
}
