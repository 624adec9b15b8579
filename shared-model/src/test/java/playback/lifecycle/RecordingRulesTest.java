package playback.lifecycle;

import org.junit.jupiter.api.Test;
import playback.lifecycle.RecordingRules.Delivery;
import playback.lifecycle.RecordingRules.GiveUp;
import playback.lifecycle.RecordingRules.Play;
import playback.lifecycle.RecordingRules.RecordingChange;
import playback.lifecycle.RecordingRules.RecordingState;
import playback.lifecycle.RecordingRules.Retry;
import playback.lifecycle.RecordingRules.RunChange;
import playback.model.BackoffPolicy;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.RunStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every (state, change) pair of the recording and run state machines, and every decision input. */
class RecordingRulesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Duration COOLDOWN = Duration.ofSeconds(60);
    private static final BackoffPolicy POLICY = new BackoffPolicy(List.of(Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30)));

    /** Rows: from; columns: the changes in declaration order; "-": the change cannot happen. */
    private static final String RECORDING_TABLE = """
            from         NEW_RECORDING ENQUEUE CLAIM       PROGRESS    SUCCEED RETRY  GIVE_UP RELEASE FILE_MISSING EVICT   RETRY_NOW RESET
            missing      missing       queued  -           -           -       -      -       -       -            -       -         missing
            queued       missing       queued  downloading -           -       -      -       -       -            -       queued    missing
            downloading  missing       queued  downloading downloading ready   queued failed  queued  -            -       -         missing
            ready        missing       -       -           -           -       -      -       -       missing      missing -         missing
            failed       missing       queued  -           -           -       -      -       -       -            -       queued    missing
            """;

    private static final String RUN_TABLE = """
            from       CLAIM   TAKE_OVER RENEW   SUCCEED   FAIL   RELEASE SWEEP  SUPERSEDE
            queued     running -         -       -         -      -       -      superseded
            running    -       running   running succeeded failed queued  failed superseded
            succeeded  -       -         -       -         -      -       -      -
            failed     -       -         -       -         -      -       -      -
            superseded -       -         -       -         -      -       -      -
            """;

    @Test
    void everyRecordingStatusAndChange() {
        assertEquals(List.of(), mismatches(RECORDING_TABLE, DownloadStatus.values(), RecordingChange.values(),
                DownloadStatus::wire, RecordingRules::next));
    }

    @Test
    void everyRunStatusAndChange() {
        assertEquals(List.of(), mismatches(RUN_TABLE, RunStatus.values(), RunChange.values(), RunStatus::wire,
                RecordingRules::next));
    }

    /** The pairs where the rules differ from the table; the table must name every status and change. */
    private static <S, C extends Enum<C>> List<String> mismatches(String text, S[] statuses, C[] changes,
                                                                  Function<S, String> wire,
                                                                  BiFunction<S, C, Optional<S>> next) {
        List<String[]> rows = table(text);
        assertEquals(Arrays.stream(changes).map(Enum::name).toList(),
                Arrays.asList(rows.get(0)).subList(1, rows.get(0).length), "one column per change");
        assertEquals(Arrays.stream(statuses).map(wire).toList(),
                rows.subList(1, rows.size()).stream().map(row -> row[0]).toList(), "one row per status");
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < statuses.length; i++) {
            String[] row = rows.get(i + 1);
            for (C change : changes) {
                String expected = row[change.ordinal() + 1];
                String actual = next.apply(statuses[i], change).map(wire).orElse("-");
                if (!expected.equals(actual)) {
                    mismatches.add(row[0] + " + " + change + ": expected " + expected + ", was " + actual);
                }
            }
        }
        return mismatches;
    }

    @Test
    void theGuardsOfTheStatementsComeFromTheTables() {
        assertEquals(java.util.Set.of(RunStatus.QUEUED), RecordingRules.from(RunChange.CLAIM));
        assertEquals(java.util.Set.of(RunStatus.QUEUED, RunStatus.RUNNING), RecordingRules.from(RunChange.SUPERSEDE));
        assertEquals(RunStatus.RUNNING, RecordingRules.target(RunChange.CLAIM));
        assertEquals(java.util.Set.of(DownloadStatus.MISSING, DownloadStatus.QUEUED, DownloadStatus.DOWNLOADING,
                DownloadStatus.FAILED), RecordingRules.from(RecordingChange.ENQUEUE));
        assertEquals(DownloadStatus.MISSING, RecordingRules.target(RecordingChange.FILE_MISSING));
        assertEquals(java.util.Set.of(DownloadStatus.READY), RecordingRules.from(RecordingChange.EVICT));
        assertEquals(DownloadStatus.MISSING, RecordingRules.target(RecordingChange.EVICT));
        assertEquals(java.util.Set.of(DownloadStatus.QUEUED, DownloadStatus.FAILED), RecordingRules.from(RecordingChange.RETRY_NOW));
        assertEquals(DownloadStatus.QUEUED, RecordingRules.target(RecordingChange.RETRY_NOW));
        for (RunChange change : RunChange.values()) {
            RecordingRules.from(change).forEach(from ->
                    assertEquals(RecordingRules.target(change), RecordingRules.next(from, change).orElseThrow(),
                            change + " has one target"));
        }
    }

    @Test
    void aPlayForEveryStatus() {
        for (DownloadStatus status : DownloadStatus.values()) {
            for (boolean explicit : new boolean[] {true, false}) {
                Play expected = switch (status) {
                    case READY -> Play.SERVE;
                    case MISSING, QUEUED, DOWNLOADING, FAILED -> explicit ? Play.ENQUEUE : Play.WAIT;
                };
                assertEquals(expected, play(status, false, null, null, explicit), status + (explicit ? " explicit" : ""));
            }
        }
    }

    @Test
    void aFailedRecordingIsGoneWhenTerminalAndRefusedInsideItsWindow() {
        assertEquals(Play.GONE, play(DownloadStatus.FAILED, true, null, null, true));
        assertEquals(Play.GONE, play(DownloadStatus.FAILED, true, NOW.minusSeconds(600), null, true));
        assertEquals(Play.BACKING_OFF, play(DownloadStatus.FAILED, false, NOW.plusSeconds(1), null, true));
        assertEquals(Play.BACKING_OFF, play(DownloadStatus.FAILED, false, NOW.plusSeconds(1), null, false));
        assertEquals(Play.ENQUEUE, play(DownloadStatus.FAILED, false, NOW, null, true), "the window is over");
        assertEquals(Play.ENQUEUE, play(DownloadStatus.FAILED, false, NOW, NOW, true), "no cooldown after a failure");
    }

    @Test
    void repeatedPlaysWithinTheCooldownOfAnInProgressDownloadDoNotEnqueue() {
        for (DownloadStatus status : List.of(DownloadStatus.QUEUED, DownloadStatus.DOWNLOADING)) {
            assertEquals(Play.WAIT, play(status, false, null, NOW.minusSeconds(59), true), status + " in the cooldown");
            assertEquals(Play.ENQUEUE, play(status, false, null, NOW.minus(COOLDOWN), true), status + " after it");
            assertEquals(Play.ENQUEUE, play(status, false, null, null, true), status + " never enqueued");
        }
        assertEquals(Play.ENQUEUE, play(DownloadStatus.MISSING, false, null, NOW, true),
                "a missing recording (file gone) is enqueued whatever its last enqueue");
    }

    @Test
    void afterEveryFailureReasonAndAttempt() {
        for (FailureReason reason : FailureReason.values()) {
            for (int attempt = 1; attempt <= POLICY.maxAttempts() + 1; attempt++) {
                RecordingRules.AfterFailure decision = RecordingRules.afterFailure(attempt, reason, null, POLICY);
                RecordingRules.AfterFailure expected = reason.terminal() ? new GiveUp(Optional.empty())
                        : attempt >= POLICY.maxAttempts() ? new GiveUp(Optional.of(Duration.ofSeconds(30)))
                        : new Retry(List.of(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30))
                        .get(attempt - 1));
                assertEquals(expected, decision, reason + " after attempt " + attempt);
            }
        }
    }

    @Test
    void theProvidersRetryAfterWinsWhenLonger() {
        assertEquals(new Retry(Duration.ofSeconds(7)),
                RecordingRules.afterFailure(1, FailureReason.PROVIDER_RATE_LIMITED, Duration.ofSeconds(7), POLICY));
        assertEquals(new Retry(Duration.ofSeconds(5)),
                RecordingRules.afterFailure(1, FailureReason.PROVIDER_RATE_LIMITED, Duration.ofSeconds(2), POLICY));
        assertEquals(new GiveUp(Optional.of(Duration.ofSeconds(120))),
                RecordingRules.afterFailure(4, FailureReason.PROVIDER_RATE_LIMITED, Duration.ofSeconds(120), POLICY));
    }

    @Test
    void aDeliveryForEveryRunStatus() {
        assertEquals(Delivery.DROP, RecordingRules.onDelivery(Optional.empty(), true, true), "an unknown run");
        for (RunStatus status : RunStatus.values()) {
            for (boolean due : new boolean[] {true, false}) {
                for (boolean leaseExpired : new boolean[] {true, false}) {
                    Delivery expected = switch (status) {
                        case QUEUED -> due ? Delivery.CLAIM : Delivery.DEFER;
                        case RUNNING -> leaseExpired ? Delivery.CLAIM : Delivery.DROP;
                        case SUCCEEDED, FAILED, SUPERSEDED -> Delivery.DROP;
                    };
                    assertEquals(expected, RecordingRules.onDelivery(Optional.of(status), due, leaseExpired),
                            status + " due=" + due + " leaseExpired=" + leaseExpired);
                }
            }
        }
    }

    private static Play play(DownloadStatus status, boolean terminal, Instant nextRetryAt, Instant lastEnqueueAt,
                             boolean explicit) {
        return RecordingRules.onPlay(new RecordingState(status, terminal, nextRetryAt, lastEnqueueAt), explicit, NOW,
                COOLDOWN);
    }

    private static List<String[]> table(String text) {
        return text.lines().map(String::trim).filter(line -> !line.isEmpty()).map(line -> line.split("\\s+")).toList();
    }
}
