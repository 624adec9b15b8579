package playback.redis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LuaScriptTest {

    private static final String SCRIPT = "scheduleJob-1.lua";

    @Test
    void everyScriptRunsBehindTheClockPrelude() {
        String prelude = LuaScript.resource(LuaScript.PRELUDE);
        String script = LuaScript.resource("lua/" + SCRIPT);
        assertTrue(prelude.contains("local function now_ms()"), "the prelude defines now_ms()");
        assertTrue(script.contains("now_ms()"), SCRIPT + " reads the clock through the prelude");
        assertFalse(script.contains("TIME"), SCRIPT + " keeps no copy of the clock lines");

        String source = LuaScript.load(SCRIPT).source();
        assertTrue(source.startsWith(prelude), "the prelude comes first");
        assertTrue(source.endsWith(script), "then the script");
    }

    @Test
    void shaNamesThePreludeAndTheScriptTogether() throws Exception {
        LuaScript loaded = LuaScript.load(SCRIPT);
        assertEquals(sha1(loaded.source()), loaded.sha(), "EVALSHA names what EVAL sends");
        assertNotEquals(sha1(LuaScript.resource("lua/" + SCRIPT)), loaded.sha(), "not the file alone");
    }

    private static String sha1(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }
}
