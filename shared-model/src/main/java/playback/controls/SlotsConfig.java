package playback.controls;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The default slot limit: the worker enforces it, the api shows it to operators. A business's own limit
 * ({@link BusinessControls}) overrides it.
 */
@ConfigMapping(prefix = "playback.slots")
public interface SlotsConfig {

    /** Concurrent downloads per business, across every worker replica. */
    @WithDefault("5")
    int perBusiness();
}
