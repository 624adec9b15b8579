package playback.api.service;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.api.config.ApiConfig;
import playback.queue.RecordingEvents;
import playback.queue.RedisKeys;
import playback.storage.RecordingStorage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Dev-only: puts the demo back to its first state without restarting anything. Calls and businesses
 * stay; every recording becomes missing again and everything a download left behind is removed.
 */
@ApplicationScoped
public class DevService {

    private final EntityManager db;
    private final RedisDataSource redis;
    private final RecordingStorage storage;
    private final ApiConfig config;
    private final RecordingEvents events;

    public DevService(EntityManager db, RedisDataSource redis, RecordingStorage storage, ApiConfig config,
                      RecordingEvents events) {
        this.events = events;
        this.db = db;
        this.redis = redis;
        this.storage = storage;
        this.config = config;
    }

    public void reset() {
        QuarkusTransaction.requiringNew().run(() -> {
            db.createNativeQuery("delete from recording_runs").executeUpdate();
            db.createNativeQuery("""
                    update call_logs set recording_download_status = 'missing', recording_last_enqueue_at = null,
                        recording_fail_count = 0, recording_next_retry_at = null, recording_error = null,
                        recording_size_bytes = null, recording_content_type = null, recording_storage_key = null,
                        recording_progress_bytes = 0, recording_progress_total = null, recording_ready_at = null,
                        updated_at = now()""").executeUpdate();
        });
        List<String> keys = new ArrayList<>();
        for (String pattern : List.of(RedisKeys.ALL_DEDUP_PATTERN, RedisKeys.ALL_SLOTS_PATTERN)) {
            redis.key().scan(new KeyScanArgs().match(pattern).count(500)).toIterable().forEach(keys::add);
        }
        keys.add(RedisKeys.DELAYED_JOBS);
        redis.key().del(keys.toArray(String[]::new));
        redis.execute("XTRIM", RedisKeys.JOB_STREAM, "MAXLEN", "0");
        deleteStoredFiles();
        config.dev().simulatorUrl().ifPresent(DevService::resetSimulatorCounters);
        events.publish(new RecordingEvents.Event(0, "*", RecordingEvents.RESET));
        Log.infof("dev reset: demo recordings are missing again (%d Redis keys removed)", keys.size());
    }

    private void deleteStoredFiles() {
        Path root = storage.root();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder())
                    .filter(path -> !path.equals(root) && !path.equals(root.resolve(".tmp")))
                    .forEach(path -> {
                        try {
                            Files.deleteIfExists(path);
                        } catch (IOException e) {
                            Log.warnf("dev reset could not delete %s", path);
                        }
                    });
        } catch (IOException e) {
            Log.warnf("dev reset could not list %s", root);
        }
    }

    /** The demo's scripted failures count fetches; they start over with the demo. */
    private static void resetSimulatorCounters(String simulatorUrl) {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(simulatorUrl.replaceAll("/+$", "") + "/sim/reset?keep_scripts=true"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            Log.warnf("dev reset could not reset the provider simulator at %s: %s", simulatorUrl, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
