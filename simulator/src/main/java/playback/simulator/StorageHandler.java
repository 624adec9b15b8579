package playback.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "signed storage" behind the API's redirects: {@code GET /storage/{RecordingSid}.mp3|.wav} with the
 * signed query. It trusts only the signature and refuses any request that carries credentials, which
 * would mean the client leaked the provider's auth token to a third host. It streams the audio as it
 * generates it, at the scripted throughput, and plays the scripted media faults.
 */
final class StorageHandler implements Http.Handler {

    private static final Pattern PATH = Pattern.compile("/storage/(RE[0-9a-fA-F]{32})\\.(mp3|wav)");
    private static final int MAX_CHUNK = 16 * 1024;

    private static final String NOT_AUDIO = """
            <?xml version='1.0' encoding='UTF-8'?>
            <TwilioResponse><RestException><Code>20404</Code><Message>The requested resource was not found</Message>\
            <MoreInfo>https://www.twilio.com/docs/errors/20404</MoreInfo><Status>404</Status></RestException></TwilioResponse>
            """;

    private final SimulatorConfig config;
    private final Scripts scripts;
    private final Stats stats;
    private final SignedUrls signer;
    private final Audio audio;

    StorageHandler(SimulatorConfig config, Scripts scripts, Stats stats, SignedUrls signer, Audio audio) {
        this.config = config;
        this.scripts = scripts;
        this.stats = stats;
        this.signer = signer;
        this.audio = audio;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getPath();
        Matcher matcher = PATH.matcher(path);
        if (!matcher.matches()) {
            Http.error(exchange, 404, "not_found", "no such object");
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            Http.error(exchange, 405, "method_not_allowed", "storage serves GET only");
            return;
        }
        Map<String, String> query = Http.query(exchange);
        long expires = number(query.get("Expires"));
        long download = number(query.get("Download"));
        if (!signer.valid(path, expires, download, query.get("Signature"), System.currentTimeMillis() / 1000)) {
            Http.error(exchange, 403, "signature_invalid", "missing, wrong or expired signature");
            return;
        }
        boolean counted = stats.storageStarted(download);
        try {
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                Http.error(exchange, 403, "credentials_leaked",
                        "storage URLs are pre-signed; an Authorization header here means provider credentials leaked");
                return;
            }
            serve(exchange, matcher.group(1), matcher.group(2), counted ? () -> stats.finished(download) : () -> { });
        } finally {
            if (counted) {
                stats.finished(download);
            }
        }
    }

    /**
     * Serves the recording; {@code ending} runs just before its last bytes are sent, so that the
     * download is over by the time the client has them and may start its next one.
     */
    private void serve(HttpExchange exchange, String recordingSid, String extension, Runnable ending)
            throws IOException, InterruptedException {
        Script script = scripts.get(recordingSid);
        if (script.empty()) {
            ending.run();
            exchange.getResponseHeaders().set("Content-Type", Http.contentType(extension));
            Http.status(exchange, 200);
            return;
        }
        if (script.notAudio()) {
            ending.run();
            byte[] xml = NOT_AUDIO.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, xml.length);
            exchange.getResponseBody().write(xml);
            return;
        }
        int duration = script.durationSeconds() != null ? script.durationSeconds() : config.defaultDurationSeconds();
        Audio.Body body = audio.body(extension, duration, script.sizeBytes());
        exchange.getResponseHeaders().set("Content-Type", body.contentType());
        if (body.length() == 0) {
            ending.run();
            Http.status(exchange, 200);
            return;
        }
        exchange.sendResponseHeaders(200, body.length());
        // A truncated body stops halfway: the exchange is then closed with bytes still owed, and the JDK
        // server drops the connection, which is exactly what a client sees when storage dies mid-transfer.
        long toSend = script.truncate() ? body.length() / 2 : body.length();
        copy(body.stream(), exchange.getResponseBody(), toSend, script.bytesPerSecond(), ending);
    }

    /**
     * Copies count bytes in chunks. When throttled, each chunk waits until the bytes before it are due
     * by the clock (so sleeps do not drift), in chunks of about 1/20 s, flushed so the client really sees
     * the rate; nothing waits after the last chunk, so the download ends when its last byte is sent.
     */
    private static void copy(InputStream in, OutputStream out, long count, Long bytesPerSecond, Runnable ending)
            throws IOException, InterruptedException {
        int chunk = bytesPerSecond == null ? MAX_CHUNK
                : (int) Math.max(1, Math.min(MAX_CHUNK, bytesPerSecond / 20));
        byte[] buffer = new byte[chunk];
        long started = System.nanoTime();
        long sent = 0;
        while (sent < count) {
            if (bytesPerSecond != null) {
                long waitNanos = started + sent * 1_000_000_000L / bytesPerSecond - System.nanoTime();
                if (waitNanos > 0) {
                    Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
                }
            }
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, count - sent));
            if (sent + n >= count) {
                ending.run();
            }
            out.write(buffer, 0, n);
            sent += n;
            if (bytesPerSecond != null) {
                out.flush();
            }
        }
        out.flush();
    }

    private static long number(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
