package playback.worker;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** WireMock standing in for the telephony provider, with a count of requests in flight. */
public class ProviderStub implements QuarkusTestResourceLifecycleManager {

    private static WireMockServer server;
    private static final InFlight IN_FLIGHT = new InFlight();

    public static WireMockServer server() {
        return server;
    }

    /** Highest number of provider requests seen at once since the last reset. */
    public static int maxInFlight() {
        return IN_FLIGHT.max.get();
    }

    public static void resetInFlight() {
        IN_FLIGHT.max.set(0);
    }

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(64)
                .extensions(IN_FLIGHT));
        server.start();
        return Map.of("playback.provider.base-url", server.baseUrl());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    static final class InFlight implements ServeEventListener {
        final AtomicInteger current = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();

        @Override
        public void beforeMatch(ServeEvent serveEvent, Parameters parameters) {
            int now = current.incrementAndGet();
            max.accumulateAndGet(now, Math::max);
        }

        @Override
        public void afterComplete(ServeEvent serveEvent, Parameters parameters) {
            current.decrementAndGet();
        }

        @Override
        public String getName() {
            return "in-flight";
        }
    }
}
