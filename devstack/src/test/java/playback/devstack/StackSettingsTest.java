package playback.devstack;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the user exported replaces the demo's values; overrides passed by code replace both. */
class StackSettingsTest {

    private static final String SIMULATOR = "http://127.0.0.1:8089";
    private static final String USER_TOKEN = "the-users-provider-token";

    private static Stack stack(Map<String, String> exported) {
        return new Stack(new Settings(exported), Path.of("/repo"), Path.of("/repo/data/logs"),
                Path.of("/repo/data/recordings"), "jdbc:postgresql://127.0.0.1:5432/playback", "postgres",
                "redis://127.0.0.1:6379/0");
    }

    @Test
    void withoutExportsEveryProcessGetsTheDemoToken() {
        Stack stack = stack(Map.of());
        assertEquals(Stack.PROVIDER_AUTH_TOKEN, stack.providerAuthToken());
        assertEquals(Stack.PROVIDER_AUTH_TOKEN, stack.simulatorEnvironment(8089, 8090).get("SIM_AUTH_TOKEN"));
        assertEquals(Stack.PROVIDER_AUTH_TOKEN, stack.apiEnvironment(8080, SIMULATOR, Map.of()).get("PLAYBACK_PROVIDER_AUTH_TOKEN"));
        assertEquals(Stack.PROVIDER_AUTH_TOKEN, stack.workerEnvironment(8081, SIMULATOR, Map.of()).get("PLAYBACK_PROVIDER_AUTH_TOKEN"));
        assertEquals("dev-stream-url-secret", stack.apiEnvironment(8080, SIMULATOR, Map.of()).get("PLAYBACK_STREAM_URL_SECRET"));
    }

    @Test
    void anExportedTokenReachesTheSimulatorTheApiTheWorkerAndTheWebhookSigner() {
        Stack stack = stack(Map.of("PLAYBACK_PROVIDER_AUTH_TOKEN", USER_TOKEN));
        assertEquals(USER_TOKEN, stack.providerAuthToken());
        assertEquals(USER_TOKEN, stack.simulatorEnvironment(8089, 8090).get("SIM_AUTH_TOKEN"));
        assertEquals(USER_TOKEN, stack.apiEnvironment(8080, SIMULATOR, Map.of()).get("PLAYBACK_PROVIDER_AUTH_TOKEN"));
        assertEquals(USER_TOKEN, stack.workerEnvironment(8081, SIMULATOR, Map.of()).get("PLAYBACK_PROVIDER_AUTH_TOKEN"));
    }

    @Test
    void otherExportedSettingsReplaceTheDemosToo() {
        Stack stack = stack(Map.of(
                "PLAYBACK_STREAM_URL_SECRET", "users-secret",
                "PLAYBACK_PROVIDER_ACCOUNT_SID", "AC11111111111111111111111111111111",
                "PLAYBACK_PROVIDER_BASE_URL", "https://api.twilio.com",
                "PLAYBACK_STORAGE_DIR", "/srv/recordings"));
        Map<String, String> api = stack.apiEnvironment(8080, SIMULATOR, Map.of());
        Map<String, String> worker = stack.workerEnvironment(8081, SIMULATOR, Map.of());
        assertEquals("users-secret", api.get("PLAYBACK_STREAM_URL_SECRET"));
        assertEquals("AC11111111111111111111111111111111", worker.get("PLAYBACK_PROVIDER_ACCOUNT_SID"));
        assertEquals("AC11111111111111111111111111111111", stack.simulatorEnvironment(8089, 8090).get("SIM_ACCOUNT_SID"));
        assertEquals("https://api.twilio.com", worker.get("PLAYBACK_PROVIDER_BASE_URL"));
        assertEquals("/srv/recordings", api.get("PLAYBACK_STORAGE_DIR"));
        assertEquals("/srv/recordings", worker.get("PLAYBACK_STORAGE_DIR"));
        assertEquals(Path.of("/srv/recordings"), stack.storage());
    }

    @Test
    void overridesPassedByCodeWinOverExports() {
        Stack stack = stack(Map.of("PLAYBACK_PROVIDER_AUTH_TOKEN", USER_TOKEN, "PLAYBACK_RETRY_BACKOFF", "9s"));
        Map<String, String> overrides = Map.of("PLAYBACK_PROVIDER_AUTH_TOKEN", "code", "PLAYBACK_RETRY_BACKOFF", "1s");
        assertEquals("code", stack.apiEnvironment(8080, SIMULATOR, overrides).get("PLAYBACK_PROVIDER_AUTH_TOKEN"));
        assertEquals("1s", stack.workerEnvironment(8081, SIMULATOR, overrides).get("PLAYBACK_RETRY_BACKOFF"));
    }

    @Test
    void aBlankExportCountsAsUnset() {
        assertEquals("demo", new Settings(Map.of("X", " ")).get("X", "demo"));
        assertEquals("user", new Settings(Map.of("X", "user")).get("X", "demo"));
        assertEquals(8080, new Settings(Map.of()).getInt("API_PORT", 8080));
    }
}
