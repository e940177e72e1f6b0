package dev.wayout.waypoint.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressGuardTest {

  private final AddressGuard strict =
      new AddressGuard(List.of(Cidr.parse("10.96.0.0/12"), Cidr.parse("fd00::/8")), false);
  private final AddressGuard forTests = new AddressGuard(List.of(), true);

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          127.0.0.1        | is a loopback address
          127.1.2.3        | is a loopback address
          ::1              | is a loopback address
          ::ffff:127.0.0.1 | is a loopback address
          169.254.169.254  | is link-local
          fe80::1          | is link-local
          0.0.0.0          | is an unspecified address
          0.1.2.3          | is an unspecified address
          ::               | is an unspecified address
          224.0.0.1        | is a multicast address
          10.96.0.10       | is inside the cluster range 10.96.0.0/12
          fd00::10         | is inside the cluster range fd00::/8
          """)
  void refusesInternalAddresses(String ip, String why) throws Exception {
    assertThat(strict.check(InetAddress.getByName(ip)))
        .hasValueSatisfying(v -> assertThat(v).contains(why));
  }

  @ParameterizedTest
  @CsvSource({"140.205.135.3", "8.8.8.8", "10.95.255.255", "10.112.0.1", "2001:db8::1"})
  void allowsExternalAddresses(String ip) throws Exception {
    assertThat(strict.check(InetAddress.getByName(ip))).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1,", "169.254.169.254,link-local"})
  void theTestSwitchAllowsLoopbackOnly(String ip, String why) throws Exception {
    if (why == null) {
      assertThat(forTests.check(InetAddress.getByName(ip))).isEmpty();
    } else {
      assertThat(forTests.check(InetAddress.getByName(ip))).isPresent();
    }
  }
}
