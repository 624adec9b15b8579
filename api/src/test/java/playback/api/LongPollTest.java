package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import playback.api.rest.RecordingsResource;
import playback.api.service.RecordingWaiters;
import playback.api.service.StatusPoll;
import playback.devstack.Fixtures.Call;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Long-poll status (wait=S): prompt answers, timeouts, disconnects, and a thousand waiters on little. */
@QuarkusTest
class LongPollTest {

    @Inject
    Tenants tenants;

    @Inject
    RecordingWaiters waiters;

    /**
     * Answered when the worker commits, not when the 20 s wait ends: the limit leaves room for a busy
     * machine (the latency itself is measured in bench/).
     */
    @Test
    void answersSoonAfterTheWorkerCommitsReady() {
        Call call = tenants.callWithRecording(tenants.business());
        stub(call, 1500);
        play(call);

        long started = System.nanoTime();
        Response answer = given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status?wait=20");
        Instant answered = Instant.now();

        answer.then().statusCode(200).body("status", equalTo("ready"));
        assertTrue((System.nanoTime() - started) / 1_000_000 >= 1000, "it did wait for the download");
        long latency = Duration.between(tenants.call(call).readyAt, answered).toMillis();
        assertTrue(latency <= 2000, "answered " + latency + " ms after the worker committed ready");
    }

    @Test
    void answersAtOnceWhenSettledAndAfterTheWaitOtherwise() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(aResponse().withStatus(404)));

        long started = System.nanoTime();
        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/status?wait=1")
                .then().statusCode(200).body("status", equalTo("missing"));
        long waited = (System.nanoTime() - started) / 1_000_000;
        assertTrue(waited >= 950 && waited < 3000, "a missing recording waits out wait=1: " + waited + " ms");

        play(call);
        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/status?wait=20")
                .then().statusCode(200).body("status", equalTo("failed")).body("error", equalTo("provider_not_found"));
        started = System.nanoTime();
        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/status?wait=20")
                .then().statusCode(200).body("status", equalTo("failed"));
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5000, "a settled recording is answered at once, not after wait=20");
    }

    @Test
    void aClientThatGoesAwayStopsTheWait() throws Exception {
        Call call = tenants.callWithRecording(tenants.business());
        int before = waiters.count();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Socket socket = new Socket("localhost", 8181);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/recordings/" + call.callSid() + "/status?wait=30 HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + call.business().token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            clients.add(socket);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> waiters.count() == before + 5);

        for (Socket socket : clients) {
            socket.close();
        }

        await().atMost(Duration.ofSeconds(3)).until(() -> waiters.count() == before);
    }

    @Test
    void aThousandWaitersHoldNeitherThreadsNorConnections() throws Exception {
        Call call = tenants.callWithRecording(tenants.business());
        stub(call, 25_000);
        play(call);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:8181/api/recordings/" + call.callSid()
                        + "/status?wait=30"))
                .header("Authorization", "Bearer " + call.business().token()).timeout(Duration.ofSeconds(40)).build();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> waiters.count() >= 1000);
        int waiting = waiters.count();
        int threadsWaiting = ManagementFactory.getThreadMXBean().getThreadCount();
        // The last requests to register may still be on their way out of the resource; a thread parked in
        // the wait would stay there until the recording is ready, some 20 s later.
        List<String> threadsInTheWait;
        try {
            threadsInTheWait = await().atMost(Duration.ofSeconds(5))
                    .until(() -> threadsRunning(RecordingsResource.class, StatusPoll.class, RecordingWaiters.class), List::isEmpty);
        } catch (ConditionTimeoutException stillThere) {
            threadsInTheWait = threadsRunning(RecordingsResource.class, StatusPoll.class, RecordingWaiters.class);
        }
        long databaseConnections = tenants.databaseConnections();

        List<HttpResponse<String>> responses = answers.stream().map(CompletableFuture::join).toList();

        assertEquals(1000, waiting, "all thousand were waiting at once");
        assertEquals(List.of(), threadsInTheWait, "no thread is parked in the wait itself");
        // The burst of arrivals may grow the worker pool (its size is bounded by configuration), never one per waiter.
        assertTrue(threadsWaiting - threadsBefore < 250, "threads grew by " + (threadsWaiting - threadsBefore));
        assertTrue(databaseConnections <= 40, databaseConnections + " database connections while waiting");
        assertTrue(responses.stream().allMatch(r -> r.statusCode() == 200 && r.body().contains("\"status\":\"ready\"")),
                "every waiter was answered ready");
        assertEquals(0, waiters.count());
    }

    /** The threads whose stack is inside one of these classes right now. */
    private static List<String> threadsRunning(Class<?>... classes) {
        List<String> names = Arrays.stream(classes).map(Class::getName).toList();
        return Arrays.stream(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .filter(thread -> Arrays.stream(thread.getStackTrace()).anyMatch(frame -> names.contains(frame.getClassName())))
                .map(ThreadInfo::getThreadName)
                .toList();
    }

    private static void stub(Call call, int delayMillis) {
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(20_000)).withFixedDelay(delayMillis)));
    }

    private static void play(Call call) {
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true").then().statusCode(202);
    }
}
