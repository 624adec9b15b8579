package playback.worker.queue;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import playback.controls.SlotsConfig;
import playback.lifecycle.RunRecovery;
import playback.model.Lane;
import playback.outage.Outage;
import playback.queue.DownloadJob;
import playback.queue.JobQueue;
import playback.worker.config.WorkerConfig;
import playback.worker.service.DownloadProcessor;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's main loop: one consumer of the download stream's consumer group per process. It moves
 * due delayed jobs onto the stream, takes over jobs of dead consumers (XAUTOCLAIM), sweeps runs whose
 * holder vanished and queued runs Redis lost, and hands new jobs to a bounded pool of downloads. Background
 * jobs never fill the whole pool: the interactive reserve stays free for Plays.
 */
@ApplicationScoped
public class JobConsumer {

    /** How soon a delivery that met a database switch is tried again. */
    private static final Duration DATABASE_OUTAGE_RETRY = Duration.ofSeconds(1);
    /** Short, so that delayed jobs are promoted promptly while no new job arrives. */
    private static final Duration BLOCK = Duration.ofMillis(250);
    private static final int SWEEP_BATCH = 100;

    private final JobStream stream;
    private final JobQueue queue;
    private final DownloadProcessor processor;
    private final RunRecovery recovery;
    private final WorkerConfig config;
    private final SlotsConfig slotsConfig;
    private final RedisPrimaryWatch primaryWatch;
    private final String consumer;
    private final Semaphore free;
    /** The share of {@link #free} background jobs may take. */
    private final Semaphore backgroundFree;
    private final ExecutorService downloads;
    private volatile boolean running;
    /** When the loop last went round (System.nanoTime()), whether it read jobs or failed: see {@link #stuckFor()}. */
    private volatile long lastTurn = System.nanoTime();
    private Thread loop;

    public JobConsumer(JobStream stream, JobQueue queue, DownloadProcessor processor, RunRecovery recovery,
                       WorkerConfig config, SlotsConfig slotsConfig, RedisPrimaryWatch primaryWatch) {
        this.stream = stream;
        this.queue = queue;
        this.processor = processor;
        this.recovery = recovery;
        this.config = config;
        this.slotsConfig = slotsConfig;
        this.primaryWatch = primaryWatch;
        this.consumer = ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        int concurrency = config.worker().concurrency();
        this.free = new Semaphore(concurrency);
        this.backgroundFree = new Semaphore(backgroundShare(concurrency, config.worker().interactiveReserve()));
        AtomicInteger threads = new AtomicInteger();
        this.downloads = Executors.newFixedThreadPool(concurrency,
                runnable -> new Thread(runnable, "download-" + threads.incrementAndGet()));
    }

    void start(@Observes StartupEvent event) {
        running = true;
        loop = new Thread(this::run, "job-consumer");
        loop.start();
        Log.infof("worker consumer %s started (%d concurrent downloads, %d of them for background jobs at most, "
                        + "%d slots per business)", consumer, config.worker().concurrency(),
                backgroundShare(config.worker().concurrency(), config.worker().interactiveReserve()),
                slotsConfig.perBusiness());
    }

    private void run() {
        long nextReclaim = 0;
        long nextSweep = 0;
        boolean groupReady = false;
        boolean failing = false;
        while (running) {
            lastTurn = System.nanoTime();
            try {
                if (!groupReady) {
                    stream.ensureGroup();
                    groupReady = true;
                }
                primaryWatch.check(consumer);
                stream.promoteDue(SWEEP_BATCH);
                if (failing) {
                    failing = false;
                    Log.info("job consumer: reading jobs again");
                }
                long now = System.nanoTime();
                if (now - nextReclaim >= 0 && free.availablePermits() > 0) {
                    nextReclaim = now + config.slots().lease().toNanos() / 2;
                    dispatch(stream.reclaim(consumer, config.slots().lease(), free.availablePermits(),
                            backgroundFree.availablePermits()));
                }
                if (now - nextSweep >= 0) {
                    nextSweep = now + config.worker().sweepInterval().toNanos();
                    sweep();
                }
                int capacity = free.availablePermits();
                if (capacity == 0) {
                    Thread.sleep(50);
                    continue;
                }
                dispatch(stream.read(consumer, capacity, backgroundFree.availablePermits(), BLOCK));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                groupReady = false;
                if (failing) {
                    Log.debugf("job consumer: %s; retrying in 1 s", e.getMessage());
                } else {
                    failing = true;
                    Log.warnf("job consumer: %s; retrying every second", e.getMessage());
                }
                pause();
            }
        }
    }

    private void dispatch(List<JobStream.Delivery> deliveries) {
        for (JobStream.Delivery delivery : deliveries) {
            boolean background = delivery.job().lane() == Lane.BACKGROUND;
            free.acquireUninterruptibly();
            if (background) {
                backgroundFree.acquireUninterruptibly();
            }
            downloads.execute(() -> {
                try {
                    processor.process(consumer, delivery);
                } catch (RuntimeException e) {
                    if (!deferredThroughOutage(delivery, e)) {
                        Log.warnf("run %d of call %s left pending for another attempt: %s", delivery.job().runId(),
                                delivery.job().callSid(), e.toString());
                    }
                } finally {
                    if (background) {
                        backgroundFree.release();
                    }
                    free.release();
                }
            });
        }
    }

    /**
     * A delivery that failed because the database is switching over is tried again in a moment instead of
     * waiting, unacknowledged, for another consumer to reclaim it a lease later: the worker pauses with
     * the database and resumes with it. False when it is not that (or the deferral failed too).
     */
    private boolean deferredThroughOutage(JobStream.Delivery delivery, RuntimeException failure) {
        if (!Outage.DATABASE.caused(failure)) {
            return false;
        }
        try {
            stream.defer(delivery, DATABASE_OUTAGE_RETRY);
            Log.debugf("run %d waits for the database: %s", delivery.job().runId(), failure.getMessage());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * How long the loop has not gone round while it should: zero while it turns (reading, idle or
     * failing and retrying), the time since its last turn when something holds it.
     */
    public Duration stuckFor() {
        if (!running) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, System.nanoTime() - lastTurn));
    }

    /** Downloads background jobs may take at once: all but the interactive reserve, and at least one. */
    static int backgroundShare(int concurrency, int interactiveReserve) {
        return Math.max(1, concurrency - interactiveReserve);
    }

    /** Runs whose holder is long gone are failed (worker_lost) and retried; lost queued runs are pushed again. */
    private void sweep() {
        Duration grace = config.slots().lease();
        for (RunRecovery.LostRun lost : recovery.lostRuns(grace, SWEEP_BATCH)) {
            Log.warnf("run %d of call %s outlived its lease; marking it worker_lost", lost.job().runId(),
                    lost.job().callSid());
            processor.sweep(lost);
        }
        for (DownloadJob orphan : recovery.takeUnpushed(config.worker().orphanAfter(), SWEEP_BATCH)) {
            Log.infof("run %d of call %s was not on the queue; pushing it again", orphan.runId(), orphan.callSid());
            try {
                queue.enqueue(orphan);
            } catch (RuntimeException e) {
                recovery.pushFailed(orphan.runId());
                throw e;
            }
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
        downloads.shutdown();
        try {
            if (!downloads.awaitTermination(config.worker().shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                Log.infof("stopping %d downloads still running", processor.activeCount());
                processor.stopAll();
                downloads.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Log.infof("worker consumer %s stopped", consumer);
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
