package playback.worker;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.lifecycle.PlayQueue;
import playback.model.CallLog;
import playback.model.RecordingRun;
import playback.queue.DownloadJob;
import playback.queue.JobQueue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test data: a business with calls and completed recordings, and queued runs as the api creates them. */
@ApplicationScoped
public class TestRecordings {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final EntityManager db;
    private final JobQueue queue;
    private final PlayQueue playQueue;

    public TestRecordings(EntityManager db, JobQueue queue, PlayQueue playQueue) {
        this.db = db;
        this.queue = queue;
        this.playQueue = playQueue;
    }

    public record Recording(long businessId, String accountSid, String callSid, String recordingSid) {
        public String providerPath() {
            return "/2010-04-01/Accounts/" + accountSid + "/Recordings/" + recordingSid + ".mp3";
        }
    }

    public static String sid(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    public List<Recording> business(int calls) {
        String accountSid = sid("AC");
        return QuarkusTransaction.requiringNew().call(() -> {
            long businessId = ((Number) db.createNativeQuery(
                            "insert into businesses (name, account_sid) values (?1, ?2) returning id")
                    .setParameter(1, "Test " + accountSid.substring(2, 8)).setParameter(2, accountSid)
                    .getSingleResult()).longValue();
            List<Recording> recordings = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Recording recording = new Recording(businessId, accountSid, sid("CA"), sid("RE"));
                db.createNativeQuery("""
                                insert into call_logs (business_id, call_sid, direction, from_number, to_number,
                                    call_status, duration_seconds, recording_sid, recording_status,
                                    recording_duration_seconds)
                                values (?1, ?2, 'inbound', '+15550001111', '+15550002222', 'completed', 60, ?3,
                                    'completed', 58)""")
                        .setParameter(1, businessId).setParameter(2, recording.callSid())
                        .setParameter(3, recording.recordingSid()).executeUpdate();
                recordings.add(recording);
            }
            return recordings;
        });
    }

    /** Inserts a queued run and pushes its job, as the api does on an explicit request. */
    public DownloadJob enqueue(Recording recording) {
        DownloadJob job = insertRun(recording);
        queue.enqueue(job);
        return job;
    }

    /** Queues a run as a Play does, without pushing its job. */
    public DownloadJob insertRun(Recording recording) {
        long runId = playQueue.reserveRunId();
        assertEquals(PlayQueue.Enqueued.ENQUEUED, playQueue.enqueue(runId, recording.businessId(),
                recording.callSid()));
        return new DownloadJob(runId, recording.businessId(), recording.callSid());
    }

    public void sql(String statement, Object... parameters) {
        QuarkusTransaction.requiringNew().run(() -> {
            var query = db.createNativeQuery(statement);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            query.executeUpdate();
        });
    }

    public CallLog call(Recording recording) {
        return QuarkusTransaction.requiringNew().call(() ->
                CallLog.findForBusiness(recording.businessId(), recording.callSid()).orElseThrow());
    }

    public List<RecordingRun> runs(Recording recording) {
        return QuarkusTransaction.requiringNew().call(() ->
                RecordingRun.forCall(recording.businessId(), recording.callSid()));
    }

    /** Bytes that pass as MP3: an ID3 tag header followed by filler. */
    public static byte[] mp3(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        bytes[0] = 'I';
        bytes[1] = 'D';
        bytes[2] = '3';
        return bytes;
    }
}
