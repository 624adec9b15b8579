package playback.devstack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;

/**
 * Loads the demo into a running deployment, once: the same businesses, calls and scripted recordings as
 * the one-command run ({@link DemoData}), sent through the api's signed webhooks. The demo-data service
 * of docker-compose.yml runs it (profile demo) after the api and the simulator are healthy; loading
 * again changes nothing.
 *
 * Environment: QUARKUS_DATASOURCE_JDBC_URL, QUARKUS_DATASOURCE_USERNAME, QUARKUS_DATASOURCE_PASSWORD
 * (the api's database), DEMO_API_URL (http://api:8080), DEMO_SIMULATOR_URL (http://simulator:8089) and
 * PLAYBACK_PROVIDER_AUTH_TOKEN (the token the api checks webhook signatures with).
 */
public final class DemoLoader {

    private DemoLoader() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        String jdbcUrl = settings.get("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://postgres:5432/playback");
        String apiUrl = settings.get("DEMO_API_URL", "http://api:8080");
        String simulatorUrl = settings.get("DEMO_SIMULATOR_URL", "http://simulator:8089");
        String providerAuthToken = settings.get("PLAYBACK_PROVIDER_AUTH_TOKEN", Stack.PROVIDER_AUTH_TOKEN);
        try (Connection db = DriverManager.getConnection(jdbcUrl,
                settings.get("QUARKUS_DATASOURCE_USERNAME", "postgres"),
                settings.get("QUARKUS_DATASOURCE_PASSWORD", ""))) {
            List<DemoData.DemoCall> calls = new DemoData(providerAuthToken).seed(db, apiUrl, simulatorUrl);
            System.out.printf("demo data: %d businesses, %d calls with recordings, sent to %s%n",
                    DemoData.BUSINESSES.size(), calls.size(), apiUrl);
        }
    }
}
