package playback.queue;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DownloadJobTest {

    @Test
    void roundTrips() {
        DownloadJob job = new DownloadJob(42, 7, "CA0123456789abcdef0123456789abcdef");
        assertEquals("42:7:CA0123456789abcdef0123456789abcdef", job.encode());
        assertEquals(job, DownloadJob.decode(job.encode()));
    }

    @Test
    void rejectsMalformed() {
        assertThrows(IllegalArgumentException.class, () -> DownloadJob.decode("42:7"));
        assertThrows(IllegalArgumentException.class, () -> DownloadJob.decode("x:7:CA"));
    }
}
