package playback.lifecycle;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.model.CallLog;
import playback.model.RecordingRun;
import playback.queue.DownloadJob;
import playback.testing.TestDatabase;
import playback.testing.TestRows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test data for the lifecycle's database tests: businesses with completed recordings, their rows as
 * read back, row locks held by a connection of the test's own, and transitions started on threads that
 * wait on those locks. Setup writes go straight to the tables (test sources are not the lifecycle's).
 */
@ApplicationScoped
public class LifecycleFixture {

    private final TestRows rows;
    private final PlayQueue playQueue;

    public LifecycleFixture(EntityManager db, PlayQueue playQueue) {
        this.rows = new TestRows(db);
        this.playQueue = playQueue;
    }

    /** The download slots of a fixture's business: each recording() is a business of its own. */
    public static final int SLOTS = 3;

    public record Recording(long businessId, long callId, String callSid, String recordingSid) {
    }

    public static String sid(String prefix) {
        return TestRows.sid(prefix);
    }

    /** A new business with one call whose recording is completed at the provider and not stored. */
    public Recording recording() {
        String accountSid = sid("AC");
        return QuarkusTransaction.requiringNew().call(() -> {
            long businessId = rows.insertBusiness("Lifecycle", accountSid);
            String callSid = sid("CA");
            String recordingSid = sid("RE");
            long callId = rows.insertCompletedCall(businessId, callSid, recordingSid);
            return new Recording(businessId, callId, callSid, recordingSid);
        });
    }

    /** One more completed, not stored recording of the same business. */
    public Recording anotherOf(Recording sibling) {
        return QuarkusTransaction.requiringNew().call(() -> {
            String callSid = sid("CA");
            String recordingSid = sid("RE");
            long callId = rows.insertCompletedCall(sibling.businessId(), callSid, recordingSid);
            return new Recording(sibling.businessId(), callId, callSid, recordingSid);
        });
    }

    /** Queues a run as a Play does; the job a worker would be delivered. */
    public DownloadJob enqueue(Recording recording) {
        long runId = playQueue.reserveRunId();
        assertEquals(PlayQueue.Enqueued.ENQUEUED, playQueue.enqueue(runId, recording.businessId(), recording.callSid()));
        return job(recording, runId);
    }

    public static DownloadJob job(Recording recording, long runId) {
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

    public RecordingRun run(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> RecordingRun.<RecordingRun>findById(runId));
    }

    public long activeRuns(Recording recording) {
        return runs(recording).stream().filter(run -> run.status.isActive()).count();
    }

    /** A transaction of the test's own that holds the lock on one row until it is closed (committed). */
    public static final class RowLock implements AutoCloseable {

        private final Connection connection;

        private RowLock(String table, long id) throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", TestDatabase.user());
            connection = DriverManager.getConnection(TestDatabase.jdbcUrl(), properties);
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement("select 1 from " + table + " where id = ? for update")) {
                lock.setLong(1, id);
                if (!lock.executeQuery().next()) {
                    throw new IllegalStateException("no row " + id + " in " + table);
                }
            }
        }

        /** Writes within the lock's transaction, seen by others when it closes. */
        public void update(String statement, Object... parameters) throws SQLException {
            try (PreparedStatement update = connection.prepareStatement(statement)) {
                for (int i = 0; i < parameters.length; i++) {
                    update.setObject(i + 1, parameters[i]);
                }
                update.executeUpdate();
            }
        }

        @Override
        public void close() throws SQLException {
            try {
                connection.commit();
            } finally {
                connection.close();
            }
        }
    }

    public RowLock lockCall(Recording recording) throws SQLException {
        return new RowLock("call_logs", recording.callId());
    }

    public RowLock lockRun(long runId) throws SQLException {
        return new RowLock("recording_runs", runId);
    }

    /** Starts each transition on a thread of its own; they run until a lock stops them. */
    public <T> List<Future<T>> start(List<Callable<T>> transitions) {
        ExecutorService threads = Executors.newFixedThreadPool(transitions.size());
        List<Future<T>> started = new ArrayList<>();
        transitions.forEach(transition -> started.add(threads.submit(transition)));
        threads.shutdown();
        return started;
    }

    /** Waits until {@code count} sessions of the test database wait for a lock (the test's transitions). */
    public void awaitLockWaits(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> lockWaits() >= count);
    }

    public int lockWaits() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", TestDatabase.user());
        try (Connection connection = DriverManager.getConnection(TestDatabase.jdbcUrl(), properties);
             ResultSet waits = connection.createStatement().executeQuery("""
                     select count(*) from pg_stat_activity
                     where datname = current_database() and wait_event_type = 'Lock'""")) {
            waits.next();
            return waits.getInt(1);
        }
    }
}
