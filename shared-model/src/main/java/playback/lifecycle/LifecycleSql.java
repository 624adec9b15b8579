package playback.lifecycle;

import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;
import playback.model.RunStatus;
import playback.model.WireConverter;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** What the lifecycle's statements share: status lists as SQL literals, durations as seconds, result rows. */
final class LifecycleSql {

    /** The statuses the partial unique index covers: a literal, because ON CONFLICT must match its predicate. */
    static final Set<RunStatus> ACTIVE_RUNS = Arrays.stream(RunStatus.values()).filter(RunStatus::isActive)
            .collect(Collectors.toUnmodifiableSet());

    private LifecycleSql() {
    }

    /** A status set as a SQL list of literals; the wire forms are enum-defined lower-case words. */
    static String in(Set<? extends WireConverter.Wire> statuses) {
        return statuses.stream().map(status -> "'" + status.wire() + "'").sorted().collect(Collectors.joining(", "));
    }

    static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    @SuppressWarnings("unchecked")
    static List<Tuple> tuples(Query query) {
        return query.getResultList();
    }

    /** The status of a run, when it exists; inside the caller's transaction. */
    static Optional<RunStatus> runStatus(EntityManager db, long runId) {
        return db.createNativeQuery("select status from recording_runs where id = ?1", String.class)
                .setParameter(1, runId).getResultList().stream().findFirst()
                .map(status -> RunStatus.fromWire((String) status));
    }
}
