package playback.api.rest;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Which failures are outages of a dependency (503) rather than bugs (500). */
class ErrorMapperTest {

    @Test
    void databaseOutages() {
        assertEquals("database", ErrorMapper.unavailableDependency(
                new IllegalStateException(new SQLException("Connection refused", "08001"))));
        assertEquals("database", ErrorMapper.unavailableDependency(
                new RuntimeException(new SQLTransientConnectionException("gone"))));
        assertEquals("database", ErrorMapper.unavailableDependency(
                new RuntimeException(new SQLException("Acquisition timeout while waiting for new connection"))));
    }

    @Test
    void redisOutage() {
        assertEquals("redis", ErrorMapper.unavailableDependency(
                new RuntimeException(io.vertx.redis.client.impl.types.ErrorType.create("LOADING Redis is loading"))));
        assertEquals("database", ErrorMapper.unavailableDependency(new RuntimeException(new ConnectException("refused"))),
                "a refused connection from this test's stack, which mentions no redis class, counts as the database");
    }

    @Test
    void bugsAreNotOutages() {
        assertNull(ErrorMapper.unavailableDependency(new IllegalStateException("bug")));
        assertNull(ErrorMapper.unavailableDependency(new SQLException("syntax error", "42601")));
    }
}
