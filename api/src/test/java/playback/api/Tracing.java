package playback.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The api and its worker with tracing on, both exporting OTLP (http/protobuf) to an {@link OtlpReceiver}
 * that {@link SystemUnderTest} starts for the tests of this profile. Spans are exported within 100 ms.
 */
public class Tracing implements QuarkusTestProfile {

    static final Map<String, String> SETTINGS = Map.of(
            "quarkus.otel.sdk.disabled", "false",
            "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
            "quarkus.otel.bsp.schedule.delay", "100ms");

    @Override
    public Map<String, String> getConfigOverrides() {
        return SETTINGS;
    }
}
