package playback.lifecycle;

/**
 * The fence moved on (the run was taken over, swept or superseded): nothing was written, and after a
 * download the file was not committed.
 */
public record RunLost() implements DownloadRuns.SuccessOutcome, FailOutcome {
}
