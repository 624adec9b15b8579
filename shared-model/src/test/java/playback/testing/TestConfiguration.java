package playback.testing;

import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.ArrayList;
import java.util.List;

/**
 * The test configuration, for test resources. They start before Quarkus has set up the application's own
 * configuration, and what the class loader's default one reads then may be the prod profile's values
 * (another database, another Redis database, no test backoff): the same sources are read here under the
 * test profile.
 */
public final class TestConfiguration {

    private TestConfiguration() {
    }

    public static Config get() {
        List<ConfigSource> sources = new ArrayList<>();
        ConfigProvider.getConfig().getConfigSources().forEach(sources::add);
        return new SmallRyeConfigBuilder().withProfile("test").withSources(sources.toArray(ConfigSource[]::new)).build();
    }
}
