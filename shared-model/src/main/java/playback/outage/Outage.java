package playback.outage;

import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * A backing server that is down, unreachable or switching over, told apart from a bug: the api answers
 * an outage with a 503 and Retry-After, the worker waits and tries again. A failover is an outage too:
 * a PostgreSQL server shutting down or still recovering, a connection to a former primary that became
 * read-only, a Redis primary demoted to a replica or still loading its data.
 */
public enum Outage {
    DATABASE("database"),
    REDIS("redis");

    /**
     * SQLSTATEs of a server going away or not taking writes yet: admin, crash and "cannot connect now"
     * shutdowns, a transaction on a server that is read-only (a standby, or a primary being demoted), too
     * many connections. Class 08 (connection exceptions) is matched by its prefix.
     */
    private static final Set<String> DATABASE_STATES = Set.of("57P01", "57P02", "57P03", "25006", "53300");
    /** Redis error replies of a failover: a demoted primary, a replica loading, a blocked read ended by it. */
    private static final Set<String> REDIS_REPLIES = Set.of("READONLY", "LOADING", "UNBLOCKED", "MASTERDOWN",
            "NOREPLICAS", "TRYAGAIN");

    /** Causes and suppressed failures looked at, at most: a failure's graph is small, a cycle is not. */
    private static final int MAX_EXAMINED = 64;

    private final String code;

    Outage(String code) {
        this.code = code;
    }

    /** The word the api's 503 body names the dependency by ({@code database_unavailable}). */
    public String code() {
        return code;
    }

    /**
     * The dependency whose outage caused this failure, or empty when it is not an outage. Causes and
     * suppressed exceptions are both looked at: a commit that fails because the server died says so in
     * the suppressed failure of its resource, not in its cause.
     */
    public static Optional<Outage> of(Throwable failure) {
        Deque<Throwable> pending = new ArrayDeque<>(List.of(failure));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!pending.isEmpty() && seen.size() < MAX_EXAMINED) {
            Throwable cause = pending.removeFirst();
            if (!seen.add(cause)) {
                continue;
            }
            Optional<Outage> outage = ofOne(cause, failure);
            if (outage.isPresent()) {
                return outage;
            }
            if (cause.getCause() != null) {
                pending.addLast(cause.getCause());
            }
            pending.addAll(List.of(cause.getSuppressed()));
        }
        return Optional.empty();
    }

    private static Optional<Outage> ofOne(Throwable cause, Throwable failure) {
        String type = cause.getClass().getName();
        if (cause instanceof SQLException sql && (isDatabaseState(sql.getSQLState())
                || sql instanceof SQLTransientConnectionException
                || String.valueOf(sql.getMessage()).contains("Acquisition timeout"))) {
            return Optional.of(DATABASE);
        }
        if (type.startsWith("org.hibernate.exception.JDBCConnectionException")) {
            return Optional.of(DATABASE);
        }
        if (type.startsWith("io.vertx.redis") || type.startsWith("io.quarkus.redis")
                || String.valueOf(cause.getMessage()).contains("redis") || isRedisReply(cause.getMessage())) {
            return Optional.of(REDIS);
        }
        // A connection that broke or timed out: whose it was, the stack tells.
        if (cause instanceof SocketException || cause instanceof ClosedChannelException
                || cause instanceof TimeoutException || type.equals("io.smallrye.mutiny.TimeoutException")) {
            return Optional.of(stackMentions(failure, "redis") ? REDIS : DATABASE);
        }
        // The Redis client's own connection failures ("Connection is closed") are Vert.x's, without a stack.
        if ((type.startsWith("io.vertx.core.") || type.startsWith("io.netty.")) && stackMentions(failure, "redis")) {
            return Optional.of(REDIS);
        }
        return Optional.empty();
    }

    /** True when the failure is an outage of this dependency. */
    public boolean caused(Throwable failure) {
        return of(failure).filter(this::equals).isPresent();
    }

    private static boolean isDatabaseState(String state) {
        return state != null && (state.startsWith("08") || DATABASE_STATES.contains(state));
    }

    private static boolean isRedisReply(String message) {
        if (message == null) {
            return false;
        }
        int end = message.indexOf(' ');
        return REDIS_REPLIES.contains(end < 0 ? message : message.substring(0, end));
    }

    private static boolean stackMentions(Throwable failure, String word) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            for (StackTraceElement frame : cause.getStackTrace()) {
                if (frame.getClassName().contains(word)) {
                    return true;
                }
            }
        }
        return false;
    }
}
