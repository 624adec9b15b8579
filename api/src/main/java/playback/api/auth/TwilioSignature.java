package playback.api.auth;

import jakarta.enterprise.context.ApplicationScoped;
import playback.api.config.ApiConfig;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Twilio's request signature: Base64(HMAC-SHA1(auth token, URL + every POST parameter name and value,
 * sorted by name)).
 */
@ApplicationScoped
public class TwilioSignature {

    private final byte[] authToken;

    public TwilioSignature(ApiConfig config) {
        this.authToken = config.provider().authToken().getBytes(StandardCharsets.UTF_8);
    }

    public String compute(String url, Map<String, List<String>> params) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, values) -> values.forEach(value -> data.append(name).append(value)));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean matches(String signature, String url, Map<String, List<String>> params) {
        if (signature == null) {
            return false;
        }
        return MessageDigest.isEqual(compute(url, params).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }
}
