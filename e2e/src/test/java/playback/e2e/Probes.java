package playback.e2e;

import playback.devstack.Fixtures.Call;
import playback.devstack.Stack;
import playback.model.DownloadStatus;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** What the end-to-end checks do to a running system and read from it: Plays over its apis, statuses, waits. */
final class Probes {

    private static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(128))
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** The listeners' client: HTTP/1.1 as browsers fetch audio, one connection each. */
    private static final HttpClient LISTENER_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final Stack stack;
    private final List<String> apis;

    Probes(Stack stack, List<String> apis) {
        this.stack = stack;
        this.apis = apis;
    }

    /** count explicit plays, spread over the calls and over the apis, all sent at once. */
    List<Integer> playConcurrently(List<Call> calls, int count) {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(play(calls.get(i % calls.size()), apis.get(i % apis.size())));
        }
        return answers.stream().map(answer -> {
            try {
                return answer.join().statusCode();
            } catch (RuntimeException e) {
                return -1;
            }
        }).toList();
    }

    /** An explicit Play of the call's recording on the api, as the player sends it. */
    CompletableFuture<HttpResponse<String>> play(Call call, String api) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/api/recordings/" + call.callSid()
                        + "/stream?explicit_user_action=true"))
                .header("Authorization", "Bearer " + call.business().token()).timeout(Duration.ofSeconds(30)).build();
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The recording's status in PostgreSQL; a failed query fails the test rather than reading as a status. */
    String status(Call call) {
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement(
                     "select recording_download_status from call_logs where business_id = ? and call_sid = ?")) {
            query.setLong(1, call.business().id());
            query.setString(2, call.callSid());
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : "absent";
            }
        } catch (SQLException e) {
            throw new IllegalStateException("status of " + call.callSid() + ": " + e.getMessage(), e);
        }
    }

    HttpResponse<String> get(String url, String token) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A GET of a recording's bytes with the call's token, and a Range header unless it is null. */
    HttpResponse<byte[]> getBytes(String url, Call call, String range) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + call.business().token()).timeout(Duration.ofSeconds(30));
        if (range != null) {
            request.header("Range", range);
        }
        return send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** One listener of a live stream: its answer, the digest of what it received, and whether it started before ready. */
    record Listener(int status, String digest, boolean firstBytesWhileDownloading) {
    }

    /** Listens as an audio element does (the signed URL, no Authorization header) to the end, digesting the bytes. */
    Listener listen(URI url, Call call) {
        try {
            HttpResponse<InputStream> answer = LISTENER_HTTP.send(HttpRequest.newBuilder(url)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            boolean whileDownloading;
            try (InputStream body = answer.body()) {
                byte[] buffer = new byte[64 * 1024];
                int n = body.read(buffer);
                whileDownloading = n > 0 && downloading(call);
                for (; n != -1; n = body.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
            return new Listener(answer.statusCode(), HexFormat.of().formatHex(digest.digest()), whileDownloading);
        } catch (IOException | NoSuchAlgorithmException e) {
            return new Listener(-1, "failed: " + e, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Listener(-1, "interrupted", false);
        }
    }

    /** Whether the recording is downloading; false when PostgreSQL does not answer (a listener outlives a failover). */
    private boolean downloading(Call call) {
        try {
            return DownloadStatus.DOWNLOADING.wire().equals(status(call));
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** The SHA-256 of the recording's stored file. */
    String storedDigest(Call call) throws SQLException, IOException, NoSuchAlgorithmException {
        String key;
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement(
                     "select recording_storage_key from call_logs where business_id = ? and call_sid = ?")) {
            query.setLong(1, call.business().id());
            query.setString(2, call.callSid());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                key = row.getString(1);
            }
        }
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream file = Files.newInputStream(stack.storage().resolve(key))) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = file.read(buffer); n != -1; n = file.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return HTTP.send(request, body);
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Polls the condition until it holds or the time is up. An exception from the condition (a query
     * failing, an api not answering) fails the test: outages are over by the time anything awaits.
     */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            ServerProcesses.pause(Duration.ofMillis(250));
        }
        return false;
    }
}
