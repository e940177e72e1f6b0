package dev.wayout.webhook.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;

/**
 * The webhook's Prometheus metrics: {@code wayout_webhook_reviews_total{kind,operation,result}} and
 * the latency histogram {@code wayout_webhook_review_duration_seconds{kind}}. Label values come
 * from small fixed sets so that odd requests cannot blow up the series count.
 */
public final class WebhookMetrics {

  private static final Set<String> KINDS =
      Set.of("ServiceEntry", "DestinationRule", "VirtualService", "Namespace", "Pod");
  private static final Set<String> OPERATIONS = Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");

  private final PrometheusMeterRegistry registry;

  public WebhookMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * @param result allowed, patched, denied or invalid
   */
  public void record(String kind, String operation, String result, Duration elapsed) {
    String k = KINDS.contains(kind) ? kind : "other";
    String op = OPERATIONS.contains(operation) ? operation : "unknown";
    Counter.builder("wayout.webhook.reviews")
        .description("Admission reviews answered")
        .tags("kind", k, "operation", op, "result", result)
        .register(registry)
        .increment();
    Timer.builder("wayout.webhook.review.duration")
        .description("Time from reading the request to having the answer")
        .tags("kind", k)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(0).plusNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry)
        .record(elapsed);
  }

  /** Everything in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }
}
