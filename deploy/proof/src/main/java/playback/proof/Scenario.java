package playback.proof;

/** One scenario of the proof: its title in the table, and what it does and checks. */
record Scenario(String title, Body body) {

    interface Body {
        Result run() throws Exception;
    }

    /** Whether the scenario's checks held, and the figures behind them. */
    record Result(boolean passed, String figures) {
    }
}
