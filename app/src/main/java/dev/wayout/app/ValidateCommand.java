package dev.wayout.app;

import dev.wayout.model.DestinationRule;
import dev.wayout.model.FieldError;
import dev.wayout.model.Gateway;
import dev.wayout.model.GatewayClass;
import dev.wayout.model.IstioDocuments;
import dev.wayout.model.KubeNamespace;
import dev.wayout.model.ObjectRef;
import dev.wayout.model.Registry;
import dev.wayout.model.RegistryValidator;
import dev.wayout.model.ResourceFiles;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.Validation;
import dev.wayout.model.VirtualService;
import dev.wayout.model.VirtualServiceValidator;
import dev.wayout.model.WaypointChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wayout validate -f FILE|DIR}: runs the admission webhook's checks over files, for CI
 * pipelines and GitOps repositories. Each resource is validated alone and against every other one
 * read (conflicting ServiceEntries, TLS origination, DestinationRules without a ServiceEntry).
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check Istio ServiceEntries, DestinationRules and VirtualServices (networking.istio.io v1,"
          + " v1beta1, v1alpha3)"
          + " in YAML or JSON files with the same rules as Wayout's admission webhook.",
      "Prints one line per problem: <file>: <Kind> <namespace>/<name>: error|warning: <field>:"
          + " <problem>; <fix>, then a summary.",
      "Exit status: 0 no errors (warnings allowed), 1 at least one error, 2 usage problem."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no errors (warnings allowed)",
      "1:at least one error",
      "2:usage problem (no such path, nothing to read)"
    })
final class ValidateCommand implements Callable<Integer> {

  static final int OK = 0;
  static final int INVALID = 1;
  static final int USAGE = 2;

  private static final String STDIN = "-";
  private static final String STDIN_NAME = "<stdin>";
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "FILE|DIR",
      required = true,
      description =
          "A file, a directory searched recursively for *.yaml, *.yml and *.json files, or -"
              + " for standard input (e.g. helm template ... | wayout validate -f -).")
  Path path;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      defaultValue = "default",
      description =
          "Namespace for objects that name none, as kubectl's -n (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Spec CommandSpec spec;

  /** Read for {@code -f -}; tests replace it. */
  InputStream stdin = System.in;

  /** A resource and the file it came from. */
  private record Located<T>(String file, T resource) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!NAMESPACE.matcher(namespace).matches()) {
      err.println(
          "-n: "
              + quote(namespace)
              + " is not a namespace name; use lower-case letters, digits"
              + " and '-', e.g. istio-egress");
      return USAGE;
    }
    boolean fromStdin = path.toString().equals(STDIN);
    if (!fromStdin && !Files.exists(path)) {
      err.println(
          "-f " + path + ": no such file or directory; name a YAML/JSON file or a directory");
      return USAGE;
    }
    List<String> files =
        fromStdin
            ? List.of(STDIN_NAME)
            : ResourceFiles.files(path).stream().map(Path::toString).toList();
    if (files.isEmpty()) {
      err.println(
          "-f " + path + ": holds no *.yaml, *.yml or *.json files; point it at your manifests");
      return USAGE;
    }

    Report report = new Report(out, files);
    List<Located<ServiceEntry>> entries = new ArrayList<>();
    List<Located<DestinationRule>> rules = new ArrayList<>();
    List<Located<VirtualService>> services = new ArrayList<>();
    List<Located<Gateway>> gateways = new ArrayList<>();
    List<GatewayClass> classes = new ArrayList<>();
    List<Located<KubeNamespace>> namespaces = new ArrayList<>();
    for (String name : files) {
      String text;
      try {
        text = fromStdin ? utf8(stdin.readAllBytes()) : utf8(Files.readAllBytes(Path.of(name)));
      } catch (CharacterCodingException e) {
        report.fileError(
            name, "is not UTF-8 text, so it cannot be YAML or JSON; remove it or fix its encoding");
        continue;
      } catch (IOException e) {
        report.fileError(name, "cannot be read (" + e.getMessage() + ")");
        continue;
      }
      ResourceSet set = IstioDocuments.parse(text, name, namespace);
      set.serviceEntries().forEach(e -> entries.add(new Located<>(name, e)));
      set.destinationRules().forEach(r -> rules.add(new Located<>(name, r)));
      set.virtualServices().forEach(v -> services.add(new Located<>(name, v)));
      set.gateways().forEach(g -> gateways.add(new Located<>(name, g)));
      classes.addAll(set.gatewayClasses());
      set.namespaces().forEach(n -> namespaces.add(new Located<>(name, n)));
      set.problems().forEach(problem -> report.loadProblem(name, problem));
    }

    RegistryValidator.RegistryValidation results =
        RegistryValidator.validateAll(
            new Registry(
                entries.stream().map(Located::resource).toList(),
                rules.stream().map(Located::resource).toList()));
    // Waypoints: the Gateways and Namespaces of the same files (see WaypointChecks.files)
    WaypointChecks.Place place =
        WaypointChecks.files(
            gateways.stream().map(Located::resource).toList(), List.copyOf(classes));
    Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    namespaces.forEach(n -> namespaceLabels.put(n.resource().name(), n.resource().labels()));
    for (int i = 0; i < entries.size(); i++) {
      Located<ServiceEntry> e = entries.get(i);
      report.resource(
          e.file(), ServiceEntry.KIND, e.resource().ref(), results.serviceEntries().get(i));
      report.waypoints(
          e.file(),
          ServiceEntry.KIND,
          e.resource().ref(),
          WaypointChecks.serviceEntry(
              e.resource(),
              namespaceLabels.getOrDefault(e.resource().namespace(), Map.of()),
              place,
              WaypointChecks.DEFAULT_WAYPOINT));
    }
    for (int i = 0; i < rules.size(); i++) {
      Located<DestinationRule> r = rules.get(i);
      report.resource(
          r.file(), DestinationRule.KIND, r.resource().ref(), results.destinationRules().get(i));
    }
    for (Located<VirtualService> v : services) {
      report.resource(
          v.file(),
          VirtualService.KIND,
          v.resource().ref(),
          VirtualServiceValidator.validate(v.resource()));
    }
    for (Located<Gateway> g : gateways) {
      List<String> boundBy =
          WaypointChecks.boundTo(
              g.resource(),
              namespaces.stream().map(Located::resource).toList(),
              entries.stream().map(Located::resource).toList(),
              ns -> namespaceLabels.getOrDefault(ns, Map.of()));
      report.waypoints(
          g.file(),
          Gateway.KIND,
          new ObjectRef(g.resource().namespace(), g.resource().name()),
          WaypointChecks.gateway(g.resource(), boundBy, place));
    }
    for (Located<KubeNamespace> n : namespaces) {
      report.waypoints(
          n.file(),
          KubeNamespace.KIND,
          new ObjectRef("", n.resource().name()),
          WaypointChecks.namespace(n.resource(), place, WaypointChecks.DEFAULT_WAYPOINT));
    }
    report.summary(
        files.size(),
        entries.size() + rules.size() + services.size() + gateways.size() + namespaces.size());
    return report.errors == 0 ? OK : INVALID;
  }

  /** Strict: a binary file is reported as such rather than parsed as replacement characters. */
  private static String utf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static String quote(String value) {
    return "\"" + value + "\"";
  }

  /** Counts findings and prints them grouped by file, in the order the files were read. */
  private static final class Report {

    private final PrintWriter out;
    private final Map<String, List<String>> lines = new LinkedHashMap<>();
    private int errors;
    private int warnings;
    private int notes;

    Report(PrintWriter out, List<String> files) {
      this.out = out;
      files.forEach(f -> lines.put(f, new ArrayList<>()));
    }

    void fileError(String file, String message) {
      errors++;
      lines.get(file).add(file + ": error: " + message);
    }

    void loadProblem(String file, ResourceSet.LoadProblem problem) {
      for (FieldError e : problem.errors()) {
        errors++;
        if (problem.kind() == null || problem.kind().isEmpty()) {
          // the whole document: its path ("document") says nothing the file name does not
          lines.get(file).add(problem.source() + ": error: " + e.problem() + fix(e));
        } else {
          lines
              .get(file)
              .add(
                  problem.source()
                      + ": "
                      + problem.kind()
                      + " "
                      + problem.name()
                      + ": error: "
                      + e.message());
        }
      }
    }

    void resource(String file, String kind, ObjectRef ref, Validation validation) {
      String prefix = file + ": " + kind + " " + ref + ": ";
      for (FieldError e : validation.errors()) {
        errors++;
        lines.get(file).add(prefix + "error: " + e.message());
      }
      for (FieldError w : validation.warnings()) {
        warnings++;
        lines.get(file).add(prefix + "warning: " + w.message());
      }
    }

    /** The waypoint checks: warnings, and notes for what the files cannot tell. */
    void waypoints(String file, String kind, ObjectRef ref, WaypointChecks.Result result) {
      resource(file, kind, ref, new Validation(List.of(), result.warnings()));
      String prefix = file + ": " + kind + " " + ref + ": ";
      for (FieldError n : result.unchecked()) {
        notes++;
        lines.get(file).add(prefix + "note: " + n.message());
      }
    }

    void summary(int files, int resources) {
      lines.values().forEach(fileLines -> fileLines.forEach(out::println));
      out.println(
          files
              + (files == 1 ? " file, " : " files, ")
              + resources
              + (resources == 1 ? " resource: " : " resources: ")
              + count(errors, "error")
              + ", "
              + count(warnings, "warning")
              + (notes == 0 ? "" : ", " + count(notes, "note"))
              + (errors == 0 ? " - valid" : " - invalid"));
      out.flush();
    }

    private static String fix(FieldError e) {
      return e.fix().isEmpty() ? "" : "; " + e.fix();
    }

    private static String count(int n, String noun) {
      return n + " " + noun + (n == 1 ? "" : "s");
    }
  }
}
