package playback.api.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import playback.api.config.ApiConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RS256 JSON Web Tokens: verifies bearer tokens, and signs dev tokens when a private key is configured.
 * Created at startup, so that a missing or unreadable key stops the api at once, not at the first request.
 */
@Startup
@ApplicationScoped
public class JwtService {

    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();
    private static final Base64.Encoder B64URL_OUT = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64URL_OUT.encodeToString(
            "{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final ObjectMapper json;
    private final ApiConfig.Jwt config;
    private final PublicKey publicKey;
    private final Optional<PrivateKey> privateKey;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED = 10_000;

    public JwtService(ObjectMapper json, ApiConfig config) {
        this.json = json;
        this.config = config.jwt();
        this.publicKey = readKey(this.config.publicKeyLocation(), false, PublicKey.class);
        this.privateKey = this.config.privateKeyLocation().map(location -> readKey(location, true, PrivateKey.class));
        this.clock = Clock.systemUTC();
    }

    /**
     * The caller a valid bearer token names; 401 for anything else. A verified token is remembered until
     * it expires, so the RSA check runs once per token, not once per request.
     */
    public Caller verify(String token) {
        Verified known = verified.get(token);
        if (known != null && known.expiresAt() > clock.instant().getEpochSecond()) {
            return known.caller();
        }
        Caller caller = verifySignature(token);
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear();
        }
        verified.put(token, new Verified(caller, expiryOf(token)));
        return caller;
    }

    private record Verified(Caller caller, long expiresAt) {
    }

    private long expiryOf(String token) {
        try {
            return json.readTree(B64URL.decode(token.split("\\.")[1])).path("exp").asLong();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private Caller verifySignature(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new Unauthenticated("malformed token");
        }
        try {
            JsonNode header = json.readTree(B64URL.decode(parts[0]));
            if (!"RS256".equals(header.path("alg").asText())) {
                throw new Unauthenticated("unsupported token algorithm");
            }
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(publicKey);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(B64URL.decode(parts[2]))) {
                throw new Unauthenticated("bad token signature");
            }
            JsonNode claims = json.readTree(B64URL.decode(parts[1]));
            if (!claims.path("exp").canConvertToLong() || claims.path("exp").asLong() <= clock.instant().getEpochSecond()) {
                throw new Unauthenticated("token expired");
            }
            if (!config.issuer().equals(claims.path("iss").asText())) {
                throw new Unauthenticated("unexpected token issuer");
            }
            JsonNode business = claims.path("business_id");
            if (!business.canConvertToLong()) {
                throw new Unauthenticated("token carries no business_id");
            }
            return new Caller(claims.path("sub").asText(), business.asLong(), roles(claims.path("roles")));
        } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
            throw new Unauthenticated("malformed token");
        }
    }

    /** The roles a claim grants: an array of names; names this version does not know are ignored. */
    private static Set<Role> roles(JsonNode claim) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        if (claim.isArray()) {
            claim.forEach(name -> Role.fromWire(name.asText()).ifPresent(roles::add));
        }
        return roles;
    }

    /** Signs a token for a user of a business, with roles (dev auth). */
    public IssuedToken issue(String user, long businessId, Set<Role> roles) {
        PrivateKey key = privateKey.orElseThrow(() ->
                new IllegalStateException("playback.jwt.private-key-location is not configured"));
        Instant expiresAt = clock.instant().plus(config.devTokenTtl());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", config.issuer());
        claims.put("sub", user);
        claims.put("business_id", businessId);
        if (!roles.isEmpty()) {
            claims.put("roles", roles.stream().map(Role::wire).sorted().toList());
        }
        claims.put("iat", clock.instant().getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        try {
            String payload = B64URL_OUT.encodeToString(json.writeValueAsBytes(claims));
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(key);
            signer.update((HEADER + "." + payload).getBytes(StandardCharsets.US_ASCII));
            String token = HEADER + "." + payload + "." + B64URL_OUT.encodeToString(signer.sign());
            return new IssuedToken(token, expiresAt);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }

    public record IssuedToken(String token, Instant expiresAt) {
    }

    private static <K> K readKey(String location, boolean isPrivate, Class<K> type) {
        try {
            String pem = readText(location);
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(base64);
            KeyFactory factory = KeyFactory.getInstance("RSA");
            Object key = isPrivate
                    ? factory.generatePrivate(new PKCS8EncodedKeySpec(der))
                    : factory.generatePublic(new X509EncodedKeySpec(der));
            return type.cast(key);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read RSA key at " + location, e);
        }
    }

    /** A file path, or a classpath resource when no such file exists. */
    private static String readText(String location) {
        try {
            Path path = Path.of(location);
            if (Files.isRegularFile(path)) {
                return Files.readString(path);
            }
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(location)) {
                if (in == null) {
                    throw new IllegalStateException("no key file or resource at " + location);
                }
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
