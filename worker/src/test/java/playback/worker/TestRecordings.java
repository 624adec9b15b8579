package playback.worker;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.lifecycle.PlayQueue;
import playback.model.CallLog;
import playback.model.RecordingRun;
import playback.queue.DownloadJob;
import playback.queue.JobQueue;
import playback.testing.TestRows;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Test data: a business with calls and completed recordings, and queued runs as the api creates them. */
@ApplicationScoped
public class TestRecordings {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final TestRows rows;
    private final JobQueue queue;
    private final PlayQueue playQueue;

    public TestRecordings(EntityManager db, JobQueue queue, PlayQueue playQueue) {
        this.rows = new TestRows(db);
        this.queue = queue;
        this.playQueue = playQueue;
    }

    public record Recording(long businessId, String accountSid, String callSid, String recordingSid) {
        public String providerPath() {
            return "/2010-04-01/Accounts/" + accountSid + "/Recordings/" + recordingSid + ".mp3";
        }
    }

    public static String sid(String prefix) {
        return TestRows.sid(prefix);
    }

    public List<Recording> business(int calls) {
        String accountSid = sid("AC");
        return QuarkusTransaction.requiringNew().call(() -> {
            long businessId = rows.insertBusiness("Test", accountSid);
            List<Recording> recordings = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                Recording recording = new Recording(businessId, accountSid, sid("CA"), sid("RE"));
                rows.insertCompletedCall(businessId, recording.callSid(), recording.recordingSid());
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
        rows.sql(statement, parameters);
    }

    public CallLog call(Recording recording) {
        return rows.call(recording.businessId(), recording.callSid());
    }

    public List<RecordingRun> runs(Recording recording) {
        return rows.runs(recording.businessId(), recording.callSid());
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
