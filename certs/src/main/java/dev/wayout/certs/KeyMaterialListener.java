package dev.wayout.certs;

/**
 * Receives each new serving key pair from the certificate rotator. The webhook's HTTPS server
 * implements it (or hands over a {@link ReloadableKeyManager}, which does) to swap its key material
 * in place: no restart, and connections already open keep theirs.
 */
@FunctionalInterface
public interface KeyMaterialListener {

  /** Called once at start with the pair to serve, then after every renewal. Must not block. */
  void onKeyMaterial(ServingCertificate pair);
}
