package playback.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL database a module's tests use ({@code %test.quarkus.datasource.jdbc.url}), created when
 * it is missing, before Quarkus boots and Flyway migrates it. Never drops anything. Shared by the api
 * and the worker through shared-model's test-jar; register it for all tests with
 * {@code @QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)}.
 */
public class TestDatabase implements QuarkusTestResourceLifecycleManager {

    private static final Pattern JDBC_URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]+)(.*)");
    private static final String DUPLICATE_DATABASE = "42P04";

    /** The datasource's URL and user, from the test configuration. */
    public static String jdbcUrl() {
        return TestConfiguration.get().getValue("quarkus.datasource.jdbc.url", String.class);
    }

    public static String user() {
        return TestConfiguration.get().getOptionalValue("quarkus.datasource.username", String.class)
                .orElse("postgres");
    }

    @Override
    public Map<String, String> start() {
        createIfMissing(jdbcUrl(), user());
        return Map.of();
    }

    @Override
    public void stop() {
        // The database stays: the next run migrates it further, and it may hold what a failure left to look at.
    }

    /**
     * Runs before the other test resources (order 0): those may already start processes that use the
     * database. Not Integer.MIN_VALUE: Quarkus compares orders by subtraction, which would overflow.
     */
    @Override
    public int order() {
        return -1000;
    }

    /** Creates the database the JDBC URL names unless it exists, connecting to {@code postgres} on the same server. */
    public static void createIfMissing(String jdbcUrl, String user) {
        Matcher url = JDBC_URL.matcher(jdbcUrl);
        if (!url.matches()) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL with a database: " + jdbcUrl);
        }
        String database = url.group(2);
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("connectTimeout", "5");
        try (Connection server = DriverManager.getConnection(url.group(1) + "postgres" + url.group(3), properties);
             PreparedStatement exists = server.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, database);
            if (exists.executeQuery().next()) {
                return;
            }
            try (Statement create = server.createStatement()) {
                create.execute("create database \"" + database.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                throw new IllegalStateException("cannot create the test database " + database + " (" + jdbcUrl
                        + "): " + e.getMessage(), e);
            }
        }
    }
}
