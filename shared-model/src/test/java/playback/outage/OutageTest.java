package playback.outage;

import io.vertx.redis.client.impl.types.ErrorType;
import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.sql.SQLException;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failures of a failover are outages (wait and retry, 503), not bugs (500). */
class OutageTest {

    @Test
    void aDatabaseSwitchingOverIsAnOutage() {
        for (String state : new String[] {"08006", "57P01", "57P02", "57P03", "25006", "53300"}) {
            assertEquals(Optional.of(Outage.DATABASE),
                    Outage.of(new IllegalStateException(new SQLException("switching over", state))), state);
        }
    }

    @Test
    void aRedisPrimaryDemotedOrLoadingIsAnOutage() {
        for (String reply : new String[] {"READONLY You can't write against a read only replica.",
                "LOADING Redis is loading the dataset in memory", "UNBLOCKED force unblock from blocking operation",
                "NOREPLICAS Not enough good replicas to write.", "MASTERDOWN Link with MASTER is down"}) {
            assertEquals(Optional.of(Outage.REDIS), Outage.of(new RuntimeException(ErrorType.create(reply))), reply);
            assertEquals(Optional.of(Outage.REDIS), Outage.of(new RuntimeException(reply)), reply);
        }
        assertTrue(Outage.REDIS.caused(new RuntimeException(ErrorType.create("READONLY replica"))));
    }

    /** A commit that fails because the primary died says so in its suppressed failure, not in its cause. */
    @Test
    void aCommitFailedByADyingPrimaryIsAnOutage() {
        RuntimeException rollback = new RuntimeException("ARJUNA016053: Could not commit transaction.");
        Exception resource = new Exception("Error trying to transactionCommit local transaction",
                new SQLException("FATAL: terminating connection due to unexpected postmaster exit", "57P02"));
        rollback.addSuppressed(resource);
        assertEquals(Optional.of(Outage.DATABASE), Outage.of(new IllegalStateException(rollback)));
    }

    /** A reset connection is the outage of whichever client the stack shows. */
    @Test
    void aResetConnectionIsAnOutage() {
        assertEquals(Optional.of(Outage.DATABASE), Outage.of(new RuntimeException(new SocketException("Connection reset"))));
        RuntimeException fromRedis = new RuntimeException(new SocketException("Connection reset"));
        fromRedis.setStackTrace(new StackTraceElement[] {
                new StackTraceElement("io.quarkus.redis.runtime.datasource.BlockingRedisDataSourceImpl", "execute", null, 1)});
        assertEquals(Optional.of(Outage.REDIS), Outage.of(fromRedis));

        RuntimeException closed = new RuntimeException(new io.vertx.core.impl.NoStackTraceThrowable("Connection is closed"));
        assertEquals(Optional.empty(), Outage.of(closed), "a Vert.x failure that is not the Redis client's is no outage");
        closed.setStackTrace(fromRedis.getStackTrace());
        assertEquals(Optional.of(Outage.REDIS), Outage.of(closed));
    }

    @Test
    void bugsAreNotOutages() {
        assertEquals(Optional.empty(), Outage.of(new SQLException("duplicate key", "23505")));
        assertEquals(Optional.empty(), Outage.of(new IllegalArgumentException("READ the manual")));
        assertEquals(Optional.empty(), Outage.of(new RuntimeException((String) null)));
    }
}
