package playback.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP link between one worker and the S3 server, passing everything through until it is armed; armed,
 * it stops forwarding what the worker sends once {@code threshold} bytes went through, and fires its
 * action (a SIGKILL of the worker), so that the worker dies in the middle of an upload. Nothing is
 * mocked: the bytes before that reach the real server.
 */
final class UploadTripwire implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final AtomicLong sentSinceArmed = new AtomicLong();
    private final AtomicBoolean fired = new AtomicBoolean();
    private volatile long threshold = Long.MAX_VALUE;
    private volatile Runnable action = () -> { };

    UploadTripwire(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("tripwire-accept", this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** From now on, after {@code bytes} more bytes from the worker: stop forwarding and run the action once. */
    void arm(long bytes, Runnable onTrip) {
        sentSinceArmed.set(0);
        action = onTrip;
        threshold = bytes;
    }

    boolean fired() {
        return fired.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket worker = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                daemon("tripwire-to-store", () -> pump(worker, server, true));
                daemon("tripwire-to-worker", () -> pump(server, worker, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromWorker) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                if (fromWorker && sentSinceArmed.addAndGet(read) >= threshold) {
                    if (fired.compareAndSet(false, true)) {
                        action.run();
                    }
                    return;
                }
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            // one side went away: the other is closed below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
