package dev.wayout.enforcer.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

  private final WorkQueue queue = new WorkQueue(Duration.ofMillis(10), Duration.ofMillis(80));

  @AfterEach
  void close() {
    queue.close();
  }

  private Optional<String> take() throws InterruptedException {
    return queue.take(Duration.ofMillis(1));
  }

  @Test
  void collapsesRepeatedKeys() throws Exception {
    queue.add("a");
    queue.add("b");
    queue.add("a");

    assertThat(take()).contains("a");
    assertThat(take()).contains("b");
    assertThat(take()).isEmpty();
  }

  @Test
  void neverHandsAKeyToTwoWorkersAndRequeuesItWhenDone() throws Exception {
    queue.add("a");
    assertThat(take()).contains("a");

    queue.add("a"); // an event while "a" is being processed
    assertThat(take()).as("still processing").isEmpty();

    queue.done("a");
    assertThat(take()).contains("a");
    queue.done("a");
    assertThat(queue.isIdle()).isTrue();
  }

  @Test
  void backsOffExponentiallyUpToTheCap() {
    assertThat(queue.backoff(1)).isEqualTo(Duration.ofMillis(10));
    assertThat(queue.backoff(2)).isEqualTo(Duration.ofMillis(20));
    assertThat(queue.backoff(3)).isEqualTo(Duration.ofMillis(40));
    assertThat(queue.backoff(4)).isEqualTo(Duration.ofMillis(80));
    assertThat(queue.backoff(40)).isEqualTo(Duration.ofMillis(80));
  }

  @Test
  void retriesAFailedKeyAfterItsBackoffAndForgetsOnSuccess() throws Exception {
    queue.add("a");
    assertThat(take()).contains("a");
    assertThat(queue.addRateLimited("a")).isEqualTo(Duration.ofMillis(10));
    queue.done("a");
    assertThat(queue.failures("a")).isEqualTo(1);

    await().atMost(Duration.ofSeconds(2)).until(() -> queue.size() == 1);
    assertThat(take()).contains("a");
    queue.forget("a");
    queue.done("a");
    assertThat(queue.failures("a")).isZero();
  }

  @Test
  void takeReturnsEmptyAfterClose() throws Exception {
    queue.add("a");
    queue.close();
    assertThat(queue.take(Duration.ofSeconds(5))).isEmpty();
  }
}
