package playback.proof;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replicated deployment's Redis and PostgreSQL servers as their own watchers see them: the sentinels
 * (which server is the Redis primary, its replicas, the other sentinels) and the pg_auto_failover monitor
 * (each node's reported state). Read with the engine's exec in the first running container of a service,
 * which answers in a fraction of a second (the compose CLI takes one).
 */
final class ReplicatedServers {

    /** The name the sentinels watch the Redis primary under (deploy/compose.ha.yml). */
    static final String REDIS_MASTER = "playback";

    /** pg_auto_failover's states of a node that takes writes. */
    private static final List<String> WRITABLE = List.of("single", "wait_primary", "primary");

    private static final Duration QUICK = Duration.ofSeconds(15);

    private final Deployment deployment;

    ReplicatedServers(Deployment deployment) {
        this.deployment = deployment;
    }

    /** The Redis primary's service name, as sentinel-1 answers it. */
    String redisPrimary() {
        return exec("sentinel-1", "redis-cli", "-p", "26379", "sentinel", "get-master-addr-by-name", REDIS_MASTER)
                .lines().findFirst().orElse("").strip();
    }

    /** A sentinel's view of the primary: flags, num-slaves, num-other-sentinels... */
    Map<String, String> redisMaster(String sentinel) {
        return pairs(exec(sentinel, "redis-cli", "-p", "26379", "sentinel", "master", REDIS_MASTER));
    }

    /** The Redis server's INFO replication fields (role, connected_slaves, master_link_status...). */
    Map<String, String> redisReplication(String server) {
        Map<String, String> fields = new TreeMap<>();
        for (String line : exec(server, "redis-cli", "info", "replication").lines().toList()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return fields;
    }

    /**
     * Redis as the overlay starts it: each sentinel sees the primary up with its replica and both other
     * sentinels, and the replica is in sync.
     */
    boolean redisReplicated() {
        String primary = redisPrimary();
        if (primary.isEmpty()) {
            return false;
        }
        for (String sentinel : List.of("sentinel-1", "sentinel-2", "sentinel-3")) {
            Map<String, String> master = redisMaster(sentinel);
            if (!"master".equals(master.get("flags")) || !"1".equals(master.get("num-slaves"))
                    || !"2".equals(master.get("num-other-sentinels"))) {
                return false;
            }
        }
        String replica = primary.equals("redis-1") ? "redis-2" : "redis-1";
        return "up".equals(redisReplication(replica).get("master_link_status"));
    }

    /** Each node's state as it last reported it to the monitor, by node name. */
    Map<String, String> postgresStates() {
        Map<String, String> states = new TreeMap<>();
        for (String line : exec("pg-monitor", "psql", "-d", "pg_auto_failover", "-qAtc",
                "select nodename, reportedstate from pgautofailover.node").lines().toList()) {
            String[] parts = line.split("\\|");
            if (parts.length == 2) {
                states.put(parts[0], parts[1]);
            }
        }
        return states;
    }

    /** The node taking writes (its service name), or empty. */
    String postgresPrimary() {
        return postgresPrimaryOtherThan("");
    }

    /**
     * A node other than this one that reports taking writes, or empty. A node that died keeps the state it
     * last reported.
     */
    String postgresPrimaryOtherThan(String node) {
        return postgresStates().entrySet().stream().filter(e -> !e.getKey().equals(node) && WRITABLE.contains(e.getValue()))
                .map(Map.Entry::getKey).findFirst().orElse("");
    }

    /** PostgreSQL as the overlay starts it: a primary and its standby in sync (pg_auto_failover's "secondary"). */
    boolean postgresReplicated() {
        Map<String, String> states = postgresStates();
        return states.size() == 2 && states.containsValue("primary") && states.containsValue("secondary");
    }

    /** How the primary's standbys confirm commits (pg_stat_replication.sync_state: quorum, sync or async). */
    String standbySync() throws IOException, InterruptedException {
        return deployment.sql("select coalesce(string_agg(application_name || ' ' || sync_state, ', '), 'none') "
                + "from pg_stat_replication");
    }

    /** The first running container of the service. */
    String container(String service) {
        List<String> ids = deployment.containers(service, false);
        if (ids.isEmpty()) {
            throw new IllegalStateException("no running " + service + " container");
        }
        return ids.get(0);
    }

    private String exec(String service, String... command) {
        String[] args = new String[command.length + 2];
        args[0] = "exec";
        args[1] = container(service);
        System.arraycopy(command, 0, args, 2, command.length);
        try {
            return deployment.engine(QUICK, args);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** redis-cli's answer to a map-valued command: key and value on alternate lines. */
    private static Map<String, String> pairs(String text) {
        List<String> lines = text.lines().map(String::strip).toList();
        Map<String, String> pairs = new TreeMap<>();
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            pairs.put(lines.get(i), lines.get(i + 1));
        }
        return pairs;
    }
}
