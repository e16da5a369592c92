package io.dihya.vigie.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.e2e.Project;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * vigie's Grafana dashboard and Prometheus alerting rules as users load them: the copies in
 * deploy/monitoring are the chart's files, every query names only metrics the operator exposes and
 * parses as PromQL, the rules pass promtool's check and their own unit tests, and the chart renders
 * them only when asked, for its release's job.
 */
class MonitoringAssetsTest {

  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Path CHART_FILES = VigieChart.dir().resolve("files");
  private static final Path DEPLOY = Project.dir().resolve("deploy/monitoring");
  private static final String DASHBOARD = "vigie-dashboard.json";
  private static final String RULES = "vigie-rules.yaml";

  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The series the operator exposes (README, metrics) whose names the assets may use. */
  private static final Set<String> METRICS = metrics();

  /** A name from one of the operator's families, whole: not the tail of another identifier. */
  private static final Pattern METRIC_NAME =
      Pattern.compile("\\b(?:probe|vigie|operator_sdk|jvm|process|system)_[a-z0-9_]+");

  /** The dashboard's variables as a query may hold them, and what stands in for them in a check. */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(job|namespace|probe)}?");

  private static Set<String> metrics() {
    Set<String> names =
        new TreeSet<>(
            List.of(
                "probe_success",
                "probe_duration_seconds",
                "probe_http_status_code",
                "probe_ssl_earliest_cert_expiry",
                "vigie_probe_healthy",
                "vigie_probe_consecutive_failures",
                "vigie_probe_last_check_reason",
                "vigie_checks_total",
                "vigie_check_failures_total",
                "vigie_check_runs_skipped_total",
                "vigie_probes_scheduled",
                "vigie_checks_in_flight",
                "vigie_checks_waiting",
                "vigie_notifications_sent_total",
                "vigie_notifications_failed_total",
                "vigie_notifications_retried_total",
                "vigie_notifications_dropped_total",
                "vigie_sink_queue_depth",
                "vigie_status_patches_total",
                "vigie_events_written_total",
                "vigie_events_failed_total",
                "operator_sdk_reconciliations_started_total",
                "operator_sdk_reconciliations_success_total",
                "operator_sdk_reconciliations_failed_total",
                "operator_sdk_events_received_total",
                "process_cpu_usage",
                "system_cpu_count",
                "jvm_memory_used_bytes",
                "jvm_memory_max_bytes",
                "jvm_gc_pause_seconds_sum",
                "jvm_gc_pause_seconds_count",
                "jvm_threads_live_threads",
                "process_start_time_seconds",
                "process_uptime_seconds"));
    // Micrometer timers with a percentile histogram.
    for (String histogram : List.of("vigie_schedule_lag_seconds", "vigie_check_duration_seconds")) {
      for (String suffix : List.of("_bucket", "_sum", "_count", "_max")) {
        names.add(histogram + suffix);
      }
    }
    return names;
  }

  private static Set<String> unknownMetrics(String query) {
    Set<String> unknown = new TreeSet<>();
    Matcher names = METRIC_NAME.matcher(query);
    while (names.find()) {
      if (!METRICS.contains(names.group())) {
        unknown.add(names.group());
      }
    }
    return unknown;
  }

  private static JsonNode dashboard() throws IOException {
    return JSON.readTree(Files.readString(CHART_FILES.resolve(DASHBOARD)));
  }

  /** The panels, those inside rows included. */
  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  private static JsonNode variable(JsonNode dashboard, String name) {
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("name").asText().equals(name)) {
        return variable;
      }
    }
    throw new AssertionError("no dashboard variable " + name);
  }

  /** Runs promtool; its exit status and output. */
  private static Result promtool(String... args) throws IOException, InterruptedException {
    if (!Files.isExecutable(PROMTOOL)) {
      // As the tests of the other Debian servers: skipped here, a failure on CI.
      String message =
          "promtool is missing: install Debian's prometheus package"
              + " (apt-get install --no-install-recommends prometheus; .ci/run does on CI)";
      if ("true".equals(System.getenv("CI"))) {
        org.junit.jupiter.api.Assertions.fail(message);
      }
      org.junit.jupiter.api.Assumptions.abort(message);
    }
    List<String> command = new ArrayList<>(List.of(PROMTOOL.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(process.exitValue(), String.join(" ", command) + "\n" + output);
  }

  private record Result(int exit, String output) {}

  @Test
  void theCopiesInDeployMonitoringAreTheChartsFiles() throws IOException {
    for (String name : List.of(DASHBOARD, RULES)) {
      assertThat(Files.readString(DEPLOY.resolve(name)))
          .as("deploy/monitoring/%s differs from helm/vigie/files/%s: copy it over", name, name)
          .isEqualTo(Files.readString(CHART_FILES.resolve(name)));
    }
  }

  @Test
  void theDashboardIsGrafanaJsonWithVariablesForTheDataSourceNamespacesAndProbes()
      throws IOException {
    JsonNode dashboard = dashboard();
    assertThat(dashboard.path("uid").asText()).isEqualTo("vigie");
    assertThat(dashboard.path("title").asText()).isEqualTo("vigie");
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);

    JsonNode datasource = variable(dashboard, "datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
    JsonNode namespace = variable(dashboard, "namespace");
    assertThat(namespace.path("multi").asBoolean()).isTrue();
    assertThat(namespace.path("definition").asText()).startsWith("label_values(probe_success");
    assertThat(namespace.path("definition").asText()).endsWith(", namespace)");
    assertThat(variable(dashboard, "probe").path("definition").asText())
        .startsWith("label_values(probe_success")
        .endsWith(", probe)");

    List<JsonNode> panels = panels(dashboard);
    assertThat(panels).isNotEmpty();
    assertThat(panels.stream().map(p -> p.path("id").asInt()).distinct())
        .as("panel ids are unique")
        .hasSize(panels.size());
    for (JsonNode panel : panels) {
      String title = panel.path("title").asText();
      assertThat(panel.path("gridPos").path("w").asInt()).as(title).isBetween(1, 24);
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("targets")).as("targets of %s", title).isNotEmpty();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as("a query of %s", title).isNotBlank();
        assertThat(target.path("datasource").path("uid").asText())
            .as("data source of %s", title)
            .isEqualTo("${datasource}");
      }
    }
  }

  @Test
  void theDashboardsQueriesNameOnlyVigiesMetricsAndParse()
      throws IOException, InterruptedException {
    JsonNode dashboard = dashboard();
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
    }
    assertThat(queries).hasSizeGreaterThan(20);
    List<String> variableQueries = new ArrayList<>();
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        variableQueries.add(variable.path("definition").asText());
      }
    }
    for (String query : Stream.concat(queries.stream(), variableQueries.stream()).toList()) {
      assertThat(unknownMetrics(query))
          .as("metrics the operator does not expose in %s", query)
          .isEmpty();
    }

    // Each query as a recording rule, with the variables Grafana fills in made concrete.
    List<Map<String, Object>> rules = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      String expr =
          VARIABLE.matcher(queries.get(i).replace("$__rate_interval", "5m")).replaceAll(".*");
      Map<String, Object> rule = new LinkedHashMap<>();
      rule.put("record", "vigie_dashboard_query_" + i);
      rule.put("expr", expr);
      rules.add(rule);
    }
    Path file = Files.createTempFile("vigie-dashboard-queries", ".yaml");
    try {
      Files.writeString(
          file,
          YAML.asYaml(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
      Result check = promtool("check", "rules", file.toString());
      assertThat(check.exit()).as(check.output()).isZero();
      assertThat(check.output()).contains("SUCCESS: " + queries.size() + " rules found");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void theRulesPassPromtoolsCheckAndTheirUnitTests() throws IOException, InterruptedException {
    Result check = promtool("check", "rules", DEPLOY.resolve(RULES).toString());
    assertThat(check.exit()).as(check.output()).isZero();
    Result test = promtool("test", "rules", DEPLOY.resolve("vigie-rules.test.yaml").toString());
    assertThat(test.exit()).as(test.output()).isZero();

    // Every alert has a unit test, and every query names vigie's metrics (or its targets' up).
    Set<String> alerts = new TreeSet<>();
    for (Map<String, Object> rule : rules(Files.readString(CHART_FILES.resolve(RULES)))) {
      alerts.add((String) rule.get("alert"));
      String expr = (String) rule.get("expr");
      assertThat(unknownMetrics(expr))
          .as("metrics the operator does not expose in %s", expr)
          .isEmpty();
      assertThat(expr).as("an alert on vigie's own series").contains("{job=\"vigie\"");
    }
    assertThat(alerts)
        .containsExactlyInAnyOrder(
            "VigieOperatorDown",
            "VigieScheduleLagHigh",
            "VigieChecksWaiting",
            "VigieSinkFailing",
            "VigieNotificationsDropped",
            "VigieReconcileErrors",
            "VigieProbeCertificateExpiringSoon",
            "VigieProbesUnhealthy");
    String tests = Files.readString(DEPLOY.resolve("vigie-rules.test.yaml"));
    for (String alert : alerts) {
      assertThat(tests).as("a test of %s", alert).contains("alertname: " + alert + "\n");
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules(String yaml) {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : groups(yaml)) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    return rules;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> groups(String yaml) {
    return (List<Map<String, Object>>) YAML.unmarshal(yaml, Map.class).get("groups");
  }

  private static List<HasMetadata> render(String release, String values) {
    return VigieChart.objects(
        VigieChart.template(release, "ops", VigieChart.MANIFEST_KUBE_VERSION, values));
  }

  @Test
  void theChartRendersNeitherByDefault() {
    List<HasMetadata> objects = render("vigie", "");
    assertThat(objects).isNotEmpty();
    assertThat(objects).noneMatch(o -> o.getKind().equals("PrometheusRule"));
    assertThat(objects)
        .noneMatch(
            o ->
                o.getMetadata().getLabels() != null
                    && o.getMetadata().getLabels().containsKey("grafana_dashboard"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePrometheusRuleHoldsTheRulesForTheReleasesJob() throws IOException {
    // Not "vigie": the job, the Service's name, must become the release's.
    List<HasMetadata> objects =
        render(
            "monitoring",
            "prometheusRule: {enabled: true, labels: {release: kube-prometheus-stack}}\n");
    GenericKubernetesResource rule =
        objects.stream()
            .filter(o -> o.getKind().equals("PrometheusRule"))
            .map(GenericKubernetesResource.class::cast)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no PrometheusRule"));
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getNamespace()).isEqualTo("ops");
    assertThat(rule.getMetadata().getName()).isEqualTo("monitoring-vigie");
    assertThat(rule.getMetadata().getLabels())
        .containsEntry("release", "kube-prometheus-stack")
        .containsEntry("app.kubernetes.io/instance", "monitoring");

    Map<String, Object> spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
    String file = Files.readString(CHART_FILES.resolve(RULES));
    assertThat(spec.get("groups"))
        .isEqualTo(groups(file.replace("job=\"vigie\"", "job=\"monitoring-vigie\"")));
    List<Map<String, Object>> rules =
        (List<Map<String, Object>>)
            ((List<Map<String, Object>>) spec.get("groups")).get(0).get("rules");
    assertThat(rules)
        .filteredOn(r -> "VigieOperatorDown".equals(r.get("alert")))
        .singleElement()
        .satisfies(
            r -> assertThat(r.get("expr")).isEqualTo("absent(up{job=\"monitoring-vigie\"} == 1)"));
    assertThat(rules)
        .allSatisfy(r -> assertThat((String) r.get("expr")).doesNotContain("job=\"vigie\""));
  }

  @Test
  void theDashboardConfigMapIsLabelledForGrafanasSidecar() throws IOException {
    List<HasMetadata> objects =
        render("vigie", "grafanaDashboard: {enabled: true, labels: {team: platform}}\n");
    ConfigMap dashboard =
        objects.stream()
            .filter(ConfigMap.class::isInstance)
            .map(ConfigMap.class::cast)
            .filter(c -> c.getMetadata().getLabels().containsKey("grafana_dashboard"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no ConfigMap labelled grafana_dashboard"));
    assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("ops");
    assertThat(dashboard.getMetadata().getLabels())
        .containsEntry("grafana_dashboard", "1")
        .containsEntry("team", "platform");
    assertThat(dashboard.getData()).containsOnlyKeys("vigie.json");
    assertThat(JSON.readTree(dashboard.getData().get("vigie.json"))).isEqualTo(dashboard());
  }
}
