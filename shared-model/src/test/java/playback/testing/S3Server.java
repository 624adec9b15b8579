package playback.testing;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A real S3 API server (s3proxy) in this JVM on a free port, keeping its objects in memory. It can be
 * stopped and started again on the same port with the same objects, to play an outage of the store.
 */
public final class S3Server implements AutoCloseable {

    public static final String ACCESS_KEY = "playback-test-access";
    public static final String SECRET_KEY = "playback-test-secret";
    public static final String REGION = "us-east-1";

    private final BlobStoreContext blobs = ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential").build(BlobStoreContext.class);
    private S3Proxy proxy;
    private int port;

    public static S3Server start() throws Exception {
        S3Server server = new S3Server();
        server.startOn(0);
        return server;
    }

    private void startOn(int wantedPort) throws Exception {
        proxy = S3Proxy.builder().blobStore(blobs.getBlobStore()).endpoint(URI.create("http://127.0.0.1:" + wantedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    /** Stops answering: connections to the endpoint are refused until {@link #resume()}. */
    public void pause() throws Exception {
        proxy.stop();
    }

    public void resume() throws Exception {
        startOn(port);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client of this server, for what a test checks or prepares behind the storage's back. */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.of(REGION)).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    public void createBucket(String bucket) {
        try (S3Client client = client()) {
            client.createBucket(create -> create.bucket(bucket));
        }
    }

    /** The settings pointing {@code playback.storage} at this server and a bucket. */
    public Map<String, String> settings(String bucket) {
        return Map.of("playback.storage.kind", "s3",
                "playback.storage.s3.endpoint", endpoint().toString(),
                "playback.storage.s3.region", REGION,
                "playback.storage.s3.bucket", bucket,
                "playback.storage.s3.path-style-access", "true",
                "playback.storage.s3.access-key-id", ACCESS_KEY,
                "playback.storage.s3.secret-access-key", SECRET_KEY);
    }

    /** The same settings as environment variables of a service process. */
    public Map<String, String> environment(String bucket) {
        Map<String, String> environment = new HashMap<>();
        settings(bucket).forEach((key, value) ->
                environment.put(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value));
        return environment;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        blobs.close();
    }
}
