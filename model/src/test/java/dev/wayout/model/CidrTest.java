package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.0.0.0/8",
    "192.0.2.7, 192.0.2.7/32",
    "fd00::/8, fd00::/8",
    "2001:db8:0:0:0:0:0:0/32, 2001:db8::/32",
    "2001:db8::1, 2001:db8::1/128",
    "::/0, ::/0",
  })
  void parsesAndPrintsCanonically(String text, String printed) {
    assertThat(Cidr.parse(text)).hasToString(printed);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.0/33 | the prefix length of \"10.0.0.0/33\" must be from 0 to 32",
        "10.0.0.1/8 | \"10.0.0.1/8\" has host bits set; write 10.0.0.0/8",
        "cluster.local/16 | is not an IPv4 or IPv6 address",
        "10.0.0/8 | is not an IPv4 or IPv6 address",
        "300.0.0.0/8 | is not a valid IP address",
        "fd00::/129 | must be from 0 to 128",
        "10.0.0.0/x | must be from 0 to 32",
      })
  void rejectsWithAMessageSayingWhatToWrite(String text, String message) {
    assertThatThrownBy(() -> Cidr.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.1.2.3, true",
    "10.0.0.0/8, 11.0.0.1, false",
    "192.0.2.0/24, 192.0.2.255, true",
    "fd00::/8, fd12::1, true",
    "fd00::/8, 10.0.0.1, false",
  })
  void containsAddressesOfItsNetworkOnly(String cidr, String address, boolean expected) {
    assertThat(Cidr.parse(cidr).contains(Cidr.address(address))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "10.0.0.0/8, 10.1.0.0/16, true",
    "10.1.0.0/16, 10.0.0.0/8, false",
    "::/0, fd00::/8, true"
  })
  void coversSmallerNetworks(String outer, String inner, boolean expected) {
    assertThat(Cidr.parse(outer).covers(Cidr.parse(inner))).isEqualTo(expected);
  }
}
