package playback.redis;

import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script kept as a resource file under {@code lua/}, run with EVALSHA (EVAL when not cached).
 * Every script of the api and the worker lives in that one folder of this module, named for its effect
 * and key count, with its KEYS, ARGV and reply in its header: reading the folder is reading the whole
 * Redis protocol between the services.
 *
 * <p>Every script runs behind a prelude, {@value #PRELUDE}: {@link #load} puts it in front of the file,
 * so the functions it defines (the Redis clock, {@code now_ms()}) are there for every script without a
 * copy in each. What Redis runs and caches, and what the SHA names, is the prelude and the script
 * together; line numbers in Redis's error messages count the prelude's lines too.
 */
public final class LuaScript {

    /** Resource put in front of every script. */
    static final String PRELUDE = "lua/includes/clock.lua";

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /** The script {@code lua/<fileName>}, behind the prelude. */
    public static LuaScript load(String fileName) {
        return new LuaScript(resource(PRELUDE) + "\n" + resource("lua/" + fileName));
    }

    static String resource(String name) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What Redis runs: the prelude, then the script. */
    String source() {
        return source;
    }

    /** SHA-1 of {@link #source()}, the name Redis caches the script under for EVALSHA. */
    String sha() {
        return sha;
    }

    public Response run(RedisDataSource redis, List<String> keys, List<String> args) {
        try {
            return redis.execute("EVALSHA", arguments(sha, keys, args));
        } catch (RuntimeException e) {
            if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
                throw e;
            }
            return redis.execute("EVAL", arguments(source, keys, args));
        }
    }

    private static String[] arguments(String script, List<String> keys, List<String> args) {
        List<String> all = new ArrayList<>(2 + keys.size() + args.size());
        all.add(script);
        all.add(Integer.toString(keys.size()));
        all.addAll(keys);
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
