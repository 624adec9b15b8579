package playback.worker.provider;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets another thread stop a download in progress (lease lost, read stalled, shutdown) by closing the
 * body it is reading; the reading thread then sees why.
 */
public class DownloadControl {

    public enum StopReason { LEASE_LOST, STALLED, SHUTDOWN }

    private volatile Closeable body;
    private volatile Thread reader;
    private volatile StopReason stopped;
    private volatile long lastProgressNanos = System.nanoTime();
    private final AtomicBoolean renewalRequested = new AtomicBoolean();

    /** The body being read and the thread reading it; both are interrupted by {@link #stop}. */
    void reading(Closeable body) {
        this.body = body;
        this.reader = Thread.currentThread();
        if (stopped != null) {
            closeQuietly(body);
        }
    }

    /** Reading is over: a later stop no longer touches the thread. */
    void doneReading() {
        this.reader = null;
        this.body = null;
        Thread.interrupted();
    }

    void progressed() {
        lastProgressNanos = System.nanoTime();
    }

    public long nanosSinceProgress() {
        return System.nanoTime() - lastProgressNanos;
    }

    public void stop(StopReason reason) {
        if (stopped == null) {
            stopped = reason;
        }
        Closeable current = body;
        if (current != null) {
            closeQuietly(current);
        }
        Thread thread = reader;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Asks the lease keeper to renew at its next turn rather than on its schedule (Redis lost the leases). */
    public void requestRenewal() {
        renewalRequested.set(true);
    }

    /** True once after {@link #requestRenewal()}. */
    public boolean takeRenewalRequest() {
        return renewalRequested.getAndSet(false);
    }

    public StopReason stopped() {
        return stopped;
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // the reader sees the stop
        }
    }
}
