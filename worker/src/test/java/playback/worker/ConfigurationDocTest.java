package playback.worker;

import org.junit.jupiter.api.Test;
import playback.testing.ConfigurationDoc;
import playback.worker.config.WorkerConfig;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/configuration.md and the worker's @ConfigMapping interfaces (its own and shared-model's), both ways:
 * every property in the table with its environment variable and default, every key the table says the
 * worker reads a property of it.
 */
class ConfigurationDocTest {

    @Test
    void theConfigurationTableIsTheMappingsOfTheWorker() {
        assertEquals(List.of(), ConfigurationDoc.problems("worker", WorkerConfig.class));
    }
}
