package playback.simulator;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Signs and checks storage URLs the way a CDN or S3 presigned URL works: an HMAC over the path, the
 * expiry and the download id, with a key only this process knows. The storage server needs nothing
 * else to trust a request, which is why it must never need (or get) the API credentials.
 */
final class SignedUrls {

    /** Long enough for any client that follows the redirect at once; short like a real provider's. */
    static final long TTL_SECONDS = 300;

    private final SecretKeySpec key;

    SignedUrls() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** The query string (without '?') that makes path usable until expiresEpochSeconds. */
    String query(String path, long expiresEpochSeconds, long download) {
        return "Expires=" + expiresEpochSeconds + "&Download=" + download
                + "&Signature=" + signature(path, expiresEpochSeconds, download);
    }

    /** True when the signature matches and the URL has not expired. */
    boolean valid(String path, long expiresEpochSeconds, long download, String signature, long nowEpochSeconds) {
        if (signature == null || expiresEpochSeconds < nowEpochSeconds) {
            return false;
        }
        return MessageDigest.isEqual(signature(path, expiresEpochSeconds, download).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    private String signature(String path, long expires, long download) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal((path + "\n" + expires + "\n" + download).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
