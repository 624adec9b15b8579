package playback.simulator;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A runnable fake of a Twilio-compatible Recordings API, for the demo, end-to-end tests and benchmarks.
 * Two servers: the API (basic auth, scripted behaviour, /sim control endpoints) and a "signed storage"
 * on another host:port that the API redirects to and that streams generated audio.
 *
 * <p>Run it with {@code java -jar simulator.jar}, or embed it with {@link #start(SimulatorConfig)}.
 */
public final class ProviderSimulator implements AutoCloseable {

    private final HttpServer api;
    private final HttpServer storage;
    private final ExecutorService executor;
    private final URI apiUri;
    private final URI storageUri;

    private ProviderSimulator(HttpServer api, HttpServer storage, ExecutorService executor, URI apiUri, URI storageUri) {
        this.api = api;
        this.storage = storage;
        this.executor = executor;
        this.apiUri = apiUri;
        this.storageUri = storageUri;
    }

    /** Binds and starts both servers; ports 0 pick free ports (see {@link #apiUri()}). */
    public static ProviderSimulator start(SimulatorConfig config) throws IOException {
        Scripts scripts = new Scripts();
        Stats stats = new Stats();
        SignedUrls signer = new SignedUrls();
        Audio audio = Audio.load();
        // Unbounded on purpose: each slow download holds a thread, and benchmarks run 100+ at once.
        ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
        HttpServer api = HttpServer.create(new InetSocketAddress(config.bind(), config.port()), 1024);
        HttpServer storage;
        try {
            storage = HttpServer.create(new InetSocketAddress(config.bind(), config.storagePort()), 1024);
        } catch (IOException e) {
            api.stop(0);
            executor.shutdownNow();
            throw e;
        }
        URI apiUri = URI.create("http://" + config.bind() + ":" + api.getAddress().getPort());
        URI storageUri = URI.create("http://" + config.storageHost() + ":" + storage.getAddress().getPort());

        api.createContext("/", Http.safe(new ApiHandler(config, storageUri.toString(), scripts, stats, signer)));
        api.createContext("/sim/", Http.safe(new ControlHandler(scripts, stats)));
        api.setExecutor(executor);
        storage.createContext("/", Http.safe(new StorageHandler(config, scripts, stats, signer, audio)));
        storage.setExecutor(executor);
        storage.start();
        api.start();
        return new ProviderSimulator(api, storage, executor, apiUri, storageUri);
    }

    /** Base URL of the provider API and of /sim, e.g. http://127.0.0.1:8089. */
    public URI apiUri() {
        return apiUri;
    }

    /** Base URL of the signed storage, e.g. http://localhost:8090. */
    public URI storageUri() {
        return storageUri;
    }

    /** Stops both servers at once, cutting downloads in progress. */
    @Override
    public void close() {
        api.stop(0);
        storage.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && "--generate".equals(args[0])) {
            generate(args);
            return;
        }
        SimulatorConfig config = SimulatorConfig.fromEnvironment();
        ProviderSimulator simulator = start(config);
        // The JDK runs shutdown hooks on SIGTERM and SIGINT; the servers' dispatcher threads keep the JVM up until then.
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-shutdown"));
        System.out.println("provider simulator: API " + simulator.apiUri() + " (basic auth " + config.accountSid()
                + "), signed storage " + simulator.storageUri() + ", control " + simulator.apiUri() + "/sim");
    }

    /** {@code --generate FILE.mp3|FILE.wav [SECONDS]}: writes one generated recording, to check it with real tools. */
    private static void generate(String[] args) throws IOException {
        if (args.length < 2 || !args[1].matches(".*\\.(mp3|wav)")) {
            System.err.println("usage: java -jar simulator.jar --generate FILE.mp3|FILE.wav [SECONDS]");
            System.exit(2);
        }
        String file = args[1];
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : SimulatorConfig.defaults().defaultDurationSeconds();
        Audio.Body body = Audio.load().body(file.substring(file.length() - 3), seconds, null);
        try (InputStream in = body.stream(); OutputStream out = Files.newOutputStream(Path.of(file))) {
            in.transferTo(out);
        }
        System.out.println(file + ": " + body.length() + " bytes, " + seconds + " s, " + body.contentType());
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "simulator-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
