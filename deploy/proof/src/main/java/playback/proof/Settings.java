package playback.proof;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What deploy/prove.sh hands the proof in its environment: the compose command (PROOF_COMPOSE, e.g.
 * "docker compose"), the engine (PROOF_ENGINE, docker or podman), COMPOSE_PROJECT_NAME, the ports
 * published on 127.0.0.1 (API_PORT, SIM_PORT, PROMETHEUS_PORT), the deployment's PLAYBACK_SLOTS_LEASE,
 * PLAYBACK_SLOTS_PER_BUSINESS and PLAYBACK_WORKER_CONCURRENCY, PROOF_LOG_DIR, and PROOF_SCENARIOS (e.g.
 * "1,7": only those scenarios; empty: all).
 */
record Settings(List<String> compose, String engine, String project, String api, String simulator,
                String prometheus, Set<Integer> selected, Duration lease, int slots, String workerConcurrency,
                Path logDir) {

    /** The demo's provider token (docker-compose.yml, demo-settings): the key of webhook signatures. */
    static final String PROVIDER_AUTH_TOKEN = "dev-provider-auth-token";

    static Settings from(Map<String, String> env) {
        return new Settings(
                List.of(env.getOrDefault("PROOF_COMPOSE", "docker compose").split(" +")),
                env.getOrDefault("PROOF_ENGINE", "docker"),
                env.getOrDefault("COMPOSE_PROJECT_NAME", "playback-proof"),
                "http://127.0.0.1:" + env.getOrDefault("API_PORT", "18080"),
                "http://127.0.0.1:" + env.getOrDefault("SIM_PORT", "18089"),
                "http://127.0.0.1:" + env.getOrDefault("PROMETHEUS_PORT", "19090"),
                Arrays.stream(env.getOrDefault("PROOF_SCENARIOS", "").split("[ ,]+"))
                        .filter(number -> !number.isEmpty()).map(Integer::valueOf)
                        .collect(Collectors.toCollection(TreeSet::new)),
                Duration.ofSeconds(Long.parseLong(env.getOrDefault("PLAYBACK_SLOTS_LEASE", "10s").replace("s", ""))),
                Integer.parseInt(env.getOrDefault("PLAYBACK_SLOTS_PER_BUSINESS", "3")),
                env.getOrDefault("PLAYBACK_WORKER_CONCURRENCY", "8"),
                Path.of(env.getOrDefault("PROOF_LOG_DIR", "target/compose-proof")));
    }

    /** Whether the scenario of that number runs. */
    boolean runs(int number) {
        return selected.isEmpty() || selected.contains(number);
    }
}
