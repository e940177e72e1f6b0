package dev.wayout.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The only main(): dispatches to the subcommands of the {@code wayout} executable. */
@Command(
    name = "wayout",
    mixinStandardHelpOptions = true,
    versionProvider = WayoutVersion.class,
    description =
        "Egress control for Kubernetes: registered external services only, through a waypoint.",
    subcommands = {
      CommandLine.HelpCommand.class,
      CertsCommand.class,
      RenderCommand.class,
      InitCommand.class,
      WaypointCommand.class,
      RunCommand.class,
      EnforcerCommand.class,
      ValidateCommand.class,
      WebhookCommand.class,
    })
public final class Wayout {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} on it without exiting. */
  public static CommandLine commandLine() {
    return new CommandLine(new Wayout()).setCaseInsensitiveEnumValuesAllowed(true);
  }
}
