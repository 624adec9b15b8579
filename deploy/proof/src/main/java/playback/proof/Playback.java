package playback.proof;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.devstack.TwilioWebhooks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static playback.proof.Checks.await;
import static playback.proof.Checks.check;

/**
 * The product as its users and its provider see it, through the ports the deployment publishes: the
 * api (dev tokens, Play, status, streams), the provider's signed webhooks, and the simulator's control
 * endpoints (scripts and fetch statistics). New businesses are rows inserted through the postgres
 * container, as the demo's are.
 */
final class Playback implements AutoCloseable {

    /** A recording the provider serves after 1 s. */
    static final String FAST = "{\"latency_ms\":1000,\"size_bytes\":100000}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(40);

    private final ExecutorService httpThreads = Executors.newFixedThreadPool(32);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(httpThreads).build();
    private final ExecutorService parallel = Executors.newFixedThreadPool(8);
    private final String api;
    private final String simulator;
    private final TwilioWebhooks webhooks;
    private final Deployment deployment;

    Playback(Settings settings, Deployment deployment) {
        this.api = settings.api();
        this.simulator = settings.simulator();
        this.webhooks = new TwilioWebhooks(api, Settings.PROVIDER_AUTH_TOKEN);
        this.deployment = deployment;
    }

    @Override
    public void close() {
        httpThreads.shutdownNow();
        parallel.shutdownNow();
    }

    // ------------------------------------------------------------------ businesses and calls

    /** A business of the demo's, with a dev token. */
    Business demoBusiness() {
        Map<String, Object> acme = list(json(get(api + "/api/dev/businesses", null).body())).get(0);
        long id = number(acme.get("id"));
        return new Business(id, (String) acme.get("account_sid"), token(id));
    }

    /** New businesses (tenants), each with its own provider sub-account, and a dev token for each. */
    List<Business> businesses(String name, int count) throws IOException, InterruptedException {
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            values.append(i > 1 ? "," : "").append("('").append(name).append(' ').append(i).append("', '")
                    .append(Fixtures.sid("AC")).append("')");
        }
        List<Business> businesses = new ArrayList<>();
        for (String line : deployment.sql("insert into businesses (name, account_sid) values " + values
                + " returning id, account_sid").split("\n")) {
            String[] parts = line.split("\\|");
            long id = Long.parseLong(parts[0]);
            businesses.add(new Business(id, parts[1], token(id)));
        }
        return businesses;
    }

    private String token(long businessId) {
        HttpResponse<String> response = post(api + "/api/dev/token", "{\"business_id\":" + businessId + ",\"user\":\"proof\"}");
        check(response.statusCode() == 200, "dev token: " + response.statusCode());
        return (String) map(json(response.body())).get("token");
    }

    /** perBusiness calls for each business, in round-robin order over the businesses. */
    List<Call> calls(List<Business> businesses, int perBusiness, String script) throws Exception {
        List<Callable<Call>> tasks = new ArrayList<>();
        for (int i = 0; i < perBusiness; i++) {
            for (Business business : businesses) {
                tasks.add(() -> call(business, script));
            }
        }
        List<Call> calls = new ArrayList<>();
        for (Future<Call> future : parallel.invokeAll(tasks)) {
            calls.add(future.get());
        }
        return calls;
    }

    /** A completed call with a recording, scripted at the provider, reported through the signed webhooks. */
    Call call(Business business, String script) throws IOException, InterruptedException {
        Call call = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
        script(call, script);
        webhooks.completedCall(business.accountSid(), call.callSid(), call.recordingSid(), 65, 60);
        return call;
    }

    // ------------------------------------------------------------------ the api

    HttpResponse<String> play(Call call) {
        return get(playUrl(call), call.business().token());
    }

    /** A Play sent without waiting: its answer within the timeout, else the failure. */
    CompletableFuture<HttpResponse<String>> playAsync(Call call, Duration timeout) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(playUrl(call))).timeout(timeout)
                .header("Authorization", "Bearer " + call.business().token()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String playUrl(Call call) {
        return api + "/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true";
    }

    /** The recording's status answer; query: e.g. "?wait=30" to long-poll. */
    Map<String, Object> status(Call call, String query) {
        return map(json(get(api + "/api/recordings/" + call.callSid() + "/status" + query, call.business().token()).body()));
    }

    /** The business's recent calls. */
    List<Map<String, Object>> recentCalls(Business business, int limit) {
        return list(map(json(get(api + "/api/calls?limit=" + limit, business.token()).body())).get("items"));
    }

    /** Recording status per call, from the recent-calls lists of the calls' businesses. */
    Map<String, String> statuses(List<Call> calls) {
        Map<String, String> statuses = new TreeMap<>();
        for (Business business : calls.stream().map(Call::business).distinct().toList()) {
            for (Map<String, Object> item : recentCalls(business, 200)) {
                Object recording = item.get("recording");
                if (recording != null) {
                    statuses.put((String) item.get("call_sid"), (String) map(recording).get("status"));
                }
            }
        }
        Map<String, String> wanted = new TreeMap<>();
        calls.forEach(call -> wanted.put(call.callSid(), statuses.getOrDefault(call.callSid(), "absent")));
        return wanted;
    }

    /** Waits until every call's recording has the status ("downloading" also accepts "ready"). */
    boolean awaitStatus(List<Call> calls, String status, Duration timeout) {
        Set<String> accepted = status.equals("downloading") ? Set.of("downloading", "ready") : Set.of(status);
        return await(timeout, () -> statuses(calls).values().stream().allMatch(accepted::contains));
    }

    static long count(Map<String, String> statuses, String status) {
        return statuses.values().stream().filter(status::equals).count();
    }

    /** When the last of the calls' recordings became ready (epoch seconds, the database's clock). */
    double lastReadyAt(List<Call> calls) throws IOException, InterruptedException {
        return Double.parseDouble(deployment.sql("select extract(epoch from max(recording_ready_at)) from call_logs "
                + "where call_sid in (" + quoted(calls) + ")"));
    }

    /** An api path (a stream URL the api signed), whole or a range of it. */
    HttpResponse<byte[]> bytes(String path, String range) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + path)).timeout(REQUEST_TIMEOUT);
        if (range != null) {
            request.header("Range", range);
        }
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** An api path as it arrives, to read while the api still writes it. */
    HttpResponse<InputStream> stream(String path) {
        return send(HttpRequest.newBuilder(URI.create(api + path)).timeout(REQUEST_TIMEOUT),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    // ------------------------------------------------------------------ the provider (the simulator)

    /** Scripts how the provider serves the call's recording. */
    void script(Call call, String script) {
        check(post(simulator + "/sim/recordings/" + call.recordingSid(), script).statusCode() == 204, "simulator script");
    }

    /** Forgets the fetch statistics, keeps the scripts. */
    void resetProviderStats() {
        post(simulator + "/sim/reset?keep_scripts=true", "");
    }

    /** The provider's fetch statistics: fetches by recording SID, max_in_flight_by_account. */
    Map<String, Object> providerStats() {
        return map(json(get(simulator + "/sim/stats", null).body()));
    }

    /** How often the provider served each recording. */
    Map<String, Object> fetches() {
        return map(providerStats().get("fetches"));
    }

    int fetches(Call call) {
        return (int) fetchesOf(fetches(), call);
    }

    static long fetchesOf(Map<String, Object> fetches, Call call) {
        return number(fetches.getOrDefault(call.recordingSid(), 0L));
    }

    // ------------------------------------------------------------------ HTTP and JSON

    HttpResponse<String> get(String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(REQUEST_TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(json)),
                HttpResponse.BodyHandlers.ofString());
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        HttpRequest built = request.build();
        try {
            return http.send(built, body);
        } catch (IOException e) {
            throw new IllegalStateException(built.method() + " " + built.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JSON document as maps, lists, strings, numbers and booleans. */
    static Object json(String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON (" + e.getOriginalMessage() + "): " + text, e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    static long number(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    static String quoted(List<Call> calls) {
        return calls.stream().map(c -> "'" + c.callSid() + "'").collect(Collectors.joining(","));
    }

    static String recordingOf(List<Call> calls, String callSid) {
        return calls.stream().filter(c -> c.callSid().equals(callSid)).findFirst().orElseThrow().recordingSid();
    }
}
