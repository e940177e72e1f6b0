package dev.wayout.model;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a YAML/JSON file, or every {@code *.yaml}, {@code *.yml} and {@code *.json} file under a
 * directory (recursively, in name order), into one {@link ResourceSet}. The only class of the model
 * that touches the file system; it reads local files and nothing else. An unreadable file becomes a
 * {@link ResourceSet.LoadProblem}, never an exception.
 */
public final class ResourceFiles {

  private ResourceFiles() {}

  public static ResourceSet read(Path fileOrDirectory, String defaultNamespace) {
    if (!Files.exists(fileOrDirectory)) {
      return problem(fileOrDirectory, "does not exist", "give an existing file or directory");
    }
    ResourceSet set = ResourceSet.EMPTY;
    for (Path file : files(fileOrDirectory)) {
      set = set.plus(readFile(file, defaultNamespace));
    }
    return set;
  }

  /** The files {@link #read} would read, in the order it reads them. */
  public static List<Path> files(Path fileOrDirectory) {
    if (Files.isRegularFile(fileOrDirectory)) {
      return List.of(fileOrDirectory);
    }
    try (Stream<Path> walk = Files.walk(fileOrDirectory)) {
      return walk.filter(Files::isRegularFile).filter(ResourceFiles::isManifest).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static ResourceSet readFile(Path file, String defaultNamespace) {
    try {
      return IstioDocuments.parse(Files.readString(file), file.toString(), defaultNamespace);
    } catch (MalformedInputException e) {
      return problem(file, "is not UTF-8 text", "save it as UTF-8 YAML or JSON");
    } catch (IOException e) {
      return problem(file, "cannot be read (" + e.getMessage() + ")", "check its permissions");
    }
  }

  private static boolean isManifest(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private static ResourceSet problem(Path path, String problem, String fix) {
    return new ResourceSet(
        List.of(),
        List.of(),
        List.of(
            new ResourceSet.LoadProblem(
                path.toString(), "", "", List.of(FieldError.of("file", problem, fix)))));
  }
}
