package playback.lifecycle;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.lifecycle.RecordingRules.RecordingChange;
import playback.lifecycle.RecordingRules.RunChange;
import playback.queue.RecordingEvents;

import java.util.List;

import static playback.lifecycle.LifecycleSql.in;
import static playback.model.SqlParameters.integer;
import static playback.model.SqlParameters.text;

/**
 * The provider's reports of a call's recording (its recording-status webhook): one row per call, so
 * replays and reordering are harmless; a new recording SID starts the download over and supersedes the
 * old recording's active run, whose worker then finds its fence moved on and commits nothing.
 */
@ApplicationScoped
public class RecordingReports {

    private final EntityManager db;
    private final RecordingEvents events;

    public RecordingReports(EntityManager db, RecordingEvents events) {
        this.db = db;
        this.events = events;
    }

    /** A recording as the provider's recording-status webhook reports it. */
    public record ReportedRecording(String callSid, String recordingSid, String url, String status,
                                    Integer durationSeconds, Integer channels) {
    }

    /** What a report did: a first recording for the call, a replay of the one it has, or a new one. */
    public enum Reported {
        FIRST,
        SAME,
        /** A new recording SID: the download starts over and active runs of the old one are superseded. */
        REPLACED
    }

    /**
     * Records a recording-status report; replays and reordering are harmless (one row per call). A new
     * recording SID resets the download state and supersedes the old recording's active run, whose
     * worker then commits nothing.
     */
    public Reported recordingReported(long businessId, ReportedRecording report) {
        Reported reported = QuarkusTransaction.requiringNew().call(() -> {
            List<?> previous = db.createNativeQuery("""
                            select recording_sid from call_logs where business_id = ?1 and call_sid = ?2 for update""")
                    .setParameter(1, businessId).setParameter(2, report.callSid()).getResultList();
            db.createNativeQuery("""
                            insert into call_logs (business_id, call_sid, recording_sid, recording_url, recording_status,
                                recording_duration_seconds, recording_channels)
                            values (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                            on conflict (business_id, call_sid) do update set
                                recording_sid = excluded.recording_sid,
                                recording_url = excluded.recording_url,
                                recording_status = excluded.recording_status,
                                recording_duration_seconds = coalesce(excluded.recording_duration_seconds,
                                    call_logs.recording_duration_seconds),
                                recording_channels = coalesce(excluded.recording_channels, call_logs.recording_channels),
                                updated_at = now()""")
                    .setParameter(1, businessId).setParameter(2, report.callSid()).setParameter(3, report.recordingSid())
                    .setParameter(4, text(report.url())).setParameter(5, text(report.status()))
                    .setParameter(6, integer(report.durationSeconds())).setParameter(7, integer(report.channels()))
                    .executeUpdate();
            Object before = previous.isEmpty() ? null : previous.get(0);
            if (before == null) {
                return Reported.FIRST;
            }
            if (before.equals(report.recordingSid())) {
                return Reported.SAME;
            }
            supersedeRuns(businessId, report.callSid());
            db.createNativeQuery("""
                            update call_logs set recording_download_status = ?3, recording_storage_key = null,
                                recording_size_bytes = null, recording_content_type = null, recording_ready_at = null,
                                recording_fail_count = 0, recording_next_retry_at = null, recording_error = null,
                                recording_progress_bytes = 0, recording_progress_total = null, updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, businessId).setParameter(2, report.callSid())
                    .setParameter(3, RecordingRules.target(RecordingChange.NEW_RECORDING).wire()).executeUpdate();
            return Reported.REPLACED;
        });
        events.publish(new RecordingEvents.Event(businessId, report.callSid(), RecordingEvents.CHANGED));
        return reported;
    }

    private void supersedeRuns(long businessId, String callSid) {
        db.createNativeQuery("""
                        update recording_runs set status = ?3, finished_at = now(), lease_until = null
                        where business_id = ?1 and call_sid = ?2 and status in (%s)"""
                        .formatted(in(RecordingRules.from(RunChange.SUPERSEDE))))
                .setParameter(1, businessId).setParameter(2, callSid)
                .setParameter(3, RecordingRules.target(RunChange.SUPERSEDE).wire()).executeUpdate();
    }
}
