package dev.wayout.app;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.certs.ServingNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wayout certs --out DIR}: writes a CA and a serving certificate for the webhook's Service
 * to files, for those who manage certificates themselves instead of letting the webhook keep its
 * own Secret.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
      "Write an ECDSA P-256 CA and a serving certificate for the webhook's Service to DIR:"
          + " ca.crt, ca.key, tls.crt (certificate, then the CA) and tls.key. Keys are 0600.",
      "For those who bring their own certificate manager; without it, the webhook keeps its"
          + " certificates in a Secret and rotates them itself."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:all four files written",
      "1:nothing written (a file exists and --force was not given, or DIR cannot be written)",
      "2:usage problem (a bad name, IP or number of days)"
    })
final class CertsCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int NOT_WRITTEN = 1;

  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");

  @Option(
      names = {"-o", "--out"},
      paramLabel = "DIR",
      required = true,
      description = "Directory to write to; created if missing.")
  Path out;

  @Option(
      names = "--service",
      paramLabel = "NAME",
      defaultValue = "wayout-webhook",
      description = "The webhook's Service (default: ${DEFAULT-VALUE}).")
  String service;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      defaultValue = "wayout-system",
      description = "The Service's namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--dns",
      paramLabel = "NAME",
      arity = "1..*",
      description =
          "Extra DNS names, besides NAME, NAME.NS, NAME.NS.svc and NAME.NS.svc.cluster.local.")
  List<String> dnsNames = new ArrayList<>();

  @Option(
      names = "--ip",
      paramLabel = "IP",
      arity = "1..*",
      description = "IP addresses to include, e.g. 127.0.0.1 for a webhook registered by URL.")
  List<String> ipAddresses = new ArrayList<>();

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "365",
      description = "Validity of the serving certificate in days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--ca-days",
      paramLabel = "N",
      defaultValue = "3650",
      description = "Validity of the CA in days; at least --days (default: ${DEFAULT-VALUE}).")
  int caDays;

  @Option(names = "--force", description = "Overwrite files that already exist.")
  boolean force;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    ServingNames names = names();
    if (days < 1) {
      throw usage("--days: " + days + " (expected a number of days, at least 1)");
    }
    if (caDays < days) {
      throw usage(
          "--ca-days: "
              + caDays
              + " is less than --days "
              + days
              + "; a certificate cannot outlive its CA, raise --ca-days");
    }

    Clock clock = Clock.systemUTC();
    CertificateAuthority ca =
        CertificateAuthority.create(clock, service + "-ca", Duration.ofDays(caDays));
    ServingCertificate serving =
        ca.issueServing(clock, names.dnsNames(), names.ipAddresses(), Duration.ofDays(days));
    Map<String, String> files = new LinkedHashMap<>();
    files.put("ca.crt", ca.certificatePem());
    files.put("ca.key", ca.privateKeyPem());
    files.put("tls.crt", serving.chainPem());
    files.put("tls.key", serving.privateKeyPem());

    try {
      Files.createDirectories(out);
      if (!force) {
        List<String> existing =
            files.keySet().stream().filter(f -> Files.exists(out.resolve(f))).toList();
        if (!existing.isEmpty()) {
          stderr.println(
              "wayout certs: "
                  + String.join(", ", existing)
                  + " already in "
                  + out
                  + "; nothing written. Pass --force to overwrite, or choose another --out.");
          return NOT_WRITTEN;
        }
      }
      for (Map.Entry<String, String> file : files.entrySet()) {
        write(out.resolve(file.getKey()), file.getValue(), file.getKey().endsWith(".key"));
      }
    } catch (IOException e) {
      stderr.println("wayout certs: cannot write to " + out + ": " + e);
      return NOT_WRITTEN;
    }

    String until = serving.leaf().getNotAfter().toInstant().toString();
    stdout.println(
        "wrote "
            + out.resolve("ca.crt")
            + "   CA certificate, CN="
            + service
            + "-ca, valid until "
            + ca.certificate().getNotAfter().toInstant());
    stdout.println("wrote " + out.resolve("ca.key") + "   CA private key (0600)");
    stdout.println(
        "wrote "
            + out.resolve("tls.crt")
            + "  serving certificate and CA, valid until "
            + until
            + ", for "
            + String.join(", ", names.dnsNames())
            + (names.ipAddresses().isEmpty() ? "" : ", " + String.join(", ", names.ipAddresses())));
    stdout.println("wrote " + out.resolve("tls.key") + "  serving private key (0600)");
    stdout.println("caBundle for the webhook configurations: base64 -w0 " + out.resolve("ca.crt"));
    stdout.println(
        "as a Secret: kubectl -n "
            + namespace
            + " create secret generic "
            + service
            + "-tls --type=kubernetes.io/tls --from-file="
            + out.resolve("tls.crt")
            + " --from-file="
            + out.resolve("tls.key")
            + " --from-file="
            + out.resolve("ca.crt"));
    return OK;
  }

  private ServingNames names() {
    try {
      return ServingNames.forService(service, namespace, dnsNames, ipAddresses);
    } catch (IllegalArgumentException e) {
      throw usage("--service, --namespace, --dns or --ip: " + e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  // Written to a temporary file that already has its final permissions, then moved into place:
  // a key is never readable by others, not even for a moment, and no half-written file remains.
  private void write(Path target, String text, boolean secret) throws IOException {
    Path temp = Files.createTempFile(out, "." + target.getFileName(), ".tmp", permissions(secret));
    try {
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      if (force) {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (FileAlreadyExistsException e) {
      throw new IOException(target + " appeared while writing; nothing overwritten", e);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private FileAttribute<?>[] permissions(boolean secret) {
    if (!out.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(secret ? PRIVATE : PUBLIC)};
  }
}
