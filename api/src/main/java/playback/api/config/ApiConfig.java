package playback.api.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Typed configuration of the api; keys under {@code playback.*}. */
@ConfigMapping(prefix = "playback")
public interface ApiConfig {

    Jwt jwt();

    DevAuth devAuth();

    Dev dev();

    StreamUrl streamUrl();

    Webhooks webhooks();

    Provider provider();

    Enqueue enqueue();

    interface Jwt {
        /** Expected {@code iss} claim. */
        @WithDefault("playback")
        String issuer();

        /** PEM public key (file path or classpath resource) that verifies RS256 bearer tokens. */
        String publicKeyLocation();

        /** PEM PKCS#8 private key used by the dev token endpoint only. */
        Optional<String> privateKeyLocation();

        /** Lifetime of dev tokens. */
        @WithDefault("8h")
        Duration devTokenTtl();
    }

    interface DevAuth {
        /** Dev endpoints (/api/dev/**); off in production, where they answer 404. */
        @WithDefault("false")
        boolean enabled();
    }

    interface Dev {
        /** The provider simulator of the demo, whose fetch counters a dev reset clears too. */
        Optional<String> simulatorUrl();
    }

    interface StreamUrl {
        /** How long a signed stream URL stays valid. */
        @WithDefault("1h")
        Duration ttl();

        /** HMAC key of signed stream URLs; the same on every api replica. */
        String secret();

        /**
         * How recordings of an object store reach the browser: {@code proxy} (the api reads the ranges
         * from the store and serves them with the whole HTTP contract), or {@code redirect} (a 307 to a
         * short-lived presigned URL of the store, which then answers itself: the store must be reachable
         * by browsers, and its own validators and Range handling apply). Local files are always served.
         */
        @WithDefault("proxy")
        Delivery delivery();

        /** How long a presigned URL of {@code delivery=redirect} stays valid: long enough to listen to a call. */
        @WithDefault("15m")
        Duration redirectTtl();
    }

    enum Delivery {
        PROXY, REDIRECT
    }

    interface Webhooks {
        /**
         * Scheme, host and port the provider calls (e.g. https://api.example.com) when the api sits
         * behind a proxy; the signature covers that URL. Empty: the request's own URL.
         */
        Optional<String> publicBaseUrl();
    }

    interface Provider {
        /** The provider auth token: key of webhook signatures. */
        String authToken();
    }

    interface Enqueue {
        /** Lifetime of a recording's Redis dedup key. */
        @WithDefault("30m")
        Duration dedupTtl();
    }
}
