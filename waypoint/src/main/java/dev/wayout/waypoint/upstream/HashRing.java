package dev.wayout.waypoint.upstream;

import java.util.Arrays;

/**
 * A consistent-hash ring over a cluster's endpoints (Envoy's RING_HASH; Maglev is served by the
 * same ring): each endpoint owns {@code size / endpoints} points, a request goes to the owner of
 * the first point at or after its hash, skipping ejected endpoints. Built once per snapshot; a
 * lookup is a binary search, no allocation.
 */
final class HashRing {

  private final long[] points;
  private final ClusterEndpoint[] owners;

  private HashRing(long[] points, ClusterEndpoint[] owners) {
    this.points = points;
    this.owners = owners;
  }

  static HashRing of(ClusterEndpoint[] endpoints, int size) {
    int perEndpoint = Math.max(1, size / endpoints.length);
    int total = perEndpoint * endpoints.length;
    long[] keyed = new long[total];
    ClusterEndpoint[] byPoint = new ClusterEndpoint[total];
    Integer[] order = new Integer[total];
    int k = 0;
    for (ClusterEndpoint e : endpoints) {
      for (int i = 0; i < perEndpoint; i++) {
        keyed[k] = HashKeys.hash(e.text + "_" + i);
        byPoint[k] = e;
        order[k] = k;
        k++;
      }
    }
    Arrays.sort(order, (a, b) -> Long.compareUnsigned(keyed[a], keyed[b]));
    long[] points = new long[total];
    ClusterEndpoint[] owners = new ClusterEndpoint[total];
    for (int i = 0; i < total; i++) {
      points[i] = keyed[order[i]];
      owners[i] = byPoint[order[i]];
    }
    return new HashRing(points, owners);
  }

  ClusterEndpoint pick(long hash, boolean skipEjected) {
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(points[mid], hash) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (int i = 0; i < points.length; i++) {
      ClusterEndpoint e = owners[(lo + i) % points.length];
      if (!skipEjected || !e.ejected()) {
        return e;
      }
    }
    return null;
  }
}
