package playback.proof;

/** One scenario of the proof: its title in the table, the deployment it runs on, and what it does and checks. */
record Scenario(String title, Topology topology, Body body) {

    /** A scenario of docker-compose.yml as it is. */
    Scenario(String title, Body body) {
        this(title, Topology.SINGLE, body);
    }

    /** Which deployment a scenario runs on: one is up at a time. */
    enum Topology {
        /** docker-compose.yml with the demo and monitoring profiles: one PostgreSQL, one Redis. */
        SINGLE,
        /** With deploy/compose.ha.yml and the demo profile: Redis with sentinels, PostgreSQL with pg_auto_failover. */
        REPLICATED
    }

    interface Body {
        Result run() throws Exception;
    }

    /** Whether the scenario's checks held, and the figures behind them. */
    record Result(boolean passed, String figures) {
    }
}
