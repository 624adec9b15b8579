package playback.queue;

import org.junit.jupiter.api.Test;
import playback.model.Lane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DownloadJobTest {

    private static final String CALL = "CA0123456789abcdef0123456789abcdef";

    @Test
    void roundTrips() {
        DownloadJob job = new DownloadJob(42, 7, CALL);
        assertEquals("42:7:" + CALL, job.encode(), "an interactive job is encoded as before lanes existed");
        assertEquals(job, DownloadJob.decode(job.encode()));
        assertEquals(Lane.INTERACTIVE, job.lane());
    }

    @Test
    void aBackgroundJobKeepsItsLane() {
        DownloadJob job = new DownloadJob(42, 7, CALL, Lane.BACKGROUND);
        assertEquals("42:7:" + CALL + ":background", job.encode());
        assertEquals(job, DownloadJob.decode(job.encode()));
    }

    @Test
    void rejectsMalformed() {
        assertThrows(IllegalArgumentException.class, () -> DownloadJob.decode("42:7"));
        assertThrows(IllegalArgumentException.class, () -> DownloadJob.decode("x:7:CA"));
        assertThrows(IllegalArgumentException.class, () -> DownloadJob.decode("42:7:" + CALL + ":urgent"));
    }
}
