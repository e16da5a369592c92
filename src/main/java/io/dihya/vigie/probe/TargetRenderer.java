package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Renders what a probe checks as a short text for the TARGET column. Only the parts that identify a
 * target are kept: a URL loses its user info, query and fragment, so no credential reaches the
 * column.
 */
public final class TargetRenderer {

  static final int MAX_LENGTH = 80;

  private TargetRenderer() {}

  /** The TARGET text of a spec with exactly one check block; empty text otherwise. */
  public static String render(HealthProbeSpec spec) {
    return cut(renderFull(spec));
  }

  /** The name of the spec's (first) check block: http, tcp, dns, ...; "" when none. */
  public static String checkType(HealthProbeSpec spec) {
    return spec.http != null
        ? "http"
        : spec.tcp != null
            ? "tcp"
            : spec.dns != null
                ? "dns"
                : spec.grpc != null
                    ? "grpc"
                    : spec.tls != null
                        ? "tls"
                        : spec.postgres != null
                            ? "postgres"
                            : spec.redis != null
                                ? "redis"
                                : spec.kubernetes != null ? "kubernetes" : "";
  }

  private static String renderFull(HealthProbeSpec spec) {
    if (spec.http != null) {
      return spec.http.method + " " + url(spec.http.url);
    }
    if (spec.tcp != null) {
      return "tcp://" + hostPort(spec.tcp.host, spec.tcp.port);
    }
    if (spec.dns != null) {
      String server =
          spec.dns.server == null ? "" : " @" + hostPort(spec.dns.server, spec.dns.port);
      return "dns " + spec.dns.recordType + " " + spec.dns.name + server;
    }
    if (spec.grpc != null) {
      String service = spec.grpc.service == null ? "" : spec.grpc.service;
      return "grpc://" + hostPort(spec.grpc.host, spec.grpc.port) + "/" + service;
    }
    if (spec.tls != null) {
      return "tls://" + hostPort(spec.tls.host, spec.tls.port);
    }
    if (spec.postgres != null) {
      return "postgres://"
          + hostPort(spec.postgres.host, spec.postgres.port)
          + "/"
          + spec.postgres.database;
    }
    if (spec.redis != null) {
      return "redis://" + hostPort(spec.redis.host, spec.redis.port);
    }
    if (spec.kubernetes != null) {
      return spec.kubernetes.kind + "/" + spec.kubernetes.name;
    }
    return "";
  }

  private static String hostPort(String host, Integer port) {
    String h = host == null ? "" : host;
    if (h.contains(":") && !h.startsWith("[")) {
      h = "[" + h + "]";
    }
    return port == null ? h : h + ":" + port;
  }

  private static String url(String url) {
    if (url == null) {
      return "";
    }
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return "(invalid URL)";
      }
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      return uri.getScheme() + "://" + uri.getHost() + port + path;
    } catch (URISyntaxException e) {
      return "(invalid URL)";
    }
  }

  private static String cut(String text) {
    return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH - 3) + "...";
  }
}
