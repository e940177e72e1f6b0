package dev.wayout.app;

import picocli.CommandLine.IVersionProvider;

/** Reads the version Maven wrote into the jar's manifest. */
public final class WayoutVersion implements IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = Wayout.class.getPackage().getImplementationVersion();
    return new String[] {"wayout " + (version == null ? "dev" : version)};
  }
}
