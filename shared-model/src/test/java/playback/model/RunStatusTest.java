package playback.model;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RunStatusTest {

    @Test
    void everyStatusIsActiveOrFinishedAndSurvivesItsWireForm() {
        for (RunStatus status : RunStatus.values()) {
            assertEquals(status, RunStatus.fromWire(status.wire()));
            RecordingRun.RunStatusConverter column = new RecordingRun.RunStatusConverter();
            assertEquals(status, column.convertToEntityAttribute(column.convertToDatabaseColumn(status)));
            assertEquals(status.wire(), status.wire().toLowerCase(), "the column holds lower case");
            assertNotEquals(status.isActive(), status.isFinished(), status + " is exactly one of the two");
        }
        assertEquals(EnumSet.of(RunStatus.QUEUED, RunStatus.RUNNING),
                EnumSet.copyOf(java.util.Arrays.stream(RunStatus.values()).filter(RunStatus::isActive).toList()),
                "the statuses the partial unique index covers");
    }
}
