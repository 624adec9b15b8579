package playback.api.auth;

import jakarta.enterprise.context.ApplicationScoped;
import playback.api.config.ApiConfig;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Capability tokens for stream URLs (the {@code <audio>} element cannot send a bearer token), in the
 * manner of nginx secure_link: {@code <business>.<expiry>.<hmac>}, the HMAC covering the business, the
 * call, the recording and the expiry, so a token opens one recording of one tenant until it expires.
 */
@ApplicationScoped
public class StreamUrlSigner {

    private final ThreadLocal<Mac> macs;
    private final Duration ttl;
    private final Clock clock = Clock.systemUTC();

    public StreamUrlSigner(ApiConfig config) {
        SecretKeySpec key = new SecretKeySpec(config.streamUrl().secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        // A Mac per thread: stream requests verify a token each, on the event loops, without contention.
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        this.ttl = config.streamUrl().ttl();
    }

    public String sign(long businessId, String callSid, String recordingSid) {
        long expires = clock.instant().plus(ttl).getEpochSecond();
        return businessId + "." + expires + "." + mac(businessId, callSid, recordingSid, expires);
    }

    /** The business a token claims, without checking it: needed to look the recording up first. */
    public Optional<Long> claimedBusiness(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(parts[0]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True when the token is intact, unexpired and names this business, call and recording. */
    public boolean isValid(String token, long businessId, String callSid, String recordingSid) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || recordingSid == null) {
            return false;
        }
        long expires;
        try {
            if (Long.parseLong(parts[0]) != businessId) {
                return false;
            }
            expires = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return false;
        }
        if (expires <= clock.instant().getEpochSecond()) {
            return false;
        }
        byte[] expected = mac(businessId, callSid, recordingSid, expires).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(long businessId, String callSid, String recordingSid, long expires) {
        byte[] digest = macs.get().doFinal((businessId + "|" + callSid + "|" + recordingSid + "|" + expires)
                .getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }
}
