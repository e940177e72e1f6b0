package dev.wayout.model;

import java.util.List;

/** gRPC's status names, as a VirtualService's {@code fault.abort.grpcStatus} spells them. */
public final class GrpcStatus {

  /** In the order of their codes: a name's index is its code (OK is 0). */
  public static final List<String> NAMES =
      List.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");

  private GrpcStatus() {}
}
