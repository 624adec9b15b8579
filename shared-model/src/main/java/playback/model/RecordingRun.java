package playback.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/**
 * One download attempt. Written only by the package {@code playback.lifecycle}, with
 * compare-and-set statements; the entity is for reading.
 */
@Entity
@Table(name = "recording_runs")
public class RecordingRun extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(name = "business_id")
    public Long businessId;

    @Column(name = "call_sid")
    public String callSid;

    @Convert(converter = RunStatusConverter.class)
    public RunStatus status;

    public int attempt;

    /** Incremented by every claim: a worker commits its result only while the fence is still its own. */
    public long fence;

    @Column(name = "not_before")
    public Instant notBefore;

    @Column(name = "lease_until")
    public Instant leaseUntil;

    public String worker;

    public String error;

    @Column(name = "http_status")
    public Integer httpStatus;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    public static List<RecordingRun> forCall(long businessId, String callSid) {
        return list("businessId = ?1 and callSid = ?2 order by id", businessId, callSid);
    }

    @Converter
    public static class RunStatusConverter extends WireConverter<RunStatus> {
        public RunStatusConverter() {
            super(RunStatus.class);
        }
    }
}
