package playback.api.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.model.Business;
import playback.model.CallLog;
import playback.model.CallTime;
import playback.lifecycle.RecordingReports;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import static playback.model.SqlParameters.integer;
import static playback.model.SqlParameters.text;

/** Recent calls of a business, and calls and recordings as the provider reports them. */
@ApplicationScoped
public class CallService {

    private final EntityManager db;
    private final RecordingReports reports;
    private final RecordingService recordings;

    public CallService(EntityManager db, RecordingReports reports, RecordingService recordings) {
        this.recordings = recordings;
        this.db = db;
        this.reports = reports;
    }

    /** Newest first, keyset-paginated; the cursor is the last row's (started_at, id). */
    public Page recent(long businessId, int limit, Optional<Cursor> after) {
        List<CallLog> rows = QuarkusTransaction.requiringNew().call(() -> {
            var query = after.isEmpty()
                    ? CallLog.find("businessId = ?1 order by startedAt desc, id desc", businessId)
                    : CallLog.find("businessId = ?1 and (startedAt < ?2 or (startedAt = ?2 and id < ?3)) "
                    + "order by startedAt desc, id desc", businessId, after.get().startedAt(), after.get().id());
            return query.range(0, limit).<CallLog>list();
        });
        boolean more = rows.size() > limit;
        List<CallLog> items = more ? rows.subList(0, limit) : rows;
        Optional<Cursor> next = more
                ? Optional.of(new Cursor(items.get(limit - 1).startedAt, items.get(limit - 1).id))
                : Optional.empty();
        return new Page(items, next);
    }

    public Optional<Business> businessByAccount(String accountSid) {
        return QuarkusTransaction.requiringNew().call(() -> Business.findByAccountSid(accountSid));
    }

    /** Records a call-status event. Replays and reordering are harmless: one row per call, first start kept. */
    public void recordCall(long businessId, CallEvent event) {
        QuarkusTransaction.requiringNew().run(() -> db.createNativeQuery("""
                        insert into call_logs (business_id, call_sid, direction, from_number, to_number, call_status,
                            started_at, duration_seconds)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                        on conflict (business_id, call_sid) do update set
                            direction = coalesce(excluded.direction, call_logs.direction),
                            from_number = coalesce(excluded.from_number, call_logs.from_number),
                            to_number = coalesce(excluded.to_number, call_logs.to_number),
                            call_status = coalesce(excluded.call_status, call_logs.call_status),
                            duration_seconds = coalesce(excluded.duration_seconds, call_logs.duration_seconds),
                            updated_at = now()""")
                .setParameter(1, businessId).setParameter(2, event.callSid()).setParameter(3, text(event.direction()))
                .setParameter(4, text(event.from())).setParameter(5, text(event.to())).setParameter(6, text(event.status()))
                .setParameter(7, event.startedAt()).setParameter(8, integer(event.durationSeconds()))
                .executeUpdate());
    }

    /**
     * Records a recording-status event: the recording lifecycle owns those columns (a new recording SID
     * starts its download over). A completed recording is prefetched when its business's policy says so.
     */
    public void recordRecording(long businessId, RecordingReports.ReportedRecording report) {
        reports.recordingReported(businessId, report);
        if (CallLog.COMPLETED_RECORDING.equals(report.status())) {
            recordings.prefetch(businessId, report.callSid());
        }
    }

    public record Page(List<CallLog> items, Optional<Cursor> next) {
    }

    /** startedAt is never null: the event time when the provider gives none. */
    public record CallEvent(String callSid, String direction, String from, String to, String status,
                            Instant startedAt, Integer durationSeconds) {
    }

    /**
     * Position after a row, opaque to clients: base64url of "started_at|id". A cursor that does not
     * decode to a time a call can have and a positive id is not one this API issued.
     */
    public record Cursor(Instant startedAt, long id) {

        public String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((startedAt + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        public static Optional<Cursor> decode(String value) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|");
                if (parts.length != 2) {
                    return Optional.empty();
                }
                Cursor cursor = new Cursor(Instant.parse(parts[0]), Long.parseLong(parts[1]));
                return CallTime.isStorable(cursor.startedAt()) && cursor.id() > 0 ? Optional.of(cursor) : Optional.empty();
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
