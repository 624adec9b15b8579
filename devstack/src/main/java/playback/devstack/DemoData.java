package playback.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo: two businesses with 24 calls each, arriving through the real, signed webhooks, with
 * recordings the simulator serves as real audio of their duration. Per business, one recording is gone
 * at the provider (fails for good) and one fails twice before it works. SIDs are derived from names,
 * so seeding again changes nothing.
 */
public final class DemoData {

    public static final int CALLS_PER_BUSINESS = 24;
    public static final List<String> BUSINESSES = List.of("Acme Plumbing", "Blue Harbor Dental");
    /** Index of the call whose recording the provider no longer has, in every business. */
    public static final int GONE = 2;
    /** Index of the call whose recording fails twice, then works. */
    public static final int FLAKY = 3;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String providerAuthToken;

    /** @param providerAuthToken the token the api checks webhook signatures with */
    public DemoData(String providerAuthToken) {
        this.providerAuthToken = providerAuthToken;
    }

    public record DemoCall(long businessId, String accountSid, String callSid, String recordingSid, int index,
                           int durationSeconds) {
    }

    /** Seeds the demo; returns its calls. */
    public List<DemoCall> seed(Connection db, String apiUrl, String simulatorUrl)
            throws IOException, InterruptedException, SQLException {
        TwilioWebhooks webhooks = new TwilioWebhooks(apiUrl, providerAuthToken);
        ZonedDateTime newest = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        List<DemoCall> calls = new ArrayList<>();
        for (String name : BUSINESSES) {
            String accountSid = sid("AC", name);
            long businessId = upsertBusiness(db, name, accountSid);
            for (int i = 0; i < CALLS_PER_BUSINESS; i++) {
                DemoCall call = new DemoCall(businessId, accountSid, sid("CA", name + "/call/" + i),
                        sid("RE", name + "/recording/" + i), i, 25 + (i * 53) % 330);
                script(simulatorUrl, call);
                ZonedDateTime ended = newest.minusMinutes(17L + i * 97L);
                expect(webhooks.post("call-status", callStatus(call, i, ended)), "call-status");
                expect(webhooks.post("recording-status", recordingStatus(call)), "recording-status");
                calls.add(call);
            }
        }
        return calls;
    }

    private void script(String simulatorUrl, DemoCall call) throws IOException, InterruptedException {
        String script = switch (call.index()) {
            case GONE -> "{\"missing\":true}";
            case FLAKY -> "{\"fail_first\":2,\"fail_status\":500,\"duration_seconds\":" + call.durationSeconds() + "}";
            default -> "{\"latency_ms\":300,\"bytes_per_second\":4000000,\"duration_seconds\":" + call.durationSeconds() + "}";
        };
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(simulatorUrl + "/sim/recordings/" + call.recordingSid()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(script)).build(), HttpResponse.BodyHandlers.ofString());
        expect(response.statusCode(), "simulator script");
    }

    private static Map<String, String> callStatus(DemoCall call, int index, ZonedDateTime ended) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", call.accountSid());
        form.put("CallSid", call.callSid());
        form.put("From", index % 2 == 0 ? "+1555010" + String.format("%04d", 1000 + index * 7) : "+15550009999");
        form.put("To", index % 2 == 0 ? "+15550009999" : "+1555010" + String.format("%04d", 2000 + index * 11));
        form.put("Direction", index % 2 == 0 ? "inbound" : "outbound-dial");
        form.put("CallStatus", "completed");
        form.put("CallDuration", Integer.toString(call.durationSeconds() + 4));
        form.put("Timestamp", DateTimeFormatter.RFC_1123_DATE_TIME.format(ended));
        return form;
    }

    private static Map<String, String> recordingStatus(DemoCall call) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", call.accountSid());
        form.put("CallSid", call.callSid());
        form.put("RecordingSid", call.recordingSid());
        form.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + call.accountSid() + "/Recordings/"
                + call.recordingSid());
        form.put("RecordingStatus", "completed");
        form.put("RecordingDuration", Integer.toString(call.durationSeconds()));
        form.put("RecordingChannels", "1");
        return form;
    }

    /** Inserts a business (tenant) for a provider account, or renames the one it has; returns its id. */
    public static long upsertBusiness(Connection db, String name, String accountSid) throws SQLException {
        try (PreparedStatement upsert = db.prepareStatement("""
                insert into businesses (name, account_sid) values (?, ?)
                on conflict (account_sid) do update set name = excluded.name
                returning id""")) {
            upsert.setString(1, name);
            upsert.setString(2, accountSid);
            try (ResultSet row = upsert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static void expect(int status, String what) throws IOException {
        if (status / 100 != 2) {
            throw new IOException(what + " answered " + status);
        }
    }

    /** A stable SID: the prefix and 32 hex digits of a hash of the name. */
    static String sid(String prefix, String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return prefix + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
