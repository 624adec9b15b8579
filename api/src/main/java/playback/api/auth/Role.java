package playback.api.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a caller may do beyond its own business's recordings, from the token's {@code roles} claim. */
public enum Role {
    /** Platform staff: the operations API, over every business. */
    OPS;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role a claim value names; empty for one this version does not know. */
    public static Optional<Role> fromWire(String value) {
        return Arrays.stream(values()).filter(role -> role.wire().equals(value)).findFirst();
    }
}
