package playback.testing;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import playback.model.CallLog;
import playback.model.RecordingRun;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The rows the api's and the worker's tests and the lifecycle's database tests start from, written straight
 * to the tables (test sources are not the lifecycle's), and read back in transactions of their own.
 */
public final class TestRows {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final EntityManager db;

    public TestRows(EntityManager db) {
        this.db = db;
    }

    /** A SID of the provider's shape: the prefix and 32 random hex digits. */
    public static String sid(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    /** Inserts a business (within the caller's transaction); its id. */
    public long insertBusiness(String namePrefix, String accountSid) {
        return ((Number) db.createNativeQuery("insert into businesses (name, account_sid) values (?1, ?2) returning id")
                .setParameter(1, namePrefix + " " + accountSid.substring(2, 8)).setParameter(2, accountSid)
                .getSingleResult()).longValue();
    }

    /**
     * Inserts a completed call whose recording is completed at the provider and not stored (within the
     * caller's transaction); its id.
     */
    public long insertCompletedCall(long businessId, String callSid, String recordingSid) {
        return ((Number) db.createNativeQuery("""
                        insert into call_logs (business_id, call_sid, direction, from_number, to_number,
                            call_status, duration_seconds, recording_sid, recording_status,
                            recording_duration_seconds)
                        values (?1, ?2, 'inbound', '+15550001111', '+15550002222', 'completed', 60, ?3,
                            'completed', 58)
                        returning id""")
                .setParameter(1, businessId).setParameter(2, callSid).setParameter(3, recordingSid)
                .getSingleResult()).longValue();
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

    public CallLog call(long businessId, String callSid) {
        return QuarkusTransaction.requiringNew().call(() -> CallLog.findForBusiness(businessId, callSid).orElseThrow());
    }

    public List<RecordingRun> runs(long businessId, String callSid) {
        return QuarkusTransaction.requiringNew().call(() -> RecordingRun.forCall(businessId, callSid));
    }
}
