package playback.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Businesses and calls for checks and benchmarks against a started {@link Stack}, made the way
 * production makes them: a business row with a dev token from the api, a recording scripted at the
 * simulator, the call reported through signed webhooks. SIDs are random, so runs never collide.
 */
public final class Fixtures {

    /** A business (tenant) and a dev token that signs in to it. */
    public record Business(long id, String accountSid, String token) {
    }

    /** A completed call with a recording, as the provider reported it. */
    public record Call(Business business, String callSid, String recordingSid) {

        /** Where the provider serves the recording's audio. */
        public String providerPath() {
            return "/2010-04-01/Accounts/" + business.accountSid() + "/Recordings/" + recordingSid + ".mp3";
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Stack stack;
    private final String apiUrl;
    private final String simulatorUrl;
    private final TwilioWebhooks webhooks;

    /** @param apiUrl, simulatorUrl an api and the simulator the stack started */
    public Fixtures(Stack stack, String apiUrl, String simulatorUrl) {
        this.stack = stack;
        this.apiUrl = apiUrl;
        this.simulatorUrl = simulatorUrl;
        this.webhooks = new TwilioWebhooks(apiUrl, stack.providerAuthToken());
    }

    /** A random SID: the prefix and 32 hex digits. */
    public static String sid(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    /** A new business in the stack's database, with a dev token from the api. */
    public Business business(String name) throws IOException, InterruptedException, SQLException {
        String accountSid = sid("AC");
        long id;
        try (Connection db = stack.connect()) {
            id = DemoData.upsertBusiness(db, name, accountSid);
        }
        String answer = post(apiUrl + "/api/dev/token", "{\"business_id\":" + id + ",\"user\":\"tester\"}");
        return new Business(id, accountSid, JSON.readTree(answer).path("token").asText());
    }

    /** A token of the business's with the operators' role ({@code ops}), for the operations API. */
    public String operatorToken(Business business) throws IOException, InterruptedException {
        String answer = post(apiUrl + "/api/dev/token", "{\"business_id\":" + business.id()
                + ",\"user\":\"operator\",\"roles\":[\"ops\"]}");
        return JSON.readTree(answer).path("token").asText();
    }

    /** Turns the business's prefetch on for calls of the last {@code hours}, as an operator does. */
    public void prefetch(Business business, int hours) throws IOException, InterruptedException {
        HttpResponse<String> set = http.send(HttpRequest.newBuilder(URI.create(apiUrl + "/api/ops/businesses/"
                        + business.id() + "/prefetch")).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + operatorToken(business)).timeout(TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"hours\":" + hours + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        expectSuccess(set, "prefetch of business " + business.id());
    }

    /**
     * A completed call whose recording the simulator serves as scripted (JSON: latency, size, faults;
     * see the simulator), reported through signed webhooks.
     */
    public Call call(Business business, String script) throws IOException, InterruptedException {
        Call call = new Call(business, sid("CA"), sid("RE"));
        script(call.recordingSid(), script);
        webhooks.completedCall(business.accountSid(), call.callSid(), call.recordingSid(), 65, 60);
        return call;
    }

    /** How the simulator serves the recording from now on. */
    public void script(String recordingSid, String script) throws IOException, InterruptedException {
        post(simulatorUrl + "/sim/recordings/" + recordingSid, script);
    }

    /** Zeroes the simulator's counters; the scripts stay. */
    public void resetSimulatorStats() throws IOException, InterruptedException {
        post(simulatorUrl + "/sim/reset?keep_scripts=true", "");
    }

    /** The simulator's counters (fetches per recording, most in flight per account); a failed request throws. */
    public JsonNode simulatorStats() {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(simulatorUrl + "/sim/stats"))
                    .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(expectSuccess(answer, "simulator stats"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** How often the simulator has served the call's recording. */
    public int providerFetches(Call call) {
        return simulatorStats().path("fetches").path(call.recordingSid()).asInt(0);
    }

    /** What a {@code select count(*)} returns in the stack's database; a failed query throws, never reads as 0. */
    public int count(String sql, Object... parameters) {
        try (Connection db = stack.connect(); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private String post(String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        return expectSuccess(answer, "POST " + url);
    }

    private static String expectSuccess(HttpResponse<String> answer, String what) throws IOException {
        if (answer.statusCode() / 100 != 2) {
            throw new IOException(what + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body();
    }
}
