package playback.api;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.http.ContentType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.devstack.TwilioWebhooks;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.RunStatus;
import playback.model.RecordingRun;
import playback.testing.TestRows;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Test data through the real front door: businesses, then calls and recordings by signed webhooks. The
 * {@link Business} and {@link Call} are devstack's {@code Fixtures}', the ones the end-to-end checks and
 * the benchmarks use.
 */
@ApplicationScoped
public class Tenants {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String WEBHOOK_BASE = "http://localhost:8181";

    private final EntityManager db;
    private final TestRows rows;
    private final Map<String, String> operatorTokens = new ConcurrentHashMap<>();

    public Tenants(EntityManager db) {
        this.db = db;
        this.rows = new TestRows(db);
    }

    public Business business() {
        String accountSid = Fixtures.sid("AC");
        long id = QuarkusTransaction.requiringNew().call(() -> ((Number) db.createNativeQuery(
                        "insert into businesses (name, account_sid) values (?1, ?2) returning id")
                .setParameter(1, "Business " + accountSid.substring(2, 8)).setParameter(2, accountSid)
                .getSingleResult()).longValue());
        String token = given().contentType(ContentType.JSON).body(Map.of("business_id", id, "user", "tester"))
                .post("/api/dev/token").then().statusCode(200).extract().path("token");
        return new Business(id, accountSid, token);
    }

    /** A token with the operations role; the business it names (the contract requires one) is a fresh one. */
    public String operatorToken(String user) {
        return operatorTokens.computeIfAbsent(user, this::issueOperatorToken);
    }

    private String issueOperatorToken(String user) {
        long businessId = business().id();
        return given().contentType(ContentType.JSON)
                .body(Map.of("business_id", businessId, "user", user, "roles", List.of("ops")))
                .post("/api/dev/token").then().statusCode(200).extract().path("token");
    }

    /** The operators' actions on a business, oldest first, as the audit trail has them. */
    public List<String> auditActions(long businessId) {
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery(
                        "select action from ops_audit where business_id = ?1 order by id", String.class)
                .setParameter(1, businessId).getResultList());
    }

    /** A completed call with a completed recording, as the provider reports them. */
    public Call callWithRecording(Business business) {
        Call call = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
        report(call);
        return call;
    }

    /** The provider reports the call completed, then its recording completed. */
    public void report(Call call) {
        webhook("call-status", callStatus(call.business(), call.callSid())).then().statusCode(204);
        webhook("recording-status", recordingStatus(call.business(), call)).then().statusCode(204);
    }

    public static Map<String, String> callStatus(Business business, String callSid) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", business.accountSid());
        form.put("CallSid", callSid);
        form.put("From", "+15550001111");
        form.put("To", "+15550002222");
        form.put("Direction", "inbound");
        form.put("CallStatus", "completed");
        form.put("CallDuration", "184");
        form.put("Timestamp", "Fri, 20 Nov 2026 10:03:04 +0000");
        return form;
    }

    public static Map<String, String> recordingStatus(Business business, Call call) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", business.accountSid());
        form.put("CallSid", call.callSid());
        form.put("RecordingSid", call.recordingSid());
        form.put("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/" + business.accountSid()
                + "/Recordings/" + call.recordingSid());
        form.put("RecordingStatus", "completed");
        form.put("RecordingDuration", "180");
        form.put("RecordingChannels", "1");
        return form;
    }

    public io.restassured.response.Response webhook(String event, Map<String, String> form) {
        String path = "/api/webhooks/twilio/" + event;
        return given().contentType(ContentType.URLENC).formParams(form)
                .header("X-Twilio-Signature", signature(WEBHOOK_BASE + path, form))
                .post(path);
    }

    /** The signature the provider sends with a form posted to the URL, keyed with the test token. */
    public static String signature(String url, Map<String, String> form) {
        return TwilioWebhooks.signature(SystemUnderTest.PROVIDER_AUTH_TOKEN, url, form);
    }

    public CallLog call(Call call) {
        return QuarkusTransaction.requiringNew().call(() ->
                CallLog.findForBusiness(call.business().id(), call.callSid()).orElseThrow());
    }

    public List<RecordingRun> runs(Call call) {
        return QuarkusTransaction.requiringNew().call(() -> RecordingRun.forCall(call.business().id(), call.callSid()));
    }

    public long runCount(Business business) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) db.createNativeQuery(
                "select count(*) from recording_runs where business_id = ?1").setParameter(1, business.id())
                .getSingleResult()).longValue());
    }

    /** An explicit Play of the call's recording, as the UI sends it. */
    public static io.restassured.response.Response play(Call call) {
        return given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true");
    }

    /** The recording's status, asked once. */
    public static io.restassured.response.Response status(Call call) {
        return given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/status");
    }

    /** Waits until the recording has the status, as PostgreSQL has it. */
    public void awaitStatus(Call call, DownloadStatus expected, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(200))
                .until(() -> call(call).downloadStatus == expected);
    }

    /** The lane a run waits or ran in. */
    public String runLane(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> (String) db.createNativeQuery(
                "select lane from recording_runs where id = ?1").setParameter(1, runId).getSingleResult());
    }

    /** Runs queued or running, of every business: while there are some, the worker may start a download. */
    public long activeRuns() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) db.createNativeQuery(
                        "select count(*) from recording_runs where status in (?1, ?2)")
                .setParameter(1, RunStatus.QUEUED.wire()).setParameter(2, RunStatus.RUNNING.wire())
                .getSingleResult()).longValue());
    }

    /** Connections open to the test database (all clients: this api, the worker process, the tests). */
    public long databaseConnections() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) db.createNativeQuery(
                "select count(*) from pg_stat_activity where datname = current_database()").getSingleResult()).longValue());
    }

    public void sql(String statement, Object... parameters) {
        rows.sql(statement, parameters);
    }

    /** Bytes that pass as MP3: an ID3 tag header followed by filler. */
    public static byte[] mp3(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        bytes[0] = 'I';
        bytes[1] = 'D';
        bytes[2] = '3';
        return bytes;
    }
}
