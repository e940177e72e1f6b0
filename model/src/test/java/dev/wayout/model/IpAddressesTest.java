package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {

  @ParameterizedTest(name = "{0} is an IP: {1}")
  @CsvSource({
    "192.0.2.1, true",
    "0.0.0.0, true",
    "255.255.255.255, true",
    "256.0.0.1, false",
    "192.0.2, false",
    "192.0.2.01, false",
    "192.0.2.1., false",
    "'', false",
    "2001:db8::1, true",
    "::, true",
    "::1, true",
    "1:2:3:4:5:6:7:8, true",
    "1:2:3:4:5:6:7:8:9, false",
    "1:2:3:4:5:6:7, false",
    "1::2::3, false",
    "::ffff:192.0.2.1, true",
    "1:2:3:4:5:6:192.0.2.1, true",
    "fe80::1%eth0, true",
    "fe80::1%, false",
    "2001:db8::g, false",
    "12345::1, false",
    "api.example.com, false",
  })
  void recognisesAddressLiterals(String text, boolean ip) {
    assertThat(IpAddresses.isIp(text)).isEqualTo(ip);
  }

  @ParameterizedTest(name = "{0} is a CIDR block: {1}")
  @CsvSource({
    "10.0.0.0/8, true",
    "192.0.2.0/24, true",
    "192.0.2.1/32, true",
    "10.0.0.0/33, false",
    "10.0.0.0/08, false",
    "10.0.0.0/, false",
    "10.0.0.0/8/8, false",
    "2001:db8::/32, true",
    "2001:db8::/129, false",
    "fe80::1%eth0/64, false",
    "example.com/24, false",
  })
  void recognisesCidrBlocks(String text, boolean cidr) {
    assertThat(IpAddresses.isCidr(text)).isEqualTo(cidr);
  }

  @ParameterizedTest(name = "{0} is local: {1}")
  @CsvSource({
    "127.0.0.1, true",
    "127.255.0.9, true",
    "169.254.169.254, true",
    "0.0.0.0, true",
    "192.0.2.1, false",
    "10.0.0.1, false",
    "::1, true",
    "0:0:0:0:0:0:0:1, true",
    "::, true",
    "1::, false",
    "fe80::1%eth0, true",
    "FEBF::1, true",
    "fec0::1, false",
    "::ffff:169.254.169.254, true",
    "::ffff:a9fe:a9fe, true",
    "::ffff:192.0.2.1, false",
    "2001:db8::1, false",
    "api.example.com, false",
  })
  void recognisesAddressesAnEgressProxyMustNotDial(String text, boolean local) {
    assertThat(IpAddresses.isLocal(text)).isEqualTo(local);
  }
}
