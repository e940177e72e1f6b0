package dev.wayout.certs;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the webhook's certificates are kept: where the Secret lives, the names and lifetimes, how
 * often to check, and which webhook configurations carry the caBundle. Checked once, here.
 *
 * @param overlap how long both CAs are trusted before the serving certificate moves to the new CA,
 *     and again before the old CA is dropped: long enough for the API server to reload the webhook
 *     configurations and for every replica to read the Secret (at least one check period)
 */
public record RotationConfig(
    String namespace,
    String secretName,
    String caCommonName,
    ServingNames names,
    Duration caValidity,
    Duration servingValidity,
    Duration checkPeriod,
    Duration overlap,
    String validatingWebhookConfiguration,
    String mutatingWebhookConfiguration) {

  public static final String DEFAULT_NAMESPACE = "wayout-system";
  public static final String DEFAULT_SERVICE = "wayout-webhook";
  public static final String DEFAULT_SECRET = "wayout-webhook-tls";
  public static final String DEFAULT_CA_COMMON_NAME = "wayout-webhook-ca";
  public static final String DEFAULT_WEBHOOK_CONFIGURATION = "wayout-webhook";
  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(365);
  public static final Duration DEFAULT_SERVING_VALIDITY = Duration.ofDays(7);
  public static final Duration DEFAULT_CHECK_PERIOD = Duration.ofMinutes(1);
  public static final Duration DEFAULT_OVERLAP = Duration.ofMinutes(2);

  public RotationConfig {
    requireName("namespace (WAYOUT_NAMESPACE)", namespace);
    requireName("secretName (WAYOUT_WEBHOOK_TLS_SECRET)", secretName);
    requireName(
        "validatingWebhookConfiguration (WAYOUT_WEBHOOK_CONFIGURATION)",
        validatingWebhookConfiguration);
    requireName(
        "mutatingWebhookConfiguration (WAYOUT_WEBHOOK_CONFIGURATION)",
        mutatingWebhookConfiguration);
    if (caCommonName == null || caCommonName.isBlank()) {
      throw new IllegalArgumentException("caCommonName: must not be empty");
    }
    requirePositive("caValidity (WAYOUT_CERTS_CA_VALIDITY)", caValidity);
    requirePositive("servingValidity (WAYOUT_CERTS_SERVING_VALIDITY)", servingValidity);
    requirePositive("checkPeriod (WAYOUT_CERTS_CHECK_PERIOD)", checkPeriod);
    requirePositive("overlap (WAYOUT_CERTS_OVERLAP)", overlap);
    if (servingValidity.compareTo(caValidity) >= 0) {
      throw new IllegalArgumentException(
          "servingValidity (WAYOUT_CERTS_SERVING_VALIDITY): "
              + servingValidity
              + " is not shorter than caValidity "
              + caValidity
              + "; a serving certificate cannot outlive its CA, make the CA live longer");
    }
    if (checkPeriod.compareTo(servingValidity.dividedBy(3)) >= 0) {
      throw new IllegalArgumentException(
          "checkPeriod (WAYOUT_CERTS_CHECK_PERIOD): "
              + checkPeriod
              + " is not shorter than a third of servingValidity "
              + servingValidity
              + "; renewal would be noticed only after expiry, check more often");
    }
    if (overlap.compareTo(checkPeriod) < 0) {
      throw new IllegalArgumentException(
          "overlap (WAYOUT_CERTS_OVERLAP): "
              + overlap
              + " is shorter than checkPeriod "
              + checkPeriod
              + "; both CAs must be trusted while every replica reads the Secret once, raise it");
    }
    if (overlap.multipliedBy(2).compareTo(caValidity.dividedBy(3)) >= 0) {
      throw new IllegalArgumentException(
          "overlap (WAYOUT_CERTS_OVERLAP): twice "
              + overlap
              + " does not fit in the last third of caValidity "
              + caValidity
              + "; a CA rotation would not finish before the old CA expires, lower it");
    }
  }

  /** Defaults for a Service in a namespace; what the manifests install. */
  public static RotationConfig defaults(String namespace, String service) {
    return new RotationConfig(
        namespace,
        DEFAULT_SECRET,
        DEFAULT_CA_COMMON_NAME,
        ServingNames.forService(service, namespace, List.of(), List.of()),
        DEFAULT_CA_VALIDITY,
        DEFAULT_SERVING_VALIDITY,
        DEFAULT_CHECK_PERIOD,
        DEFAULT_OVERLAP,
        DEFAULT_WEBHOOK_CONFIGURATION,
        DEFAULT_WEBHOOK_CONFIGURATION);
  }

  /**
   * Reads {@code WAYOUT_NAMESPACE}, {@code WAYOUT_WEBHOOK_SERVICE}, {@code
   * WAYOUT_WEBHOOK_TLS_SECRET}, {@code WAYOUT_WEBHOOK_CONFIGURATION} (the name of both webhook
   * configurations) and the {@code WAYOUT_CERTS_*} variables; anything unset takes the default.
   * Errors name the variable and the expected form.
   */
  public static RotationConfig fromEnv(Map<String, String> env) {
    String namespace = env.getOrDefault("WAYOUT_NAMESPACE", DEFAULT_NAMESPACE);
    String service = env.getOrDefault("WAYOUT_WEBHOOK_SERVICE", DEFAULT_SERVICE);
    ServingNames names;
    try {
      names =
          ServingNames.forService(
              service,
              namespace,
              list(env.get("WAYOUT_CERTS_DNS_NAMES")),
              list(env.get("WAYOUT_CERTS_IP_ADDRESSES")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "WAYOUT_WEBHOOK_SERVICE, WAYOUT_CERTS_DNS_NAMES or WAYOUT_CERTS_IP_ADDRESSES: "
              + e.getMessage(),
          e);
    }
    return new RotationConfig(
        namespace,
        env.getOrDefault("WAYOUT_WEBHOOK_TLS_SECRET", DEFAULT_SECRET),
        env.getOrDefault("WAYOUT_CERTS_CA_COMMON_NAME", DEFAULT_CA_COMMON_NAME),
        names,
        duration(env, "WAYOUT_CERTS_CA_VALIDITY", DEFAULT_CA_VALIDITY),
        duration(env, "WAYOUT_CERTS_SERVING_VALIDITY", DEFAULT_SERVING_VALIDITY),
        duration(env, "WAYOUT_CERTS_CHECK_PERIOD", DEFAULT_CHECK_PERIOD),
        duration(env, "WAYOUT_CERTS_OVERLAP", DEFAULT_OVERLAP),
        // one name for both kinds, as the manifests install them
        env.getOrDefault("WAYOUT_WEBHOOK_CONFIGURATION", DEFAULT_WEBHOOK_CONFIGURATION),
        env.getOrDefault("WAYOUT_WEBHOOK_CONFIGURATION", DEFAULT_WEBHOOK_CONFIGURATION));
  }

  private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

  /**
   * A duration as {@code 500ms}, {@code 20s}, {@code 5m}, {@code 12h}, {@code 365d} or ISO-8601
   * ({@code PT20S}).
   */
  public static Duration parseDuration(String text) {
    Matcher m = SHORT_DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" (expected a duration such as 20s, 5m, 12h, 365d or PT20S)", e);
    }
  }

  private static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return parseDuration(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  private static List<String> list(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static void requireName(String field, String value) {
    if (value == null || !value.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      throw new IllegalArgumentException(
          field
              + ": \""
              + value
              + "\" is not a Kubernetes object name (lowercase letters, digits, '-' and '.')");
    }
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected a positive duration)");
    }
  }
}
