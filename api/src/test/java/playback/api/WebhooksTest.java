package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** Webhooks are signature-checked and idempotent. */
@QuarkusTest
class WebhooksTest {

    @Inject
    Tenants tenants;

    @Test
    void wrongSignatureIs403AndStoresNothing() {
        Business business = tenants.business();
        Map<String, String> form = Tenants.callStatus(business, Fixtures.sid("CA"));

        given().contentType(ContentType.URLENC).formParams(form).header("X-Twilio-Signature", "bm90LXRoZS1zaWduYXR1cmU=")
                .post("/api/webhooks/twilio/call-status").then().statusCode(403).body("error", equalTo("invalid_signature"));
        given().contentType(ContentType.URLENC).formParams(form)
                .post("/api/webhooks/twilio/call-status").then().statusCode(403);
        Map<String, String> tampered = new LinkedHashMap<>(form);
        String signature = Tenants.signature("http://localhost:8181/api/webhooks/twilio/call-status", form);
        tampered.put("CallDuration", "9999");
        given().contentType(ContentType.URLENC).formParams(tampered).header("X-Twilio-Signature", signature)
                .post("/api/webhooks/twilio/call-status").then().statusCode(403);

        given().auth().oauth2(business.token()).get("/api/calls").then().statusCode(200).body("items", hasSize(0));
    }

    @Test
    void replayedWebhooksMakeOneCall() {
        Business business = tenants.business();
        Call call = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));

        for (int i = 0; i < 3; i++) {
            tenants.webhook("call-status", Tenants.callStatus(business, call.callSid())).then().statusCode(204);
            tenants.webhook("recording-status", Tenants.recordingStatus(business, call)).then().statusCode(204);
        }

        given().auth().oauth2(business.token()).get("/api/calls").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].call_sid", equalTo(call.callSid()))
                .body("items[0].direction", equalTo("inbound"))
                .body("items[0].from", equalTo("+15550001111"))
                .body("items[0].duration_seconds", equalTo(184))
                .body("items[0].started_at", equalTo("2026-11-20T10:00:00Z"))
                .body("items[0].recording.recording_sid", equalTo(call.recordingSid()))
                .body("items[0].recording.duration_seconds", equalTo(180))
                .body("items[0].recording.status", equalTo("missing"));
    }

    @Test
    void recordingNotYetCompletedIsNotPlayable() {
        Business business = tenants.business();
        Call call = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
        Map<String, String> inProgress = Tenants.recordingStatus(business, call);
        inProgress.put("RecordingStatus", "in-progress");

        tenants.webhook("recording-status", inProgress).then().statusCode(204);

        given().auth().oauth2(business.token()).get("/api/calls").then().body("items[0].recording", nullValue());
        given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/status")
                .then().statusCode(404).body("error", equalTo("no_recording"));
    }

    @Test
    void unknownAccountIs404AndBadSidIs400() {
        Business unknown = new Business(0, Fixtures.sid("AC"), null);
        tenants.webhook("call-status", Tenants.callStatus(unknown, Fixtures.sid("CA")))
                .then().statusCode(404).body("error", equalTo("unknown_account"));

        Business business = tenants.business();
        tenants.webhook("call-status", Tenants.callStatus(business, "CA-not-a-sid"))
                .then().statusCode(400).body("error", equalTo("invalid_sid"));
        Map<String, String> badDuration = Tenants.callStatus(business, Fixtures.sid("CA"));
        badDuration.put("CallDuration", "-4");
        tenants.webhook("call-status", badDuration).then().statusCode(400).body("error", equalTo("invalid_parameter"));
    }
}
