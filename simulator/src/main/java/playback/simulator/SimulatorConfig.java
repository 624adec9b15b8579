package playback.simulator;

/**
 * How the simulator is started. Every value comes from an environment variable or a system property;
 * the environment wins, so a container can override what a launch script passes with -D.
 *
 * @param bind                   address both servers listen on
 * @param port                   the provider API port (0 = any free port)
 * @param storagePort            the "signed storage" port, a different host:port from the API (0 = any free port)
 * @param storageHost            host name put into redirect URLs; "localhost" so that it differs from the
 *                               API's 127.0.0.1 and a client must treat it as another host
 * @param accountSid             basic-auth user the API requires (the main account)
 * @param authToken              basic-auth password the API requires
 * @param defaultDurationSeconds duration of a recording no script gave a duration
 */
public record SimulatorConfig(String bind, int port, int storagePort, String storageHost,
                              String accountSid, String authToken, int defaultDurationSeconds) {

    public static final String DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000000000";
    public static final String DEFAULT_AUTH_TOKEN = "dev-provider-auth-token";

    /** Defaults of the demo: API on 127.0.0.1:8089, storage on localhost:8090. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig("127.0.0.1", 8089, 8090, "localhost",
                DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, 180);
    }

    /** Both servers on free ports, for tests that embed the simulator. */
    public static SimulatorConfig ephemeral() {
        return defaults().withPorts(0, 0);
    }

    public SimulatorConfig withPorts(int port, int storagePort) {
        return new SimulatorConfig(bind, port, storagePort, storageHost, accountSid, authToken, defaultDurationSeconds);
    }

    /** Reads SIM_* environment variables, then sim.* system properties, then the defaults. */
    public static SimulatorConfig fromEnvironment() {
        SimulatorConfig d = defaults();
        return new SimulatorConfig(
                setting("SIM_BIND", "sim.bind", d.bind()),
                Integer.parseInt(setting("SIM_PORT", "sim.port", String.valueOf(d.port()))),
                Integer.parseInt(setting("SIM_STORAGE_PORT", "sim.storage-port", String.valueOf(d.storagePort()))),
                setting("SIM_STORAGE_HOST", "sim.storage-host", d.storageHost()),
                setting("SIM_ACCOUNT_SID", "sim.account-sid", d.accountSid()),
                setting("SIM_AUTH_TOKEN", "sim.auth-token", d.authToken()),
                Integer.parseInt(setting("SIM_DEFAULT_DURATION_SECONDS", "sim.default-duration-seconds",
                        String.valueOf(d.defaultDurationSeconds()))));
    }

    private static String setting(String env, String property, String fallback) {
        String value = System.getenv(env);
        if (value == null || value.isBlank()) {
            value = System.getProperty(property);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
