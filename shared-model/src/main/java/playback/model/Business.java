package playback.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/** A tenant: one provider account. */
@Entity
@Table(name = "businesses")
public class Business extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    @Column(name = "account_sid")
    public String accountSid;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    public static Optional<Business> findByAccountSid(String accountSid) {
        return find("accountSid", accountSid).firstResultOptional();
    }
}
