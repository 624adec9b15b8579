package playback.model;

import java.util.regex.Pattern;

/** Twilio SID formats: a two-letter prefix and 32 lowercase or uppercase hex digits, 34 characters. */
public final class Sids {

    private static final Pattern CALL = Pattern.compile("CA[0-9a-fA-F]{32}");
    private static final Pattern RECORDING = Pattern.compile("RE[0-9a-fA-F]{32}");
    private static final Pattern ACCOUNT = Pattern.compile("AC[0-9a-fA-F]{32}");

    private Sids() {
    }

    public static boolean isCallSid(String value) {
        return value != null && CALL.matcher(value).matches();
    }

    public static boolean isRecordingSid(String value) {
        return value != null && RECORDING.matcher(value).matches();
    }

    public static boolean isAccountSid(String value) {
        return value != null && ACCOUNT.matcher(value).matches();
    }
}
