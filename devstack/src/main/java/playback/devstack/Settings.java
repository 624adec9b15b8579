package playback.devstack;

import java.util.Map;

/**
 * The one place where a setting of the one-command run is resolved: the variable the user exported
 * when it is set and not blank, else the demo's built-in value. Code that starts processes may still
 * pass explicit overrides, which win over both.
 */
public final class Settings {

    private final Map<String, String> environment;

    public Settings(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The settings of this process's environment. */
    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    /** The user's value of the variable, else the demo's. */
    public String get(String variable, String demoValue) {
        String value = environment.get(variable);
        return value == null || value.isBlank() ? demoValue : value;
    }

    public int getInt(String variable, int demoValue) {
        return Integer.parseInt(get(variable, Integer.toString(demoValue)));
    }
}
