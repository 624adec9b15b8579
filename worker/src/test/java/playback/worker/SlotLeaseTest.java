package playback.worker;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.model.Lane;
import playback.queue.DownloadJob;
import playback.queue.RedisKeys;
import playback.worker.queue.JobStream;
import playback.worker.slots.SlotLeases;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-business slots: a limit, release, and leases that free themselves when their holder dies. */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class SlotLeaseTest {

    /** The worker's test setting of playback.slots.per-business. */
    private static final int LIMIT = 3;

    @Inject
    SlotLeases slots;

    @Inject
    RedisDataSource redis;

    private static long unusedBusiness() {
        return 1_000_000 + ThreadLocalRandom.current().nextLong(1_000_000_000L);
    }

    @Test
    void prefetchesNeverTakeTheLastSlotAPlayNeeds() {
        long business = unusedBusiness();
        String[] background = new String[LIMIT];
        for (int run = 0; run < LIMIT; run++) {
            background[run] = SlotLeases.holder(Lane.BACKGROUND, delivery(run, Lane.BACKGROUND, "1-0"));
        }
        for (int run = 0; run < LIMIT - 1; run++) {
            assertTrue(slots.acquire(business, background[run], LIMIT), "background may hold limit - 1 slots");
        }
        assertFalse(slots.acquire(business, background[LIMIT - 1], LIMIT), "not the last one");
        assertTrue(slots.acquire(business, SlotLeases.holder(Lane.INTERACTIVE, delivery(99, Lane.INTERACTIVE, "2-0")), LIMIT),
                "a Play takes the slot prefetches left");
        slots.release(business, background[0]);
        assertTrue(slots.acquire(business, background[LIMIT - 1], LIMIT), "a freed background slot is taken again");
    }

    @Test
    void aPromotedRunsTwoDeliveriesWithTheSameEntryIdInEachLaneHoldTwoSlots() {
        long business = unusedBusiness();
        // A promoted run has an entry in each lane's stream; ids are unique within a stream only, and due jobs
        // promoted in one go get the same ids in both streams.
        String fromBackground = SlotLeases.holder(Lane.INTERACTIVE, delivery(7, Lane.BACKGROUND, "1795332525402-2"));
        String fromInteractive = SlotLeases.holder(Lane.INTERACTIVE, delivery(7, Lane.INTERACTIVE, "1795332525402-2"));
        assertTrue(slots.acquire(business, fromBackground, LIMIT));
        assertTrue(slots.acquire(business, fromInteractive, LIMIT));
        assertTrue(slots.acquire(business, SlotLeases.holder(Lane.INTERACTIVE, delivery(8, Lane.INTERACTIVE, "1-0")), LIMIT));
        // The duplicate finds the run taken and lets its own slot go: the one downloading keeps its slot.
        slots.release(business, fromInteractive);
        assertTrue(slots.acquire(business, SlotLeases.holder(Lane.INTERACTIVE, delivery(9, Lane.INTERACTIVE, "2-0")), LIMIT));
        assertFalse(slots.acquire(business, SlotLeases.holder(Lane.INTERACTIVE, delivery(10, Lane.INTERACTIVE, "3-0")), LIMIT),
                "the delivery still downloading holds its slot: a fourth download waits");
    }

    private static JobStream.Delivery delivery(long runId, Lane stream, String entryId) {
        return new JobStream.Delivery(entryId, new DownloadJob(runId, 1, "CA" + "0".repeat(32), stream), null);
    }

    @Test
    void limitsEachBusinessAndFreesOnRelease() {
        long business = unusedBusiness();
        assertTrue(slots.acquire(business, "run-" + 1, LIMIT));
        assertTrue(slots.acquire(business, "run-" + 2, LIMIT));
        assertTrue(slots.acquire(business, "run-" + 3, LIMIT));
        assertFalse(slots.acquire(business, "run-" + 4, LIMIT), "a fourth download must wait with per-business=3");
        assertTrue(slots.acquire(unusedBusiness(), "run-" + 4, LIMIT), "another business has its own slots");

        slots.release(business, "run-" + 2);
        assertTrue(slots.acquire(business, "run-" + 4, LIMIT));
        for (long run : new long[]{1, 3, 4}) {
            slots.release(business, "run-" + run);
        }
        assertEquals(0, redis.key().exists(RedisKeys.slots(business)) ? 1 : 0, "the slot set is gone when empty");
    }

    @Test
    void abandonedLeaseFreesItselfAfterTheLease() {
        long business = unusedBusiness();
        for (long run = 1; run <= 3; run++) {
            assertTrue(slots.acquire(business, "run-" + run, LIMIT));
        }
        assertFalse(slots.acquire(business, "run-" + 99, LIMIT));
        // Nobody renews or releases (the holders "crashed"): after the 3 s test lease the slots free up.
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200))
                .until(() -> slots.acquire(business, "run-" + 99, LIMIT));
        assertFalse(slots.renew(business, "run-" + 1), "a holder whose lease ran out learns it lost the slot");
        slots.release(business, "run-" + 99);
        slots.release(business, "run-" + 1);
    }

    /**
     * A Redis failover can lose the leases of downloads still running: each holder's next renewal puts its
     * lease back (PostgreSQL's fence says whether the run is still its), and the business is full again.
     */
    @Test
    void leasesRedisLostArePutBackByTheirHoldersRenewal() {
        long business = unusedBusiness();
        for (long run = 1; run <= 3; run++) {
            assertTrue(slots.acquire(business, "run-" + run, LIMIT));
        }
        redis.key().del(RedisKeys.slots(business));
        for (long run = 1; run <= 3; run++) {
            assertFalse(slots.renew(business, "run-" + run), "the lease was lost");
        }
        assertFalse(slots.acquire(business, "run-" + 4, LIMIT), "the holders' leases are back: the business is full");
        assertTrue(slots.renew(business, "run-" + 1), "a lease put back is held");
        for (long run = 1; run <= 3; run++) {
            slots.release(business, "run-" + run);
        }
    }

    @Test
    void renewalKeepsTheLease() throws InterruptedException {
        long business = unusedBusiness();
        for (long run = 1; run <= 3; run++) {
            assertTrue(slots.acquire(business, "run-" + run, LIMIT));
        }
        for (int i = 0; i < 5; i++) {
            Thread.sleep(1000);
            for (long run = 1; run <= 3; run++) {
                assertTrue(slots.renew(business, "run-" + run));
            }
        }
        assertFalse(slots.acquire(business, "run-" + 4, LIMIT), "renewed leases outlive the 3 s lease");
        for (long run = 1; run <= 3; run++) {
            slots.release(business, "run-" + run);
        }
    }
}
