package dev.wayout.app;

import picocli.CommandLine.Command;

/** {@code wayout render}: prints what Wayout would write, offline. */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Print the NetworkPolicies or iptables rules Wayout implies, without a cluster.",
    subcommands = {RenderIptablesCommand.class, RenderNetworkPoliciesCommand.class})
public final class RenderCommand {}
