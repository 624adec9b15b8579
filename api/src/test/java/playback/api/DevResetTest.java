package playback.api;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.controls.BusinessControls;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;
import playback.queue.RedisKeys;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dev endpoints: businesses, tokens, and a reset that makes every recording missing again. */
@QuarkusTest
class DevResetTest {

    @Inject
    Tenants tenants;

    @Inject
    RedisDataSource redis;

    @Inject
    BusinessControls controls;

    @Test
    void resetMakesEveryRecordingMissingAndRemovesWhatDownloadsLeft() {
        Business business = tenants.business();
        Call ready = tenants.callWithRecording(business);
        Call pending = tenants.callWithRecording(business);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(ready.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(Tenants.mp3(4_000))));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(pending.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(4_000)).withFixedDelay(10_000)));
        for (Call call : new Call[]{ready, pending}) {
            given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true")
                    .then().statusCode(202);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(ready).downloadStatus == DownloadStatus.READY);
        String storedKey = tenants.call(ready).storageKey;
        assertTrue(Files.exists(SystemUnderTest.STORAGE.resolve(storedKey)));

        controls.pause(business.id(), "olivia");
        controls.setLimit(business.id(), 1, "olivia");

        given().post("/api/dev/reset").then().statusCode(204);

        assertEquals(Optional.of(BusinessControls.Control.none(business.id())), controls.of(business.id()),
                "the business is neither paused nor limited any more");

        for (Call call : new Call[]{ready, pending}) {
            given().auth().oauth2(business.token()).get("/api/recordings/" + call.callSid() + "/status")
                    .then().statusCode(200).body("status", equalTo("missing")).body("fail_count", equalTo(0));
            assertEquals(0, tenants.runs(call).size());
            assertFalse(redis.key().exists(RedisKeys.dedup(business.id(), call.callSid())));
        }
        assertFalse(Files.exists(SystemUnderTest.STORAGE.resolve(storedKey)), "the stored file is gone");
        assertFalse(redis.key().exists(RedisKeys.slots(business.id())));
        assertEquals(0L, redis.stream(String.class).xlen(RedisKeys.JOB_STREAM));
        given().auth().oauth2(business.token()).get("/api/calls").then().body("items.call_sid", hasItem(ready.callSid()));
    }

    @Test
    void businessesAreListed() {
        Business business = tenants.business();
        given().get("/api/dev/businesses").then().statusCode(200)
                .body("find { it.id == " + business.id() + " }.account_sid", equalTo(business.accountSid()));
    }
}
