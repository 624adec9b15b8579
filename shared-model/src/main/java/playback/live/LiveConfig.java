package playback.live;

import io.smallrye.config.ConfigMapping;

import java.util.Optional;

/**
 * Playing a recording while it downloads: the worker receiving it serves the bytes so far to the api
 * replicas over the internal network, behind a token both sides know.
 */
@ConfigMapping(prefix = "playback.live")
public interface LiveConfig {

    /**
     * The token an api replica presents ({@link LiveAudio#TOKEN_HEADER}) to read a recording a worker is
     * still receiving; unset: nothing is served before it is complete.
     */
    Optional<String> token();
}
