package playback.proof;

import playback.devstack.Fixtures.Call;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static playback.proof.Checks.pause;

/**
 * Cold Plays at a steady pace while a server goes down: each Play is the first of a new recording, so
 * PostgreSQL decides it and Redis takes its download, and each is sent whatever the previous answers,
 * with no retry. The answers, in the order the Plays were sent, give the window in which Plays were not
 * answered 2xx.
 */
final class PlayProbes implements AutoCloseable {

    /** Time between two Plays. */
    static final Duration PACE = Duration.ofMillis(400);
    /** A Play not answered within this counts as not answered. */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

    /**
     * A Play's answer (status 0 and the error when there was none), when it was sent and when answered
     * (System.nanoTime()).
     */
    record Answer(Call call, long sent, long answered, int status, String contentType, String retryAfter, String body,
                  String error) {

        boolean ok() {
            return error == null && status >= 200 && status < 300;
        }

        /** The status, or the error, as counted in the figures: "202", "503", "no answer" (within 10 s). */
        String kind() {
            return error != null ? "no answer" : String.valueOf(status);
        }
    }

    /**
     * The answers' window of non-2xx: from the first Play not answered 2xx to the first one answered 2xx
     * after the last one not; none when every Play was answered 2xx. Recovered: a Play sent after the last
     * non-2xx was answered 2xx.
     */
    record Window(List<Answer> answers, Answer firstBad, Answer lastBad, Answer recovered) {

        static Window of(List<Answer> answers) {
            Answer firstBad = answers.stream().filter(a -> !a.ok()).findFirst().orElse(null);
            Answer lastBad = answers.stream().filter(a -> !a.ok()).reduce((a, b) -> b).orElse(null);
            Answer recovered = lastBad == null ? null
                    : answers.stream().filter(a -> a.sent() > lastBad.sent() && a.ok()).findFirst().orElse(null);
            return new Window(answers, firstBad, lastBad, recovered);
        }

        boolean closed() {
            return firstBad == null || recovered != null;
        }

        /** Seconds from the first non-2xx Play to the first 2xx one after the last non-2xx (0 when none). */
        double seconds() {
            if (firstBad == null) {
                return 0;
            }
            return recovered == null ? Double.POSITIVE_INFINITY : (recovered.sent() - firstBad.sent()) / 1e9;
        }

        /** Seconds from a moment (System.nanoTime()) to the first 2xx Play after the last non-2xx. */
        double recoveredAfter(long since) {
            if (firstBad == null) {
                return 0;
            }
            return recovered == null ? Double.POSITIVE_INFINITY : (recovered.sent() - since) / 1e9;
        }

        List<Answer> bad() {
            return answers.stream().filter(a -> !a.ok()).toList();
        }

        List<Answer> good() {
            return answers.stream().filter(Answer::ok).toList();
        }

        /** How many answers of each kind, e.g. {202=60, 503=12}. */
        Map<String, Integer> kinds() {
            Map<String, Integer> kinds = new TreeMap<>();
            answers.forEach(a -> kinds.merge(a.kind(), 1, Integer::sum));
            return kinds;
        }

        /** The longest a Play waited for its answer, in seconds. */
        double slowest() {
            return answers.stream().mapToLong(a -> a.answered() - a.sent()).max().orElse(0) / 1e9;
        }

        String figures(long since) {
            String plays = String.format("%d Plays, one every %d ms %s, the slowest answered after %.1f s",
                    answers.size(), PACE.toMillis(), kinds(), slowest());
            return firstBad == null ? plays + ", every one 2xx"
                    : String.format("%s; non-2xx from %.1f s to %.1f s after the kill: window %.1f s, 2xx again %.1f s "
                            + "after the kill", plays, (firstBad.sent() - since) / 1e9, (lastBad.sent() - since) / 1e9,
                    seconds(), recoveredAfter(since));
        }
    }

    private final Playback playback;
    private final Deque<Call> calls;
    private final List<Sent> sent = new ArrayList<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();

    private record Sent(Call call, long at, CompletableFuture<Answer> answer) {
    }

    /** Plays of these calls, one each, in this order; none sent before {@link #start}. */
    PlayProbes(Playback playback, List<Call> calls) {
        this.playback = playback;
        this.calls = new ArrayDeque<>(calls);
    }

    void start() {
        pacer.scheduleAtFixedRate(this::send, 0, PACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void send() {
        Call call;
        synchronized (this) {
            call = calls.poll();
        }
        if (call == null) {
            return;
        }
        long at = System.nanoTime();
        CompletableFuture<Answer> answer = playback.playAsync(call, ANSWER_WITHIN).handle((response, failure) ->
                failure == null ? answer(call, at, response) : new Answer(call, at, System.nanoTime(), 0, "", null, "",
                        failure.getClass().getSimpleName() + ": " + failure.getMessage()));
        synchronized (this) {
            sent.add(new Sent(call, at, answer));
        }
    }

    private static Answer answer(Call call, long at, HttpResponse<String> response) {
        return new Answer(call, at, System.nanoTime(), response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("Retry-After").orElse(null), response.body(), null);
    }

    /** The answers of the Plays sent so far, up to the first one still unanswered, in the order sent. */
    synchronized List<Answer> answered() {
        List<Answer> answers = new ArrayList<>();
        for (Sent s : sent) {
            if (!s.answer().isDone()) {
                break;
            }
            answers.add(s.answer().join());
        }
        return answers;
    }

    /**
     * Plays until the answers have been 2xx for {@code steady} after the last non-2xx one, and for at least
     * {@code observe} after {@code since} (System.nanoTime()); or until {@code deadline} after it, or the
     * calls run out. Then waits for every answer and returns them all, in the order sent.
     */
    List<Answer> untilSteady(long since, Duration observe, Duration steady, Duration deadline) {
        long end = since + deadline.toNanos();
        while (System.nanoTime() < end && remaining() > 0) {
            List<Answer> answers = answered();
            if (!answers.isEmpty()) {
                Answer last = answers.get(answers.size() - 1);
                long from = answers.stream().filter(a -> !a.ok()).mapToLong(Answer::sent).max().orElse(since);
                if (last.sent() - since >= observe.toNanos() && last.ok() && last.sent() - from >= steady.toNanos()) {
                    break;
                }
            }
            pause(100);
        }
        pacer.shutdownNow();
        List<CompletableFuture<Answer>> all;
        synchronized (this) {
            all = sent.stream().map(Sent::answer).toList();
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    /** Waits until {@code count} Plays were answered, all 2xx; false if one was not, or not in time. */
    boolean awaitAnswered(int count, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            List<Answer> answers = answered();
            if (answers.stream().anyMatch(a -> !a.ok())) {
                return false;
            }
            if (answers.size() >= count) {
                return true;
            }
            pause(100);
        }
        return false;
    }

    private synchronized int remaining() {
        return calls.size();
    }

    @Override
    public void close() {
        pacer.shutdownNow();
    }
}
