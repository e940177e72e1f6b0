package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNamesTest {

  @ParameterizedTest(name = "host [{0}]")
  @CsvSource(
      nullValues = "OK",
      value = {
        "api.example.com, OK, OK",
        "API.Example.COM, OK, OK",
        "istio.io., OK, OK",
        "reviews, OK, OK",
        "*.example.com, OK, an exact host name has no wildcards",
        "*, OK, an exact host name has no wildcards",
        "*-api.example.com, OK, has the wildcard label \"*-api\"",
        "*api.example.com, OK, has the wildcard label \"*api\"",
        "api.*.com, only the first label may be a wildcard, an exact host name has no wildcards",
        "a*b.example.com, a wildcard must be the whole first label, has the wildcard label",
        "-api.example.com, has the label, has the label",
        "api-.example.com, has the label, has the label",
        "api..example.com, has an empty label, has an empty label",
        ".example.com, has an empty label, has an empty label",
        "example.123, ends in the all-numeric label, ends in the all-numeric label",
        "'', is empty, is empty",
      })
  void checksDnsNamesAsIstioDoes(String host, String wildcardProblem, String fqdnProblem) {
    assertThat(HostNames.wildcardDomainProblem(host))
        .satisfies(p -> assertProblem(p, wildcardProblem));
    assertThat(HostNames.fqdnProblem(host)).satisfies(p -> assertProblem(p, fqdnProblem));
  }

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @CsvSource({
    "api.example.com, api.example.com, true",
    "API.example.com., api.example.com, true",
    "*.example.com, api.example.com, true",
    "*.example.com, a.b.example.com, true",
    "*.example.com, *.api.example.com, true",
    "*.example.com, example.com, false",
    "*, anything.example.org, true",
    "api.example.com, *.example.com, false",
    "*.example.com, api.example.org, false",
  })
  void matchesHostsAsIstioDoes(String pattern, String host, boolean covers) {
    assertThat(HostNames.covers(pattern, host)).isEqualTo(covers);
  }

  @org.junit.jupiter.api.Test
  void refusesNamesLongerThanDnsAllows() {
    String label = "a".repeat(64);
    assertThat(HostNames.fqdnProblem(label + ".example.com")).contains("longer than 63");
    String name = ("a".repeat(60) + ".").repeat(5) + "com";
    assertThat(HostNames.fqdnProblem(name)).contains("longer than the 255");
  }

  private static void assertProblem(String actual, String expected) {
    if (expected == null) {
      assertThat(actual).isNull();
    } else {
      assertThat(actual).contains(expected);
    }
  }
}
