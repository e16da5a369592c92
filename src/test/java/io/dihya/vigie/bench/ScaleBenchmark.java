package io.dihya.vigie.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.e2e.Commands;
import io.dihya.vigie.e2e.LocalCluster;
import io.dihya.vigie.e2e.OperatorProcess;
import io.dihya.vigie.e2e.Parallel;
import io.dihya.vigie.e2e.WebhookReceiver;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The scale benchmark (issue 7): N HTTP probes at one interval against a local nginx, run by the
 * built operator (fast-jar) against a real local API server, then the same checks made by
 * Prometheus' blackbox_exporter, and one table of figures. Run it with {@code bench/scale.sh}; it
 * prints, for each probe count, what the README's performance section quotes.
 *
 * <p>Phases per probe count: create the probes while the operator runs (time to all Ready with a
 * verdict); a steady window (checks per second, schedule lag, CPU, memory, API requests, status
 * writes); an outage of a few probes' target (detection time, alert delivery latency); the operator
 * stopped and blackbox_exporter driven at the same rate (its CPU per 1,000 checks); the probes'
 * statuses cleared and the operator started with them in place (start to first check, start to all
 * Ready with a verdict).
 */
public final class ScaleBenchmark {

  private final KubernetesClient client;
  private final LocalCluster cluster;
  private final Path work;
  private final Duration interval;
  private final Duration window;

  /** How long the probes run before the steady window (after all are Ready). */
  private static Duration warmup = Duration.ofSeconds(120);

  private final Duration groupWait = Duration.ofSeconds(2);
  private final int failureThreshold = 3;
  private final String heap;
  private final HttpClient http = HttpClient.newHttpClient();

  private ScaleBenchmark(
      LocalCluster cluster, Path work, Duration interval, Duration window, String heap) {
    this.cluster = cluster;
    this.client = patientClient(cluster);
    this.work = work;
    this.interval = interval;
    this.window = window;
    this.heap = heap;
  }

  /**
   * A client for the local API server that waits a minute for an answer: creating 10,000 probes
   * while the operator writes their first statuses takes the API server here longer than fabric8's
   * default 10 s per request.
   */
  private static KubernetesClient patientClient(LocalCluster cluster) {
    try {
      io.fabric8.kubernetes.client.Config config =
          io.fabric8.kubernetes.client.Config.fromKubeconfig(
              Files.readString(cluster.kubeconfig()));
      config.setRequestTimeout(60_000);
      config.setRequestRetryBackoffLimit(5);
      return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + cluster.kubeconfig(), e);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int[] sizes =
        Arrays.stream(options.getOrDefault("probes", "1000").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    Duration interval = Duration.ofSeconds(Long.parseLong(options.getOrDefault("interval", "10")));
    Duration window = Duration.ofSeconds(Long.parseLong(options.getOrDefault("window", "60")));
    if (window.toSeconds() % interval.toSeconds() != 0) {
      throw new IllegalArgumentException("--window must be a whole number of --interval");
    }
    warmup = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup", "120")));
    String heap = options.getOrDefault("heap", "768m");
    // --jfr DIR: a JFR recording (profile settings) of each operator run, for finding where CPU
    // goes.
    jfrDir = options.get("jfr");
    // nginx' worker (user nobody) tests the outage flag file in here.
    Path work =
        Files.createTempDirectory(
            "vigie-bench",
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
    LocalCluster cluster = LocalCluster.get();
    cluster.installCrds();
    ScaleBenchmark bench = new ScaleBenchmark(cluster, work, interval, window, heap);
    Map<Integer, Map<String, String>> results = new LinkedHashMap<>();
    for (int n : sizes) {
      log("=== " + n + " probes at " + interval.toSeconds() + "s ===");
      results.put(n, bench.run(n));
      printTable(results, interval, window, heap);
    }
    System.exit(0);
  }

  private Map<String, String> run(int n) throws Exception {
    Map<String, String> row = new LinkedHashMap<>();
    String namespace = cluster.createNamespace("bench");
    int outage = Math.min(50, Math.max(5, n / 100));
    try (Nginx nginx = Nginx.start(work.resolve("nginx-" + n));
        WebhookReceiver receiver = WebhookReceiver.start()) {
      long[] raw = nginx.rawLatencyMicros(2000);
      cluster
          .apply(
              namespace,
              """
              apiVersion: vigie.dihya.io/v1alpha1
              kind: AlertRoute
              metadata:
                name: bench
              spec:
                probeSelector:
                  matchLabels:
                    outage: "yes"
                groupWait: %ds
                sinks:
                  - name: hook
                    webhook:
                      url: %s
              """
                  .formatted(groupWait.toSeconds(), receiver.url("/alerts")))
          .assertSuccess();

      OperatorProcess operator = startOperator("bench-" + n);
      try {
        // 1. Create N probes while the operator runs; time until all are Ready with a verdict.
        Instant created = Instant.now();
        createProbes(namespace, n, outage, nginx);
        Instant allCreated = Instant.now();
        double createSeconds = seconds(created, allCreated);
        Readiness readiness = awaitAllReady(namespace, n, created, Duration.ofMinutes(10));
        Duration polled = readiness.polled();
        Instant lastVerdict = readiness.lastVerdict();
        row.put("create N probes (API server)", fmt(createSeconds) + " s");
        row.put(
            "created → all Ready with a verdict (status times; last created → all Ready)",
            fmt(seconds(created, lastVerdict))
                + " s; "
                + fmt(Math.max(0, seconds(allCreated, lastVerdict)))
                + " s (polls of the list saw it at "
                + fmt(polled.toMillis() / 1000.0)
                + " s)");

        // 2. Steady state, after the warm-up (the JIT compiles for minutes at 100 checks a second:
        // a third of the CPU of a window that starts 20 s after Ready; a long-running operator
        // pays that once).
        log("  warm-up: " + warmup.toSeconds() + " s");
        Thread.sleep(Math.max(warmup.toMillis(), interval.toMillis() * 2));
        steadyWindow(operator, nginx, n, raw, row);

        // 3. Outage of the probes behind /down/: detection and alert delivery.
        outage(namespace, operator, nginx, receiver, outage, row);
      } finally {
        operator.stop();
      }

      // 4. blackbox_exporter at the same rate against the same nginx, vigie stopped.
      blackbox(nginx, n, row);

      // 5. N probes in place before the operator starts (applied while it was down, or before it
      // was installed), none checked yet: their statuses are cleared with the operator stopped,
      // then it starts. Start to first check, and start to all Ready with a verdict: the
      // operator's own part of "created → Ready", without N creates competing for the API server.
      Instant cleared = Instant.now();
      clearStatuses(namespace);
      row.put(
          "clear N statuses, operator stopped (API server)",
          fmt(seconds(cleared, Instant.now())) + " s");
      Instant started = Instant.now();
      OperatorProcess again = startOperator("bench-adopt-" + n);
      try {
        long firstCheck =
            firstHitAfter(nginx, "/p/", started.toEpochMilli(), Duration.ofSeconds(60));
        row.put(
            "operator start → first check (N probes in place)",
            fmt((firstCheck - started.toEpochMilli()) / 1000.0) + " s");
        Readiness adopted = awaitAllReady(namespace, n, started, Duration.ofMinutes(10));
        row.put(
            "operator start → all N Ready with a verdict (status times)",
            fmt(seconds(started, adopted.lastVerdict()))
                + " s (polls of the list saw it at "
                + fmt(adopted.polled().toMillis() / 1000.0)
                + " s)");
      } finally {
        again.stop();
      }
    } finally {
      // Cleaning up must not hide why a run failed: a slow delete of 10,000 probes is only logged.
      Commands.Result deleted =
          cluster.kubectl(
              "delete", "healthprobes,alertroutes", "--all", "-n", namespace, "--wait=false");
      if (deleted.exitCode() != 0) {
        log("  clean-up of " + namespace + " failed: " + deleted.lastLines(3));
      }
    }
    return row;
  }

  private static String jfrDir;

  private OperatorProcess startOperator(String name) throws IOException {
    String jfr =
        jfrDir == null
            ? ""
            : " -XX:StartFlightRecording=settings=profile,filename=" + jfrDir + "/" + name + ".jfr";
    return OperatorProcess.start(
        cluster,
        name,
        Map.of(
            "JAVA_TOOL_OPTIONS",
            "-Xmx" + heap + jfr,
            // The audit line of every failed check is kept (it is the product), at INFO.
            "QUARKUS_LOG_CONSOLE_JSON_ENABLED",
            "true"));
  }

  private void createProbes(String namespace, int n, int outage, Nginx nginx) throws Exception {
    List<Callable<HealthProbe>> creates = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean down = i < outage;
      String name = (down ? "down-" : "svc-") + i;
      HealthProbe probe = new HealthProbe();
      probe.setMetadata(
          new ObjectMetaBuilder()
              .withName(name)
              .withNamespace(namespace)
              .withLabels(Map.of("outage", down ? "yes" : "no"))
              .build());
      HealthProbeSpec spec = new HealthProbeSpec();
      spec.interval = interval.toSeconds() + "s";
      spec.timeout = "2s";
      spec.failureThreshold = failureThreshold;
      spec.http = new HttpCheck();
      spec.http.url = nginx.url((down ? "/down/" : "/p/") + i);
      probe.setSpec(spec);
      creates.add(() -> client.resource(probe).create());
    }
    Parallel.run(64, creates);
  }

  /** Removes every probe's status (a merge patch of the status subresource), 64 at a time. */
  private void clearStatuses(String namespace) throws Exception {
    List<Callable<HealthProbe>> clears = new ArrayList<>();
    for (HealthProbe p :
        client.resources(HealthProbe.class).inNamespace(namespace).list().getItems()) {
      String name = p.getMetadata().getName();
      clears.add(
          () ->
              client
                  .resources(HealthProbe.class)
                  .inNamespace(namespace)
                  .withName(name)
                  .subresource("status")
                  .patch(
                      io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                          io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                      "{\"status\":null}"));
    }
    Parallel.run(64, clears);
  }

  /** When the polls saw all probes Ready, and when the last one got its verdict by its status. */
  private record Readiness(Duration polled, Instant lastVerdict) {}

  private Readiness awaitAllReady(String namespace, int n, Instant since, Duration limit)
      throws InterruptedException {
    Instant deadline = since.plus(limit);
    int last = -1;
    while (Instant.now().isBefore(deadline)) {
      List<HealthProbe> probes =
          client.resources(HealthProbe.class).inNamespace(namespace).list().getItems();
      int ready = 0;
      for (HealthProbe p : probes) {
        if (p.getStatus() != null
            && p.getStatus().health != null
            && p.getStatus().health != io.dihya.vigie.api.v1alpha1.Health.Unknown
            && "True".equals(condition(p, "Ready"))) {
          ready++;
        }
      }
      if (ready != last) {
        log("  ready with a verdict: " + ready + "/" + n);
        last = ready;
      }
      if (ready >= n) {
        return new Readiness(Duration.between(since, Instant.now()), lastVerdict(probes));
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("not all probes Ready within " + limit + " (" + last + ")");
  }

  /**
   * When the last probe got its verdict, from the probes' own status: the latest of their Ready
   * conditions' and health's ({@code since}) transitions, to the second (RFC 3339 in status), plus
   * that second, from the poll that saw them all Ready. A list of 10,000 probes takes seconds on
   * the benchmark's API server, so the polls' own times would add that lag.
   */
  private static Instant lastVerdict(List<HealthProbe> probes) {
    Instant last = Instant.EPOCH;
    for (HealthProbe p : probes) {
      if (p.getStatus() == null) {
        continue;
      }
      if (p.getStatus().since != null) {
        last = max(last, Instant.parse(p.getStatus().since));
      }
      if (p.getStatus().conditions != null) {
        for (Condition c : p.getStatus().conditions) {
          if ("Ready".equals(c.getType()) && c.getLastTransitionTime() != null) {
            last = max(last, Instant.parse(c.getLastTransitionTime()));
          }
        }
      }
    }
    return last.plusSeconds(1);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static String condition(HealthProbe probe, String type) {
    if (probe.getStatus() == null || probe.getStatus().conditions == null) {
      return null;
    }
    for (Condition c : probe.getStatus().conditions) {
      if (type.equals(c.getType())) {
        return c.getStatus();
      }
    }
    return null;
  }

  private void steadyWindow(
      OperatorProcess operator, Nginx nginx, int n, long[] raw, Map<String, String> row)
      throws Exception {
    log("  steady window: " + window.toSeconds() + " s");
    // Each reading is paired with its own clock, the window's rates with the operator's scrapes.
    PromText apiBefore = PromText.parse(client.raw("/metrics"));
    long apiStart = System.currentTimeMillis();
    double cpuBefore = ProcStats.cpuSeconds(operator.pid());
    long cpuStart = System.currentTimeMillis();
    // The two scrapes start exactly a window apart, and the window is a whole number of intervals:
    // each probe runs as many times in it whatever its phase. (Timed from the scrapes' ends, the
    // window was a fraction of an interval longer, and probes created in a burst share their
    // phases: 0.4 % of the planned checks seemed missing.)
    long start = System.currentTimeMillis();
    PromText metricsBefore = scrapeOperator(operator);
    long firstRead = (start + System.currentTimeMillis()) / 2; // when the counters were read
    long end = start + window.toMillis();
    Thread.sleep(Math.max(0, end - System.currentTimeMillis()));
    long secondAsked = System.currentTimeMillis();
    PromText metricsAfter = scrapeOperator(operator);
    long secondRead = (secondAsked + System.currentTimeMillis()) / 2;
    double cpuAfter = ProcStats.cpuSeconds(operator.pid());
    double cpuSeconds = (System.currentTimeMillis() - cpuStart) / 1000.0;
    long apiEnd = System.currentTimeMillis();
    PromText apiAfter = PromText.parse(client.raw("/metrics"));
    double apiSeconds = (apiEnd - apiStart) / 1000.0;
    double seconds = (end - start) / 1000.0;

    double checks =
        metricsAfter.sum("vigie_checks_total") - metricsBefore.sum("vigie_checks_total");
    // The operator's count spans its two readings (a slow scrape shifts them), nginx' the window.
    double counted = (secondRead - firstRead) / 1000.0;
    double plannedCounted = n * counted / interval.toSeconds();
    double planned = n * seconds / interval.toSeconds();
    Thread.sleep(1500); // the access log is flushed every second
    long served =
        nginx.hits().stream()
            .filter(h -> h.atMillis() >= start && h.atMillis() < end)
            .filter(h -> h.path().startsWith("/p/") || h.path().startsWith("/down/"))
            .count();
    row.put(
        "checks per second (of planned)",
        fmt(checks / counted)
            + " of "
            + fmt(n / (double) interval.toSeconds())
            + " ("
            + pct(checks / plannedCounted)
            + " of planned; target saw "
            + pct(served / planned)
            + ")");
    double skipped =
        metricsAfter.sum("vigie_check_runs_skipped_total")
            - metricsBefore.sum("vigie_check_runs_skipped_total");
    row.put("runs skipped (previous check still running)", fmt(skipped));
    row.put(
        "schedule lag p50 / p99 / max",
        "≤ "
            + ms(PromText.quantile(metricsBefore, metricsAfter, "vigie_schedule_lag_seconds", 0.5))
            + " / ≤ "
            + ms(PromText.quantile(metricsBefore, metricsAfter, "vigie_schedule_lag_seconds", 0.99))
            + " / "
            + ms(metricsAfter.sum("vigie_schedule_lag_seconds_max")));
    double p50 =
        PromText.quantile(metricsBefore, metricsAfter, "vigie_check_duration_seconds", 0.5);
    double p99 =
        PromText.quantile(metricsBefore, metricsAfter, "vigie_check_duration_seconds", 0.99);
    row.put(
        "check latency p50 / p99 (raw request p50 / p99)",
        "≤ "
            + ms(p50)
            + " / ≤ "
            + ms(p99)
            + " ("
            + fmt(raw[raw.length / 2] / 1000.0)
            + " ms / "
            + fmt(raw[(int) (raw.length * 0.99)] / 1000.0)
            + " ms)");
    double cpu = cpuAfter - cpuBefore;
    // CPU per check over the CPU reading's own window, at the rate the scrapes measured.
    double checksInCpuWindow = checks / counted * cpuSeconds;
    row.put("operator CPU (cores)", fmt(cpu / cpuSeconds));
    row.put("operator CPU-seconds per 1,000 checks", fmt(cpu / checksInCpuWindow * 1000, 3));
    row.put("__vigie_cpu_per_1000", Double.toString(cpu / checksInCpuWindow * 1000));
    double heapMib = ProcStats.heapAfterGcMib(operator.pid());
    row.put("RSS", fmt(ProcStats.rssMib(operator.pid())) + " MiB");
    row.put(
        "heap after GC (per probe)", fmt(heapMib) + " MiB (" + fmt(heapMib * 1024 / n) + " KiB)");
    double requests =
        apiAfter.sum("apiserver_request_total") - apiBefore.sum("apiserver_request_total") - 2;
    double statusWrites =
        apiAfter.sum("apiserver_request_total", ProbeLabels::statusWrite)
            - apiBefore.sum("apiserver_request_total", ProbeLabels::statusWrite);
    double eventWrites =
        apiAfter.sum("apiserver_request_total", ProbeLabels::eventWrite)
            - apiBefore.sum("apiserver_request_total", ProbeLabels::eventWrite);
    double checksInApiWindow = checks / counted * apiSeconds;
    row.put("API requests per second (operator)", fmt(requests / apiSeconds));
    row.put(
        "status writes per second / per check",
        fmt(statusWrites / apiSeconds) + " / " + fmt(statusWrites / checksInApiWindow, 4));
    row.put("Event writes per second", fmt(eventWrites / apiSeconds));
  }

  /** Labels of the API server's request counter. */
  private static final class ProbeLabels {
    /** Writes: server-side apply (APPLY), merge or JSON patches (PATCH), PUT and POST. */
    static final java.util.regex.Pattern WRITE =
        java.util.regex.Pattern.compile("verb=\"(APPLY|PATCH|PUT|POST)\"");

    static boolean statusWrite(String labels) {
      return labels.contains("resource=\"healthprobes\"")
          && labels.contains("subresource=\"status\"")
          && WRITE.matcher(labels).find();
    }

    static boolean eventWrite(String labels) {
      return labels.contains("resource=\"events\"") && WRITE.matcher(labels).find();
    }
  }

  private PromText scrapeOperator(OperatorProcess operator) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.port() + "/q/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("/q/metrics answered " + response.statusCode());
    }
    return PromText.parse(response.body());
  }

  private void outage(
      String namespace,
      OperatorProcess operator,
      Nginx nginx,
      WebhookReceiver receiver,
      int outage,
      Map<String, String> row)
      throws Exception {
    log("  outage of " + outage + " probes' target");
    long nanoRef = System.nanoTime();
    long wallRef = System.currentTimeMillis();
    long down = System.currentTimeMillis();
    nginx.fail(true);
    Map<String, Long> detected = new HashMap<>();
    Map<String, Long> engineDetected = new HashMap<>();
    long floor = failureThreshold * interval.toMillis();
    long deadline = down + floor + 60_000;
    while (detected.size() < outage && System.currentTimeMillis() < deadline) {
      for (HealthProbe p :
          client
              .resources(HealthProbe.class)
              .inNamespace(namespace)
              .withLabel("outage", "yes")
              .list()
              .getItems()) {
        if ("False".equals(condition(p, "Healthy"))) {
          detected.putIfAbsent(p.getMetadata().getName(), System.currentTimeMillis() - down);
          if (p.getStatus().since != null) {
            // When the engine saw it: the transition's own time (the list above is slow at 10,000).
            engineDetected.putIfAbsent(
                p.getMetadata().getName(),
                Instant.parse(p.getStatus().since).toEpochMilli() - down);
          }
        }
      }
      Thread.sleep(200);
    }
    long[] detection = detected.values().stream().mapToLong(Long::longValue).sorted().toArray();
    long[] engineDetection =
        engineDetected.values().stream().mapToLong(Long::longValue).sorted().toArray();
    // Alerts: every probe's firing alert, from its startsAt (the transition) to the receiver.
    long alertDeadline = System.currentTimeMillis() + groupWait.toMillis() + 15_000;
    Map<String, Long> delivered = new HashMap<>();
    while (delivered.size() < outage && System.currentTimeMillis() < alertDeadline) {
      for (WebhookReceiver.Received r : receiver.requests("/alerts")) {
        JsonNode body = r.json();
        long at = wallRef + (r.at() - nanoRef) / 1_000_000;
        for (JsonNode alert : body.path("alerts")) {
          if ("firing".equals(alert.path("status").asText())) {
            long startsAt = Instant.parse(alert.path("startsAt").asText()).toEpochMilli();
            delivered.putIfAbsent(alert.path("fingerprint").asText(), at - startsAt);
          }
        }
      }
      Thread.sleep(200);
    }
    nginx.fail(false);
    long[] latency = delivered.values().stream().mapToLong(Long::longValue).sorted().toArray();
    row.put(
        "outage detected by the engine, status.since (p50 / max)",
        engineDetection.length == 0
            ? "not detected"
            : fmt(engineDetection[engineDetection.length / 2] / 1000.0)
                + " s / "
                + fmt(engineDetection[engineDetection.length - 1] / 1000.0)
                + " s");
    row.put(
        "outage seen in status through the API (p50 / max; floor " + fmt(floor / 1000.0) + " s)",
        detection.length == 0
            ? "not detected"
            : fmt(detection[detection.length / 2] / 1000.0)
                + " s / "
                + fmt(detection[detection.length - 1] / 1000.0)
                + " s ("
                + detection.length
                + "/"
                + outage
                + " probes)");
    row.put(
        "alert delivery p50 / p99 (groupWait " + groupWait.toSeconds() + " s)",
        latency.length == 0
            ? "none delivered"
            : fmt(latency[latency.length / 2] / 1000.0, 3)
                + " s / "
                + fmt(
                    latency[Math.min(latency.length - 1, (int) (latency.length * 0.99))] / 1000.0,
                    3)
                + " s ("
                + latency.length
                + " alerts)");
  }

  private void blackbox(Nginx nginx, int n, Map<String, String> row) throws Exception {
    log("  blackbox_exporter at the same rate: " + window.toSeconds() + " s");
    try (BlackboxExporter blackbox = BlackboxExporter.start(work.resolve("blackbox-" + n))) {
      blackbox.drive(nginx.url("/bb/"), n, interval, 1024);
      Thread.sleep(Math.max(10_000, interval.toMillis()));
      long okBefore = blackbox.succeeded();
      double cpuBefore = ProcStats.cpuSeconds(blackbox.pid());
      long start = System.currentTimeMillis();
      Thread.sleep(window.toMillis());
      double cpu = ProcStats.cpuSeconds(blackbox.pid()) - cpuBefore;
      long ok = blackbox.succeeded() - okBefore;
      double seconds = (System.currentTimeMillis() - start) / 1000.0;
      blackbox.stopDriving();
      double perThousand = cpu / ok * 1000;
      row.put(
          "blackbox_exporter: checks per second, CPU (cores)",
          fmt(ok / seconds) + ", " + fmt(cpu / seconds) + " (" + blackbox.failed() + " failed)");
      row.put("blackbox_exporter CPU-seconds per 1,000 checks", fmt(perThousand, 3));
      double vigie = Double.parseDouble(row.remove("__vigie_cpu_per_1000"));
      row.put("vigie CPU per check ÷ blackbox_exporter's", fmt(vigie / perThousand, 2));
    }
  }

  private static long firstHitAfter(Nginx nginx, String prefix, long after, Duration limit)
      throws Exception {
    long deadline = System.currentTimeMillis() + limit.toMillis();
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(1100);
      for (Nginx.Hit hit : nginx.hits()) {
        if (hit.atMillis() >= after && hit.path().startsWith(prefix)) {
          return hit.atMillis();
        }
      }
    }
    throw new IllegalStateException("no check within " + limit + " of the operator's start");
  }

  private static void printTable(
      Map<Integer, Map<String, String>> results, Duration interval, Duration window, String heap) {
    List<String> keys = new ArrayList<>();
    results
        .values()
        .forEach(r -> r.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add));
    StringBuilder out = new StringBuilder();
    out.append("\nvigie scale benchmark: HTTP probes at ")
        .append(interval.toSeconds())
        .append(" s, steady window ")
        .append(window.toSeconds())
        .append(" s after a warm-up of ")
        .append(warmup.toSeconds())
        .append(" s, operator heap limit ")
        .append(heap)
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores\n\n| |");
    results.keySet().forEach(n -> out.append(" ").append(n).append(" probes |"));
    out.append("\n|---|");
    results.keySet().forEach(n -> out.append("---|"));
    out.append("\n");
    for (String key : keys) {
      if (key.startsWith("__")) {
        continue;
      }
      out.append("| ").append(key).append(" |");
      for (Map<String, String> r : results.values()) {
        out.append(" ").append(r.getOrDefault(key, "")).append(" |");
      }
      out.append("\n");
    }
    System.out.println(out);
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private static String ms(double seconds) {
    if (Double.isNaN(seconds)) {
      return "n/a";
    }
    if (Double.isInfinite(seconds)) {
      return "> 60 s";
    }
    return fmt(seconds * 1000, seconds < 0.01 ? 1 : 0) + " ms";
  }

  private static String pct(double ratio) {
    return fmt(ratio * 100, 2) + " %";
  }

  private static String fmt(double value) {
    return fmt(value, value < 10 ? 2 : 1);
  }

  private static String fmt(double value, int decimals) {
    return String.format(java.util.Locale.ROOT, "%." + decimals + "f", value);
  }

  private static void log(String line) {
    System.err.println(Instant.now() + " " + line);
  }
}
