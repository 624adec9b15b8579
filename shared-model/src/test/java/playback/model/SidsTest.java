package playback.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SidsTest {

    private static final String HEX32 = "0123456789abcdef0123456789ABCDEF";

    @Test
    void acceptsTwilioFormats() {
        assertTrue(Sids.isCallSid("CA" + HEX32));
        assertTrue(Sids.isRecordingSid("RE" + HEX32));
        assertTrue(Sids.isAccountSid("AC" + HEX32));
    }

    @Test
    void rejectsEverythingElse() {
        assertFalse(Sids.isCallSid(null));
        assertFalse(Sids.isCallSid(""));
        assertFalse(Sids.isCallSid("RE" + HEX32), "wrong prefix");
        assertFalse(Sids.isCallSid("ca" + HEX32), "prefix is upper case");
        assertFalse(Sids.isCallSid("CA" + HEX32.substring(1)), "33 characters");
        assertFalse(Sids.isCallSid("CA" + HEX32 + "0"), "35 characters");
        assertFalse(Sids.isCallSid("CA" + HEX32.replace('f', 'g')), "not hex");
        assertFalse(Sids.isCallSid("CA" + HEX32 + "\n"), "trailing newline");
    }
}
