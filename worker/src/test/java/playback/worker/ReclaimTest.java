package playback.worker;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;
import playback.model.DownloadStatus;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.queue.RedisKeys;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A job read by a consumer that dies without acknowledging it (after claiming its run) is
 * taken over by a live consumer once the lease has passed, and completed exactly once.
 */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class ReclaimTest {

    @Inject
    TestRecordings recordings;

    @Inject
    RedisDataSource redis;

    @Inject
    EntityManager db;

    @Test
    void jobOfADeadConsumerIsReclaimedAndCompleted() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(10_000))));
        DownloadJob job = recordings.insertRun(call);

        // The dead consumer reads the job in the same transaction as it is added, so no live consumer can
        // see it first; then it claims the run in the database, as a worker does, and dies.
        redis.withTransaction(tx -> {
            tx.execute("XADD", RedisKeys.JOB_STREAM, "*", RedisKeys.JOB_FIELD, job.encode());
            tx.execute("XREADGROUP", "GROUP", RedisKeys.CONSUMER_GROUP, "dead-consumer", "COUNT", "1",
                    "STREAMS", RedisKeys.JOB_STREAM, ">");
        });
        QuarkusTransaction.requiringNew().run(() -> db.createNativeQuery("""
                        update recording_runs set status = 'running', fence = fence + 1, worker = 'dead-consumer',
                            lease_until = now() + interval '3 seconds', started_at = now()
                        where id = ?1""")
                .setParameter(1, job.runId()).executeUpdate());
        assertEquals(1L, pendingOf("dead-consumer"), "the dead consumer holds the job");

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);

        List<RecordingRun> runs = recordings.runs(call);
        assertEquals(1, runs.size(), "the same run was completed, no duplicate");
        assertEquals(RunStatus.SUCCEEDED, runs.get(0).status);
        assertNotNull(runs.get(0).worker);
        ProviderStub.server().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
        await().atMost(Duration.ofSeconds(5)).until(() -> pendingOf("dead-consumer") == 0L);
    }

    private long pendingOf(String consumer) {
        Response consumers = redis.execute("XINFO", "CONSUMERS", RedisKeys.JOB_STREAM, RedisKeys.CONSUMER_GROUP);
        for (Response entry : consumers) {
            if (consumer.equals(entry.get("name").toString())) {
                return entry.get("pending").toLong();
            }
        }
        return 0L;
    }
}
