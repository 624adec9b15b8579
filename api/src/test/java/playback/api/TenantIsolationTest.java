package playback.api;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;
import playback.queue.RedisKeys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Tenants see only their own calls; auth, SIDs and stream URLs are checked; reads never enqueue. */
@QuarkusTest
class TenantIsolationTest {

    private static final String[] RECORDING_ENDPOINTS = {"/status", "/stream", "/stream?explicit_user_action=true", "/download"};

    @Inject
    Tenants tenants;

    @Inject
    RedisDataSource redis;

    @Test
    void anotherTenantsCallIsNotFoundOnEveryEndpoint() {
        Business a = tenants.business();
        Business b = tenants.business();
        Call callOfB = tenants.callWithRecording(b);

        for (String endpoint : RECORDING_ENDPOINTS) {
            given().auth().oauth2(a.token()).get("/api/recordings/" + callOfB.callSid() + endpoint)
                    .then().statusCode(404).body("error", equalTo("not_found"));
        }
        given().auth().oauth2(a.token()).get("/api/calls").then().statusCode(200).body("items", hasSize(0));
        assertEquals(0, tenants.runCount(b), "nothing was enqueued for tenant B");
    }

    @Test
    void missingOrExpiredOrForgedTokenIs401() throws Exception {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        String expired = sign("{\"iss\":\"playback\",\"sub\":\"alice\",\"business_id\":" + business.id()
                + ",\"exp\":" + (Instant.now().getEpochSecond() - 60) + "}");
        String wrongIssuer = sign("{\"iss\":\"someone-else\",\"sub\":\"alice\",\"business_id\":" + business.id()
                + ",\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
        String[] parts = business.token().split("\\.");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"playback\",\"sub\":\"x\",\"business_id\":999,\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
                        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        for (String path : new String[]{"/api/calls", "/api/recordings/" + call.callSid() + "/status",
                "/api/recordings/" + call.callSid() + "/stream", "/api/recordings/" + call.callSid() + "/download"}) {
            given().get(path).then().statusCode(401).body("error", equalTo("unauthorized"));
            given().header("Authorization", "Basic Zm9vOmJhcg==").get(path).then().statusCode(401);
            for (String token : new String[]{expired, wrongIssuer, forged, "not-a-jwt"}) {
                given().auth().oauth2(token).get(path).then().statusCode(401).body("error", equalTo("unauthorized"));
            }
        }
    }

    @Test
    void malformedSidIs400() {
        Business business = tenants.business();
        for (String sid : new String[]{"CA123", "RE0123456789abcdef0123456789abcdef", "CA0123456789abcdef0123456789abcdeg",
                "CA0123456789abcdef0123456789abcdef0"}) {
            for (String endpoint : RECORDING_ENDPOINTS) {
                given().auth().oauth2(business.token()).get("/api/recordings/" + sid + endpoint)
                        .then().statusCode(400).body("error", equalTo("invalid_sid"));
            }
        }
    }

    @Test
    void streamUrlIsBoundToItsRecordingAndExpires() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        Call other = tenants.callWithRecording(business);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(Tenants.mp3(8_000))));
        given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);

        String streamUrl = given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/status")
                .then().statusCode(200).body("status", equalTo("ready")).extract().path("stream_url");
        assertNotNull(streamUrl);
        given().get(streamUrl).then().statusCode(200).header("Content-Type", "audio/mpeg");

        String token = streamUrl.substring(streamUrl.indexOf("token=") + 6);
        String[] parts = token.split("\\.");
        String tamperedSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2) + "AA";
        String laterExpiry = parts[0] + "." + (Long.parseLong(parts[1]) + 3600) + "." + parts[2];
        String expired = parts[0] + "." + (Instant.now().getEpochSecond() - 10) + "." + parts[2];
        for (String bad : new String[]{tamperedSignature, laterExpiry, expired, "garbage"}) {
            given().get("/api/recordings/" + call.callSid() + "/stream?token=" + bad)
                    .then().statusCode(403).body("error", equalTo("invalid_stream_token"));
        }
        given().get("/api/recordings/" + other.callSid() + "/stream?token=" + token)
                .then().statusCode(403).body("error", equalTo("invalid_stream_token"));
    }

    @Test
    void listingAndStatusNeverEnqueue() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        long streamLength = redis.stream(String.class).xlen(RedisKeys.JOB_STREAM);
        long delayed = redis.sortedSet(String.class).zcard(RedisKeys.DELAYED_JOBS);

        for (int i = 0; i < 20; i++) {
            given().auth().oauth2(business.token()).get("/api/calls").then().statusCode(200);
            given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/status")
                    .then().statusCode(200).body("status", equalTo("missing"));
            Response implicit = given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/stream");
            assertEquals(202, implicit.statusCode(), "a stream request without explicit_user_action only reports");
        }

        assertEquals(streamLength, redis.stream(String.class).xlen(RedisKeys.JOB_STREAM), "no job on the stream");
        assertEquals(delayed, redis.sortedSet(String.class).zcard(RedisKeys.DELAYED_JOBS), "no delayed job");
        assertEquals(0, redis.key().exists(RedisKeys.dedup(business.id(), call.callSid())) ? 1 : 0, "no dedup key");
        assertEquals(0, tenants.runCount(business), "no recording run");
        assertEquals(DownloadStatus.MISSING, tenants.call(call).downloadStatus);
    }

    /** A token signed with the dev key, with the given claims. */
    private static String sign(String claims) throws Exception {
        String pem = Files.readString(Path.of("src/main/resources/dev-keys/privateKey.pem"));
        byte[] der = Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key);
        signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(signer.sign());
    }
}
