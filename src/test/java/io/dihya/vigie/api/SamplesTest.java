package io.dihya.vigie.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dihya.vigie.alert.AlertRouteValidator;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.alert.sink.NotificationTemplate;
import io.dihya.vigie.api.v1alpha1.AlertRoute;
import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.Names;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.kube.SpecProblems;
import io.dihya.vigie.probe.HealthProbeValidator;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The samples users apply first (deploy/samples) must be accepted as they are: every document maps
 * onto the API classes without an unknown field, passes its validator, and every Secret it names
 * exists in secrets.yaml. Together the samples must show every check type, every sink kind and
 * every field of the API, so a new field without a sample fails here.
 */
class SamplesTest {

  private static final Path SAMPLES = Path.of("deploy", "samples");
  private static final String API_VERSION = HealthProbe.GROUP + "/" + HealthProbe.VERSION;
  private static final Package API_PACKAGE = HealthProbeSpec.class.getPackage();
  private static final String PLACEHOLDER = "replace-me";

  /** Strict on purpose: a misspelt field or a key written twice in a sample fails the test. */
  private static final ObjectMapper STRICT =
      new ObjectMapper(
              YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /** One YAML document of a sample file. */
  record Document(String where, JsonNode tree) {
    String kind() {
      return tree.path("kind").asText();
    }

    String name() {
      return tree.path("metadata").path("name").asText();
    }
  }

  /** A secret reference found in a sample: where it is, and the Secret name and key it names. */
  record Reference(String where, String name, String key) {}

  private static List<Document> documents;

  @BeforeAll
  static void readSamples() throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(SAMPLES)) {
      files = listing.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .as("sample files in %s", SAMPLES.toAbsolutePath())
        .map(p -> p.getFileName().toString())
        .contains("healthprobes.yaml", "alertroute.yaml", "secrets.yaml");
    documents = new ArrayList<>();
    for (Path file : files) {
      try (MappingIterator<JsonNode> docs =
          STRICT.readerFor(JsonNode.class).readValues(file.toFile())) {
        int index = 0;
        while (docs.hasNext()) {
          JsonNode tree = docs.next();
          index++;
          if (tree != null && tree.isObject() && !tree.isEmpty()) {
            documents.add(new Document(file.getFileName() + " document " + index, tree));
          }
        }
      }
    }
  }

  @Test
  void everyDocumentIsAKnownKindWithANameAndNoNamespace() {
    for (Document doc : documents) {
      assertThat(doc.kind()).as(doc.where()).isIn("HealthProbe", "AlertRoute", "Secret");
      String apiVersion = doc.kind().equals("Secret") ? "v1" : API_VERSION;
      assertThat(doc.tree().path("apiVersion").asText()).as(doc.where()).isEqualTo(apiVersion);
      assertThat(doc.name()).as(doc.where() + " metadata.name").matches(Names.DNS_SUBDOMAIN);
      assertThat(doc.tree().path("metadata").has("namespace"))
          .as(doc.where() + ": users choose the namespace with kubectl -n")
          .isFalse();
    }
    for (String kind : List.of("HealthProbe", "AlertRoute", "Secret")) {
      List<String> names = ofKind(kind).stream().map(Document::name).toList();
      assertThat(names).as("names of the %s samples", kind).isNotEmpty().doesNotHaveDuplicates();
    }
  }

  @Test
  void everyHealthProbeMapsStrictlyAndIsValid() {
    Set<String> probeNames = new TreeSet<>();
    ofKind("HealthProbe").forEach(doc -> probeNames.add(doc.name()));
    for (Document doc : ofKind("HealthProbe")) {
      HealthProbe probe = map(doc, HealthProbe.class);
      assertThat(probe.getMetadata().getAdditionalProperties())
          .as(doc.where() + " unknown metadata fields")
          .isEmpty();
      SpecProblems problems = HealthProbeValidator.validate(doc.name(), probe.getSpec());
      assertThat(problems.list()).as(doc.where() + " " + doc.name() + " problems").isEmpty();
      assertThat(probe.getSpec().dependsOn)
          .as(doc.where() + " dependsOn names probes of the samples")
          .allMatch(probeNames::contains);
    }
  }

  @Test
  void everyAlertRouteMapsStrictlyAndIsValid() {
    for (Document doc : ofKind("AlertRoute")) {
      AlertRoute route = map(doc, AlertRoute.class);
      assertThat(route.getMetadata().getAdditionalProperties())
          .as(doc.where() + " unknown metadata fields")
          .isEmpty();
      SpecProblems problems = AlertRouteValidator.validate(route.getSpec());
      assertThat(problems.list()).as(doc.where() + " " + doc.name() + " problems").isEmpty();
      // The schema checks these; the validator does not, and no API server runs here.
      assertThat(route.getSpec().sinks)
          .as(doc.where() + " sink names are DNS labels")
          .map(sink -> sink.name)
          .allMatch(name -> name.matches(Names.DNS_LABEL));
      if (route.getSpec().probeSelector != null) {
        assertThat(route.getSpec().probeSelector.getAdditionalProperties())
            .as(doc.where() + " unknown probeSelector fields")
            .isEmpty();
      }
    }
  }

  @Test
  void samplesCoverEveryCheckType() {
    Set<String> used = new TreeSet<>();
    for (HealthProbeSpec spec : probeSpecs()) {
      used.addAll(HealthProbeValidator.checkBlocks(spec));
    }
    assertThat(used)
        .containsExactlyInAnyOrder(
            "http", "tcp", "dns", "grpc", "tls", "postgres", "redis", "kubernetes");
  }

  @Test
  void samplesCoverEverySinkKindAndEveryWebhookFormat() {
    Set<String> kinds = new TreeSet<>();
    Set<WebhookSink.Format> formats = new TreeSet<>();
    boolean signed = false;
    for (AlertRouteSpec spec : routeSpecs()) {
      for (Sink sink : spec.sinks) {
        kinds.addAll(AlertRouteValidator.sinkKinds(sink));
        if (sink.webhook != null) {
          formats.add(sink.webhook.format);
          signed |= sink.webhook.signingKeySecretRef != null;
        }
      }
    }
    assertThat(kinds)
        .containsExactlyInAnyOrder(
            "log", "webhook", "slack", "teams", "pagerduty", "email", "alertmanager", "ipfs");
    assertThat(formats).containsExactlyInAnyOrder(WebhookSink.Format.values());
    assertThat(signed).as("a signed webhook").isTrue();

    List<AlertRouteSpec> specs = routeSpecs();
    assertThat(specs)
        .as("a route selecting by matchLabels")
        .anyMatch(s -> s.probeSelector != null && !s.probeSelector.getMatchLabels().isEmpty());
    assertThat(specs)
        .as("a route selecting by matchExpressions")
        .anyMatch(s -> s.probeSelector != null && !s.probeSelector.getMatchExpressions().isEmpty());
  }

  @Test
  void sampleTemplatesCompileAndTheirPayloadStaysJsonWithHostileLabels() throws Exception {
    String hostile = "say \"hi\" \\ to\nall } { \u2028 \uD83D\uDE80";
    Notification.Alert alert =
        new Notification.Alert(
            "0123456789abcdef",
            Notification.Status.FIRING,
            Map.of("namespace", "school", "probe", hostile, "severity", "warning"),
            Map.of("summary", hostile),
            Instant.parse("2026-11-24T12:00:00Z"),
            null,
            "warning");
    Notification notification =
        new Notification(
            "n-1",
            Notification.Kind.ALERTS,
            "school/school-it-desk",
            "helpdesk-tickets",
            "key",
            Notification.Status.FIRING,
            Map.of("probe", hostile),
            Map.of("namespace", "school", "probe", hostile, "severity", "warning"),
            Map.of("summary", hostile),
            List.of(alert),
            "title",
            "text",
            Instant.parse("2026-11-24T12:00:30Z"));
    int templates = 0;
    for (AlertRouteSpec spec : routeSpecs()) {
      if (spec.template == null) {
        continue;
      }
      if (spec.template.message != null) {
        templates++;
        NotificationTemplate message =
            NotificationTemplate.compile(spec.template.message, "spec.template.message");
        assertThat(message.tryRender(notification).text()).contains(hostile, "firing");
      }
      if (spec.template.payload != null) {
        templates++;
        NotificationTemplate payload =
            NotificationTemplate.compilePayload(spec.template.payload, "spec.template.payload");
        NotificationTemplate.Rendering body = payload.tryRender(notification);
        assertThat(body.problem()).isNull();
        JsonNode json = new ObjectMapper().readTree(body.text());
        assertThat(json.toString())
            .as("the payload keeps every value whole")
            .contains(new ObjectMapper().writeValueAsString(hostile));
      }
    }
    assertThat(templates).as("sample message and payload templates").isEqualTo(2);
  }

  @Test
  void samplesUseEveryFieldOfTheApi() {
    Map<Class<?>, Set<String>> expected = new LinkedHashMap<>();
    apiFields(HealthProbeSpec.class, expected);
    apiFields(AlertRouteSpec.class, expected);
    Map<Class<?>, Set<String>> used = new LinkedHashMap<>();
    for (Document doc : ofKind("HealthProbe")) {
      usedFields(doc.tree().path("spec"), HealthProbeSpec.class, used);
    }
    for (Document doc : ofKind("AlertRoute")) {
      usedFields(doc.tree().path("spec"), AlertRouteSpec.class, used);
    }
    Set<String> missing = new TreeSet<>();
    expected.forEach(
        (type, fields) ->
            fields.stream()
                .filter(field -> !used.getOrDefault(type, Set.of()).contains(field))
                .forEach(field -> missing.add(typeName(type) + "." + field)));
    assertThat(missing).as("API fields that no sample uses").isEmpty();
  }

  @Test
  void everySecretReferenceOfTheApiIsNamedSoTheSamplesWalkFindsIt() {
    Map<Class<?>, Set<String>> types = new LinkedHashMap<>();
    apiFields(HealthProbeSpec.class, types);
    apiFields(AlertRouteSpec.class, types);
    List<String> misnamed = new ArrayList<>();
    for (Class<?> type : types.keySet()) {
      for (Field field : properties(type)) {
        String name = propertyName(field);
        if (field.getType() == SecretKeyRef.class && !isSecretReference(name)) {
          misnamed.add(typeName(type) + "." + name);
        }
      }
    }
    assertThat(misnamed).as("SecretKeyRef fields not named secretKeyRef or *SecretRef").isEmpty();
  }

  @Test
  void everySecretReferenceResolvesToASecretOfTheSamples() {
    Map<String, Set<String>> secrets = new LinkedHashMap<>();
    for (Document doc : ofKind("Secret")) {
      assertThat(doc.tree().path("type").asText()).as(doc.where()).isEqualTo("Opaque");
      JsonNode data = doc.tree().path("stringData");
      assertThat(data.isObject() && !data.isEmpty()).as(doc.where() + " stringData").isTrue();
      Set<String> keys = new TreeSet<>();
      data.properties()
          .forEach(
              entry -> {
                keys.add(entry.getKey());
                assertThat(entry.getValue().asText())
                    .as(doc.where() + " " + entry.getKey() + " must be an obvious placeholder")
                    .contains(PLACEHOLDER);
              });
      secrets.put(doc.name(), keys);
    }

    List<Reference> references = new ArrayList<>();
    for (Document doc : documents) {
      if (!doc.kind().equals("Secret")) {
        secretReferences(
            doc.tree().path("spec"), doc.where() + " " + doc.name() + ": spec", references);
      }
    }
    assertThat(references).as("secret references in the samples").isNotEmpty();
    List<String> unresolved =
        references.stream()
            .filter(r -> !secrets.getOrDefault(r.name(), Set.of()).contains(r.key()))
            .map(r -> r.where() + " -> " + r.name() + "/" + r.key())
            .toList();
    assertThat(unresolved).as("secret references missing from secrets.yaml").isEmpty();

    Set<String> unused = new TreeSet<>();
    secrets.forEach(
        (name, keys) ->
            keys.stream()
                .filter(
                    key ->
                        references.stream()
                            .noneMatch(r -> r.name().equals(name) && r.key().equals(key)))
                .forEach(key -> unused.add(name + "/" + key)));
    assertThat(unused).as("Secret keys no sample references").isEmpty();
  }

  /** Maps a document strictly, failing with the sample and the field path that do not map. */
  private static <T> T map(Document doc, Class<T> type) {
    try {
      return STRICT.treeToValue(doc.tree(), type);
    } catch (JsonMappingException e) {
      throw new AssertionError(
          doc.where()
              + " "
              + doc.name()
              + " at "
              + e.getPathReference()
              + ": "
              + e.getOriginalMessage(),
          e);
    } catch (JsonProcessingException e) {
      throw new AssertionError(doc.where() + " " + doc.name() + ": " + e.getOriginalMessage(), e);
    }
  }

  private static List<Document> ofKind(String kind) {
    return documents.stream().filter(doc -> doc.kind().equals(kind)).toList();
  }

  private static List<HealthProbeSpec> probeSpecs() {
    List<HealthProbeSpec> specs = new ArrayList<>();
    for (Document doc : ofKind("HealthProbe")) {
      specs.add(map(doc, HealthProbe.class).getSpec());
    }
    return specs;
  }

  private static List<AlertRouteSpec> routeSpecs() {
    List<AlertRouteSpec> specs = new ArrayList<>();
    for (Document doc : ofKind("AlertRoute")) {
      specs.add(map(doc, AlertRoute.class).getSpec());
    }
    return specs;
  }

  /** Walks the raw YAML, so a reference counts wherever it is written, whatever the Java type. */
  private static void secretReferences(JsonNode node, String path, List<Reference> out) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        secretReferences(node.get(i), path + "[" + i + "]", out);
      }
    } else if (node.isObject()) {
      node.properties()
          .forEach(
              entry -> {
                String childPath = path + "." + entry.getKey();
                if (isSecretReference(entry.getKey())) {
                  JsonNode ref = entry.getValue();
                  out.add(
                      new Reference(
                          childPath, ref.path("name").asText(), ref.path("key").asText()));
                } else {
                  secretReferences(entry.getValue(), childPath, out);
                }
              });
    }
  }

  private static boolean isSecretReference(String property) {
    return property.equals("secretKeyRef") || property.endsWith("SecretRef");
  }

  /** Every property of every API class reachable from {@code type}, by class. */
  private static void apiFields(Class<?> type, Map<Class<?>, Set<String>> out) {
    if (out.containsKey(type)) {
      return;
    }
    Set<String> names = new TreeSet<>();
    out.put(type, names);
    for (Field field : properties(type)) {
      names.add(propertyName(field));
      for (Class<?> nested : apiClassesIn(field.getGenericType())) {
        apiFields(nested, out);
      }
    }
  }

  /** Records which properties of which API class the YAML {@code node} sets. */
  private static void usedFields(JsonNode node, Type type, Map<Class<?>, Set<String>> used) {
    if (type instanceof ParameterizedType generic) {
      Type[] arguments = generic.getActualTypeArguments();
      Class<?> raw = (Class<?>) generic.getRawType();
      if (List.class.isAssignableFrom(raw)) {
        node.forEach(element -> usedFields(element, arguments[0], used));
      } else if (Map.class.isAssignableFrom(raw)) {
        node.forEach(value -> usedFields(value, arguments[1], used));
      }
      return;
    }
    if (!(type instanceof Class<?> clazz) || !isApiClass(clazz) || !node.isObject()) {
      return;
    }
    node.properties()
        .forEach(
            entry ->
                property(clazz, entry.getKey())
                    .ifPresent(
                        field -> {
                          used.computeIfAbsent(clazz, c -> new TreeSet<>()).add(entry.getKey());
                          usedFields(entry.getValue(), field.getGenericType(), used);
                        }));
  }

  private static List<Class<?>> apiClassesIn(Type type) {
    List<Class<?>> classes = new ArrayList<>();
    if (type instanceof ParameterizedType generic) {
      for (Type argument : generic.getActualTypeArguments()) {
        classes.addAll(apiClassesIn(argument));
      }
    } else if (type instanceof Class<?> clazz && isApiClass(clazz)) {
      classes.add(clazz);
    }
    return classes;
  }

  private static boolean isApiClass(Class<?> type) {
    return API_PACKAGE.equals(type.getPackage()) && !type.isEnum();
  }

  private static List<Field> properties(Class<?> type) {
    return Stream.of(type.getFields()).filter(f -> !Modifier.isStatic(f.getModifiers())).toList();
  }

  private static Optional<Field> property(Class<?> type, String name) {
    return properties(type).stream().filter(f -> propertyName(f).equals(name)).findFirst();
  }

  private static String propertyName(Field field) {
    JsonProperty annotation = field.getAnnotation(JsonProperty.class);
    return annotation == null || annotation.value().isEmpty()
        ? field.getName()
        : annotation.value();
  }

  private static String typeName(Class<?> type) {
    return type.getName().substring(API_PACKAGE.getName().length() + 1).replace('$', '.');
  }
}
