package playback.lifecycle;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.lifecycle.RecordingRules.RecordingChange;
import playback.queue.RecordingEvents;

/** The demo starts over: the development reset of every recording's state. */
@ApplicationScoped
public class DevReset {

    private final EntityManager db;
    private final RecordingEvents events;

    public DevReset(EntityManager db, RecordingEvents events) {
        this.db = db;
        this.events = events;
    }

    /** What a reset removed. */
    public record Reset(int runsDeleted, int recordingsReset) {
    }

    /** Development only: every run is forgotten and every recording missing again; calls stay. */
    public Reset reset() {
        Reset reset = QuarkusTransaction.requiringNew().call(() -> new Reset(
                db.createNativeQuery("delete from recording_runs").executeUpdate(),
                db.createNativeQuery("""
                        update call_logs set recording_download_status = ?1, recording_last_enqueue_at = null,
                            recording_fail_count = 0, recording_next_retry_at = null, recording_error = null,
                            recording_size_bytes = null, recording_content_type = null, recording_storage_key = null,
                            recording_progress_bytes = 0, recording_progress_total = null, recording_ready_at = null,
                            recording_last_played_at = null, updated_at = now()""")
                        .setParameter(1, RecordingRules.target(RecordingChange.RESET).wire()).executeUpdate()));
        events.publish(new RecordingEvents.Event(0, "*", RecordingEvents.RESET));
        return reset;
    }
}
