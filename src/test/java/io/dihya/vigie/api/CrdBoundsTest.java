package io.dihya.vigie.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.LogSink;
import io.dihya.vigie.api.v1alpha1.ProbeAlert;
import io.dihya.vigie.api.v1alpha1.Silence;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed CRDs refuse hostile specs before the operator sees them. The specs are checked
 * against each CRD's openAPIV3Schema by the rules a Kubernetes 1.20 API server applies to them
 * (maxLength in characters, maxItems, maxProperties, pattern, minimum, maximum, enum), and the
 * samples of deploy/samples must pass the same rules.
 */
class CrdBoundsTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void healthProbeSchemaRefusesHostileSpecs() throws IOException {
    JsonNode schema = specSchema("healthprobes");

    HealthProbeSpec assertions = http("http://a.svc/");
    assertions.assertions = Collections.nCopies(10_000, "result.success");
    assertThat(violations(schema, assertions))
        .containsExactly("spec.assertions: more than 16 items");

    HealthProbeSpec headers = http("http://a.svc/");
    headers.http.headers =
        List.of(
            header("X-Big", "v".repeat(1 << 20)),
            header("X-A\r\nX-Injected", "1"),
            header("X-" + "n".repeat(300), "1"));
    assertThat(violations(schema, headers))
        .containsExactly(
            "spec.http.headers[0].value: longer than 8192 characters",
            "spec.http.headers[1].name: does not match the pattern",
            "spec.http.headers[2].name: longer than 256 characters");

    HealthProbeSpec texts = http("http://a.svc/" + "p".repeat(4096));
    texts.interval = "999999999d".repeat(100);
    texts.timeout = "-1s";
    texts.http.body = "b".repeat(100_000);
    texts.http.expectBody = new HttpCheck.ExpectBody();
    texts.http.expectBody.regex = "(x*)*".repeat(300);
    texts.http.expectBody.contains = "c".repeat(5000);
    texts.dependsOn = List.of("a.".repeat(200) + "b");
    texts.failureThreshold = 0;
    texts.successThreshold = 101;
    assertThat(violations(schema, texts))
        .containsExactly(
            "spec.interval: longer than 32 characters",
            "spec.timeout: does not match the pattern",
            "spec.failureThreshold: less than 1",
            "spec.successThreshold: more than 100",
            "spec.dependsOn[0]: longer than 253 characters",
            "spec.http.url: longer than 2048 characters",
            "spec.http.body: longer than 65536 characters",
            "spec.http.expectBody.contains: longer than 4096 characters",
            "spec.http.expectBody.regex: longer than 1024 characters");

    HealthProbeSpec maps = http("http://a.svc/");
    maps.alert = new ProbeAlert();
    for (int i = 0; i < 40; i++) {
      maps.alert.labels.put("l" + i, "v");
    }
    maps.alert.annotations.put("description", "d".repeat(10_000));
    assertThat(violations(schema, maps))
        .containsExactly(
            "spec.alert.labels: more than 32 properties",
            "spec.alert.annotations.description: longer than 8192 characters");

    HealthProbeSpec tcp = new HealthProbeSpec();
    tcp.tcp = new TcpCheck();
    tcp.tcp.host = "h".repeat(254);
    tcp.tcp.port = 70_000;
    tcp.tcp.expect = "e".repeat(257);
    assertThat(violations(schema, tcp))
        .containsExactly(
            "spec.tcp.host: longer than 253 characters",
            "spec.tcp.port: more than 65535",
            "spec.tcp.expect: longer than 256 characters");
  }

  @Test
  void alertRouteSchemaRefusesHostileSpecs() throws IOException {
    JsonNode schema = specSchema("alertroutes");
    AlertRouteSpec route = new AlertRouteSpec();
    Sink log = new Sink();
    log.name = "audit";
    log.log = new LogSink();
    route.sinks = Collections.nCopies(17, log);
    route.silences = Collections.nCopies(65, new Silence());
    route.groupBy = Collections.nCopies(33, "namespace");
    route.repeatInterval = "1h".repeat(20);
    assertThat(violations(schema, route))
        .containsExactly(
            "spec.groupBy: more than 32 items",
            "spec.repeatInterval: longer than 32 characters",
            "spec.silences: more than 64 items",
            "spec.sinks: more than 16 items");
  }

  @Test
  void theSamplesPassTheSchema() throws IOException {
    Map<String, JsonNode> schemas =
        Map.of("HealthProbe", specSchema("healthprobes"), "AlertRoute", specSchema("alertroutes"));
    List<Path> files;
    try (Stream<Path> listing = Files.list(Path.of("deploy", "samples"))) {
      files = listing.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    int checked = 0;
    for (Path file : files) {
      for (JsonNode doc :
          YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
        JsonNode schema = doc == null ? null : schemas.get(doc.path("kind").asText());
        if (schema != null) {
          List<String> found = new ArrayList<>();
          validate(doc.path("spec"), schema, "spec", found);
          assertThat(found).as("%s %s", file, doc.path("metadata").path("name")).isEmpty();
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(5);
  }

  /** The schema of {@code spec} in crds/{plural}.vigie.dihya.io.yaml. */
  private static JsonNode specSchema(String plural) throws IOException {
    JsonNode crd = YAML.readTree(Path.of("crds", plural + ".vigie.dihya.io.yaml").toFile());
    return crd.path("spec")
        .path("versions")
        .get(0)
        .path("schema")
        .path("openAPIV3Schema")
        .path("properties")
        .path("spec");
  }

  private static List<String> violations(JsonNode schema, Object spec) {
    List<String> found = new ArrayList<>();
    validate(JSON.valueToTree(spec), schema, "spec", found);
    return found;
  }

  /** The rules of a structural schema that bound a value, as the API server checks them. */
  private static void validate(JsonNode value, JsonNode schema, String path, List<String> found) {
    if (value == null || value.isNull() || schema == null || schema.isMissingNode()) {
      return;
    }
    if (schema.has("enum") && !contains(schema.get("enum"), value)) {
      found.add(path + ": not one of the allowed values");
    }
    switch (schema.path("type").asText()) {
      case "string" -> {
        String text = value.asText();
        if (schema.has("maxLength")
            && text.codePointCount(0, text.length()) > schema.get("maxLength").asLong()) {
          found.add(path + ": longer than " + schema.get("maxLength").asLong() + " characters");
        } else if (schema.has("pattern")
            && !Pattern.compile(schema.get("pattern").asText()).matcher(text).find()) {
          found.add(path + ": does not match the pattern");
        }
      }
      case "integer", "number" -> {
        if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
          found.add(path + ": less than " + schema.get("minimum").asLong());
        }
        if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
          found.add(path + ": more than " + schema.get("maximum").asLong());
        }
      }
      case "array" -> {
        if (schema.has("maxItems") && value.size() > schema.get("maxItems").asLong()) {
          found.add(path + ": more than " + schema.get("maxItems").asLong() + " items");
          return;
        }
        for (int i = 0; i < value.size(); i++) {
          validate(value.get(i), schema.get("items"), path + "[" + i + "]", found);
        }
      }
      case "object" -> {
        if (schema.has("maxProperties") && value.size() > schema.get("maxProperties").asLong()) {
          found.add(path + ": more than " + schema.get("maxProperties").asLong() + " properties");
          return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          JsonNode fieldSchema =
              schema.path("properties").has(field.getKey())
                  ? schema.path("properties").get(field.getKey())
                  : schema.get("additionalProperties");
          validate(field.getValue(), fieldSchema, path + "." + field.getKey(), found);
        }
      }
      default -> {}
    }
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode allowed : values) {
      if (allowed.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static HttpHeader header(String name, String value) {
    HttpHeader header = new HttpHeader();
    header.name = name;
    header.value = value;
    return header;
  }

  private static HealthProbeSpec http(String url) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.http = new HttpCheck();
    spec.http.url = url;
    return spec;
  }
}
