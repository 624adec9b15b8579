package playback.api.service;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.keys.KeyScanArgs;
import jakarta.enterprise.context.ApplicationScoped;
import playback.api.config.ApiConfig;
import playback.controls.BusinessControls;
import playback.lifecycle.DevReset;
import playback.model.Lane;
import playback.model.Business;
import playback.queue.RedisKeys;
import playback.storage.RecordingStorage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Dev-only: puts the demo back to its first state without restarting anything. Calls and businesses
 * stay; every recording becomes missing again and everything a download left behind is removed.
 */
@ApplicationScoped
public class DevService {

    private final DevReset devReset;
    private final RedisDataSource redis;
    private final RecordingStorage storage;
    private final ApiConfig config;
    private final BusinessControls controls;

    public DevService(DevReset devReset, RedisDataSource redis, RecordingStorage storage, ApiConfig config,
                      BusinessControls controls) {
        this.controls = controls;
        this.devReset = devReset;
        this.redis = redis;
        this.storage = storage;
        this.config = config;
    }

    /** Every business, oldest first: the demo's sign-in list. */
    public List<Business> businesses() {
        return QuarkusTransaction.requiringNew().call(() -> Business.<Business>list("order by id"));
    }

    public boolean businessExists(long businessId) {
        return QuarkusTransaction.requiringNew().call(() -> Business.findById(businessId) != null);
    }

    public void reset() {
        DevReset.Reset reset = devReset.reset();
        int uncontrolled = controls.clearAll();
        List<String> keys = new ArrayList<>();
        for (String pattern : List.of(RedisKeys.ALL_DEDUP_PATTERN, RedisKeys.ALL_SLOTS_PATTERN)) {
            redis.key().scan(new KeyScanArgs().match(pattern).count(500)).toIterable().forEach(keys::add);
        }
        keys.add(RedisKeys.DELAYED_JOBS);
        redis.key().del(keys.toArray(String[]::new));
        for (Lane lane : Lane.values()) {
            redis.execute("XTRIM", RedisKeys.jobStream(lane), "MAXLEN", "0");
        }
        deleteStoredFiles();
        config.dev().simulatorUrl().ifPresent(DevService::resetSimulatorCounters);
        Log.infof("dev reset: %d recordings are missing again (%d runs, %d Redis keys and %d businesses' pause or "
                + "limit removed)", reset.recordingsReset(), reset.runsDeleted(), keys.size(), uncontrolled);
    }

    private void deleteStoredFiles() {
        try {
            storage.deleteAll();
        } catch (IOException e) {
            Log.warnf("dev reset could not delete the stored recordings: %s", e.getMessage());
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
