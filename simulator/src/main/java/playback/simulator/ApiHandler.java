package playback.simulator;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The provider API: {@code GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.mp3|.wav}.
 * Like Twilio it wants basic auth and answers with a redirect to a short-lived signed storage URL on
 * another host, so a client that forwards its credentials across hosts is caught by the storage server.
 */
final class ApiHandler implements Http.Handler {

    private static final Pattern PATH =
            Pattern.compile("/2010-04-01/Accounts/([^/]+)/Recordings/([^/]+)\\.(mp3|wav)");
    private static final Pattern ACCOUNT_SID = Pattern.compile("AC[0-9a-fA-F]{32}");
    static final Pattern RECORDING_SID = Pattern.compile("RE[0-9a-fA-F]{32}");

    private final Scripts scripts;
    private final Stats stats;
    private final SignedUrls signer;
    private final String expectedAuthorization;
    private final String storageBase;

    /** storageBase: the storage server's base URL, known once it is bound (so that port 0 works). */
    ApiHandler(SimulatorConfig config, String storageBase, Scripts scripts, Stats stats, SignedUrls signer) {
        this.storageBase = storageBase;
        this.scripts = scripts;
        this.stats = stats;
        this.signer = signer;
        this.expectedAuthorization = "Basic " + Base64.getEncoder().encodeToString(
                (config.accountSid() + ":" + config.authToken()).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getPath();
        Matcher matcher = PATH.matcher(path);
        if (!matcher.matches() || !RECORDING_SID.matcher(matcher.group(2)).matches()) {
            twilioError(exchange, 404, 20404, "The requested resource " + path + " was not found");
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            twilioError(exchange, 405, 20004, "Method not allowed");
            return;
        }
        String account = matcher.group(1);
        String recordingSid = matcher.group(2);
        String extension = matcher.group(3);
        // Every GET of a recording counts, whatever it is answered; the download ends here unless redirected.
        long download = stats.fetchStarted(account, recordingSid);
        boolean redirected = false;
        try {
            redirected = answer(exchange, account, recordingSid, extension, download);
        } finally {
            if (!redirected) {
                stats.finished(download);
            }
        }
    }

    /** Answers the fetch; true when it redirected to storage (the download then continues there). */
    private boolean answer(HttpExchange exchange, String account, String recordingSid, String extension,
                           long download) throws IOException, InterruptedException {
        String path = exchange.getRequestURI().getPath();
        if (!expectedAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"Twilio API\"");
            return refuse(exchange, download, 401, 20003, "Authenticate");
        }
        if (!ACCOUNT_SID.matcher(account).matches()) {
            return refuse(exchange, download, 404, 20404, "The requested resource " + path + " was not found");
        }
        Scripts.Fetch fetch = scripts.fetch(recordingSid);
        Script script = fetch.script();
        if (script.latencyMs() > 0) {
            Thread.sleep(script.latencyMs());
        }
        if (script.missing()) {
            return refuse(exchange, download, 404, 20404, "The requested resource " + path + " was not found");
        }
        if (fetch.scriptedFailure()) {
            int status = script.failStatus();
            if (status == 429 && script.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", String.valueOf(script.retryAfter()));
            }
            return refuse(exchange, download, status, 20000 + status, "Scripted failure " + fetch.attempt() + " of "
                    + script.failFirst());
        }
        long expires = System.currentTimeMillis() / 1000 + SignedUrls.TTL_SECONDS;
        String storagePath = "/storage/" + recordingSid + "." + extension;
        stats.redirected(download, expires * 1000);
        exchange.getResponseHeaders().set("Location",
                storageBase + storagePath + "?" + signer.query(storagePath, expires, download));
        Http.status(exchange, 302);
        return true;
    }

    /**
     * Ends the download, then answers the error: the fetch is over before the client can read that it
     * is, so a client that starts its next fetch on reading it is never counted twice in flight.
     */
    private boolean refuse(HttpExchange exchange, long download, int status, int code, String message) throws IOException {
        stats.finished(download);
        twilioError(exchange, status, code, message);
        return false;
    }

    /** Twilio's REST error shape: code, message, more_info, status. */
    private static void twilioError(HttpExchange exchange, int status, int code, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("more_info", "https://www.twilio.com/docs/errors/" + code);
        body.put("status", status);
        Http.json(exchange, status, body);
    }
}
