package dev.wayout.waypoint.trace;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.Route;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The waypoint's tracer: continues the trace a request carries (W3C {@code traceparent}/{@code
 * tracestate}, B3 multi-header or single {@code b3}) or starts one for a sampled share of the
 * requests that carry none, records a client span per request as Envoy's waypoint does, and writes
 * the new span's context into the request going upstream in the formats that came in (W3C when none
 * did). Spans are exported over OTLP by OpenTelemetry's SDK: a batch processor queues them and its
 * own thread sends them, so an event loop only appends to a queue. Only built when tracing is
 * configured: with tracing off the pipeline has no trace handler at all.
 */
public final class Tracing implements AutoCloseable {

  static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  static final AsciiString TRACESTATE = AsciiString.cached("tracestate");
  static final AsciiString B3 = AsciiString.cached("b3");
  static final AsciiString X_B3_TRACEID = AsciiString.cached("x-b3-traceid");
  static final AsciiString X_B3_PARENTSPANID = AsciiString.cached("x-b3-parentspanid");

  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapPropagator B3_SINGLE = B3Propagator.injectingSingleHeader();
  private static final TextMapPropagator B3_MULTI = B3Propagator.injectingMultiHeaders();

  private static final TextMapGetter<HttpHeaders> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
          return carrier.names();
        }

        @Override
        public String get(HttpHeaders carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private static final TextMapSetter<HttpHeaders> SETTER = (h, k, v) -> h.set(k, v);

  private final TracingConfig config;
  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final double sampleRatio;
  private final SpanAttributes attributes;

  private Tracing(TracingConfig config, SpanExporter exporter, SpanAttributes attributes) {
    this.config = config;
    this.sampleRatio = config.samplingPercent() / 100.0;
    this.attributes = attributes;
    this.provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(
                                AttributeKey.stringKey("service.name"), config.serviceName()))))
            // The root decision is taken in start(); a parent's sampled flag is honoured.
            .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
            .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
            .build();
    this.tracer = provider.get("dev.wayout.waypoint");
  }

  /**
   * Tracing as configured, exporting to its collector.
   *
   * @param namespace the waypoint's namespace ({@code istio.namespace} on every span)
   * @param name the waypoint's name ({@code istio.canonical_service})
   */
  public static Tracing start(TracingConfig config, String namespace, String name) {
    SpanExporter exporter =
        config.protocol().equals(TracingConfig.GRPC)
            ? OtlpGrpcSpanExporter.builder().setEndpoint(config.exportUrl()).build()
            : OtlpHttpSpanExporter.builder().setEndpoint(config.exportUrl()).build();
    return new Tracing(config, exporter, new SpanAttributes(config.serviceName(), namespace, name));
  }

  public TracingConfig config() {
    return config;
  }

  /**
   * Traces one routed HTTP request: continues the trace in its headers, or starts one if it is
   * sampled, and rewrites the trace headers for the upstream with the new span as parent. Fills in
   * the entry's {@code trace_id} and, when the span is recorded, the span to end with the entry.
   * Does nothing for a request that carries no trace and is not sampled.
   */
  public void start(HttpHeaders headers, AccessLogEntry entry, Route route) {
    boolean w3c = headers.contains(TRACEPARENT);
    boolean b3Single = headers.contains(B3);
    boolean b3Multi = headers.contains(X_B3_TRACEID);
    Context parent = Context.root();
    if (w3c) {
      parent = W3C.extract(parent, headers, GETTER);
    }
    if ((b3Single || b3Multi) && !Span.fromContext(parent).getSpanContext().isValid()) {
      parent = B3_SINGLE.extract(Context.root(), headers, GETTER); // reads either B3 form
    }
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      if (ThreadLocalRandom.current().nextDouble() >= sampleRatio) {
        return;
      }
      headers.remove(TRACESTATE); // belongs to a traceparent that was not valid, if any
      if (!b3Single && !b3Multi) {
        w3c = true;
      }
    }
    Span span =
        tracer
            .spanBuilder(SpanAttributes.name(route))
            .setParent(parent)
            .setSpanKind(SpanKind.CLIENT)
            .setStartTimestamp(entry.startMillis * 1_000_000L, TimeUnit.NANOSECONDS)
            .startSpan();
    Context child = parent.with(span);
    if (w3c) {
      W3C.inject(child, headers, SETTER);
    }
    if (b3Single) {
      B3_SINGLE.inject(child, headers, SETTER);
    }
    if (b3Multi) {
      headers.remove(X_B3_PARENTSPANID); // B3 leaves it out: the one that came is our parent's
      B3_MULTI.inject(child, headers, SETTER);
    }
    SpanContext sc = span.getSpanContext();
    entry.traceId = sc.getTraceId();
    if (span.isRecording()) {
      entry.trace = new RequestSpan(span, attributes);
    }
  }

  /** Exports the spans ended so far; waits up to {@code timeout}. Never on an event loop. */
  public void flush(Duration timeout) {
    provider.forceFlush().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Exports what is left and stops the exporter (at shutdown, after the drain). */
  @Override
  public void close() {
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }
}
