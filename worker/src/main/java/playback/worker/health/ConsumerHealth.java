package playback.worker.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import playback.worker.queue.JobConsumer;

import java.time.Duration;

/**
 * Live only while the job consumer's loop goes round. Every Redis call it makes is bounded by the Redis
 * client's timeout and a failing turn is retried a second later, so a loop held for longer than
 * {@link #STUCK_AFTER} is a consumer that stopped taking jobs while the process looks alive: the
 * orchestrator restarts it. Redis or PostgreSQL being down is not this check's business (readiness says
 * it), as the loop keeps turning through an outage.
 */
@Liveness
@ApplicationScoped
public class ConsumerHealth implements HealthCheck {

    static final Duration STUCK_AFTER = Duration.ofSeconds(30);

    private final JobConsumer consumer;

    public ConsumerHealth(JobConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        Duration stuck = consumer.stuckFor();
        return HealthCheckResponse.named("job consumer")
                .status(stuck.compareTo(STUCK_AFTER) < 0)
                .withData("since_last_turn_ms", stuck.toMillis())
                .build();
    }
}
