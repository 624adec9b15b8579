package playback.worker.service;

import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import playback.controls.BusinessControls;
import playback.controls.SlotsConfig;
import playback.model.BackoffPolicy;
import playback.lifecycle.DownloadRuns;
import playback.lifecycle.FailOutcome;
import playback.lifecycle.RecordingRules;
import playback.lifecycle.RunLost;
import playback.lifecycle.RunRecovery;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.model.RetryConfig;
import playback.outage.Outage;
import playback.queue.DownloadJob;
import playback.queue.JobQueue;
import playback.storage.RecordingStorage;
import playback.worker.config.WorkerConfig;
import playback.worker.live.LiveDownload;
import playback.worker.live.LiveDownloads;
import playback.worker.metrics.DownloadMetrics;
import playback.worker.provider.AudioFormat;
import playback.worker.provider.DownloadControl;
import playback.worker.provider.DownloadFailure;
import playback.worker.provider.ProviderClient;
import playback.worker.queue.JobStream;
import playback.worker.slots.BackgroundHold;
import playback.worker.slots.SlotLeases;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Executes one delivered job: checks the run, defers it while its business is paused, takes a business
 * slot within the business's limit (or defers the job with jitter), claims the run, downloads while
 * renewing the lease, and records the result with a compare-and-set.
 * The slot is released in finally, whatever happens.
 */
@ApplicationScoped
public class DownloadProcessor {

    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** How often a commit waiting for the database tries again. */
    private static final Duration DATABASE_RETRY = Duration.ofMillis(500);

    private final DownloadRuns runs;
    private final RunRecovery recovery;
    private final SlotLeases slots;
    private final JobStream stream;
    private final JobQueue queue;
    private final ProviderClient provider;
    private final RecordingStorage storage;
    private final WorkerConfig config;
    private final BackoffPolicy backoff;
    private final DownloadMetrics metrics;
    private final BusinessControls controls;
    private final int defaultLimit;
    private final DownloadScope scope;
    private final BackgroundHold backgroundHold;
    private final LiveDownloads liveDownloads;
    private final ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "lease-keeper");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Long, DownloadControl> active = new ConcurrentHashMap<>();

    public DownloadProcessor(DownloadRuns runs, RunRecovery recovery, SlotLeases slots, JobStream stream, JobQueue queue,
                             ProviderClient provider, RecordingStorage storage, WorkerConfig config, RetryConfig retry,
                             DownloadMetrics metrics, BusinessControls controls, SlotsConfig slotsConfig,
                             DownloadScope scope, BackgroundHold backgroundHold, LiveDownloads liveDownloads) {
        this.runs = runs;
        this.recovery = recovery;
        this.slots = slots;
        this.stream = stream;
        this.queue = queue;
        this.provider = provider;
        this.storage = storage;
        this.config = config;
        this.backoff = retry.policy();
        this.metrics = metrics;
        this.controls = controls;
        this.defaultLimit = slotsConfig.perBusiness();
        this.scope = scope;
        this.backgroundHold = backgroundHold;
        this.liveDownloads = liveDownloads;
    }

    public void process(String consumer, JobStream.Delivery delivery) {
        try (DownloadScope.Handling handling = scope.open(delivery)) {
            handle(consumer, delivery);
        }
    }

    private void handle(String consumer, JobStream.Delivery delivery) {
        DownloadJob job = delivery.job();
        Optional<DownloadRuns.RunState> run = runs.run(job.runId());
        RecordingRules.Delivery decision = run.map(DownloadRuns.RunState::decide).orElse(RecordingRules.Delivery.DROP);
        if (decision == RecordingRules.Delivery.DROP) {
            Log.debugf("dropping delivery of run %d: %s", job.runId(),
                    run.map(state -> state.status().wire()).orElse("unknown"));
            stream.ack(delivery);
            return;
        }
        if (decision == RecordingRules.Delivery.DEFER) {
            stream.defer(delivery, Duration.ofMillis(run.orElseThrow().waitMillis()));
            return;
        }
        // The run's lane as PostgreSQL has it: a Play may have promoted a prefetch since this job was pushed.
        Lane lane = run.orElseThrow().lane();
        if (lane == Lane.BACKGROUND) {
            Optional<Duration> held = backgroundHold.remaining(job.businessId());
            if (held.isPresent()) {
                Log.debugf("business %d's background lane is held after a 429; run %d waits %d ms", job.businessId(),
                        job.runId(), held.get().toMillis());
                stream.defer(delivery, held.get());
                return;
            }
        }
        String holder = SlotLeases.holder(lane, delivery);
        // Read at each delivery, so that every worker honours a pause or a new limit from the next job on.
        BusinessControls.Control control = controls.of(job.businessId())
                .orElse(BusinessControls.Control.none(job.businessId()));
        if (control.paused()) {
            Duration wait = jittered(config.worker().pausedRecheck());
            Log.debugf("business %d is paused; run %d waits %d ms", job.businessId(), job.runId(), wait.toMillis());
            stream.defer(delivery, wait);
            return;
        }
        if (!slots.acquire(job.businessId(), holder, control.effectiveLimit(defaultLimit))) {
            Duration wait = jittered(config.slots().retryDelay());
            Log.debugf("no free slot for business %d; run %d waits %d ms", job.businessId(), job.runId(), wait.toMillis());
            stream.defer(delivery, wait);
            return;
        }
        try {
            DownloadRuns.ClaimOutcome claimed = runs.claim(job.runId(), consumer, config.slots().lease(),
                    control.effectiveLimit(defaultLimit));
            if (claimed instanceof DownloadRuns.AtLimit atLimit) {
                Duration wait = jittered(config.slots().retryDelay());
                Log.debugf("business %d has %d downloads running as PostgreSQL counts them; run %d waits %d ms",
                        job.businessId(), atLimit.running(), job.runId(), wait.toMillis());
                stream.defer(delivery, wait);
                return;
            }
            if (claimed instanceof DownloadRuns.Claimed claim) {
                download(consumer, delivery, claim, holder, lane);
            } else {
                Log.debugf("run %d was taken by another delivery", job.runId());
            }
            stream.ack(delivery);
        } finally {
            slots.release(job.businessId(), holder);
        }
    }

    /**
     * Downloads the claimed run and records its outcome in PostgreSQL: ready, a failure with its retry,
     * or (on shutdown) the run handed back. Its delivery is done with either way; an exception that
     * escapes leaves it pending for another consumer.
     */
    private void download(String consumer, JobStream.Delivery delivery, DownloadRuns.Claimed claim, String holder,
                          Lane lane) {
        DownloadJob job = delivery.job();
        metrics.started();
        long startedNanos = System.nanoTime();
        DownloadControl control = new DownloadControl();
        active.put(job.runId(), control);
        Duration lease = config.slots().lease();
        long renewEveryNanos = lease.toNanos() / 3;
        long[] lastRenewal = {System.nanoTime()};
        // One WARN per outage of a download's renewals; the retries each second in between at DEBUG.
        boolean[] renewalFailing = {false};
        ScheduledFuture<?> watch = keeper.scheduleAtFixedRate(scope.around(() -> {
            try {
                if (control.nanosSinceProgress() > config.provider().readTimeout().toNanos()) {
                    control.stop(DownloadControl.StopReason.STALLED);
                }
                if (control.stopped() == null && (control.takeRenewalRequest()
                        || System.nanoTime() - lastRenewal[0] >= renewEveryNanos)) {
                    lastRenewal[0] = System.nanoTime();
                    DownloadRuns.Lease renewed = runs.renew(job.runId(), claim.fence(), lease);
                    if (renewed == DownloadRuns.Lease.RENEWED) {
                        if (!slots.renew(job.businessId(), holder)) {
                            Log.debugf("the slot lease of run %d was gone from Redis; put back", job.runId());
                        }
                        stream.touch(consumer, delivery);
                    } else {
                        if (renewed == DownloadRuns.Lease.SUPERSEDED) {
                            Log.debugf("run %d was superseded by a new recording; stopping its download", job.runId());
                        } else {
                            Log.warnf("lost the lease of run %d; stopping its download", job.runId());
                        }
                        control.stop(DownloadControl.StopReason.LEASE_LOST);
                    }
                }
            } catch (RuntimeException e) {
                // Renewed again at the next tick: a switch of Redis or PostgreSQL lasts seconds, the lease longer.
                lastRenewal[0] = System.nanoTime() - renewEveryNanos;
                if (renewalFailing[0]) {
                    Log.debugf("could not renew the lease of run %d: %s", job.runId(), e.getMessage());
                } else {
                    renewalFailing[0] = true;
                    Log.warnf("could not renew the lease of run %d: %s; trying every second", job.runId(), e.getMessage());
                }
                return;
            }
            renewalFailing[0] = false;
        }), 1, 1, TimeUnit.SECONDS);
        Path temp = null;
        LiveDownload live = null;
        try {
            temp = storage.createTempFile();
            live = liveDownloads.open(job.runId(), temp);
            ProviderClient.Fetched fetched = provider.fetch(claim.accountSid(), claim.recordingSid(), temp, control,
                    progress(job, claim, live));
            String key = RecordingStorage.keyFor(job.businessId(), job.callSid(), fetched.format().extension());
            Path file = temp;
            live.completed();
            boolean[] fileCommitted = {false};
            DownloadRuns.SuccessOutcome outcome = scope.commit(() -> throughDatabaseSwitch(job, () -> runs.succeed(job,
                    claim.fence(), key, fetched.size(), fetched.format().contentType(), () -> {
                        // Once: a retry after a commit the database lost must not move the file twice.
                        if (!fileCommitted[0]) {
                            storage.commit(file, key);
                            fileCommitted[0] = true;
                        }
                    })));
            if (outcome instanceof DownloadRuns.StorageFailed storageFailed) {
                storageFailed(job, claim, control, storageFailed.cause());
            } else {
                if (outcome instanceof DownloadRuns.Committed committed) {
                    metrics.succeeded(lane, Duration.ofNanos(System.nanoTime() - startedNanos), fetched.size(),
                            committed.sinceEnqueue().orElse(null));
                }
                Log.debugf("run %d of call %s: %s (%d bytes)", job.runId(), job.callSid(),
                        outcome instanceof DownloadRuns.Committed ? "ready" : "superseded, file discarded",
                        fetched.size());
            }
        } catch (DownloadFailure failure) {
            failed(job, claim, control, failure);
        } catch (IOException e) {
            storageFailed(job, claim, control, e);
        } finally {
            watch.cancel(false);
            active.remove(job.runId());
            if (live != null) {
                live.failed();
                liveDownloads.close(live);
            }
            deleteQuietly(temp);
            queue.releaseDedupKey(job.businessId(), job.callSid(), job.runId());
        }
    }

    /**
     * Where the provider's bytes are reported: to listeners of the live download at once, to PostgreSQL
     * at most every {@link #PROGRESS_INTERVAL_NANOS}.
     */
    private ProviderClient.Progress progress(DownloadJob job, DownloadRuns.Claimed claim, LiveDownload live) {
        long[] lastProgress = {0};
        return new ProviderClient.Progress() {
            @Override
            public void update(long bytes, Long total) {
                live.received(bytes, total);
                long now = System.nanoTime();
                if (now - lastProgress[0] >= PROGRESS_INTERVAL_NANOS) {
                    lastProgress[0] = now;
                    bestEffort(job, "progress", () -> runs.progress(job, claim.fence(), bytes, total));
                }
            }

            @Override
            public void playable(AudioFormat format) {
                live.playable(format.contentType());
                liveDownloads.url(job.runId()).ifPresent(url ->
                        bestEffort(job, "live source", () -> runs.playable(job, claim.fence(), url)));
            }
        };
    }

    /**
     * A report the download goes on without (its progress, its live source) while the database switches
     * over: the download keeps receiving, the next report or the commit catches up.
     */
    private static void bestEffort(DownloadJob job, String report, Runnable write) {
        try {
            write.run();
        } catch (RuntimeException e) {
            if (!Outage.DATABASE.caused(e)) {
                throw e;
            }
            Log.debugf("run %d: %s not recorded, the database is unavailable (%s)", job.runId(), report, e.getMessage());
        }
    }

    /**
     * The commit of a downloaded recording, tried again while the database is unavailable (a failover
     * takes seconds), for as long as the run's lease would hold: the provider's bytes are not fetched twice
     * because PostgreSQL switched primaries at the wrong moment.
     */
    private <T> T throughDatabaseSwitch(DownloadJob job, Supplier<T> commit) {
        long deadline = System.nanoTime() + config.slots().lease().toNanos();
        boolean warned = false;
        while (true) {
            try {
                return commit.get();
            } catch (RuntimeException e) {
                if (!Outage.DATABASE.caused(e) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
                if (!warned) {
                    warned = true;
                    Log.warnf("run %d of call %s: the database is unavailable at commit (%s); trying again",
                            job.runId(), job.callSid(), e.getMessage());
                }
                sleep(DATABASE_RETRY);
            }
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the database", e);
        }
    }

    /** Asks every download in progress to renew its leases now: Redis may have lost them. */
    public void renewAllNow() {
        active.values().forEach(DownloadControl::requestRenewal);
    }

    private void storageFailed(DownloadJob job, DownloadRuns.Claimed claim, DownloadControl control,
                               IOException cause) {
        Log.warnf("run %d of call %s could not be stored: %s", job.runId(), job.callSid(), cause.getMessage());
        failed(job, claim, control, new DownloadFailure(FailureReason.STORAGE_UNAVAILABLE, null, null, "storage error"));
    }

    private void failed(DownloadJob job, DownloadRuns.Claimed claim, DownloadControl control, DownloadFailure failure) {
        if (control.stopped() == DownloadControl.StopReason.LEASE_LOST) {
            return;
        }
        if (control.stopped() == DownloadControl.StopReason.SHUTDOWN) {
            if (runs.release(job, claim.fence()) == DownloadRuns.Released.RELEASED) {
                queue.enqueue(job);
                Log.infof("handed run %d back to the queue on shutdown", job.runId());
            }
            return;
        }
        Log.debugf("run %d of call %s failed: %s (%s)", job.runId(), job.callSid(), failure.reason().code(),
                failure.getMessage());
        if (failure.reason() == FailureReason.PROVIDER_RATE_LIMITED) {
            Duration hold = config.provider().rateLimitBackgroundHold();
            if (failure.retryAfter() != null && failure.retryAfter().compareTo(hold) > 0) {
                hold = failure.retryAfter();
            }
            backgroundHold.hold(job.businessId(), hold);
        }
        recordFailure(job, claim.fence(), failure.reason(), failure.httpStatus(), failure.retryAfter());
    }

    /** Writes a failed attempt and schedules the next one when the backoff says so. */
    private void recordFailure(DownloadJob job, long fence, FailureReason reason, Integer httpStatus,
                               Duration retryAfter) {
        scheduleRetry(job, reason, runs.fail(job, fence, reason, httpStatus, retryAfter, backoff));
    }

    /** Fails a run whose worker vanished (worker_lost) and schedules the next attempt. */
    public void sweep(RunRecovery.LostRun lost) {
        scheduleRetry(lost.job(), FailureReason.WORKER_LOST, recovery.sweep(lost, backoff));
    }

    private void scheduleRetry(DownloadJob job, FailureReason reason, FailOutcome outcome) {
        if (!(outcome instanceof RunLost)) {
            metrics.failed(reason, outcome instanceof FailOutcome.RetryQueued);
        }
        if (outcome instanceof FailOutcome.RetryQueued retry) {
            retry.nextRunId().ifPresent(next -> queue.schedule(
                    new DownloadJob(next, job.businessId(), job.callSid(), retry.lane()), retry.delay()));
        }
    }

    /** Stops every download in progress; each hands its run back to the queue. */
    public void stopAll() {
        active.values().forEach(control -> control.stop(DownloadControl.StopReason.SHUTDOWN));
    }

    public int activeCount() {
        return active.size();
    }

    @PreDestroy
    void close() {
        keeper.shutdownNow();
    }

    private static Duration jittered(Duration base) {
        double factor = 0.5 + ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.max(50, (long) (base.toMillis() * factor)));
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            Log.warnf("could not delete temp file %s", temp);
        }
    }
}
