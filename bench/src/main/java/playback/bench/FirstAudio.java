package playback.bench;

import com.fasterxml.jackson.databind.JsonNode;
import playback.bench.ColdPlayTimer.Delivery;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * 8. Time to first audio against recording length. For cold recordings of 1, 10 and 60 minutes (real
 * MP3 of the simulator, 128 kbps: 16,000 bytes a second, so 0.96, 9.6 and 57.6 MB), each scripted
 * {@code {"latency_ms":300,"bytes_per_second":1000000,"duration_seconds":N}}, 3 Plays each (2 of the
 * 60-minute ones) for each of two players, one after the other, each on a new recording: from the explicit Play
 * ({@code GET /stream?explicit_user_action=true}, must answer {@code 202}) to the first audio byte the
 * player receives. The stored-file player (what a player written to the base contract does) long-polls
 * {@code GET /status?wait=30} until the status carries a {@code stream_url}; the live player long-polls
 * {@code GET /status?wait=30&live=true} until it carries a {@code live_stream_url} (or a
 * {@code stream_url}, when the recording was quicker). Both then GET that URL as the {@code <audio>}
 * element does (signed, no Authorization header, redirects followed) and read the body to the end, which
 * must be the whole recording: as many bytes as the status (its size, else its progress total, else
 * Content-Length) announces, and as the provider delivers. The provider's own time to first byte and to full delivery
 * are measured directly at the simulator ({@link ColdPlayTimer#providerDelivery}).
 * Goal, for every length: the live player's time to first audio &lt;= the provider's own first byte +
 * {@value #GOAL_MARGIN_MS} ms.
 */
public final class FirstAudio {

    static final long LATENCY_MS = 300;
    static final long BYTES_PER_SECOND = 1_000_000;
    static final long GOAL_MARGIN_MS = 300;
    static final int WARM_UP_PLAYS = 2;
    static final int DIRECT_WARM_UPS = 2;
    /** The simulator's MP3 is 128 kbps CBR. */
    static final int MP3_BYTES_PER_SECOND = 16_000;

    /**
     * A recording length measured: how many Plays, and how many direct fetches at the provider measure
     * its delivery. A 60-minute recording takes a minute to download, so it gets fewer of both (the
     * throttled rate leaves little to vary), which keeps the whole run near 5 minutes.
     */
    record Length(String name, int seconds, int plays, int directFetches) {

        String script() {
            return "{\"latency_ms\":" + LATENCY_MS + ",\"bytes_per_second\":" + BYTES_PER_SECOND
                    + ",\"duration_seconds\":" + seconds + "}";
        }
    }

    /** How a player learns it may start: the stored file (the base contract), or the recording as it downloads. */
    enum Player {
        STORED("stored-file player", "stream_url"),
        LIVE("live player", "live_stream_url");

        final String label;
        final String field;

        Player(String label, String field) {
            this.label = label;
            this.field = field;
        }

        boolean live() {
            return this == LIVE;
        }

        /** The URL the player starts on, when the status carries one it takes. */
        String url(JsonNode status) {
            if (live() && status.hasNonNull(field)) {
                return status.get(field).asText();
            }
            return status.hasNonNull("stream_url") ? status.get("stream_url").asText() : null;
        }
    }

    static final List<Length> LENGTHS = List.of(new Length("1 min", 60, 3, 3), new Length("10 min", 600, 3, 1),
            new Length("60 min", 3600, 2, 1));

    /**
     * One Play, times in ms from the explicit Play: until the status carried a stream_url (and what that
     * status was), until the first audio byte, until the last; the bytes received.
     */
    record Listen(Player player, double streamUrlMillis, String statusWithUrl, double firstAudioMillis,
                  double lastByteMillis, long bytes) {
    }

    /** The signed stream_url as the audio element fetches it: no credentials, redirects followed. */
    private static final HttpClient PLAYER = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        try (BenchStack bench = BenchStack.start("first-audio")) {
            run(bench);
        }
    }

    static void run(BenchStack bench) throws Exception {
        Business business = bench.fixtures.business("First audio bench");
        ColdPlayTimer timer = new ColdPlayTimer(bench);

        Length shortest = LENGTHS.get(0);
        Delivery warmUp = ColdPlayTimer.providerDelivery(bench, business, shortest.script(), DIRECT_WARM_UPS, 1);
        for (int i = 0; i < WARM_UP_PLAYS; i++) {
            for (Player player : Player.values()) {
                listen(bench, timer, player, newCall(bench, business, shortest), warmUp);
            }
        }

        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("length", "size (bytes)", "provider first byte", "provider full delivery",
                "stored-file player: first audio p50", "live player: Play -> URL p50 (status)", "first audio p50",
                "first audio max", "last byte p50", "goal: first audio <=", "result"));
        List<String[]> summary = new ArrayList<>();
        for (Length length : LENGTHS) {
            Delivery provider = ColdPlayTimer.providerDelivery(bench, business, length.script(), 0,
                    length.directFetches());
            System.out.printf("%s: %,d bytes (%.1f s of 128 kbps MP3); provider's own delivery, measured directly "
                            + "(median of %d): first byte %s, last byte %s%n", length.name(), provider.bytes(),
                    provider.bytes() / (double) MP3_BYTES_PER_SECOND, length.directFetches(), time(provider.firstByteMillis()),
                    time(provider.fullMillis()));
            List<Listen> stored = new ArrayList<>();
            List<Listen> live = new ArrayList<>();
            for (int i = 0; i < length.plays(); i++) {
                for (Player player : Player.values()) {
                    Listen listen = listen(bench, timer, player, newCall(bench, business, length), provider);
                    (player.live() ? live : stored).add(listen);
                    System.out.printf("  Play %d, %s: URL after %s (status %s), first audio %s, last byte %s, %,d bytes%n",
                            i + 1, player.label, time(listen.streamUrlMillis()), listen.statusWithUrl(),
                            time(listen.firstAudioMillis()), time(listen.lastByteMillis()), listen.bytes());
                }
            }

            double storedP50 = Report.percentile(stored.stream().map(Listen::firstAudioMillis).toList(), 0.5);
            List<Double> firstAudio = live.stream().map(Listen::firstAudioMillis).toList();
            double firstAudioP50 = Report.percentile(firstAudio, 0.5);
            double firstAudioMax = Report.percentile(firstAudio, 1.0);
            double lastByteP50 = Report.percentile(live.stream().map(Listen::lastByteMillis).toList(), 0.5);
            double goal = provider.firstByteMillis() + GOAL_MARGIN_MS;
            boolean pass = firstAudioMax <= goal;
            Set<String> statuses = new LinkedHashSet<>(live.stream().map(Listen::statusWithUrl).toList());
            rows.add(Report.row(length.name(), String.format("%,d", provider.bytes()), time(provider.firstByteMillis()),
                    time(provider.fullMillis()), time(storedP50),
                    time(Report.percentile(live.stream().map(Listen::streamUrlMillis).toList(), 0.5))
                            + " (" + String.join(", ", statuses) + ")",
                    time(firstAudioP50), time(firstAudioMax), time(lastByteP50), time(goal), Report.verdict(pass)));
            summary.add(Report.summaryRow(String.format("8. Time to first audio, %s cold recording (%.1f MB at %.0f MB/s, "
                            + "%d ms latency)", length.name(), provider.bytes() / 1e6, BYTES_PER_SECOND / 1e6, LATENCY_MS),
                    String.format("live player: first audio p50 %s, max %s (stored-file player: %s); last byte %s; "
                                    + "provider first byte %s, full %s", time(firstAudioP50), time(firstAudioMax),
                            time(storedP50), time(lastByteP50), time(provider.firstByteMillis()), time(provider.fullMillis())),
                    String.format("<= provider first byte + %d ms (%s)", GOAL_MARGIN_MS, time(goal)), pass));
        }

        System.out.println();
        System.out.println("=== 8. Time to first audio against recording length (cold recordings, "
                + LENGTHS.stream().map(l -> l.plays() + " of " + l.name()).collect(Collectors.joining(", "))
                + " for each player, sequential, after " + WARM_UP_PLAYS + " warm-up Plays of each not counted; provider "
                + LATENCY_MS + " ms latency, " + BYTES_PER_SECOND / 1_000_000 + " MB/s) ===");
        System.out.println(timer.howSeen("the URL to start on"));
        System.out.print(Report.table(rows));
        System.out.println("(times from the explicit Play; the goal is the provider's own first byte, measured directly at "
                + "the simulator, + " + GOAL_MARGIN_MS + " ms, for every Play of the live player)");
        Report.save("firstaudio", summary);
    }

    /** A new completed call whose recording the provider serves as the length's script says. */
    private static Call newCall(BenchStack bench, Business business, Length length) throws Exception {
        Call call = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
        bench.fixtures.script(call.recordingSid(), length.script());
        bench.webhooks.completedCall(business.accountSid(), call.callSid(), call.recordingSid(), length.seconds() + 5,
                length.seconds());
        return call;
    }

    /**
     * The explicit Play of a cold recording, then what the player does: the long-poll until the status
     * carries the URL it starts on, the GET of that URL, the body read to the end and checked whole.
     */
    private static Listen listen(BenchStack bench, ColdPlayTimer timer, Player player, Call call, Delivery provider)
            throws Exception {
        long sent = System.nanoTime();
        int answer = bench.play(call);
        if (answer != 202) {
            throw new IllegalStateException("explicit play of a cold recording answered " + answer + ", not 202");
        }
        JsonNode status = timer.awaitStatus(call, s -> player.url(s) != null, player.live(),
                Duration.ofMillis(Math.round(2 * provider.fullMillis())).plusSeconds(60));
        long urlSeen = System.nanoTime();
        URI streamUrl = URI.create(bench.apiUrl).resolve(player.url(status));
        HttpResponse<InputStream> audio = PLAYER.send(HttpRequest.newBuilder(streamUrl).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        long firstByte;
        long bytes;
        try (InputStream body = audio.body()) {
            String type = audio.headers().firstValue("Content-Type").orElse("");
            if (audio.statusCode() != 200 || !type.startsWith("audio/")) {
                throw new IllegalStateException(player.label + "'s URL of " + call.callSid() + " answered " + audio.statusCode()
                        + " " + type + " (status " + status + ")");
            }
            int first = body.read();
            firstByte = System.nanoTime();
            bytes = first < 0 ? 0 : 1 + body.transferTo(OutputStream.nullOutputStream());
        }
        long lastByte = System.nanoTime();
        long announced = announcedSize(status, audio);
        if (bytes != announced || bytes != provider.bytes()) {
            throw new IllegalStateException(player.label + "'s URL of " + call.callSid() + " gave " + bytes + " bytes; announced "
                    + announced + ", the provider's recording has " + provider.bytes());
        }
        return new Listen(player, (urlSeen - sent) / 1e6, status.path("status").asText(), (firstByte - sent) / 1e6,
                (lastByte - sent) / 1e6, bytes);
    }

    /** The size of the recording: the status's size_bytes, or its progress total, or else Content-Length. */
    private static long announcedSize(JsonNode status, HttpResponse<?> audio) {
        if (status.hasNonNull("size_bytes")) {
            return status.get("size_bytes").asLong();
        }
        if (status.path("progress").hasNonNull("total")) {
            return status.path("progress").get("total").asLong();
        }
        return audio.headers().firstValueAsLong("Content-Length").orElseThrow(() ->
                new IllegalStateException("neither the status nor the answer says the size: " + status));
    }

    /** ms below 10 s, else seconds. */
    private static String time(double millis) {
        return millis < 10_000 ? String.format("%.0f ms", millis) : String.format("%.2f s", millis / 1000);
    }
}
