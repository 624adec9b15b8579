package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import playback.api.service.RecordingCache;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;
import playback.model.FailureReason;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Play reads its call once and decides from it; it reads it again only after it changed it itself
 * (here: queued its download), for the state its change left. A long-poll reads the call once to start
 * waiting and once when the wait is over. Counted as the CallLog queries Hibernate executes, with the
 * cache emptied first so that PostgreSQL decides.
 */
@QuarkusTest
class PlayReadsTest {

    @Inject
    Tenants tenants;

    @Inject
    SessionFactory sessions;

    @Inject
    RecordingCache cache;

    Statistics statistics;

    @BeforeEach
    void countQueries() {
        statistics = sessions.getStatistics();
        statistics.setStatisticsEnabled(true);
    }

    @Test
    void aStoredRecordingIsServedFromOneRead() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(10_000))));
        Tenants.play(call).then().statusCode(202);
        tenants.awaitStatus(call, DownloadStatus.READY, 15);
        String streamUrl = Tenants.status(call).then().statusCode(200).extract().path("stream_url");

        assertReads(1, 200, callReads(() -> Tenants.play(call)), "bearer");
        assertReads(1, 200, callReads(() -> given().get(streamUrl)), "signed stream URL");
    }

    @Test
    void aRecordingNotStoredIsAnsweredFromOneRead() {
        Call waiting = tenants.callWithRecording(tenants.business());
        state(waiting, "update call_logs set recording_download_status = ?1, recording_last_enqueue_at = now()",
                DownloadStatus.QUEUED.wire());
        assertReads(1, 202, callReads(() -> Tenants.play(waiting)), "queued, in the cooldown");

        Call missing = tenants.callWithRecording(tenants.business());
        assertReads(1, 202, callReads(() -> given().auth().oauth2(missing.business().token())
                .get("/api/recordings/" + missing.callSid() + "/stream")), "missing, not asked for by a person");

        Call gone = tenants.callWithRecording(tenants.business());
        state(gone, "update call_logs set recording_download_status = ?1, recording_error = ?2, "
                + "recording_fail_count = 1", DownloadStatus.FAILED.wire(), FailureReason.PROVIDER_NOT_FOUND.code());
        assertReads(1, 410, callReads(() -> Tenants.play(gone)), "gone");

        Call backingOff = tenants.callWithRecording(tenants.business());
        state(backingOff, "update call_logs set recording_download_status = ?1, recording_error = ?2, "
                        + "recording_fail_count = 5, recording_next_retry_at = now() + interval '1 hour'",
                DownloadStatus.FAILED.wire(), FailureReason.PROVIDER_UNAVAILABLE.code());
        assertReads(1, 503, callReads(() -> Tenants.play(backingOff)), "backing off");
    }

    @Test
    void aPlayThatQueuesTheDownloadReadsTheCallBackOnce() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(10_000))));
        assertReads(2, 202, callReads(() -> Tenants.play(call)), "read, queued, read back");
    }

    @Test
    void aLongPollReadsTheCallToWaitAndWhenTheWaitIsOver() {
        Call call = tenants.callWithRecording(tenants.business());
        assertReads(2, 200, callReads(() -> given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status?wait=1")), "a one-second long-poll");
    }

    private void state(Call call, String update, Object... parameters) {
        Object[] all = Arrays.copyOf(parameters, parameters.length + 2);
        all[parameters.length] = call.business().id();
        all[parameters.length + 1] = call.callSid();
        tenants.sql(update + " where business_id = ?" + (parameters.length + 1) + " and call_sid = ?"
                + (parameters.length + 2), all);
    }

    private record Reads(long count, int status) {
    }

    private static void assertReads(long count, int status, Reads actual, String what) {
        assertEquals(status, actual.status(), what + ": the answer");
        assertEquals(count, actual.count(), what + ": reads of the call");
    }

    /** The queries of a CallLog the request ran, its cache emptied first. */
    private Reads callReads(Supplier<Response> request) {
        cache.clear();
        long before = callQueries();
        Response response = request.get();
        return new Reads(callQueries() - before, response.statusCode());
    }

    private long callQueries() {
        return Arrays.stream(statistics.getQueries()).filter(query -> query.contains("CallLog"))
                .mapToLong(query -> statistics.getQueryStatistics(query).getExecutionCount()).sum();
    }
}
