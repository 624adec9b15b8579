package playback.worker.service;

import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import playback.controls.BusinessControls;
import playback.controls.SlotsConfig;
import playback.worker.config.WorkerConfig;

import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The operators' controls as this worker honours them. They are read again from PostgreSQL when they
 * are older than {@code playback.worker.controls-refresh} (2 s), by the first download thread that
 * needs them (the others go on with the copy they have), so every worker follows a pause or a new
 * limit within seconds. While PostgreSQL cannot be read, the last controls read stay in force.
 */
@ApplicationScoped
public class ControlsCache {

    /** What a business's downloads may do now. */
    public record Effective(boolean paused, int limit) {
    }

    private final BusinessControls controls;
    private final int defaultLimit;
    private final long refreshNanos;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile Map<Long, BusinessControls.Control> current = Map.of();
    private volatile long readAtNanos;
    private volatile boolean everRead;
    private volatile boolean failing;

    public ControlsCache(BusinessControls controls, SlotsConfig slots, WorkerConfig config) {
        this.controls = controls;
        this.defaultLimit = slots.perBusiness();
        this.refreshNanos = config.worker().controlsRefresh().toNanos();
    }

    public Effective of(long businessId) {
        refreshIfStale();
        BusinessControls.Control control = current.getOrDefault(businessId, BusinessControls.Control.none(businessId));
        return new Effective(control.paused(), control.effectiveLimit(defaultLimit));
    }

    private void refreshIfStale() {
        if (everRead && System.nanoTime() - readAtNanos < refreshNanos) {
            return;
        }
        // The first read is waited for, so that no download starts before the controls are known.
        if (!everRead) {
            refreshing.lock();
        } else if (!refreshing.tryLock()) {
            return;
        }
        try {
            if (everRead && System.nanoTime() - readAtNanos < refreshNanos) {
                return;
            }
            current = Map.copyOf(controls.all());
            if (failing) {
                Log.infof("the business controls are read again (%d businesses with controls)", current.size());
            }
            failing = false;
            everRead = true;
        } catch (RuntimeException e) {
            if (!failing) {
                Log.warnf("cannot read the business controls; the last ones read stay in force: %s", e.getMessage());
            }
            failing = true;
        } finally {
            readAtNanos = System.nanoTime();
            refreshing.unlock();
        }
    }
}
