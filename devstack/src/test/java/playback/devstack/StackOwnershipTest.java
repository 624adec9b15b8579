package playback.devstack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What a stack was given stops when it closes; a closed stack stops at once what it is given later. */
class StackOwnershipTest {

    private static Stack stack() {
        return new Stack(new Settings(Map.of()), Path.of("/repo"), Path.of("/repo/data/logs"),
                Path.of("/repo/data/recordings"), "jdbc:postgresql://127.0.0.1:5432/playback", "postgres",
                "redis://127.0.0.1:6379/0");
    }

    private static Process sleeper() throws IOException {
        return new ProcessBuilder("sleep", "60").start();
    }

    @Test
    void closingStopsEveryAdoptedHelper() throws Exception {
        Stack stack = stack();
        Process first = stack.adopt(sleeper());
        Process second = stack.adopt(sleeper());
        stack.close();
        assertFalse(first.isAlive());
        assertFalse(second.isAlive());
    }

    @Test
    void aClosedStackStopsAndRefusesANewHelper() throws Exception {
        Stack stack = stack();
        stack.close();
        Process late = sleeper();
        assertThrows(IllegalStateException.class, () -> stack.adopt(late));
        assertFalse(late.isAlive());
    }
}
