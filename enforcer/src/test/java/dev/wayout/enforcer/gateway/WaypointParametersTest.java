package dev.wayout.enforcer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WaypointParametersTest {

  @Test
  void noConfigMapDataMeansTheDefaults() {
    assertThat(WaypointParameters.from("ns/p", null).parameters())
        .isEqualTo(WaypointParameters.DEFAULTS);
    assertThat(WaypointParameters.from("ns/p", Map.of("service", "x: 1")).valid()).isTrue();
  }

  @Test
  void readsReplicasAndTheWaypointContainersResourcesAsIstioWritesThem() {
    var parsed =
        WaypointParameters.from(
            "ns/p",
            Map.of(
                "deployment",
                """
                spec:
                  replicas: 3
                  template:
                    spec:
                      containers:
                      - name: istio-proxy
                        resources:
                          requests: {cpu: 200m, memory: 128Mi}
                          limits: {memory: 1Gi}
                """));
    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.parameters())
        .isEqualTo(
            new WaypointParameters(
                3, Map.of("cpu", "200m", "memory", "128Mi"), Map.of("memory", "1Gi")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "spec: {replicas: -1}|ConfigMap ns/p data.deployment: spec.replicas: -1 is not a replica"
            + " count; use a number from 0 to 100",
        "spec: {replicas: two}|ConfigMap ns/p data.deployment: spec.replicas: \"two\" is not a"
            + " replica count; use a number from 0 to 100",
        "'spec: {template: {spec: {containers: [{name: waypoint, resources: {requests: {cpu:"
            + " lots}}}]}}}'|ConfigMap ns/p data.deployment:"
            + " spec.template.spec.containers[waypoint].resources.requests.cpu: \"lots\" is not a"
            + " quantity; write e.g. \"200m\" (CPU) or \"256Mi\" (memory)",
      })
  void namesTheKeyFieldAndFixOfABadValue(String yaml, String problem) {
    var parsed = WaypointParameters.from("ns/p", Map.of("deployment", yaml));
    assertThat(parsed.problems()).containsExactly(problem);
  }

  @Test
  void yamlThatIsNotYamlIsAProblemNotACrash() {
    var parsed = WaypointParameters.from("ns/p", Map.of("deployment", "spec: [unclosed"));
    assertThat(parsed.valid()).isFalse();
    assertThat(parsed.problems().get(0)).startsWith("ConfigMap ns/p data.deployment: not YAML (");
  }
}
