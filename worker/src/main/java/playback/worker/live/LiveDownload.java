package playback.worker.live;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording this worker is receiving from the provider, readable while it grows: the bytes written
 * to its file so far, the total the provider announced (null when it sent no length), and how it
 * ended. Readers share one read-only channel opened before the first byte, so they keep reading the
 * same bytes after the file is committed (renamed into place, or uploaded and deleted); the channel is
 * closed when the download is over and its last reader let go.
 */
public final class LiveDownload {

    /** How a live download stands. */
    public enum State {
        RECEIVING, COMPLETE, FAILED
    }

    /** What a reader may do at an offset: read up to {@code available}, wait, or stop. */
    public record Position(State state, long available, Long total) {
    }

    private final long runId;
    private final FileChannel channel;
    private final List<Runnable> waiters = new ArrayList<>();
    private long received;
    private Long total;
    private State state = State.RECEIVING;
    private String contentType;
    private int readers;
    private boolean released;

    LiveDownload(long runId, Path file) throws IOException {
        this.runId = runId;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    public long runId() {
        return runId;
    }

    /** The audio's content type once its first bytes proved it audio; null before. */
    public synchronized String contentType() {
        return contentType;
    }

    /** The first bytes are audio of this type: from now on readers may start. */
    public void playable(String type) {
        List<Runnable> woken;
        synchronized (this) {
            contentType = type;
            woken = takeWaiters();
        }
        woken.forEach(Runnable::run);
    }

    /** {@code bytes} of the recording are in the file; {@code announced} is the provider's length, if any. */
    public void received(long bytes, Long announced) {
        List<Runnable> woken;
        synchronized (this) {
            received = bytes;
            total = announced;
            woken = contentType == null ? List.of() : takeWaiters();
        }
        woken.forEach(Runnable::run);
    }

    /** Every byte arrived and was validated. */
    public void completed() {
        end(State.COMPLETE);
    }

    /** The download failed or stopped: readers stop where they are. */
    public void failed() {
        end(State.FAILED);
    }

    private void end(State ended) {
        List<Runnable> woken;
        synchronized (this) {
            if (state != State.RECEIVING) {
                return;
            }
            state = ended;
            woken = takeWaiters();
        }
        woken.forEach(Runnable::run);
    }

    /** Where things stand for a reader at {@code offset}. */
    public synchronized Position at(long offset) {
        return new Position(state, Math.max(0, received - offset), total);
    }

    /**
     * Runs {@code then} once there is more to read than {@code offset} (or the download ended); at once
     * when there already is.
     */
    public void whenBeyond(long offset, Runnable then) {
        synchronized (this) {
            if (state == State.RECEIVING && (received <= offset || contentType == null)) {
                waiters.add(then);
                return;
            }
        }
        then.run();
    }

    /** Reads up to {@code buffer.remaining()} bytes at {@code position}; never past what was received. */
    public int read(ByteBuffer buffer, long position) throws IOException {
        long available;
        synchronized (this) {
            available = received - position;
        }
        if (available <= 0) {
            return 0;
        }
        if (buffer.remaining() > available) {
            buffer.limit(buffer.position() + (int) available);
        }
        return channel.read(buffer, position);
    }

    /** A reader starts; false when the download is already over and released. */
    synchronized boolean attach() {
        if (released) {
            return false;
        }
        readers++;
        return true;
    }

    /** A reader is done. */
    public void detach() {
        boolean close;
        synchronized (this) {
            readers--;
            close = released && readers == 0;
        }
        if (close) {
            closeQuietly();
        }
    }

    /** The download is over and no new reader may start; the channel closes with its last reader. */
    void release() {
        boolean close;
        synchronized (this) {
            released = true;
            close = readers == 0;
        }
        if (close) {
            closeQuietly();
        }
    }

    private List<Runnable> takeWaiters() {
        List<Runnable> woken = new ArrayList<>(waiters);
        waiters.clear();
        return woken;
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // A read-only channel: nothing was written that closing could lose.
        }
    }
}
