package playback.devstack;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Sends status callbacks the way the provider does: form-encoded, signed with X-Twilio-Signature. */
public final class TwilioWebhooks {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiBaseUrl;
    private final String authToken;

    public TwilioWebhooks(String apiBaseUrl, String authToken) {
        this.apiBaseUrl = apiBaseUrl.replaceAll("/+$", "");
        this.authToken = authToken;
    }

    /** Posts the event (call-status or recording-status); returns the HTTP status. */
    public int post(String event, Map<String, String> form) throws IOException, InterruptedException {
        String url = apiBaseUrl + "/api/webhooks/twilio/" + event;
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", signature(authToken, url, form))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Reports a completed inbound call with a completed recording, as the provider does: call-status,
     * then recording-status. Fails unless both are accepted.
     */
    public void completedCall(String accountSid, String callSid, String recordingSid, int callSeconds,
                              int recordingSeconds) throws IOException, InterruptedException {
        Map<String, String> callStatus = new LinkedHashMap<>();
        callStatus.put("AccountSid", accountSid);
        callStatus.put("CallSid", callSid);
        callStatus.put("From", "+15550001111");
        callStatus.put("To", "+15550002222");
        callStatus.put("Direction", "inbound");
        callStatus.put("CallStatus", "completed");
        callStatus.put("CallDuration", Integer.toString(callSeconds));
        Map<String, String> recordingStatus = new LinkedHashMap<>();
        recordingStatus.put("AccountSid", accountSid);
        recordingStatus.put("CallSid", callSid);
        recordingStatus.put("RecordingSid", recordingSid);
        recordingStatus.put("RecordingStatus", "completed");
        recordingStatus.put("RecordingDuration", Integer.toString(recordingSeconds));
        int call = post("call-status", callStatus);
        int recording = post("recording-status", recordingStatus);
        if (call != 204 || recording != 204) {
            throw new IOException("webhooks refused: call-status " + call + ", recording-status " + recording);
        }
    }

    /**
     * The X-Twilio-Signature of a form posted to the URL, written independently of the api's check:
     * HMAC-SHA1 with the auth token over the URL followed by the sorted pairs, in Base64.
     */
    public static String signature(String authToken, String url, Map<String, String> form) {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(form).forEach((key, value) -> data.append(key).append(value));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
