package playback.api;

import org.junit.jupiter.api.Test;
import playback.api.config.ApiConfig;
import playback.testing.ConfigurationDoc;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/configuration.md and the api's @ConfigMapping interfaces (its own and shared-model's), both ways:
 * every property in the table with its environment variable and default, every key the table says the
 * api reads a property of it.
 */
class ConfigurationDocTest {

    @Test
    void theConfigurationTableIsTheMappingsOfTheApi() {
        assertEquals(List.of(), ConfigurationDoc.problems("api", ApiConfig.class));
    }
}
