/**
 * The one writer of a recording's state: the recording columns of {@code call_logs} and the
 * {@code recording_runs} table are written by the classes of this package and nowhere else (a test
 * scans the sources for other writers). Each class owns one family of the transitions of
 * {@link playback.lifecycle.RecordingRules}: the provider's reports ({@link playback.lifecycle.RecordingReports}),
 * runs entering the queue ({@link playback.lifecycle.PlayQueue}), a worker's download of a run
 * ({@link playback.lifecycle.DownloadRuns}), the sweep of lost and unpushed runs
 * ({@link playback.lifecycle.RunRecovery}), stored recordings and their retention
 * ({@link playback.lifecycle.StoredRecordings}), and the demo's reset ({@link playback.lifecycle.DevReset}).
 * Each transition runs in its own transaction and returns what it did as a type.
 *
 * <p>The SQL keeps the guards that make the rules hold across replicas: the row lock and the partial
 * unique index (one active run per recording) on enqueue, and on every run change a compare-and-set on
 * the run's id, its fence and the statuses the change may start from. A worker that stalled past its
 * lease finds the fence moved on and writes nothing. Settled recordings are announced on
 * {@link playback.queue.RecordingEvents} after the commit.
 */
package playback.lifecycle;
