package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkloadIdentitiesTest {

  private static final String FILE =
      """
      identities:
        - addresses: ["192.0.2.10", "2001:db8::10"]
          namespace: shop
          serviceAccount: checkout
          workload: checkout
          labels: {app: checkout}
        - addresses: ["198.51.100.0/28"]
          namespace: batch
      """;

  @Test
  void mapsExactAddressesAndBlocksToIdentities() {
    WorkloadIdentities ids = WorkloadIdentities.parse(FILE);
    SourceIdentity shop = ids.of(Cidr.address("192.0.2.10"));
    assertThat(shop.namespace()).isEqualTo("shop");
    assertThat(shop.principal()).isEqualTo("cluster.local/ns/shop/sa/checkout");
    assertThat(shop.spiffeId()).isEqualTo("spiffe://cluster.local/ns/shop/sa/checkout");
    assertThat(shop.workload()).isEqualTo("checkout");
    assertThat(shop.labels()).containsEntry("app", "checkout");
    assertThat(ids.of(Cidr.address("2001:db8:0::10"))).isEqualTo(shop);
    SourceIdentity batch = ids.of(Cidr.address("198.51.100.7"));
    assertThat(batch.principal()).isEqualTo("cluster.local/ns/batch/sa/default");
    assertThat(ids.of(Cidr.address("198.51.100.16"))).isEqualTo(SourceIdentity.UNKNOWN);
    assertThat(ids.of(null).known()).isFalse();
  }

  @Test
  void namesEveryWrongEntryWithItsFieldAndFix() {
    assertThatThrownBy(
            () ->
                WorkloadIdentities.parse(
                    """
                    identities:
                      - addresses: ["192.0.2.300"]
                        namespace: shop
                      - namespace: Not_A_Namespace
                        addresses: ["192.0.2.1"]
                      - namespace: shop
                    """))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("identities[0].addresses[0]: ")
        .hasMessageContaining("192.0.2.300")
        .hasMessageContaining(
            "identities[1].namespace: \"Not_A_Namespace\" is not a namespace name")
        .hasMessageContaining("identities[2].addresses: is missing; list the workload's IPs");
  }

  @Test
  void anEmptyFileKnowsNoOne() {
    assertThat(WorkloadIdentities.parse("").size()).isZero();
  }
}
