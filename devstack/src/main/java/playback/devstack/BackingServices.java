package playback.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * PostgreSQL and Redis for the one-command run: the configured servers when they answer, otherwise
 * embedded ones (PostgreSQL binaries and a Redis 6.2 binary from Maven Central) whose data persists
 * under a local folder between runs.
 */
public final class BackingServices implements AutoCloseable {

    static final int EMBEDDED_POSTGRES_PORT = 54329;
    static final int EMBEDDED_REDIS_PORT = 63799;

    private final String jdbcUrl;
    private final String dbUser;
    private final String redisUrl;
    private EmbeddedPostgres embeddedPostgres;
    private RedisServer embeddedRedis;

    private BackingServices(String jdbcUrl, String dbUser, String redisUrl, EmbeddedPostgres postgres, RedisServer redis) {
        this.jdbcUrl = jdbcUrl;
        this.dbUser = dbUser;
        this.redisUrl = redisUrl;
        this.embeddedPostgres = postgres;
        this.embeddedRedis = redis;
    }

    /**
     * @param host, port, database, user the configured PostgreSQL
     * @param redisHost, redisPort       the configured Redis
     * @param dataDir                    where embedded servers keep their data
     */
    public static BackingServices start(String host, int port, String database, String user, String redisHost,
                                        int redisPort, Path dataDir) throws IOException {
        EmbeddedPostgres postgres = null;
        String jdbcUrl = "jdbc:postgresql://" + host + ":" + port + "/" + database;
        String dbUser = user;
        if (canConnect(host, port, "postgres", user)) {
            ensureDatabase(host, port, user, database);
            System.out.println("PostgreSQL: " + host + ":" + port + "/" + database);
        } else {
            Path pgData = dataDir.resolve("postgres");
            Files.createDirectories(pgData);
            postgres = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                    .setPort(EMBEDDED_POSTGRES_PORT).start();
            ensureDatabase("127.0.0.1", EMBEDDED_POSTGRES_PORT, "postgres", database);
            jdbcUrl = "jdbc:postgresql://127.0.0.1:" + EMBEDDED_POSTGRES_PORT + "/" + database;
            dbUser = "postgres";
            System.out.println("PostgreSQL: none at " + host + ":" + port + "; started an embedded one on port "
                    + EMBEDDED_POSTGRES_PORT + " (data in " + pgData + ")");
        }
        RedisServer redis = null;
        String redisUrl = "redis://" + redisHost + ":" + redisPort + "/0";
        if (redisAnswers(redisHost, redisPort)) {
            System.out.println("Redis: " + redisHost + ":" + redisPort);
        } else {
            Path redisData = dataDir.resolve("redis");
            Files.createDirectories(redisData);
            redis = RedisServer.newRedisServer().bind("127.0.0.1").port(EMBEDDED_REDIS_PORT)
                    .setting("dir " + redisData.toAbsolutePath())
                    .setting("appendonly yes")
                    .build();
            redis.start();
            redisUrl = "redis://127.0.0.1:" + EMBEDDED_REDIS_PORT + "/0";
            System.out.println("Redis: none at " + redisHost + ":" + redisPort + "; started an embedded one on port "
                    + EMBEDDED_REDIS_PORT + " (data in " + redisData + ")");
        }
        return new BackingServices(jdbcUrl, dbUser, redisUrl, postgres, redis);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String dbUser() {
        return dbUser;
    }

    public String redisUrl() {
        return redisUrl;
    }

    @Override
    public void close() {
        if (embeddedRedis != null) {
            try {
                embeddedRedis.stop();
            } catch (IOException e) {
                System.err.println("could not stop the embedded Redis: " + e.getMessage());
            }
            embeddedRedis = null;
        }
        if (embeddedPostgres != null) {
            try {
                embeddedPostgres.close();
            } catch (IOException e) {
                System.err.println("could not stop the embedded PostgreSQL: " + e.getMessage());
            }
            embeddedPostgres = null;
        }
    }

    private static boolean canConnect(String host, int port, String database, String user) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("connectTimeout", "2");
        try (Connection ignored = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database,
                properties)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void ensureDatabase(String host, int port, String user, String database) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/postgres",
                properties)) {
            var exists = connection.prepareStatement("select 1 from pg_database where datname = ?");
            exists.setString(1, database);
            if (!exists.executeQuery().next()) {
                connection.createStatement().execute("create database \"" + database.replace("\"", "") + "\"");
            }
        } catch (SQLException e) {
            throw new IOException("cannot create database " + database + ": " + e.getMessage(), e);
        }
    }

    static boolean redisAnswers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.read(reply);
            return read > 0 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }
}
