package playback.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recordings in a bucket of an S3-compatible store, under an optional key prefix. Downloads still land
 * in a temp file of the process's own directory first; a commit uploads it (in parts above the part size), and S3 makes an object
 * visible only once its upload is complete. Errors of the store or the network come out as
 * {@link IOException}, after the SDK's own retries.
 */
public class S3Storage implements RecordingStorage {

    private final S3Client client;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;
    private final long partSize;
    private final Path downloads;

    /** @param downloads this process's own directory for downloads until they are uploaded */
    public S3Storage(StorageConfig.S3 config, Path downloads) throws IOException {
        this.downloads = Files.createDirectories(downloads);
        this.bucket = config.bucket().orElseThrow(() -> new IllegalStateException(
                "playback.storage.s3.bucket (PLAYBACK_STORAGE_S3_BUCKET) is required with playback.storage.kind=s3"));
        this.prefix = config.prefix().map(S3Storage::asPrefix).orElse("");
        this.partSize = config.partSize().asLongValue();
        var builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config))
                .forcePathStyle(config.pathStyleAccess())
                // Integrity checksums only where S3 demands them: many S3-compatible servers refuse the rest.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.readTimeout())
                        .build());
        config.endpoint().ifPresent(builder::endpointOverride);
        this.client = builder.build();
        var presigning = S3Presigner.builder().region(Region.of(config.region())).credentialsProvider(credentials(config))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyleAccess()).build());
        config.endpoint().ifPresent(presigning::endpointOverride);
        this.presigner = presigning.build();
    }

    @Override
    public void probe() throws IOException {
        call(() -> client.headBucket(head -> head.bucket(bucket)));
    }

    @Override
    public Path createTempFile() throws IOException {
        return Files.createTempFile(downloads, "download-", ".part");
    }

    @Override
    public void commit(Path tempFile, String key) throws IOException {
        long size = Files.size(tempFile);
        call(() -> {
            if (size <= partSize) {
                client.putObject(put -> put.bucket(bucket).key(objectKey(key)), RequestBody.fromFile(tempFile));
            } else {
                uploadInParts(tempFile, size, objectKey(key));
            }
            return null;
        });
    }

    private void uploadInParts(Path file, long size, String objectKey) {
        String uploadId = client.createMultipartUpload(create -> create.bucket(bucket).key(objectKey)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += partSize) {
                int partNumber = parts.size() + 1;
                long from = offset;
                long length = Math.min(partSize, size - offset);
                String etag = client.uploadPart(part -> part.bucket(bucket).key(objectKey).uploadId(uploadId)
                                .partNumber(partNumber).contentLength(length),
                        RequestBody.fromContentProvider(() -> openWindow(file, from, length), length,
                                "application/octet-stream")).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
            }
            client.completeMultipartUpload(complete -> complete.bucket(bucket).key(objectKey).uploadId(uploadId)
                    .multipartUpload(upload -> upload.parts(parts)));
        } catch (RuntimeException e) {
            abortQuietly(objectKey, uploadId, e);
            throw e;
        }
    }

    private void abortQuietly(String objectKey, String uploadId, RuntimeException failure) {
        try {
            client.abortMultipartUpload(abort -> abort.bucket(bucket).key(objectKey).uploadId(uploadId));
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        if (key == null) {
            return Optional.empty();
        }
        return call(() -> {
            try {
                long length = client.headObject(head -> head.bucket(bucket).key(objectKey(key))).contentLength();
                return length > 0 ? Optional.of(length) : Optional.empty();
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            }
        });
    }

    @Override
    public Optional<Path> localPath(String key) {
        return Optional.empty();
    }

    @Override
    public InputStream open(String key, long from, long to) throws IOException {
        return call(() -> {
            try {
                return client.getObject(get -> get.bucket(bucket).key(objectKey(key)).range("bytes=" + from + "-" + to));
            } catch (NoSuchKeyException e) {
                throw new UncheckedIOException(new NoSuchFileException(key));
            }
        });
    }

    /** Signed locally (no request to the store); the URL's host is the configured endpoint. */
    @Override
    public Optional<URI> presignedUrl(String key, Duration ttl, Optional<String> contentDisposition) {
        GetObjectRequest.Builder get = GetObjectRequest.builder().bucket(bucket).key(objectKey(key));
        contentDisposition.ifPresent(get::responseContentDisposition);
        try {
            return Optional.of(presigner.presignGetObject(presign -> presign.signatureDuration(ttl)
                    .getObjectRequest(get.build())).url().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the store's endpoint makes no valid URL", e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        call(() -> client.deleteObject(delete -> delete.bucket(bucket).key(objectKey(key))));
    }

    /**
     * One DELETE per object rather than a batch: a batch delete needs a checksum header that many
     * S3-compatible servers refuse, and a dev reset is no hot path.
     */
    @Override
    public void deleteAll() throws IOException {
        call(() -> {
            for (S3Object object : client.listObjectsV2Paginator(list -> list.bucket(bucket).prefix(prefix)).contents()) {
                client.deleteObject(delete -> delete.bucket(bucket).key(object.key()));
            }
            return null;
        });
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }

    private String objectKey(String key) {
        return prefix + key;
    }

    private static String asPrefix(String configured) {
        String trimmed = configured.replaceAll("^/+|/+$", "");
        return trimmed.isEmpty() ? "" : trimmed + "/";
    }

    private static AwsCredentialsProvider credentials(StorageConfig.S3 config) {
        if (config.accessKeyId().isPresent() && config.secretAccessKey().isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    config.accessKeyId().get(), config.secretAccessKey().get()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static InputStream openWindow(Path file, long offset, long length) {
        try {
            return FileWindow.open(file, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface S3Call<T> {
        T run();
    }

    /** Runs a call to the store, turning the SDK's unchecked failures into the storage's IOException. */
    private <T> T call(S3Call<T> s3Call) throws IOException {
        try {
            return s3Call.run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (SdkException e) {
            throw new IOException("object storage " + bucket + ": " + e.getMessage(), e);
        }
    }
}
