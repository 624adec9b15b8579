package playback.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/**
 * A call, its recording, and the recording's download state. The recording columns are written only by
 * the package {@code playback.lifecycle}; the entity is for reading.
 */
@Entity
@Table(name = "call_logs")
public class CallLog extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "business_id")
    public Long businessId;

    @Column(name = "call_sid")
    public String callSid;

    public String direction;

    @Column(name = "from_number")
    public String fromNumber;

    @Column(name = "to_number")
    public String toNumber;

    @Column(name = "call_status")
    public String callStatus;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "duration_seconds")
    public Integer durationSeconds;

    @Column(name = "recording_sid")
    public String recordingSid;

    @Column(name = "recording_url")
    public String recordingUrl;

    @Column(name = "recording_status")
    public String recordingStatus;

    @Column(name = "recording_duration_seconds")
    public Integer recordingDurationSeconds;

    @Column(name = "recording_channels")
    public Integer recordingChannels;

    @Convert(converter = DownloadStatusConverter.class)
    @Column(name = "recording_download_status")
    public DownloadStatus downloadStatus = DownloadStatus.MISSING;

    @Column(name = "recording_last_enqueue_at")
    public Instant lastEnqueueAt;

    @Column(name = "recording_fail_count")
    public int failCount;

    @Column(name = "recording_next_retry_at")
    public Instant nextRetryAt;

    @Column(name = "recording_error")
    public String error;

    @Column(name = "recording_size_bytes")
    public Long sizeBytes;

    @Column(name = "recording_content_type")
    public String contentType;

    @Column(name = "recording_storage_key")
    public String storageKey;

    @Column(name = "recording_progress_bytes")
    public long progressBytes;

    @Column(name = "recording_progress_total")
    public Long progressTotal;

    @Column(name = "recording_ready_at")
    public Instant readyAt;

    /** When the api last served the stored recording (at most once a minute); what cache retention reads. */
    @Column(name = "recording_last_played_at")
    public Instant lastPlayedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Only a completed recording is playable. */
    /** The provider's recording status of a recording that can be played. */
    public static final String COMPLETED_RECORDING = "completed";

    public boolean hasPlayableRecording() {
        return recordingSid != null && COMPLETED_RECORDING.equals(recordingStatus);
    }

    public static Optional<CallLog> findForBusiness(long businessId, String callSid) {
        return find("businessId = ?1 and callSid = ?2", businessId, callSid).firstResultOptional();
    }

    @Converter
    public static class DownloadStatusConverter extends WireConverter<DownloadStatus> {
        public DownloadStatusConverter() {
            super(DownloadStatus.class);
        }
    }
}
