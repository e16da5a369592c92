package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The foundation end to end: the real kube-apiserver, the committed CRDs and samples applied with
 * kubectl, and the built operator reconciling them.
 */
class FoundationE2EIT {

  private static LocalCluster cluster;
  private static OperatorProcess operator;

  @BeforeAll
  static void startOperator() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    operator = OperatorProcess.start(cluster, "foundation");
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void samplesAreAcceptedAndEachProbeSaysWhetherItRuns() {
    String namespace = cluster.createNamespace("samples");
    for (String sample : new String[] {"secrets", "healthprobes", "alertroute"}) {
      cluster
          .kubectl("apply", "-n", namespace, "-f", "deploy/samples/" + sample + ".yaml")
          .assertSuccess();
    }
    // Every sample route has a sink whose CA comes from a placeholder Secret: said, not run.
    String routeReadiness =
        "-o=jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")]"
            + ".reason}{\"\\n\"}{end}";
    Map<String, String> routes =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> parse(cluster.kubectl("get", "ar", "-n", namespace, routeReadiness).output()),
                found -> found.size() == 3 && !found.containsValue(""));
    assertThat(routes)
        .containsEntry("critical-pages", "InvalidSpec")
        .containsEntry("platform-audit", "InvalidSpec")
        .containsEntry("school-it-desk", "InvalidSpec");
    assertThat(
            cluster
                .kubectl(
                    "get",
                    "ar",
                    "critical-pages",
                    "-n",
                    namespace,
                    "-o=jsonpath={.status.conditions[0].message}")
                .output())
        .isEqualTo("spec.sinks[2].alertmanager.tls.caSecretRef: not a PEM certificate");
    String readiness =
        "-o=jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")]"
            + ".reason}{\"\\n\"}{end}";
    Map<String, String> reasons =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> parse(cluster.kubectl("get", "hp", "-n", namespace, readiness).output()),
                found -> found.size() == 9 && !found.containsValue(""));
    // Checks that run (against targets that do not exist here); the one shipped suspended.
    assertThat(reasons)
        .containsEntry("shop-orders-api", "Accepted")
        .containsEntry("school-mail-relay", "Accepted")
        .containsEntry("school-exam-proctoring", "Suspended")
        .containsEntry("hospital-fhir-api", "InvalidSpec")
        .containsEntry("shop-payments-dns", "Accepted")
        // The samples' Secrets hold placeholders ("replace-me"), not PEM: said, not run.
        .containsEntry("school-grading-grpc", "InvalidSpec")
        .containsEntry("hospital-portal-certificate", "InvalidSpec")
        .containsEntry("hospital-records-db", "InvalidSpec")
        .containsEntry("shop-session-cache", "InvalidSpec");
    cluster
        .kubectl(
            "wait",
            "--for=condition=Ready",
            "--timeout=10s",
            "-n",
            namespace,
            "hp/shop-orders-api",
            "hp/school-mail-relay")
        .assertSuccess();

    String table = cluster.kubectl("get", "hp", "-n", namespace).assertSuccess().output();
    assertThat(table.lines().findFirst().orElse(""))
        .containsSubsequence("NAME", "TARGET", "HEALTH", "LATENCY", "SINCE", "AGE");
    assertThat(table).contains("Suspended");
    String wide =
        cluster.kubectl("get", "hp", "-n", namespace, "-o", "wide").assertSuccess().output();
    assertThat(wide.lines().findFirst().orElse(""))
        .containsSubsequence("TARGET", "HEALTH", "LATENCY", "SINCE", "AGE", "INTERVAL", "SEVERITY");
    String all = cluster.kubectl("get", "vigie", "-n", namespace).assertSuccess().output();
    assertThat(all)
        .contains("alertroute.vigie.dihya.io/")
        .contains("healthprobe.vigie.dihya.io/")
        .contains("pagerduty-oncall,slack-incidents");
  }

  private static Map<String, String> parse(String lines) {
    Map<String, String> parsed = new TreeMap<>();
    lines
        .lines()
        .filter(line -> line.contains("="))
        .forEach(
            line ->
                parsed.put(
                    line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
    return parsed;
  }

  @Test
  void invalidSampleIsRejectedByTheApiServerNamingTheFields() {
    String namespace = cluster.createNamespace("schema");
    Commands.Result result =
        cluster.kubectl(
            "apply", "-n", namespace, "-f", "src/test/resources/e2e/invalid-healthprobe.yaml");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains("spec.interval")
        .contains("spec.severity")
        .contains("\"critical\"", "\"warning\"", "\"info\"");
  }

  @Test
  void whatTheSchemaCannotSayIsReportedAsInvalidSpec() {
    String namespace = cluster.createNamespace("invalid");
    cluster
        .kubectl("apply", "-n", namespace, "-f", "src/test/resources/e2e/two-check-blocks.yaml")
        .assertSuccess();
    String jsonPath =
        "-o=jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"
            + "/{.status.conditions[?(@.type==\"Ready\")].reason}"
            + "/{.status.conditions[?(@.type==\"Ready\")].message}";
    String ready =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    cluster
                        .kubectl("get", "hp", "two-check-blocks", "-n", namespace, jsonPath)
                        .output(),
                out -> out.startsWith("False/"));
    assertThat(ready)
        .isEqualTo("False/InvalidSpec/spec: set exactly one check block, found 2: http, tcp");
  }

  @Test
  void kubectlExplainDescribesTheFields() {
    // The API server publishes a new CRD's OpenAPI schema a few seconds after it is established.
    String explained =
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(2))
            .until(
                () -> cluster.kubectl("explain", "healthprobe.spec.http").output(),
                out -> out.contains("expectStatus"));
    // kubectl wraps descriptions: compare with the white space folded.
    assertThat(explained.replaceAll("\\s+", " "))
        .contains("An HTTP(S) request.")
        .contains("url")
        .contains("Never put credentials in it")
        .contains("followRedirects");
    String route =
        cluster.kubectl("explain", "alertroute.spec.sinks.webhook").assertSuccess().output();
    assertThat(route.replaceAll("\\s+", " "))
        .contains("signingKeySecretRef")
        .contains("Standard Webhooks headers webhook-id");
  }
}
