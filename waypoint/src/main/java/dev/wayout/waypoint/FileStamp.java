package dev.wayout.waypoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A file's content as a short checksum, to notice that it changed: the files watched (YAML,
 * certificates) are small, and a rewrite may keep both size and modification time.
 */
public final class FileStamp {

  private FileStamp() {}

  /** The checksum of the file's bytes, or "absent" when it cannot be read. */
  public static String of(Path file) {
    try {
      CRC32C crc = new CRC32C();
      crc.update(Files.readAllBytes(file));
      return Long.toHexString(crc.getValue());
    } catch (IOException e) {
      return "absent";
    }
  }
}
